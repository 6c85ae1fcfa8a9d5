// DutyGraph page: builds the vis network from the JSON block; opening view, units drawn on demand,
// documents of the corpus page opened and closed, search and neighbourhood highlight.
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
  var GAP = data.gap, UNIT_GAP = data.unitGap, PAD = 28;

  // ------------------------------------------------------------ geometry (sizes computed in kg/viz.py)
  function box(ids) {
    var b = { left: Infinity, top: Infinity, right: -Infinity, bottom: -Infinity };
    ids.forEach(function (id) {
      var n = nodes.get(id);
      if (!n || n.hidden) return;
      b.left = Math.min(b.left, n.x - n.w / 2); b.right = Math.max(b.right, n.x + n.w / 2);
      b.top = Math.min(b.top, n.y - n.h / 2); b.bottom = Math.max(b.bottom, n.y + n.h / 2);
    });
    return b.left === Infinity ? null : b;
  }

  function visibleIds() { return nodes.getIds({ filter: function (n) { return !n.hidden; } }); }

  // The whole drawing when it fits at a readable size (never enlarged past 1:1); else readable,
  // from its top left corner (where every outline starts: the document, its first sections).
  function view(b, animate) {
    if (!b) return;
    var cw = container.clientWidth, ch = container.clientHeight;
    var w = Math.max(b.right - b.left, 1), h = Math.max(b.bottom - b.top, 1);
    var scale = Math.min(1, (cw - 2 * PAD) / w, (ch - 2 * PAD) / h), x, y;
    if (scale >= data.readable) {
      x = (b.left + b.right) / 2; y = (b.top + b.bottom) / 2;
    } else {
      scale = data.readable;
      x = b.left + (cw / 2 - PAD) / scale;
      y = b.top + (ch / 2 - PAD) / scale;
      if (w * scale < cw - 2 * PAD) x = (b.left + b.right) / 2;
      if (h * scale < ch - 2 * PAD) y = (b.top + b.bottom) / 2;
    }
    network.moveTo({ position: { x: x, y: y }, scale: scale,
                     animation: animate ? { duration: 300, easingFunction: "easeInOutQuad" } : false });
  }

  // ------------------------------------------------------------ units drawn on demand
  // A task's units (nodes and edges marked "demand") are drawn while the task is selected,
  // stacked beside it; a unit found by search is drawn right of its tasks, with its edges.
  var shown = { nodes: [], edges: [] };

  function conceal() {
    if (!shown.nodes.length && !shown.edges.length) return;
    nodes.update(shown.nodes.map(function (id) { return { id: id, hidden: true }; }));
    edges.update(shown.edges.map(function (id) { return { id: id, hidden: true }; }));
    shown = { nodes: [], edges: [] };
  }

  function reveal(id) {
    var me = nodes.get(id);
    var upd = [], seen = {};
    // the unit of a unit's page is on every task: its role there is the task's border and label,
    // its edges are drawn only when it is selected itself
    var mine = edges.get(network.getConnectedEdges(id)).filter(function (e) {
      return e.demand && (me.kind === "focus" || nodes.get(e.from === id ? e.to : e.from).kind !== "focus");
    });
    if (me.demand && me.hidden) {  // shown by itself: right of its visible tasks, level with their middle
      var right = -Infinity, sum = 0, k = 0;
      mine.forEach(function (e) {
        var t = nodes.get(e.from === id ? e.to : e.from);
        if (t.hidden) return;
        right = Math.max(right, t.x + t.w / 2); sum += t.y; k += 1;
      });
      if (k) { me = { id: id, x: right + GAP + me.w / 2, y: sum / k, w: me.w, h: me.h }; }
      upd.push({ id: id, hidden: false, x: me.x, y: me.y });
      shown.nodes.push(id);
    }
    var stack = [];
    mine.forEach(function (e) {
      var o = nodes.get(e.from === id ? e.to : e.from);
      if (o.hidden && o.demand && !seen[o.id]) { seen[o.id] = 1; stack.push(o); }
    });
    if (stack.length) {  // a task's units, beside it, one above the other
      var width = Math.max.apply(null, stack.map(function (o) { return o.w; }));
      var height = stack.reduce(function (s, o) { return s + o.h + UNIT_GAP; }, -UNIT_GAP);
      var x = me.x + me.w / 2 + GAP + width / 2, y = me.y - height / 2;
      stack.forEach(function (o) {
        upd.push({ id: o.id, hidden: false, x: x, y: y + o.h / 2 });
        shown.nodes.push(o.id);
        y += o.h + UNIT_GAP;
      });
    }
    nodes.update(upd);
    var eu = [];
    mine.forEach(function (e) {
      var o = nodes.get(e.from === id ? e.to : e.from);
      if (!o.hidden) { eu.push({ id: e.id, hidden: false }); shown.edges.push(e.id); }
    });
    edges.update(eu);
  }

  // ------------------------------------------------------------ the corpus page: documents open and close
  var corpus = data.corpus, opened = {}, members = {};
  if (corpus) {
    nodes.forEach(function (n) { if (n.member) (members[n.member] = members[n.member] || []).push(n.id); });
  }

  // the same packing as kg.viz.pack: rows by level, wrapped at the layout's width
  function pack() {
    var pos = {}, y = 0, gapDoc = corpus.gap[0], gapRow = corpus.gap[1];
    corpus.rows.forEach(function (row) {
      var x = 0, rowH = 0;
      row.forEach(function (d) {
        var e = corpus.docs[d][opened[d] ? "open" : "closed"], w = e[2] - e[0], h = e[3] - e[1];
        if (x > 0 && x + w > corpus.width) { y += rowH + gapRow; x = 0; rowH = 0; }
        pos[d] = { x: x - e[0], y: y - e[1] };
        x += w + gapDoc; rowH = Math.max(rowH, h);
      });
      y += rowH + gapRow;
    });
    return pos;
  }

  function layout() {
    conceal();
    var pos = pack(), upd = [];
    Object.keys(pos).forEach(function (d) {
      upd.push({ id: d, x: pos[d].x, y: pos[d].y });
      (members[d] || []).forEach(function (m) {
        var n = nodes.get(m);
        upd.push({ id: m, x: pos[d].x + n.dx, y: pos[d].y + n.dy, hidden: !opened[d] });
      });
    });
    nodes.update(upd);
    syncEdges();
  }

  var toggled = {};
  function syncEdges() {  // an edge is drawn when both its ends are, and its kind is not switched off
    var upd = [];
    edges.forEach(function (e) {
      if (e.demand) return;
      var a = nodes.get(e.from), b = nodes.get(e.to);
      var hide = a.hidden || b.hidden || (data.toggles.indexOf(e.kind) >= 0 && !toggled[e.kind]);
      if (!!e.hidden !== hide) upd.push({ id: e.id, hidden: hide });
    });
    edges.update(upd);
  }

  function open(d, animate) {
    if (!corpus || !members[d] || opened[d]) return false;
    opened[d] = true;
    layout();
    if (animate !== false) view(box([d].concat(members[d])), true);
    return true;
  }

  function close(d) {
    if (!corpus || !opened[d]) return;
    delete opened[d];
    reset();
    layout();
  }

  window.vizOpen = function (d) { open(d, false); return Object.keys(opened).sort(); };
  window.vizClose = function (d) { close(d); return Object.keys(opened).sort(); };
  window.vizOpened = function () { return Object.keys(opened).sort(); };

  // ------------------------------------------------------------ neighbourhood highlight
  // The rest of the graph is veiled and the node, its neighbours and their edges are drawn again
  // on top: the cost is the neighbourhood's, not the graph's (5,000 nodes stay responsive).
  var focus = null;

  function highlight(id) {
    conceal();
    reveal(id);
    var es = edges.get(network.getConnectedEdges(id)).filter(function (e) { return !e.hidden; });
    var ns = [id];
    es.forEach(function (e) { var o = e.from === id ? e.to : e.from; if (ns.indexOf(o) < 0) ns.push(o); });
    focus = { id: id, nodes: ns, edges: es.map(function (e) { return e.id; }) };
    network.redraw();
    return shown.nodes.concat([id]);
  }

  function select(id) {  // a click: highlight, and pan to what it drew
    var drawn = highlight(id);
    if (drawn.length > 1) inView(drawn);
  }

  // pan (never zoom out) so that the node and the units just drawn are on screen
  function inView(ids) {
    var b = box(ids);
    if (!b) return;
    var tl = network.DOMtoCanvas({ x: PAD, y: PAD });
    var br = network.DOMtoCanvas({ x: container.clientWidth - PAD, y: container.clientHeight - PAD });
    if (b.left >= tl.x && b.right <= br.x && b.top >= tl.y && b.bottom <= br.y) return;
    var p = network.getViewPosition(), dx = 0, dy = 0;
    if (b.right > br.x) dx = b.right - br.x;
    if (b.left - dx < tl.x) dx = b.left - tl.x;
    if (b.bottom > br.y) dy = b.bottom - br.y;
    if (b.top - dy < tl.y) dy = b.top - tl.y;
    network.moveTo({ position: { x: p.x + dx, y: p.y + dy }, animation: { duration: 250 } });
  }

  function reset() {
    conceal();
    if (!focus) return;
    focus = null;
    network.redraw();
  }

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
    var n = nodes.get(id);
    if (n.member) open(n.member, false);
    if (n.demand && n.home && !opened[n.home]) open(n.home, false);
    network.selectNodes([id]);
    var b = box(highlight(id));
    var cw = container.clientWidth - 2 * PAD, ch = container.clientHeight - 2 * PAD;
    var scale = Math.max(data.readable, Math.min(Math.max(network.getScale(), 0.9),
                                                 cw / (b.right - b.left), ch / (b.bottom - b.top)));
    network.moveTo({ position: { x: (b.left + b.right) / 2, y: (b.top + b.bottom) / 2 }, scale: scale,
                     animation: { duration: 300 } });
  }

  network.on("click", function (params) {
    if (!params.nodes.length) { reset(); return; }
    var id = params.nodes[0];
    if (corpus && members[id] && !opened[id]) { reset(); open(id); return; }
    select(id);
  });
  network.on("doubleClick", function (params) {
    if (corpus && params.nodes.length && opened[params.nodes[0]]) close(params.nodes[0]);
  });
  window.vizHighlight = select;
  window.vizReset = reset;
  window.vizFocus = function () { return focus ? focus.nodes.slice().sort() : null; };

  // ------------------------------------------------------------ switches in the panel
  var toggles = document.getElementById("toggles");
  var EDGE_NAMES = { carries_out: "显示落实上级任务的连线 show carries-out links" };
  data.toggles.forEach(function (kind) {
    var label = document.createElement("label");
    var check = document.createElement("input");
    check.type = "checkbox";
    check.setAttribute("data-kind", kind);
    check.addEventListener("change", function () { toggled[kind] = check.checked; syncEdges(); });
    label.appendChild(check);
    label.appendChild(document.createTextNode(" " + (EDGE_NAMES[kind] || kind)));
    toggles.appendChild(label);
  });
  if (corpus) {
    var button = document.createElement("button");
    button.type = "button";
    button.id = "close-all";
    button.textContent = "全部收起 close every document";
    button.addEventListener("click", function () {
      opened = {}; reset(); layout(); view(box(visibleIds()), true);
    });
    toggles.appendChild(button);
  }

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

  // ------------------------------------------------------------ the opening view
  if (corpus) layout();
  view(box(visibleIds()), false);
  network.once("afterDrawing", function () {
    window.vizReady = performance.now();
    document.body.setAttribute("data-ready", "1");
  });
})();
