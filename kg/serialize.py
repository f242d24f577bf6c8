"""Deterministic RDF text: the same graph always gives the same bytes.

rdflib's Turtle output of an IRI-only graph is stable, but its TriG writer orders named
graphs by hash; here graphs are written in IRI order, each as stable Turtle.

>>> from rdflib import Graph, URIRef, Literal
>>> g = Graph(bind_namespaces="none")
>>> _ = g.add((URIRef("https://e.org/a"), URIRef("https://e.org/p"), Literal("x")))
>>> to_turtle(g) == to_turtle(g)
True
"""
from __future__ import annotations

from rdflib import Dataset, Graph


def to_turtle(g: Graph) -> str:
    return g.serialize(format="turtle")


def to_trig(ds: Dataset) -> str:
    """TriG with one block per non-empty named graph, in IRI order."""
    prefixes: list[str] = []
    blocks: list[str] = []
    graphs = sorted((c for c in ds.graphs() if len(c)), key=lambda c: str(c.identifier))
    for ctx in graphs:
        g = Graph()
        for p, ns in ds.namespaces():
            g.bind(p, ns, override=True, replace=True)
        for t in ctx:
            g.add(t)
        lines = to_turtle(g).splitlines()
        body = [ln for ln in lines if not ln.startswith("@prefix")]
        prefixes.extend(ln for ln in lines if ln.startswith("@prefix"))
        # no indentation: a line may continue a """multi-line literal""", whose text it would change
        inner = "\n".join(body).strip("\n")
        blocks.append(f"<{ctx.identifier}> {{\n{inner}\n}}\n")
    head = "\n".join(sorted(set(prefixes)))
    return head + "\n\n" + "\n".join(blocks)
