// The graph page's behaviour: legend and class filter, relation filter, modality /
// section / status filters, the first view (isolated entities and metrics hidden until
// the toggle), re-layout when classes change, search that centres on a node, pinyin
// labels, bounded physics. Node labels: viz/labels.js; the details panel: viz/panel.js
// (both use window.kgPage, set at the end).
// Report text is only ever put into the page with textContent or as vis titles
// (strings, which vis-network shows as text): never as HTML.
(function () {
  "use strict";
  var t0 = performance.now();
  function json(id) { return JSON.parse(document.getElementById(id).textContent); }
  var rawNodes = json("kg-nodes"), rawEdges = json("kg-edges");
  var meta = json("kg-meta"), options = json("kg-options");
  var timing = window.kgTiming = { parsed: performance.now() - t0 };

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function fold(s) {  // case- and tone-insensitive form for search
    return String(s || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/\s+/g, "");
  }

  // ---- filters ----
  var hiddenClasses = new Set();
  var state = { modality: "", section: "", status: "" };
  var view = { showHidden: false, asked: new Set(), hiddenPredicates: new Set() };
  function nodeVisible(n) {
    if (view.asked.has(n.id)) return true;  // asked for (search, the panel, --focus)
    if (n.start_hidden && !view.showHidden) return false;
    if (hiddenClasses.has(n.cls)) return false;
    if (state.modality && n.modalities.indexOf(state.modality) < 0) return false;
    if (state.section && n.sections.indexOf(state.section) < 0) return false;
    if (state.status && n.status !== state.status) return false;
    return true;
  }
  var nodes = new vis.DataSet(rawNodes);
  var edges = new vis.DataSet(rawEdges);
  var visibleIds = new Set();
  function recompute() {
    visibleIds = new Set();
    rawNodes.forEach(function (n) { if (nodeVisible(n)) visibleIds.add(n.id); });
  }
  recompute();
  var nodeView = new vis.DataView(nodes, { filter: function (n) { return visibleIds.has(n.id); } });
  var edgeView = new vis.DataView(edges, {
    filter: function (e) {
      return visibleIds.has(e.from) && visibleIds.has(e.to) && !view.hiddenPredicates.has(e.predicate);
    }
  });

  // ---- the network ----
  var usePhysics = !!meta.physics && rawNodes.length > 0;
  options.physics = Object.assign({}, options.physics || {}, {
    enabled: usePhysics,
    stabilization: { enabled: usePhysics, iterations: meta.stabilization_iterations || 100, updateInterval: 25, fit: true }
  });
  var container = document.getElementById("mynetwork");
  var network = new vis.Network(container, { nodes: nodeView, edges: edgeView }, options);
  window.kgNetwork = network;
  function ready(kind) {
    if (timing[kind] === undefined) timing[kind] = performance.now() - t0;
    if (kind === "stabilized") document.body.setAttribute("data-stabilized", "1");
  }
  network.once("afterDrawing", function () {
    ready("drawn");
    if (!usePhysics) ready("stabilized");
  });
  if (usePhysics) {
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: { enabled: false } });  // settle, then stop
      // keep the settled positions, so nodes a filter hides come back where they were
      var pos = network.getPositions();
      nodes.update(Object.keys(pos).map(function (id) { return { id: id, x: pos[id].x, y: pos[id].y }; }));
      ready("stabilized");
    });
  }
  if (rawNodes.length === 0) ready("stabilized");

  // ---- header: counts and note ----
  var countEl = document.getElementById("count");
  function updateCount() {
    countEl.textContent = "显示 " + nodeView.length + " / " + rawNodes.length + " 个节点, " +
      edgeView.length + " 条边";
  }
  if (meta.note) {
    var note = document.getElementById("note");
    note.textContent = meta.note;
    note.hidden = false;
  }
  function refresh() { recompute(); nodeView.refresh(); edgeView.refresh(); updateCount(); }

  // ---- legend = class filter ----
  var legend = document.getElementById("legend");
  legend.appendChild(el("h2", "图例 legend"));
  (meta.classes || []).forEach(function (c) {
    var row = el("label", null, "legend-row");
    var box = document.createElement("input");
    box.type = "checkbox"; box.checked = true; box.value = c.name;
    box.setAttribute("data-class", c.name);
    box.addEventListener("change", function () {
      if (box.checked) hiddenClasses.delete(c.name); else hiddenClasses.add(c.name);
      view.asked.clear();
      refresh();
      relayout();
    });
    var sw = el("span", null, "swatch shape-" + c.shape);
    sw.style.background = c.color;
    row.appendChild(box); row.appendChild(sw);
    row.appendChild(el("span", c.zh, "zh"));
    row.appendChild(el("span", c.en, "en"));
    row.appendChild(el("span", c.count, "n"));
    legend.appendChild(row);
  });
  if (meta.edge_legend && meta.edge_legend.length) {
    legend.appendChild(el("h2", "关系 relations"));
    meta.edge_legend.forEach(function (r) {  // = relation filter
      var row = el("label", null, "legend-row rel-row");
      var box = document.createElement("input");
      box.type = "checkbox"; box.checked = true;
      box.setAttribute("data-predicate", r.predicate);
      box.addEventListener("change", function () {
        if (box.checked) view.hiddenPredicates.delete(r.predicate); else view.hiddenPredicates.add(r.predicate);
        refresh();
      });
      row.appendChild(box);
      row.appendChild(el("span", null, "swatch line"));
      row.appendChild(el("span", r.zh, "zh"));
      row.appendChild(el("span", r.en, "en"));
      row.appendChild(el("span", r.count, "n"));
      legend.appendChild(row);
    });
  }

  // ---- selects ----
  function fill(id, pairs, key) {
    var sel = document.getElementById(id);
    pairs.forEach(function (p) {
      var o = el("option", p[1]); o.value = p[0]; sel.appendChild(o);
    });
    sel.addEventListener("change", function () { state[key] = sel.value; refresh(); });
    if (!pairs.length) sel.disabled = true;
  }
  fill("f-modality", meta.modalities || [], "modality");
  fill("f-section", meta.sections || [], "section");
  fill("f-status", meta.statuses || [], "status");

  // ---- pinyin labels ----
  var pinyinBox = document.getElementById("pinyin");
  pinyinBox.addEventListener("change", function () {
    var usePy = pinyinBox.checked;
    nodes.update(rawNodes.map(function (n) {
      return { id: n.id, label: usePy && n.label_pinyin ? n.label_pinyin : n.label_zh };
    }));
  });

  // ---- the first view: isolated entities and metrics hidden until the toggle ----
  var showBox = document.getElementById("show-hidden");
  if (!rawNodes.some(function (n) { return n.start_hidden; })) showBox.disabled = true;
  showBox.addEventListener("change", function () {
    view.showHidden = showBox.checked;
    view.asked.clear();
    refresh();
    relayout();
  });

  // ---- a node asked for is shown, whatever hides it ----
  // Whoever selects or centres a node (the search, the panel's links, --focus) gets it
  // drawn first: network.selectNodes / focus on a node outside the view would fail.
  function reveal(id) {
    if (id === undefined || id === null || visibleIds.has(id) || !nodes.get(id)) return;
    view.asked.add(id);
    refresh();
  }
  ["selectNodes", "focus"].forEach(function (name) {
    var orig = network[name].bind(network);
    network[name] = function (arg) {
      (Array.isArray(arg) ? arg : [arg]).forEach(reveal);
      return orig.apply(null, arguments);
    };
  });

  // ---- re-layout: after classes are hidden or shown, lay out what remains ----
  // A bounded physics run from the current positions on the linked nodes; the unlinked
  // ones go on a grid below, as in kg/viz.py's layout. body[data-layout-done] counts the
  // runs; of runs asked for in quick succession only the last places the nodes.
  var layouts = 0, pending = 0;
  function place() {
    network.setOptions({ physics: { enabled: false } });
    var ids = nodeView.getIds(), linked = new Set();
    edgeView.get().forEach(function (e) { linked.add(e.from); linked.add(e.to); });
    var pos = network.getPositions(ids), byId = {};
    var upd = Object.keys(pos).map(function (id) { return (byId[id] = { id: id, x: pos[id].x, y: pos[id].y }); });
    var alone = upd.filter(function (u) { return !linked.has(u.id); }).map(function (u) { return nodes.get(u.id); });
    alone.sort(function (a, b) { return a.cls < b.cls ? -1 : a.cls > b.cls ? 1 : a.rank - b.rank; });
    if (alone.length) {
      var step = meta.grid_spacing;
      var ys = upd.filter(function (u) { return linked.has(u.id); }).map(function (u) { return u.y; });
      var bottom = ys.length ? Math.max.apply(null, ys) + 2 * step : 0;
      var cols = Math.max(1, Math.ceil(Math.sqrt(alone.length * 3)));
      alone.forEach(function (n, i) {
        byId[n.id].x = -(cols - 1) * step / 2 + (i % cols) * step;
        byId[n.id].y = bottom + Math.floor(i / cols) * step * 0.6;
      });
    }
    nodes.update(upd);
    network.fit();
    layouts += 1;
    document.body.setAttribute("data-layout-done", String(layouts));
  }
  function relayout() {
    var ids = nodeView.getIds(), linked = new Set();
    edgeView.get().forEach(function (e) { linked.add(e.from); linked.add(e.to); });
    document.body.removeAttribute("data-layout-done");
    var run = ++pending;
    if (!linked.size) { place(); return; }
    nodes.update(ids.map(function (id) { return { id: id, physics: linked.has(id) }; }));
    network.setOptions({ physics: { enabled: true, stabilization: {
      enabled: true, iterations: meta.relayout_iterations, updateInterval: 50, fit: false } } });
    network.once("stabilizationIterationsDone", function () { if (run === pending) place(); });
    network.stabilize(meta.relayout_iterations);
  }

  // ---- search ----
  var list = document.getElementById("search-list");
  rawNodes.slice(0, 5000).forEach(function (n) {
    var o = document.createElement("option"); o.value = n.label_zh; list.appendChild(o);
  });
  var msg = document.getElementById("search-msg");
  function search(q) {
    var f = fold(q);
    if (!f) { msg.textContent = ""; return null; }
    var best = null, bestScore = 0, hits = 0;
    rawNodes.forEach(function (n) {
      var score = 0;
      [n.label_zh, n.label_pinyin, n.key].forEach(function (s) {
        var x = fold(s);
        if (!x) return;
        if (x === f) score = Math.max(score, 3);
        else if (x.indexOf(f) === 0) score = Math.max(score, 2);
        else if (x.indexOf(f) >= 0) score = Math.max(score, 1);
      });
      if (score) hits++;
      if (score > bestScore || (score === bestScore && score && n.size > best.size)) { best = n; bestScore = score; }
    });
    if (!best) { msg.textContent = "未找到 not found: " + q; return null; }
    if (!visibleIds.has(best.id)) {  // found but filtered out: show its class again, clear filters
      hiddenClasses.delete(best.cls);
      var box = legend.querySelector('input[data-class="' + CSS.escape(best.cls) + '"]');
      if (box) box.checked = true;
      ["modality", "section", "status"].forEach(function (k) {
        state[k] = ""; document.getElementById("f-" + k).value = "";
      });
      refresh();
    }
    network.selectNodes([best.id]);
    network.focus(best.id, { scale: 1.3, animation: { duration: 400, easingFunction: "easeInOutQuad" } });
    msg.textContent = "找到 " + hits + " 个, 定位到: " + best.label_zh + " (" + best.cls_label + ")";
    return best.id;
  }
  window.kgSearch = search;
  window.kgVisibleIds = function () { return nodeView.getIds(); };
  var input = document.getElementById("search");
  input.addEventListener("keydown", function (ev) { if (ev.key === "Enter") search(input.value); });
  document.getElementById("search-go").addEventListener("click", function () { search(input.value); });

  // ---- --focus: the entity is highlighted (kg/viz.py gives it a border) and centred ----
  if (meta.focus && nodes.get(meta.focus)) {
    var centre = function () {  // in the part of the graph the details panel leaves free
      var panel = document.getElementById("panel");
      var dx = panel && !panel.hidden ? -(panel.offsetWidth + 12) / 2 : 0;
      network.selectNodes([meta.focus]);
      network.focus(meta.focus, { scale: network.getScale(), offset: { x: dx, y: 0 } });
    };
    if (document.body.hasAttribute("data-stabilized")) centre();
    else new MutationObserver(function (_, obs) {
      if (document.body.hasAttribute("data-stabilized")) { obs.disconnect(); centre(); }
    }).observe(document.body, { attributes: true });
  }

  window.kgPage = {
    network: network, nodes: nodes, edges: edges, nodeView: nodeView, edgeView: edgeView,
    rawNodes: rawNodes, rawEdges: rawEdges, meta: meta, el: el, refresh: refresh,
    visible: function (id) { return visibleIds.has(id); }, relayout: relayout
  };
  updateCount();
})();
