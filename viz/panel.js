// The details panel: clicking a node opens what the graph knows of it: its type and
// attributes, its relations (each a link that moves to the other entity), and every
// sentence it comes from with the mention highlighted and its offsets, a link to the
// report reader at that sentence (build/reports/NAME.html#sBEGIN) and to the entity's
// page (its IRI, which `kg serve` answers). Report text goes in with textContent only;
// links are made only from http(s) IRIs and the reader's own file names.
(function () {
  "use strict";
  var P = window.kgPage;
  if (!P) return;
  var network = P.network, meta = P.meta, el = P.el;
  var text = JSON.parse(document.getElementById("kg-text").textContent);
  var panel = document.getElementById("panel");
  var byId = {};
  P.rawNodes.forEach(function (n) { byId[n.id] = n; });
  var relations = {};  // id -> [{dir, label, other}]
  P.rawEdges.forEach(function (e) {
    var label = e.title || e.predicate;
    (relations[e.from] = relations[e.from] || []).push({ out: true, label: label, other: e.to });
    if (e.to !== e.from) (relations[e.to] = relations[e.to] || []).push({ out: false, label: label, other: e.from });
  });
  var classes = {};
  (meta.classes || []).forEach(function (c) { classes[c.name] = c; });

  function link(href, label, cls) {
    var a = el("a", label, cls);
    a.href = href;
    return a;
  }
  function section(title, count) {
    var h = el("h3", title);
    if (count !== undefined) h.appendChild(el("span", " (" + count + ")", "n"));
    return h;
  }
  function readerHref(report, begin) {
    if (!meta.reader || !report || !report[0]) return null;
    return meta.reader + encodeURIComponent(report[0]) + ".html#s" + begin;
  }

  function sentenceRow(span) {
    var s = text.sentences[span[0]];
    if (!s) return null;
    var report = text.reports[s[0]] || ["", ""];
    var chars = Array.from(s[2]);  // offsets count characters (code points), as in Python
    var a = span[1] - s[1], b = span[2] - s[1];
    var row = el("li", null, "sent");
    var head = el("div", null, "sent-head");
    head.appendChild(el("span", report[1], "report"));
    head.appendChild(el("span", "[" + span[1] + ", " + span[2] + ")", "offsets"));
    var href = readerHref(report, s[1]);
    if (href) head.appendChild(link(href, "在报告中阅读 read in report", "reader-link"));
    row.appendChild(head);
    var p = el("p", null, "sent-text");
    p.appendChild(document.createTextNode(chars.slice(0, a).join("")));
    var mark = el("mark", chars.slice(a, b).join(""));
    mark.setAttribute("data-begin", String(span[1]));
    mark.setAttribute("data-end", String(span[2]));
    p.appendChild(mark);
    p.appendChild(document.createTextNode(chars.slice(b).join("")));
    row.appendChild(p);
    return row;
  }

  function open(id) {
    var n = byId[id];
    if (!n) return;
    panel.textContent = "";
    panel.setAttribute("data-id", id);
    var close = el("button", "×", "close");
    close.type = "button";
    close.setAttribute("aria-label", "close");
    close.addEventListener("click", shut);
    panel.appendChild(close);
    var c = classes[n.cls] || {};
    var kind = el("div", null, "kind");
    var sw = el("span", null, "swatch shape-" + (c.shape || n.shape));
    sw.style.background = c.color || "";
    kind.appendChild(sw);
    kind.appendChild(el("span", (c.zh || n.cls_label) + " " + (c.en || n.cls)));
    panel.appendChild(kind);
    panel.appendChild(el("h2", n.label_zh));
    if (n.label_pinyin) panel.appendChild(el("div", n.label_pinyin, "pinyin"));
    var links = el("div", null, "links");
    if (/^https?:\/\//i.test(n.id)) links.appendChild(link(n.id, "实体页 entity page (kg serve)", "entity-link"));
    links.appendChild(el("code", n.id, "iri"));
    panel.appendChild(links);

    if (n.facts && n.facts.length) {
      var dl = el("dl", null, "facts");
      n.facts.forEach(function (f) { dl.appendChild(el("dt", f[0])); dl.appendChild(el("dd", f[1])); });
      panel.appendChild(dl);
    }

    var rels = (relations[id] || []).slice().sort(function (x, y) {
      var lx = (byId[x.other] || {}).label_zh || "", ly = (byId[y.other] || {}).label_zh || "";
      return (y.out - x.out) || (x.label < y.label ? -1 : x.label > y.label ? 1 : 0) || (lx < ly ? -1 : lx > ly ? 1 : 0);
    });
    panel.appendChild(section("关系 relations", rels.length));
    var ul = el("ul", null, "rels");
    rels.forEach(function (r) {
      var other = byId[r.other];
      if (!other) return;
      var li = el("li");
      li.appendChild(el("span", r.out ? r.label + " →" : "← " + r.label, "rel"));
      var go = el("button", other.label_zh, "go");
      go.type = "button";
      go.setAttribute("data-id", other.id);
      go.title = other.cls_label;
      go.addEventListener("click", function () { goTo(other.id); });
      li.appendChild(go);
      ul.appendChild(li);
    });
    panel.appendChild(ul);

    var spans = n.spans || [];
    panel.appendChild(section("来源句 sentences", spans.length));
    var list = el("ol", null, "sents");
    spans.forEach(function (sp) { var row = sentenceRow(sp); if (row) list.appendChild(row); });
    panel.appendChild(list);
    var tip = document.querySelector("div.vis-tooltip");  // the panel says it all
    if (tip) tip.style.visibility = "hidden";
    var bar = document.getElementById("bar");
    if (bar) panel.style.top = Math.round(bar.getBoundingClientRect().bottom + 8) + "px";
    panel.hidden = false;
    panel.scrollTop = 0;
  }
  function shut() {
    panel.hidden = true;
    panel.removeAttribute("data-id");
  }
  function goTo(id) {
    network.selectNodes([id]);
    open(id);
    network.focus(id, { scale: Math.max(network.getScale(), 1.0), animation: { duration: 300 },
                        offset: { x: -(panel.offsetWidth + 12) / 2, y: 0 } });
  }
  network.on("click", function (params) {
    if (params.nodes && params.nodes.length) open(params.nodes[0]);
  });
  document.addEventListener("keydown", function (ev) { if (ev.key === "Escape") shut(); });
  if (meta.focus && byId[meta.focus]) open(meta.focus);
  window.kgOpenPanel = open;
})();
