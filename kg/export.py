"""Exports of a built graph for other tools (``kg export --format …``).

RDF: Turtle (stable, with prefixes), TriG (one named graph per report), N-Triples
(sorted lines), JSON-LD (compacted with our context, also written as a context file).
Networks: GraphML and GEXF of :func:`kg.graphview.entity_graph` (labels, classes and
attributes on nodes and edges, numbers as numbers, class colours, the page's layout;
symmetric relations once). Tables: CSV, one file per class plus ``relations.csv``.
Each re-imports into its own kind of tool: RDF to an isomorphic graph, GraphML and GEXF
into networkx with the same nodes and edges, CSV with one row per entity.

>>> from rdflib import Graph
>>> g = Graph().parse(data='<urn:b> <urn:p> "2" . <urn:a> <urn:p> "1" .', format="turtle")
>>> print(to_ntriples(g), end="")
<urn:a> <urn:p> "1" .
<urn:b> <urn:p> "2" .
"""
from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import networkx as nx
from rdflib import Dataset, Graph

from kg.build import bind_prefixes, union_graph
from kg.errors import InputError
from kg.graphview import _ATTR_PROPS, entity_graph
from kg.output import ensure_dir, write_many
from kg.serialize import to_ntriples as ntriples
from kg.serialize import to_trig, to_turtle
from kg.vocab import PREFIXES

FORMATS = {"ttl": "kg.ttl", "trig": "kg.trig", "nt": "kg.nt", "jsonld": "kg.jsonld",
           "graphml": "kg.graphml", "gexf": "kg.gexf", "csv": "csv"}

#: node attributes written to GraphML / GEXF / CSV (lists joined with LIST_SEP)
NODE_COLUMNS = ["label", "label_pinyin", "cls", "key", "status", *_ATTR_PROPS, "modalities",
                "degree", "reports", "sections", "sentences"]
LIST_SEP = "\n"


def to_ntriples(g: Graph | Dataset) -> str:
    """N-Triples, one line per triple, sorted (rdflib's own order changes between runs)."""
    return ntriples(union_graph(g)).decode("utf-8")


def jsonld_context() -> dict:
    """The JSON-LD context: our prefixes (kg, dct, prov, skos, nif, …)."""
    return {"@context": dict(sorted(PREFIXES.items()))}


def to_jsonld(g: Graph | Dataset) -> str:
    """JSON-LD compacted with :func:`jsonld_context` (inlined, so the file stands alone)."""
    ctx = jsonld_context()["@context"]
    text = union_graph(g).serialize(format="json-ld", context=ctx, auto_compact=True)
    return json.dumps(_canonical(json.loads(text)), ensure_ascii=False, indent=1,
                      sort_keys=True) + "\n"


def _canonical(value):
    """JSON-LD with every array sorted (we write no @list), so output is stable."""
    if isinstance(value, dict):
        return {k: (v if k == "@context" else _canonical(v)) for k, v in value.items()}
    if isinstance(value, list):
        items = [_canonical(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True))
    return value


def _dataset(src: Graph | Dataset) -> Dataset:
    if isinstance(src, Dataset):
        return src
    ds = Dataset()
    for t in src:
        ds.add(t)
    return ds


def _flat(value) -> str | int | float | bool:
    if isinstance(value, list):
        return LIST_SEP.join(str(v) for v in value)
    if isinstance(value, bool | int | float):
        return value
    return "" if value is None else str(value)


