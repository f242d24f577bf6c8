"""SHACL validation of a built graph against ``ontology/shapes.ttl``.

>>> from rdflib import Graph
>>> validate_graph(Graph())[0]
True
"""
from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from kg.resources import ONTOLOGY


def load_graph(path: str | Path) -> Graph:
    """A built graph file as one graph (named graphs merged), or a one-line error."""
    from kg.build import union_graph
    from kg.store import load_data

    return union_graph(load_data(path))


def validate_graph(data: Graph, shapes_path: Path | None = None) -> tuple[bool, str]:
    """(conforms, readable report)."""
    from pyshacl import validate

    shapes = Graph().parse(shapes_path or ONTOLOGY / "shapes.ttl", format="turtle")
    conforms, _results, text = validate(data, shacl_graph=shapes, inference="none",
                                        advanced=True, allow_warnings=True)
    return bool(conforms), str(text)


def validate_file(path: str | Path) -> tuple[bool, str]:
    """(conforms, readable report) of a graph file: SHACL as SPARQL on pyoxigraph
    (:mod:`kg.shacl`, a build's own store where there is one), or pyshacl where the file
    (JSON-LD) or the shapes are beyond it."""
    from kg.shacl import Unsupported, report_text, validate_store
    from kg.store import _FORMATS, load_store
    path = Path(path)
    if path.suffix.lower() in _FORMATS:
        store = load_store(path, "oxigraph")
        try:
            violations = validate_store(store, path)
        except Unsupported:
            pass
        else:
            return not violations, report_text(violations)
    return validate_graph(load_graph(path))
