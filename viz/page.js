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

  // ---- search: the ranks of kg/lookup.py, on the folded names each node carries ----
  // (n.search = [[label, aliases, codes…], key, [pinyin…]], folded by kg/lookup.py).
  // 0 exact name, 1 key, 2 pinyin, 3 prefix, 4 substring; ties: shorter name, label, IRI.
  function foldName(s) {
    return String(s || "").normalize("NFKC").normalize("NFD").replace(/\p{Mn}/gu, "")
      .normalize("NFC").toLowerCase().replace(/[\s"'“”‘’「」『』《》〈〉]+/gu, "");
  }
  function foldPinyin(s) { return foldName(s).replace(/[^\p{L}\p{N}]+/gu, "").replace(/v/g, "u"); }
  function nameLength(s) { return Array.from(s).length; }
  function lookupMatch(n, q, qp) {
    var ex = n.search[0], key = n.search[1], py = n.search[2], best = null;
    if (ex.indexOf(q) >= 0) return [0, nameLength(q)];
    if (key && q === key) return [1, nameLength(q)];
    if (qp && py.indexOf(qp) >= 0) return [2, nameLength(qp)];
    [[ex, q], [key ? [key] : [], q], [py, qp]].forEach(function (pair) {
      var query = pair[1];
      pair[0].forEach(function (f) {
        if (!query || nameLength(f) <= nameLength(query)) return;
        var at = f.indexOf(query), r = at === 0 ? 3 : at > 0 ? 4 : -1, len = nameLength(f);
        if (r >= 0 && (!best || r < best[0] || (r === best[0] && len < best[1]))) best = [r, len];
      });
    });
    return best;
  }
  function lookupMatches(text) {
    var q = foldName(text), qp = foldPinyin(text), out = [];
    if (!q) return out;
    rawNodes.forEach(function (n) {
      var m = n.search ? lookupMatch(n, q, qp) : null;
      if (m) out.push({ node: n, rank: m[0], length: m[1] });
    });
    function cmp(a, b) { return a < b ? -1 : a > b ? 1 : 0; }
    out.sort(function (a, b) {
      return a.rank - b.rank || a.length - b.length || cmp(a.node.label_zh, b.node.label_zh) || cmp(a.node.id, b.node.id);
    });
    return out;
  }
  var list = document.getElementById("search-list");
  rawNodes.slice(0, 5000).forEach(function (n) {
    var o = document.createElement("option"); o.value = n.label_zh; list.appendChild(o);
  });
  var msg = document.getElementById("search-msg");
  var found = { query: null, hits: [], pos: -1 };
  function revealNode(n) {  // found but filtered out: show its class again, clear filters
    if (visibleIds.has(n.id)) return;
    hiddenClasses.delete(n.cls);
    var box = legend.querySelector('input[data-class="' + CSS.escape(n.cls) + '"]');
    if (box) box.checked = true;
    ["modality", "section", "status"].forEach(function (k) {
      state[k] = ""; document.getElementById("f-" + k).value = "";
    });
    refresh();
  }
  var RANK_WORDS = ["名称", "规范名", "拼音", "开头", "包含"];
  function showHit(pos) {
    var hits = found.hits;
    if (!hits.length) return null;
    found.pos = (pos + hits.length) % hits.length;
    var n = hits[found.pos].node;
    revealNode(n);
    network.selectNodes([n.id]);
    network.focus(n.id, { scale: 1.3, animation: { duration: 400, easingFunction: "easeInOutQuad" } });
    msg.textContent = "找到 " + hits.length + " 个 (" + (found.pos + 1) + "/" + hits.length + "), 定位到: " +
      n.label_zh + " (" + n.cls_label + ", " + RANK_WORDS[hits[found.pos].rank] + ")";
    stepButtons();
    return n.id;
  }
  function search(q) {
    found = { query: q, hits: lookupMatches(q), pos: -1 };
    if (!foldName(q)) { msg.textContent = ""; stepButtons(); return null; }
    if (!found.hits.length) { notFound(q); stepButtons(); return null; }
    return showHit(0);
  }
  function editSimilarity(a, b) {  // 1 - Levenshtein distance / longer length
    a = Array.from(a); b = Array.from(b);
    var prev = [], cur, i, j;
    for (j = 0; j <= b.length; j++) prev.push(j);
    for (i = 1; i <= a.length; i++) {
      cur = [i];
      for (j = 1; j <= b.length; j++)
        cur.push(Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
      prev = cur;
    }
    return 1 - prev[b.length] / Math.max(a.length, b.length, 1);
  }
  function suggestions(text, n) {  // close names when nothing matches (the library's cutoff, 0.6)
    var q = foldName(text), qp = foldPinyin(text), scored = [];
    rawNodes.forEach(function (node) {
      if (!node.search) return;
      var best = 0;
      node.search[0].concat(node.search[1] ? [node.search[1]] : []).forEach(function (f) {
        best = Math.max(best, editSimilarity(q, f));
      });
      node.search[2].forEach(function (f) { best = Math.max(best, editSimilarity(qp, f)); });
      if (best >= 0.6) scored.push([best, node.label_zh]);
    });
    scored.sort(function (a, b) { return b[0] - a[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0); });
    var out = [];
    scored.forEach(function (x) { if (out.length < n && out.indexOf(x[1]) < 0) out.push(x[1]); });
    return out;
  }
  function notFound(q) {
    msg.textContent = "未找到 not found: " + q;
    var close = suggestions(q, 5);
    if (!close.length) return;
    msg.appendChild(document.createTextNode("; 是不是 did you mean: "));
    close.forEach(function (label) {
      var b = el("button", label, "search-suggestion");
      b.type = "button";
      b.addEventListener("click", function () { input.value = label; search(label); });
      msg.appendChild(b);
    });
  }
  function step(delta) {
    if (found.query !== input.value) return search(input.value);
    return showHit(found.pos + delta);
  }
  var input = document.getElementById("search");
  var goButton = document.getElementById("search-go");
  var prevButton = el("button", "◀ 上一个", "search-step"), nextButton = el("button", "下一个 ▶", "search-step");
  prevButton.id = "search-prev"; nextButton.id = "search-next";
  [prevButton, nextButton].forEach(function (b) { b.type = "button"; });
  goButton.parentNode.insertBefore(nextButton, goButton.nextSibling);
  goButton.parentNode.insertBefore(prevButton, nextButton);
  function stepButtons() { prevButton.disabled = nextButton.disabled = found.hits.length < 2; }
  stepButtons();
  prevButton.addEventListener("click", function () { step(-1); });
  nextButton.addEventListener("click", function () { step(1); });
  input.addEventListener("keydown", function (ev) {
    if (ev.key !== "Enter") return;
    if (found.query === input.value && found.hits.length) step(ev.shiftKey ? -1 : 1);
    else search(input.value);
  });
  goButton.addEventListener("click", function () { search(input.value); });
  window.kgSearch = search;
  window.kgSearchStep = step;
  window.kgSearchFound = function () {
    return { ids: found.hits.map(function (h) { return h.node.id; }), pos: found.pos };
  };
  window.kgSuggest = function (q) { return suggestions(q, 5); };
  window.kgLookup = function (q) { return lookupMatches(q).map(function (h) { return [h.node.id, h.rank]; }); };
  window.kgVisibleIds = function () { return nodeView.getIds(); };

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
