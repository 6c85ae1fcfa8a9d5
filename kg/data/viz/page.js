// DutyGraph page: builds the vis network from the JSON block, then search and neighbourhood highlight.
// Text from documents is only ever put on the page with textContent / innerText.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var container = document.getElementById("graph");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
  window.network = network;
  window.vizData = { nodes: nodes, edges: edges };
  network.once("afterDrawing", function () {
    window.vizReady = performance.now();
    document.body.setAttribute("data-ready", "1");
  });
  network.fit({ animation: false });
  // a large tree would be too small to read when fitted: start readable, at its top, instead
  if (data.readable && network.getScale() < data.readable) {
    var pos = network.getPositions(), minX = Infinity, maxX = -Infinity, minY = Infinity;
    Object.keys(pos).forEach(function (k) {
      minX = Math.min(minX, pos[k].x); maxX = Math.max(maxX, pos[k].x); minY = Math.min(minY, pos[k].y);
    });
    network.moveTo({ position: { x: (minX + maxX) / 2, y: minY - 40 + container.clientHeight / 2 / data.readable },
                     scale: data.readable, animation: false });
  }

  // ------------------------------------------------------------ neighbourhood highlight
  var original = {};
  data.nodes.forEach(function (n) { original[n.id] = { color: n.color, font: n.font }; });
  var originalEdges = {};
  edges.forEach(function (e) { originalEdges[e.id] = e.color; });
  var DIM = { background: "#f2f3f4", border: "#e5e8e8", highlight: { background: "#f2f3f4", border: "#e5e8e8" } };
  var dimmed = false;

  function highlight(id) {
    var keep = {};
    keep[id] = true;
    network.getConnectedNodes(id).forEach(function (n) { keep[n] = true; });
    var keepEdges = {};
    network.getConnectedEdges(id).forEach(function (e) { keepEdges[e] = true; });
    var nu = [], eu = [];
    nodes.forEach(function (n) {
      var o = original[n.id];
      if (keep[n.id]) nu.push({ id: n.id, color: o.color, font: o.font });
      else nu.push({ id: n.id, color: DIM, font: Object.assign({}, o.font, { color: "#d0d3d4", strokeWidth: 0 }) });
    });
    edges.forEach(function (e) {
      eu.push({ id: e.id, color: keepEdges[e.id] ? originalEdges[e.id] : { color: "#eceeef", highlight: "#eceeef", opacity: 0.5 } });
    });
    nodes.update(nu);
    edges.update(eu);
    dimmed = true;
  }

  function reset() {
    if (!dimmed) return;
    var nu = [], eu = [];
    nodes.forEach(function (n) { var o = original[n.id]; nu.push({ id: n.id, color: o.color, font: o.font }); });
    edges.forEach(function (e) { eu.push({ id: e.id, color: originalEdges[e.id] }); });
    nodes.update(nu);
    edges.update(eu);
    dimmed = false;
  }

  function show(id) {
    network.selectNodes([id]);
    highlight(id);
    network.focus(id, { scale: Math.max(network.getScale(), 0.9), animation: { duration: 300 } });
  }

  network.on("click", function (params) {
    if (params.nodes.length) highlight(params.nodes[0]);
    else reset();
  });
  window.vizHighlight = highlight;
  window.vizReset = reset;

  // ------------------------------------------------------------ search
  var KIND = { unit: "单位", group: "单位", focus: "单位", task: "任务", section: "章节", plan: "方案",
               report: "报告", directive: "文件" };
  var RANK = { focus: 0, unit: 0, group: 1, task: 2, plan: 3, report: 3, directive: 4, section: 5 };
  var input = document.getElementById("search");
  var list = document.getElementById("hits");
  var found = document.getElementById("found");

  function find(q) {
    q = q.trim().toLowerCase();
    if (!q) return [];
    var hits = data.nodes.filter(function (n) { return n.search.indexOf(q) >= 0; });
    hits.sort(function (a, b) {
      return (RANK[a.kind] - RANK[b.kind]) || (a.search.indexOf(q) - b.search.indexOf(q)) ||
             (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    });
    return hits;
  }

  function search() {
    var hits = find(input.value);
    while (list.firstChild) list.removeChild(list.firstChild);
    found.textContent = input.value.trim() ? hits.length + " 个结果 matches" : "";
    hits.slice(0, 30).forEach(function (n) {
      var li = document.createElement("li");
      var k = document.createElement("span");
      k.className = "k";
      k.textContent = KIND[n.kind] || n.kind;
      li.appendChild(k);
      li.appendChild(document.createTextNode(n.label.replace(/\n/g, "")));
      li.title = n.title;
      li.setAttribute("data-id", n.id);
      li.addEventListener("click", function () { show(n.id); });
      list.appendChild(li);
    });
    return hits;
  }

  input.addEventListener("input", search);
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      var hits = search();
      if (hits.length) show(hits[0].id);
    }
  });
  window.vizSearch = function (q) { input.value = q; return search().map(function (n) { return n.id; }); };
})();
