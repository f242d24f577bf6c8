// The graph page's behaviour: legend and class filter, modality / section / status
// filters, search that centres on a node, pinyin labels, bounded physics.
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
  function nodeVisible(n) {
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
    filter: function (e) { return visibleIds.has(e.from) && visibleIds.has(e.to); }
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
      refresh();
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
    meta.edge_legend.forEach(function (r) {
      var row = el("div", null, "legend-row");
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

  updateCount();
})();
