"""The interactive HTML graph (``kg viz``, ``build/graph.html``), built with pyvis.

The page is one self-contained file: vis-network comes from pyvis's bundled copy,
inlined together with our template, CSS and script from ``viz/`` (no CSS framework,
nothing fetched from the network). Positions are computed here with networkx, so the
browser runs at most a short, bounded stabilisation and then stops.

Report text is untrusted: it reaches the page only as JSON inside
``<script type="application/json">`` (``<``, ``>``, ``&`` escaped) or as
auto-escaped text, and the page script inserts it with ``textContent``; node and edge
titles are plain strings, which vis-network shows as text.

>>> from kg.graphview import entity_graph
>>> from rdflib import Graph
>>> g = Graph().parse(data='<urn:r> a <https://w3id.org/gwr-kg/ontology#Road> ; '
...     '<http://www.w3.org/2000/01/rdf-schema#label> "韵涛路"@zh .', format="turtle")
>>> page = render(entity_graph(g), title="示例")
>>> page.shown, "韵涛路" in page.html, "https://cdn" in page.html
(1, True, False)
"""
from __future__ import annotations

import functools
import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import pyvis
from jinja2 import ChoiceLoader, Environment, FileSystemLoader
from markupsafe import Markup
from pyvis.network import Network
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF, RDFS

from kg.errors import QueryError
from kg.graphview import (entity_graph, hubs, iter_triples, neighbourhood, property_labels,
                          road_network, undirected_simple)
from kg.panel import mention_spans
from kg.resources import VIZ, load_toml
from kg.vocab import KG

PYVIS_TEMPLATES = Path(pyvis.__file__).resolve().parent / "templates"


@dataclass
class Page:
    """A rendered page: the HTML, how many entities it shows of how many, and why not all."""

    html: str
    shown: int
    total: int
    edges: int
    note: str = ""


@functools.cache
def load_style() -> dict:
    """``viz/style.toml``: colours, shapes and legend per class, page limits, vis options."""
    return load_toml("style.toml", base=VIZ)


def class_style(cls: str) -> dict:
    style = load_style()
    return {**style["default_class"], **style["classes"].get(cls, {})}


@functools.cache
def _symmetric() -> frozenset[str]:
    rel = load_toml("rules/rdf.toml")["relations"]
    return frozenset(v["property"] for v in rel.values() if v.get("symmetric"))


@functools.cache
def _inverses() -> dict[str, str]:
    """inverse property -> the property it mirrors (skos:broader -> skos:narrower)."""
    rel = load_toml("rules/rdf.toml")["relations"]
    return {v["inverse"]: v["property"] for v in rel.values() if v.get("inverse")}


def cut_down(view: nx.Graph, max_nodes: int) -> tuple[nx.Graph, str]:
    """Keep the ``max_nodes`` most connected entities of a view too large to draw well.

    >>> v = nx.path_graph(5); sub, note = cut_down(v, 3); sub.number_of_nodes(), bool(note)
    (3, True)
    """
    n = view.number_of_nodes()
    if n <= max_nodes:
        return view, ""
    deg = dict(view.degree())
    keep = sorted(view.nodes, key=lambda x: (-deg[x], str(x)))[:max_nodes]
    note = (f"图中有 {n} 个实体, 只显示连接最多的 {max_nodes} 个。用 --focus 标签 --depth N 或 "
            f"--types 类别 缩小范围。 The graph has {n} entities; showing the {max_nodes} most "
            f"connected. Narrow it with --focus LABEL --depth N or --types.")
    return view.subgraph(keep).copy(), note


def start_hidden(view: nx.Graph) -> set[str]:
    """The entities the first view hides (the page's toggle shows them): those of the
    classes ``hidden_at_start`` (metrics) and those with no relation to any other entity
    outside these classes.

    >>> v = nx.Graph([("a", "b"), ("a", "m")]); v.add_node("c")
    >>> nx.set_node_attributes(v, {"m": "Metric"}, "cls")
    >>> sorted(start_hidden(v))
    ['c', 'm']
    """
    classes = set(load_style()["page"]["hidden_at_start"])
    g = undirected_simple(view)
    kept = {n for n in g if view.nodes[n].get("cls", "") not in classes}
    return {n for n in g if n not in kept or not any(m in kept and m != n for m in g.neighbors(n))}


