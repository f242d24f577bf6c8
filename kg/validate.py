"""SHACL validation of a built graph against ``ontology/shapes.ttl``.

>>> from rdflib import Graph
>>> validate_graph(Graph())[0]
True
"""
from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from kg.errors import InputError
from kg.resources import ONTOLOGY


def load_graph(path: str | Path) -> Graph:
    """Parse a Turtle/TriG/N-Triples/JSON-LD file into one graph, or a one-line error."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: no such file (run `kg build` first?)")
    fmt = {".ttl": "turtle", ".trig": "trig", ".nt": "nt", ".jsonld": "json-ld",
           ".nq": "nquads"}.get(p.suffix, "turtle")
    try:
        if fmt in ("trig", "nquads"):
            from rdflib import Dataset
            ds = Dataset()
            ds.parse(p, format=fmt)
            g = Graph()
            for ctx in ds.graphs():
                for t in ctx:
                    g.add(t)
            return g
        return Graph().parse(p, format=fmt)
    except Exception as exc:  # parser errors come in many classes; all mean bad input
        raise InputError(f"{p}: not valid RDF ({type(exc).__name__}: {str(exc).splitlines()[0][:200]})") from None


def validate_graph(data: Graph, shapes_path: Path | None = None) -> tuple[bool, str]:
    """(conforms, readable report)."""
    from pyshacl import validate

    shapes = Graph().parse(shapes_path or ONTOLOGY / "shapes.ttl", format="turtle")
    conforms, _results, text = validate(data, shacl_graph=shapes, inference="none",
                                        advanced=True, allow_warnings=True)
    return bool(conforms), str(text)


def validate_file(path: str | Path) -> tuple[bool, str]:
    return validate_graph(load_graph(path))
