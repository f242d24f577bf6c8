"""Deterministic, fast Turtle and TriG: the same graph always gives the same bytes.

rdflib's Turtle writer spends most of its time computing prefixed names and orders
TriG graphs by hash; this writer sorts subjects, predicates (``a`` first) and objects,
compacts IRIs with a fixed prefix table, and writes graphs in IRI order.

>>> from rdflib import Graph, URIRef, Literal
>>> g = Graph(bind_namespaces="none")
>>> _ = g.add((URIRef("https://e.org/b"), URIRef("https://e.org/p"), Literal("二")))
>>> _ = g.add((URIRef("https://e.org/a"), URIRef("https://e.org/p"), Literal("一", lang="zh")))
>>> print(to_turtle(g, {"e": "https://e.org/"}))
@prefix e: <https://e.org/> .
<BLANKLINE>
e:a e:p "一"@zh .
<BLANKLINE>
e:b e:p "二" .
<BLANKLINE>
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from kg import ids
from kg.vocab import PREFIXES

_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")
_ESC = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_IRI_BAD = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_ESC_RE = re.compile(r'[\\"\n\r\t\b\f]')


def default_prefixes() -> dict[str, str]:
    return {**PREFIXES, "id": ids.base() + "id/"}


class _Writer:
    def __init__(self, prefixes: Mapping[str, str]):
        # longest namespace first, so id: wins over a shorter base
        self.prefixes = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))
        self.used: set[str] = set()
        self._cache: dict[str, str] = {}

    def iri(self, iri: str) -> str:
        out = self._cache.get(iri)
        if out is None:
            out = "<" + _IRI_BAD.sub(lambda m: "%%%02X" % ord(m.group(0)), iri) + ">"
            for p, ns in self.prefixes:
                if iri.startswith(ns) and _LOCAL.match(iri[len(ns):]):
                    out = f"{p}:{iri[len(ns):]}"
                    self.used.add(p)
                    break
            self._cache[iri] = out
        return out

    def term(self, t) -> str:
        if isinstance(t, URIRef):
            return self.iri(str(t))
        if isinstance(t, Literal):
            lex = '"' + _ESC_RE.sub(lambda m: _ESC[m.group(0)], str(t)) + '"'
            if t.language:
                return f"{lex}@{t.language}"
            if t.datatype is not None and t.datatype != XSD.string:
                return f"{lex}^^{self.iri(str(t.datatype))}"
            return lex
        if isinstance(t, BNode):
            return f"_:{t}"
        raise TypeError(f"cannot write {t!r}")

    def block(self, triples: Iterable[tuple], indent: str = "") -> str:
        by_subject: dict = defaultdict(lambda: defaultdict(set))
        for s, p, o in triples:
            by_subject[s][p].add(o)
        chunks = []
        for s in sorted(by_subject, key=str):
            preds = by_subject[s]
            order = sorted(preds, key=lambda p: (p != RDF.type, str(p)))
            lines = []
            for p in order:
                objs = sorted((self.term(o) for o in preds[p]))
                pn = "a" if p == RDF.type else self.term(p)
                lines.append(f"{pn} " + f",\n{indent}        ".join(objs))
            chunks.append(f"{indent}{self.term(s)} " + f" ;\n{indent}    ".join(lines) + " .\n")
        return "\n".join(chunks)

    def header(self) -> str:
        used = sorted(self.used)
        return "".join(f"@prefix {p}: <{dict(self.prefixes)[p]}> .\n" for p in used)


def to_turtle(g: Graph | Iterable[tuple], prefixes: Mapping[str, str] | None = None) -> str:
    """Turtle with sorted subjects, predicates and objects (of a graph or of triples)."""
    w = _Writer(prefixes or default_prefixes())
    body = w.block(g)
    return w.header() + "\n" + body


def to_trig(ds: Dataset, prefixes: Mapping[str, str] | None = None) -> str:
    """TriG with one block per non-empty named graph, in IRI order."""
    w = _Writer(prefixes or default_prefixes())
    graphs = sorted((c for c in ds.graphs() if len(c)), key=lambda c: str(c.identifier))
    blocks = [f"{w.term(c.identifier)} {{\n{w.block(c, '    ')}}}\n" for c in graphs]
    return w.header() + "\n" + "\n".join(blocks)


def to_ntriples(triples: Iterable[tuple]) -> bytes:
    """Sorted N-Triples lines (UTF-8): one report's graph as the store loads it."""
    w = _Writer({})
    lines = sorted({f"{w.term(s)} {w.term(p)} {w.term(o)} .\n" for s, p, o in triples})
    return "".join(lines).encode("utf-8")


def prefix_header(prefixes: Mapping[str, str] | None = None) -> str:
    """``@prefix`` lines for every prefix a block may use (a file made of blocks)."""
    table = prefixes or default_prefixes()
    return "".join(f"@prefix {p}: <{table[p]}> .\n" for p in sorted(table)) + "\n"


def turtle_block(triples: Iterable[tuple], prefixes: Mapping[str, str] | None = None,
                 indent: str = "") -> str:
    """Sorted Turtle statements without a header (``prefix_header`` goes once on top)."""
    return _Writer(prefixes or default_prefixes()).block(triples, indent)


def graph_name(iri: str, prefixes: Mapping[str, str] | None = None) -> str:
    """A named graph's IRI as a TriG block writes it."""
    return _Writer(prefixes or default_prefixes()).iri(iri)


_LINE_START = re.compile(r"(?m)^(?=.)")


def indented(block: str, indent: str = "    ") -> str:
    """A Turtle block as a TriG graph's body: every line that is not empty indented (the
    writer escapes line breaks inside literals, so a line is a line of statements).

    >>> print(indented('e:a e:p "x" ;\\n    e:q "y" .\\n\\ne:b e:p "z" .\\n'), end="")
        e:a e:p "x" ;
            e:q "y" .
    <BLANKLINE>
        e:b e:p "z" .
    """
    return _LINE_START.sub(indent, block)