def positions(view: nx.MultiDiGraph) -> dict[str, tuple[float, float]]:
    """The graph page's layout (:func:`kg.viz.layout`, y pointing up as Gephi draws it):
    the whole graph up to the page's ``max_nodes``; beyond, the entities the page would
    draw, and the others on a grid below them (a spring layout of 10k nodes takes minutes)."""
    from kg.viz import cut_down, layout, load_style

    page = load_style()["page"]
    shown, _ = cut_down(view, page["max_nodes"])
    pos = layout(shown)
    rest = sorted(n for n in view if n not in pos)
    if rest:
        step = page["grid_spacing"]
        cols = max(1, math.ceil(math.sqrt(len(rest) * 3)))
        bottom = max((y for _, y in pos.values()), default=0.0) + 2 * step
        left = -(cols - 1) * step / 2
        for i, n in enumerate(rest):
            pos[n] = (round(left + (i % cols) * step, 1), round(bottom + (i // cols) * step * 0.6, 1))
    return {n: (x, -y if y else 0.0) for n, (x, y) in pos.items()}


def _rgb(colour: str) -> tuple[int, int, int]:
    c = colour.lstrip("#")
    if len(c) == 3:
        c = "".join(ch * 2 for ch in c)
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def network(src: Graph | Dataset) -> nx.MultiDiGraph:
    """The entity graph with scalar attributes only (what GraphML and GEXF can hold):
    numbers as numbers, section IRIs as section labels, the class colour (``color``,
    ``r``, ``g``, ``b``), the page's layout (``x``, ``y``) and node size; a symmetric
    relation (``kg:intersects``) once, marked ``symmetric``."""
    from kg.graphview import symmetric_properties
    from kg.viz import class_style

    view = entity_graph(src)
    sections = view.graph.get("sections", {})
    pos = positions(view)
    out = nx.MultiDiGraph()
    for n, d in view.nodes(data=True):
        d = dict(d)
        d["sections"] = [sections.get(s, s) for s in d.get("sections", [])]
        colour = class_style(d.get("cls", ""))["color"]
        r, g, b = _rgb(colour)
        out.add_node(n, **{k: _flat(d.get(k, "")) for k in NODE_COLUMNS if k in d and d[k] not in ("", [], None)},
                     iri=n, color=colour, r=r, g=g, b=b, x=float(pos[n][0]), y=float(pos[n][1]),
                     size=float(10 + 4 * math.sqrt(d.get("degree", 0) or 0)))
    _one_number_type(out)
    symmetric = symmetric_properties()
    for u, v, k, d in view.edges(keys=True, data=True):
        if k in symmetric:
            if out.has_edge(v, u, key=k) or out.has_edge(u, v, key=k):
                continue
            a, b = sorted((u, v))
            out.add_edge(a, b, key=k, predicate=d["predicate"], label=d.get("label", ""), symmetric=True)
        else:
            out.add_edge(u, v, key=k, predicate=d["predicate"], label=d.get("label", ""))
    return out


def _one_number_type(g: nx.MultiDiGraph) -> None:
    """An attribute that is a whole number on some nodes and a fraction on others becomes a
    float everywhere (GEXF and GraphML declare one type per attribute)."""
    kinds: dict[str, set[type]] = {}
    for _, d in g.nodes(data=True):
        for k, v in d.items():
            if isinstance(v, int | float) and not isinstance(v, bool):
                kinds.setdefault(k, set()).add(type(v))
    mixed = {k for k, ts in kinds.items() if ts == {int, float}}
    for _, d in g.nodes(data=True):
        for k in mixed & d.keys():
            d[k] = float(d[k])


def to_graphml(src: Graph | Dataset) -> bytes:
    """GraphML for Gephi, yEd and networkx: typed attributes (numbers as numbers), colour as
    ``r``/``g``/``b`` and ``color``, position ``x``/``y`` and ``size``, which Gephi reads."""
    buf = io.BytesIO()
    nx.write_graphml(network(src), buf, encoding="utf-8", prettyprint=True, infer_numeric_types=True)
    return buf.getvalue()


def to_gexf(src: Graph | Dataset) -> bytes:
    """GEXF with the colour, position and size as GEXF's own ``viz`` elements."""
    buf = io.BytesIO()
    g = network(src)
    for n, d in g.nodes(data=True):
        d.setdefault("label", n)  # GEXF's own node label
        d["viz"] = {"color": {"r": d.pop("r"), "g": d.pop("g"), "b": d.pop("b"), "a": 1.0},
                    "position": {"x": d.pop("x"), "y": d.pop("y"), "z": 0.0},
                    "size": d.pop("size")}
    nx.write_gexf(g, buf, encoding="utf-8", prettyprint=True)
    return buf.getvalue()


def to_csv(src: Graph | Dataset) -> dict[str, str]:
    """One CSV text per class (``Road.csv`` …) and ``relations.csv``; file name -> text.

    Columns: iri, then the node attributes present for that class (lists one item per
    line inside the cell), ``sentences`` last (the source sentences).
    """
    g = network(src)
    by_cls: dict[str, list[str]] = {}
    for n, d in g.nodes(data=True):
        by_cls.setdefault(d.get("cls", "Entity"), []).append(n)
    out = {}
    for cls, nodes in sorted(by_cls.items()):
        cols = [c for c in NODE_COLUMNS if c != "cls" and any(c in g.nodes[n] for n in nodes)]
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["iri", *cols])
        for n in sorted(nodes, key=lambda n: (g.nodes[n].get("label", ""), n)):
            w.writerow([n, *(g.nodes[n].get(c, "") for c in cols)])
        out[f"{cls}.csv"] = buf.getvalue()
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["subject", "subject_label", "predicate", "predicate_label", "object", "object_label"])
    for u, v, k, d in sorted(g.edges(keys=True, data=True), key=lambda e: (e[0], e[2], e[1])):
        w.writerow([u, g.nodes[u].get("label", ""), k, d.get("label", ""), v, g.nodes[v].get("label", "")])
    out["relations.csv"] = buf.getvalue()
    return out


def render(src: Graph | Dataset, fmt: str) -> str | bytes | dict[str, str]:
    """The export of ``src`` in ``fmt`` (text, bytes, or file name -> text for CSV)."""
    if fmt == "ttl":
        return to_turtle(union_graph(src))
    if fmt == "trig":
        ds = _dataset(src)
        bind_prefixes(ds)
        return to_trig(ds)
    if fmt == "nt":
        return to_ntriples(src)
    if fmt == "jsonld":
        return to_jsonld(src)
    if fmt == "graphml":
        return to_graphml(src)
    if fmt == "gexf":
        return to_gexf(src)
    if fmt == "csv":
        return to_csv(src)
    raise InputError(f"unknown export format {fmt!r} (one of {', '.join(FORMATS)})")


STREAMED = ("ttl", "trig", "nt")


def export_store(folder: Path, fmt: str, out: str | Path | None = None) -> list[Path]:
    """``fmt`` (ttl, trig or nt) of a build's on-disk store, streamed by pyoxigraph from the
    store to the file, so that a corpus larger than memory exports: TriG keeps the named
    graphs; Turtle and N-Triples hold every graph's triples (a triple in two graphs is
    written twice, which a reader takes as once). Written atomically."""
    import pyoxigraph as ox

    from kg.output import write_streamed
    from kg.serialize import default_prefixes
    path = Path(out) if out else Path("build") / "export" / FORMATS[fmt]
    try:
        store = ox.Store.read_only(str(folder))
    except OSError as exc:
        raise InputError(f"{folder}: cannot open the store ({exc})") from None
    prefixes = {} if fmt == "nt" else default_prefixes()

    def fill(tmp: Path) -> None:
        if fmt == "trig":
            store.dump(str(tmp), ox.RdfFormat.TRIG, prefixes=prefixes)
            return
        triples = (ox.Triple(q.subject, q.predicate, q.object)
                   for q in store.quads_for_pattern(None, None, None, None))
        ox.serialize(triples, str(tmp), ox.RdfFormat.TURTLE if fmt == "ttl" else ox.RdfFormat.N_TRIPLES,
                     **({"prefixes": prefixes} if prefixes else {}))

    write_streamed(path, fill)
    return [path]


def export(src: Graph | Dataset, fmt: str, out: str | Path | None = None) -> list[Path]:
    """Write the export of ``src`` to ``out`` (default ``build/export/kg.<fmt>``, or the folder
    ``build/export/csv/`` for CSV); returns the files written. JSON-LD also writes its
    context beside it (``<name>.context.jsonld``). Files are written atomically.

    >>> import tempfile, pathlib
    >>> g = Graph().parse(data='<urn:a> <urn:p> "x" .', format="turtle")
    >>> [p.name for p in export(g, "jsonld", pathlib.Path(tempfile.mkdtemp()) / "g.jsonld")]
    ['g.jsonld', 'g.context.jsonld']
    """
    data = render(src, fmt)
    path = Path(out) if out else Path("build") / "export" / FORMATS[fmt]
    files: dict[Path, str | bytes] = {}
    if isinstance(data, dict):
        ensure_dir(path)
        files = {path / name: "\ufeff" + text for name, text in data.items()}  # BOM: Excel reads UTF-8
    else:
        files[path] = data
        if fmt == "jsonld":
            ctx = path.with_name(path.name.removesuffix(".jsonld") + ".context.jsonld")
            files[ctx] = json.dumps(jsonld_context(), ensure_ascii=False, indent=1) + "\n"
    write_many(files)
    return list(files)


__all__ = ["export", "export_store", "render", "FORMATS", "network", "to_ntriples", "to_jsonld", "to_csv",
           "to_graphml", "to_gexf", "jsonld_context", "positions"]