def _weighted(view: nx.Graph) -> nx.Graph:
    """The view as a simple undirected graph whose edges carry the layout weight of their
    strongest relation (``layout_weights``, default 1)."""
    weights = load_style()["page"].get("layout_weights", {})
    g = nx.Graph()
    g.add_nodes_from(view.nodes)
    for e in view.edges(keys=True) if view.is_multigraph() else view.edges():
        u, v = e[0], e[1]
        if u == v:
            continue
        w = weights.get(e[2], 1.0) if len(e) > 2 else 1.0
        if not g.has_edge(u, v) or g.edges[u, v]["weight"] < w:
            g.add_edge(u, v, weight=w)
    return g


def layout(view: nx.Graph, hidden: set[str] = frozenset()) -> dict[str, tuple[float, float]]:
    """Deterministic positions in pixels (same graph, same positions): a spring layout
    (networkx's force-directed Fruchterman-Reingold) of the linked entities the first view
    shows; the linked ones it hides (``hidden``: metrics) around the entity they are linked
    to; the isolated ones on a grid below, grouped by class.

    >>> pos = layout(nx.Graph([("a", "b"), ("b", "m")]), hidden={"m"})
    >>> sorted(pos) == ["a", "b", "m"] and len(set(pos.values())) == 3
    True
    """
    page = load_style()["page"]
    g = _weighted(view)
    linked = sorted(n for n in g if g.degree(n) > 0)
    core = [n for n in linked if n not in hidden] or linked
    alone = [n for n in g if g.degree(n) == 0]
    pos: dict[str, tuple[float, float]] = {}
    bottom = 0.0
    if core:
        raw = nx.spring_layout(g.subgraph(core), seed=page["layout_seed"], weight="weight",
                               iterations=page["layout_iterations"], method="force")
        scale = page["layout_scale"] * math.sqrt(len(core))
        pos = {n: (round(float(x) * scale, 1), round(float(y) * scale, 1)) for n, (x, y) in raw.items()}
        alone += _satellites(g, pos, [n for n in linked if n not in pos], page["grid_spacing"] * 0.6)
        bottom = max(y for _, y in pos.values()) + 2 * page["grid_spacing"]
    alone.sort(key=lambda n: (view.nodes[n].get("cls", ""), view.nodes[n].get("label", ""), n))
    if alone:
        step = page["grid_spacing"]
        cols = max(1, math.ceil(math.sqrt(len(alone) * 3)))
        left = -(cols - 1) * step / 2
        for i, n in enumerate(alone):
            pos[n] = (round(left + (i % cols) * step, 1), round(bottom + (i // cols) * step * 0.6, 1))
    return pos


def _satellites(g: nx.Graph, pos: dict, rest: list[str], radius: float) -> list[str]:
    """Place each node of ``rest`` on rings around an already placed neighbour (the most
    connected), nearest first; returns those with no placed node in reach."""
    angle = math.pi * (3 - math.sqrt(5))  # the golden angle: satellites spread evenly
    around: Counter = Counter()
    todo = set(rest)
    frontier = sorted(todo & {m for n in pos for m in g.neighbors(n)})
    while frontier:
        for n in frontier:
            anchor = max((m for m in g.neighbors(n) if m in pos), key=lambda m: (g.degree(m), m))
            k = around[anchor]
            around[anchor] += 1
            r = radius * (1 + 0.35 * math.sqrt(k))
            x, y = pos[anchor]
            pos[n] = (round(x + r * math.cos(k * angle), 1), round(y + r * math.sin(k * angle), 1))
            todo.discard(n)
        frontier = sorted(todo & {m for n in frontier for m in g.neighbors(n)})
    return sorted(todo)


def node_facts(d: dict, tooltip: bool = False) -> list[list[str]]:
    """What a person reads about an entity, as (label, text) pairs in the order of
    ``[attributes]`` in ``viz/style.toml`` (internal marks such as a glossary term's role
    are not shown); the details panel shows these, the tooltip those not marked
    ``tooltip = false``.

    >>> node_facts({"cls": "GlossaryTerm", "role": "mention", "definition": "由…组成"})
    [['定义', '由…组成']]
    >>> node_facts({"cls": "Person", "role": "镇长"})
    [['职务', '镇长']]
    """
    style = load_style()
    out = []
    for name, spec in style["attributes"].items():
        if "classes" in spec and d.get("cls") not in spec["classes"]:
            continue
        if tooltip and not spec.get("tooltip", True):
            continue
        v = d.get(name)
        if v in (None, "", []):
            continue
        if name == "key" and v == d.get("label"):
            continue
        if name == "value":
            v = f"{_number(v)}{d.get('unit', '')}"
            if d.get("kind"):
                v += f" ({style['metric_kind'].get(d['kind'], d['kind'])})"
            if d.get("period"):
                v += f", {d['period']}"
        elif name == "status":
            v = style["status"].get(v, v)
        elif name == "modalities":
            v = ", ".join(style["modality"].get(m, m) for m in v)
        elif isinstance(v, list):
            v = "、".join(str(x) for x in v)
        out.append([spec["zh"], str(v)])
    return out


def _number(v) -> str:
    """A value as a person writes it: 7284, not 7284.0.

    >>> _number(7284.0), _number("7284.0"), _number("0.50"), _number(12)
    ('7284', '7284', '0.50', '12')
    """
    text = str(v)
    if re.fullmatch(r"-?\d+\.0+", text):
        return text.split(".", 1)[0]
    return text


def node_title(d: dict) -> str:
    """The hover text of a node (plain text: type, what a person reads of it, source
    sentences)."""
    st = class_style(d.get("cls", ""))
    style = load_style()
    words = style["words"]
    lines = [d.get("label", "")]
    if d.get("label_pinyin"):
        lines.append(d["label_pinyin"])
    lines.append(f"{words['type']}: {st['zh']} ({st['en']})")
    lines += [f"{label}: {text}" for label, text in node_facts(d, tooltip=True)]
    sents = d.get("sentences") or []
    if sents:
        lines.append(f"{words['sentences']}:")
        n = style["page"]["tooltip_sentences"]
        lines += [f"· {s}" for s in sents[:n]]
        if len(sents) > n:
            lines.append(f"… (+{len(sents) - n})")
    return "\n".join(lines)


def _section_options(view: nx.Graph, used: set[str]) -> list[list[str]]:
    """(IRI, indented label) of the sections the drawn entities come from, in report
    order; with several reports, top-level sections name their report."""
    reports = view.graph.get("section_reports", {})
    several = len(set(reports.values())) > 1
    out = []
    for iri, label in view.graph.get("sections", {}).items():
        if iri in used:
            depth = iri.rsplit("/", 1)[-1].count(".")
            if several and depth == 0:
                label = f"{reports.get(iri, '')[:14]} · {label}"
            out.append([iri, "\u3000" * depth + label])
    return out


def render(view: nx.Graph, title: str = "", road: bool = False, note: str = "",
           src: Graph | Dataset | None = None, reader: str | None = None) -> Page:
    """Render an entity view (from :func:`kg.graphview.entity_graph`) as one HTML page.

    ``src``, the graph the view was made from, gives the details panel every source
    sentence of each entity (:func:`kg.panel.mention_spans`); ``reader``, the URL of the
    folder of reader pages relative to the page (``reports/``), links each to its report.
    """
    style = load_style()
    page_cfg = style["page"]
    total = view.number_of_nodes()
    view, cut_note = cut_down(view, page_cfg["max_nodes"])
    note = " ".join(x for x in (note, cut_note) if x)
    hidden = start_hidden(view)
    pos = layout(view, hidden)
    simple = undirected_simple(view)
    spans, text = mention_spans(src, view.nodes) if src is not None else ({}, {"sentences": [], "reports": []})
    focus = view.graph.get("focus", "")
    fcfg, lcfg = style["focus"], style["labels"]
    rank = {n: i for i, n in enumerate(sorted(
        view.nodes, key=lambda n: (-simple.degree(n), -len(spans.get(n, ())), view.nodes[n].get("label", ""), n)))}
    nodes = []
    counts = Counter()
    for n, d in sorted(view.nodes(data=True)):
        cls = d.get("cls", "")
        st = class_style(cls)
        counts[cls] += 1
        deg = simple.degree(n)
        size = min(page_cfg["size_max"], page_cfg["size_base"] + page_cfg["size_per_degree"] * math.sqrt(deg))
        x, y = pos.get(n, (0.0, 0.0))
        node = {
            "id": n, "label": d.get("label", ""), "label_zh": d.get("label", ""),
            "label_pinyin": d.get("label_pinyin", ""), "key": d.get("key", ""),
            "cls": cls, "cls_label": st["zh"], "title": node_title(d),
            "x": x, "y": y, "size": round(size, 1), "mass": 1 + deg / 4,
            "color": st["color"], "shape": st["shape"],
            "modalities": list(d.get("modalities", [])), "sections": list(d.get("sections", [])),
            "status": d.get("status", ""),
            "rank": rank[n], "start_hidden": n in hidden and n != focus,
            "label_px": round(min(lcfg["font_max"], lcfg["font_min"] + lcfg["font_per_degree"] * math.sqrt(deg)), 1),
            "facts": node_facts(d), "spans": spans.get(n, []),
        }
        if n == focus:
            node["borderWidth"] = fcfg["border_width"]
            node["color"] = {"background": st["color"], "border": fcfg["border_color"]}
        nodes.append(node)
    _add_search_keys(nodes, view)
    edges = _edges(view, road)
    ecfg = style["edges"]
    show_labels = road or len(edges) <= ecfg["label_max_edges"]
    rel_counts = Counter()
    for e in edges:
        rel_counts[e["predicate"]] += 1
        colour = ecfg.get("predicates", {}).get(e["predicate"], {}).get("color", ecfg["color"])
        e["color"] = {"color": colour, "highlight": ecfg["highlight"]}
        e["title"] = e["text"]
        if show_labels:
            e["label"] = e["text"]
        del e["text"]
    labels = property_labels()
    used_sections = {s for n in nodes for s in n["sections"]}
    meta = {
        "title": title or "知识图谱",
        "note": note,
        "physics": len(nodes) <= page_cfg["physics_max_nodes"],
        "stabilization_iterations": page_cfg["stabilization_iterations"],
        "classes": [{"name": c, "count": counts[c], **{k: class_style(c)[k] for k in ("zh", "en", "color", "shape")}}
                    for c in sorted(counts, key=lambda c: (list(style["classes"]).index(c)
                                                          if c in style["classes"] else 99, c))],
        "edge_legend": [{"zh": "路口 (路段起止)" if road else labels.get(p, {}).get("zh", p),
                         "en": "intersection (segment ends)" if road else labels.get(p, {}).get("en", ""),
                         "predicate": p, "count": n} for p, n in sorted(rel_counts.items())],
        "modalities": [[m, lab] for m, lab in style["modality"].items()
                       if any(m in n["modalities"] for n in nodes)],
        "sections": _section_options(view, used_sections),
        "statuses": [[s, lab] for s, lab in style["status"].items() if any(n["status"] == s for n in nodes)],
        "focus": focus,
        "reader": reader or "",
        "labels": lcfg,
        "relayout_iterations": page_cfg["relayout_iterations"],
        "grid_spacing": page_cfg["grid_spacing"],
        "type_word": style["words"]["type"],
    }
    options = {k: v for k, v in style["vis"].items()}
    if road:
        options = {**options, "edges": {**options.get("edges", {}), "arrows": {"to": {"enabled": False}}}}
    html = _html(nodes, edges, meta, options, text)
    return Page(html=html, shown=len(nodes), total=total, edges=len(edges), note=note)


def _add_search_keys(nodes: list[dict], view: nx.Graph) -> None:
    """Give each node what the page's search matches it by (:func:`kg.lookup.search_keys`:
    folded names, key and pinyin), so the page ranks names as ``--focus`` does."""
    from kg.lookup import entry_of, search_keys
    for n in nodes:
        n["search"] = search_keys(entry_of(n["id"], view.nodes[n["id"]]))


def _edges(view: nx.Graph, road: bool) -> list[dict]:
    out = []
    if road:
        for u, v, d in sorted(view.edges(data=True), key=lambda e: (e[0], e[1])):
            out.append({"from": u, "to": v, "predicate": d.get("predicate", "kg:intersects"),
                        "text": d.get("label", ""), "arrows": ""})
        return out
    symmetric = _symmetric()
    inverses = _inverses()
    seen = set()
    for u, v, k, d in sorted(view.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2])):
        if k in inverses and view.has_edge(v, u, key=inverses[k]):
            continue  # written as the inverse of a drawn edge (broader of narrower)
        if k in symmetric:
            pair = (min(u, v), max(u, v), k)
            if pair in seen:
                continue  # a symmetric relation is written both ways: draw it once
            seen.add(pair)
        e = {"from": u, "to": v, "predicate": k, "text": d.get("label", k)}
        if k in symmetric:
            e["arrows"] = ""
        out.append(e)
    return out


def _html(nodes: list[dict], edges: list[dict], meta: dict, options: dict, text: dict) -> str:
    net = Network(height="100%", width="100%", directed=True, cdn_resources="in_line")
    net.nodes = nodes  # filled directly: Network.add_edge is quadratic
    net.edges = edges
    net.options = options
    env = Environment(loader=ChoiceLoader([FileSystemLoader(str(VIZ)), FileSystemLoader(str(PYVIS_TEMPLATES))]),
                      autoescape=True, keep_trailing_newline=True)
    env.globals.update(meta=meta, options_obj=options, text=text)
    env.filters["tojson"] = script_json
    net.templateEnv = env
    net.path = "template.html"
    return net.generate_html()


_SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "'": "\\u0027",
                   "\u2028": "\\u2028", "\u2029": "\\u2029"}


