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
  // The rest of the graph is veiled and the node, its neighbours and their edges are drawn again
  // on top: the cost is the neighbourhood's, not the graph's (5,000 nodes stay responsive).
  var focus = null;

  function highlight(id) {
    var ns = network.getConnectedNodes(id).concat([id]);
    focus = { id: id, nodes: ns, edges: network.getConnectedEdges(id) };
    network.redraw();
  }

  function reset() {
    if (!focus) return;
    focus = null;
    network.redraw();
  }

  // ------------------------------------------------------------ document titles when zoomed out
  // vis hides labels too small to read; a corpus overview still needs its document titles, so the
  // page draws them at a fixed screen size, cut to the width of their document's disc.
  var FONT = getComputedStyle(document.body).fontFamily;
  network.on("afterDrawing", function (ctx) {
    if (!data.titles.length) return;
    var s = network.getScale(), px = 13;
    data.titles.forEach(function (t) {
      if (t.size * s >= 9) return;  // vis draws this one itself, readable
      var node = network.body.nodes[t.id];
      if (!node) return;
      var chars = Math.floor(t.width * s / px) - 1;
      if (chars < 2) return;
      var text = t.text.length > chars ? t.text.slice(0, chars - 1) + "…" : t.text;
      ctx.save();
      ctx.font = (px / s) + "px " + FONT;
      var w = ctx.measureText(text).width, h = px * 1.5 / s;
      ctx.fillStyle = t.fill;
      ctx.strokeStyle = t.stroke;
      ctx.lineWidth = 1 / s;
      ctx.fillRect(node.x - w / 2 - 4 / s, node.y - h / 2, w + 8 / s, h);
      ctx.strokeRect(node.x - w / 2 - 4 / s, node.y - h / 2, w + 8 / s, h);
      ctx.fillStyle = t.color;
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.fillText(text, node.x, node.y);
      ctx.restore();
    });
  });

  // ------------------------------------------------------------ edge kinds hidden until asked for
  var toggles = document.getElementById("toggles");
  var EDGE_NAMES = { carries_out: "显示落实上级任务的连线 show carries-out links" };
  data.toggles.forEach(function (kind) {
    var label = document.createElement("label");
    var box = document.createElement("input");
    box.type = "checkbox";
    box.setAttribute("data-kind", kind);
    box.addEventListener("change", function () {
      var upd = [];
      edges.forEach(function (e) { if (e.kind === kind) upd.push({ id: e.id, hidden: !box.checked }); });
      edges.update(upd);
    });
    label.appendChild(box);
    label.appendChild(document.createTextNode(" " + (EDGE_NAMES[kind] || kind)));
    toggles.appendChild(label);
  });

  network.on("afterDrawing", function (ctx) {
    if (!focus) return;
    var body = network.body;
    var tl = network.DOMtoCanvas({ x: -20, y: -20 });
    var br = network.DOMtoCanvas({ x: container.clientWidth + 20, y: container.clientHeight + 20 });
    ctx.save();
    ctx.fillStyle = "rgba(251, 251, 250, 0.86)";
    ctx.fillRect(tl.x, tl.y, br.x - tl.x, br.y - tl.y);
    ctx.restore();
    focus.edges.forEach(function (e) { var edge = body.edges[e]; if (edge) edge.draw(ctx); });
    focus.edges.forEach(function (e) { var edge = body.edges[e]; if (edge) edge.drawArrows(ctx); });
    var labels = [];
    focus.nodes.forEach(function (n) {
      var node = body.nodes[n];
      if (!node) return;
      var r = node.draw(ctx);
      if (r && r.drawExternalLabel) labels.push(r.drawExternalLabel);
    });
    labels.forEach(function (draw) { draw(); });
  });

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
  window.vizFocus = function () { return focus ? focus.nodes.slice().sort() : null; };

  // ------------------------------------------------------------ search
  var KIND = { unit: "单位", group: "单位", focus: "单位", task: "任务", measure: "举措", section: "章节", plan: "方案",
               report: "报告", directive: "文件" };
  var RANK = { focus: 0, unit: 0, group: 1, task: 2, measure: 2, plan: 3, report: 3, directive: 4, section: 5 };
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
