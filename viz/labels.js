// Node labels, drawn by the page over vis-network's canvas (vis-network draws none: its
// node font size is 0). On every redraw (load, zoom, pan, filter) the labels are chosen
// again: the selected nodes first, then by importance (kg/viz.py's rank: degree, then
// mentions); a label is drawn only where its box, at screen size, overlaps no label drawn
// before it. So the most important names show at every zoom level and no two overlap.
// window.kgLabels() gives the boxes drawn (screen pixels, relative to the graph area).
(function () {
  "use strict";
  var P = window.kgPage;
  if (!P) return;
  var network = P.network, cfg = P.meta.labels || {};
  var pad = cfg.padding || 0, gap = cfg.gap || 0, maxWidth = cfg.max_width || 190;
  var measureCtx = document.createElement("canvas").getContext("2d");
  var order = P.rawNodes.slice().sort(function (a, b) { return a.rank - b.rank; })
    .map(function (n) { return n.id; });
  var info = {};  // id -> {text, px, w}
  function font(px, bold) { return (bold ? "bold " : "") + px + "px " + cfg.face; }
  function cut(s) {  // at most maxWidth wide (in the font set on measureCtx), else cut with "…"
    var text = String(s || "");
    if (measureCtx.measureText(text).width <= maxWidth) return text;
    var chars = Array.from(text);
    while (chars.length > 1 && measureCtx.measureText(chars.join("") + "…").width > maxWidth) chars.pop();
    return chars.join("") + "…";
  }
  function measure(ids) {
    ids.forEach(function (id) {
      var n = P.nodes.get(id);
      if (!n) return;
      var px = n.label_px || cfg.font_min || 12;
      measureCtx.font = font(px, true);  // bold: the widest the label is drawn
      var text = cut(n.label);
      info[id] = { text: text, px: px, w: measureCtx.measureText(text).width };
    });
  }
  measure(order);
  P.nodes.on("update", function (_, props) { measure(props.items); });  // e.g. pinyin labels

  var boxes = [];
  function overlaps(grid, b, cell) {
    for (var gx = Math.floor(b.x / cell); gx <= Math.floor((b.x + b.w) / cell); gx++) {
      for (var gy = Math.floor(b.y / cell); gy <= Math.floor((b.y + b.h) / cell); gy++) {
        var list = grid[gx + "," + gy];
        if (!list) continue;
        for (var i = 0; i < list.length; i++) {
          var o = list[i];
          if (b.x < o.x + o.w && o.x < b.x + b.w && b.y < o.y + o.h && o.y < b.y + b.h) return true;
        }
      }
    }
    return false;
  }
  function add(grid, b, cell) {
    for (var gx = Math.floor(b.x / cell); gx <= Math.floor((b.x + b.w) / cell); gx++) {
      for (var gy = Math.floor(b.y / cell); gy <= Math.floor((b.y + b.h) / cell); gy++) {
        (grid[gx + "," + gy] = grid[gx + "," + gy] || []).push(b);
      }
    }
  }
  function choose() {
    var scale = network.getScale();
    var area = document.getElementById("mynetwork");
    var W = area.clientWidth, H = area.clientHeight;
    var selected = network.getSelectedNodes();
    var chosen = new Set(selected);
    var ids = selected.concat(order.filter(function (id) { return !chosen.has(id); }));
    var grid = {}, cell = 64, out = [], max = cfg.max_labels || 400;
    var bodyNodes = network.body.nodes, tr = network.body.view.translation;
    for (var i = 0; i < ids.length && out.length < max; i++) {
      var id = ids[i], node = bodyNodes[id], lab = info[id];
      if (!node || !lab || !lab.text || !P.visible(id)) continue;
      var p = { x: node.x * scale + tr.x, y: node.y * scale + tr.y };  // = network.canvasToDOM
      var r = (node.options.size || 10) * scale;
      var w = lab.w + 2 * pad, h = lab.px * 1.25 + 2 * pad;
      var b = { id: id, text: lab.text, px: lab.px, x: p.x - w / 2, y: p.y + r + gap, w: w, h: h,
                selected: chosen.has(id) };
      if (b.x < 0 || b.x + b.w > W || b.y < 0 || b.y + b.h > H) continue;  // not wholly on screen
      if (overlaps(grid, b, cell)) continue;
      add(grid, b, cell);
      out.push(b);
    }
    return out;
  }
  network.on("afterDrawing", function (ctx) {
    boxes = choose();
    var ratio = network.canvas.pixelRatio || window.devicePixelRatio || 1;
    ctx.save();
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);  // screen pixels
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    ctx.lineJoin = "round";
    boxes.forEach(function (b) {
      ctx.font = font(b.px, b.selected);
      ctx.lineWidth = cfg.stroke_width || 3;
      ctx.strokeStyle = cfg.stroke || "#fff";
      ctx.strokeText(b.text, b.x + b.w / 2, b.y + pad);
      ctx.fillStyle = b.selected ? (cfg.selected_color || cfg.color) : (cfg.color || "#000");
      ctx.fillText(b.text, b.x + b.w / 2, b.y + pad);
    });
    ctx.restore();
  });
  window.kgLabels = function () {
    return boxes.map(function (b) {
      return { id: b.id, text: b.text, px: b.px, x: b.x, y: b.y, w: b.w, h: b.h };
    });
  };
  network.redraw();
})();