def script_json(value) -> Markup:
    """JSON that is safe inside an HTML ``<script>`` element (and readable: UTF-8 kept).

    >>> text = str(script_json({"t": "</script><img src=x>"}))
    >>> "<" in text, json.loads(text)["t"]
    (False, '</script><img src=x>')
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for ch, esc in _SCRIPT_ESCAPES.items():
        text = text.replace(ch, esc)
    return Markup(text)


def report_title(src: Graph | Dataset) -> str:
    """The page title: the report's title, or the number of reports."""
    titles = sorted({str(o) for s, _, _ in iter_triples(src, (None, RDF.type, KG.Report))
                     for _, _, o in iter_triples(src, (s, RDFS.label, None))})
    suffix = load_style()["page"]["title_suffix"]
    if len(titles) == 1:
        return f"{titles[0]} {suffix}"
    if titles:
        return f"{len(titles)} 份报告 {suffix}"
    return suffix


def construct(src: Graph | Dataset, query: str) -> Graph:
    """Run a SPARQL CONSTRUCT over every graph of ``src`` (pyoxigraph, through the
    read-only guard of ``kg query``); the result, plus the types, labels and literal
    attributes of the IRIs it names, so they draw as entities.

    >>> from rdflib import Graph
    >>> g = Graph().parse(data='<urn:a> a <https://w3id.org/gwr-kg/ontology#Road> ; '
    ...     '<urn:p> <urn:b> . <urn:b> a <https://w3id.org/gwr-kg/ontology#Road> .', format="turtle")
    >>> len(construct(g, "CONSTRUCT { ?s <urn:q> ?o } WHERE { ?s <urn:p> ?o }"))
    3
    """
    from kg.guard import check_read_only
    from kg.query import with_prefixes
    from kg.store import load_store

    text = with_prefixes(query)
    info = check_read_only(text, set())
    if info.form != "CONSTRUCT":
        raise QueryError(f"--query needs a CONSTRUCT query (it draws the triples it builds), not {info.form}")
    union = Graph()
    for t in iter_triples(src, (None, None, None)):
        union.add(t)
    store = load_store(data=union.serialize(format="nt"), fmt="nt")
    res = store.query(info.text)
    out = Graph()
    named: set[URIRef] = set()
    for s, p, o in res.triples:
        out.add((s, p, o))
        named.update(x for x in (s, o) if isinstance(x, URIRef))
    for n in named:
        for _, p, o in union.triples((n, None, None)):
            if p == RDF.type or not isinstance(o, URIRef):
                out.add((n, p, o))
    return out


