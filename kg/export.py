"""Exports of a built graph for other tools (``kg export --format …``).

RDF: Turtle (stable, with prefixes), TriG (one named graph per report), N-Triples
(sorted lines), JSON-LD (compacted with our context, also written as a context file).
Networks: GraphML and GEXF of :func:`kg.graphview.entity_graph` (labels, classes and
attributes on nodes and edges). Tables: CSV, one file per class plus ``relations.csv``.
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
from pathlib import Path

import networkx as nx
from rdflib import Dataset, Graph

from kg.build import bind_prefixes, union_graph
from kg.errors import InputError
from kg.graphview import _ATTR_PROPS, entity_graph
from kg.output import ensure_dir, write_many
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
    text = union_graph(g).serialize(format="nt")
    return "".join(sorted(set(ln + "\n" for ln in text.splitlines() if ln.strip())))


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


def network(src: Graph | Dataset) -> nx.MultiDiGraph:
    """The entity graph with scalar attributes only (what GraphML and GEXF can hold);
    section IRIs become section labels."""
    view = entity_graph(src)
    sections = view.graph.get("sections", {})
    out = nx.MultiDiGraph()
    for n, d in view.nodes(data=True):
        d = dict(d)
        d["sections"] = [sections.get(s, s) for s in d.get("sections", [])]
        out.add_node(n, **{k: _flat(d.get(k, "")) for k in NODE_COLUMNS if k in d and d[k] not in ("", [], None)},
                     iri=n)
    for u, v, k, d in view.edges(keys=True, data=True):
        out.add_edge(u, v, key=k, predicate=d["predicate"], label=d.get("label", ""))
    return out


def to_graphml(src: Graph | Dataset) -> bytes:
    buf = io.BytesIO()
    nx.write_graphml(network(src), buf, encoding="utf-8", prettyprint=True)
    return buf.getvalue()


def to_gexf(src: Graph | Dataset) -> bytes:
    buf = io.BytesIO()
    g = network(src)
    for n, d in g.nodes(data=True):
        d.setdefault("label", n)  # GEXF's own node label
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


__all__ = ["export", "render", "FORMATS", "network", "to_ntriples", "to_jsonld", "to_csv",
           "to_graphml", "to_gexf", "jsonld_context"]