def render_page(src: Graph | Dataset, focus: str | None = None, depth: int = 1,
                types: list[str] | None = None, query: str | None = None,
                roads: bool = False, through_hubs: bool = False,
                reader: str | None = "reports/") -> Page:
    """The page for a built graph, with the options of ``kg viz`` (``through_hubs``: the
    focus neighbourhood walks through hubs too, :func:`kg.graphview.hubs`; ``reader``: where
    the reader pages are, relative to the page, or None).

    >>> from rdflib import Graph
    >>> g = Graph().parse(data='<urn:s> a <https://w3id.org/gwr-kg/ontology#RoadSegment> ; '
    ...     '<https://w3id.org/gwr-kg/ontology#segmentOf> <urn:r> . '
    ...     '<urn:r> a <https://w3id.org/gwr-kg/ontology#Road> .', format="turtle")
    >>> render_page(g, types=["Road"]).shown, render_page(g, focus="urn:r", depth=1).edges
    (1, 1)
    """
    title = report_title(src)
    note = ""
    if query is not None:
        src = construct(src, query)
        note = "SPARQL CONSTRUCT 结果 (result of --query)"
    view = entity_graph(src, types=types)
    if roads:
        view = road_network(view)
        title = f"{title} · 路网 road network"
    if focus:
        fcfg = load_style()["focus"]
        blocked = () if through_hubs else hubs(view, fcfg["hub_classes"], fcfg["hub_predicates"],
                                                 fcfg["hub_min_spokes"])
        view = neighbourhood(view, focus, depth, blocked=blocked)
        title = f"{title} · {focus} ±{depth}"
    return render(view, title=title, road=roads, note=note, src=src, reader=reader)


def render_dataset(ds: Dataset | Graph, reader: str = "reports/") -> str:
    """The whole graph's page, as ``kg build`` writes it to ``graph.html`` (``reader``:
    the reader pages' folder relative to the page).

    >>> from rdflib import Dataset
    >>> render_dataset(Dataset()).startswith("<!DOCTYPE html>")
    True
    """
    return render_page(ds, reader=reader).html


__all__ = ["render_dataset", "render_page", "render", "Page", "load_style", "construct", "cut_down"]
