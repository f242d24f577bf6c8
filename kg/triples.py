"""A report's triples in plain Python: a set with the few lookups that the writers and a
report's graph page make (by subject, by predicate), at a twentieth of the cost of an
rdflib ``Graph`` per triple added (rdflib's memory store keeps three indexes and its
contexts). The build makes each report's graph in one (:func:`kg.corpus.report.prepare`);
rdflib's terms stay the terms.

>>> from rdflib import RDF, URIRef
>>> t = Triples()
>>> _ = t.add((URIRef("urn:a"), RDF.type, URIRef("urn:C"))).add((URIRef("urn:a"), RDF.type, URIRef("urn:C")))
>>> len(t), [str(o) for _, _, o in t.triples((URIRef("urn:a"), None, None))]
(1, ['urn:C'])
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator


class Triples:
    """Distinct triples, in the order they were first added."""

    def __init__(self) -> None:
        self._all: dict[tuple, None] = {}
        self._by_s: dict = defaultdict(list)
        self._by_p: dict = defaultdict(list)

    def add(self, triple: tuple) -> Triples:
        if triple not in self._all:
            self._all[triple] = None
            self._by_s[triple[0]].append(triple)
            self._by_p[triple[1]].append(triple)
        return self

    def __len__(self) -> int:
        return len(self._all)

    def __iter__(self) -> Iterator[tuple]:
        return iter(self._all)

    def __contains__(self, triple: tuple) -> bool:
        return triple in self._all

    def triples(self, pattern: tuple) -> Iterator[tuple]:
        """The triples matching ``(s, p, o)``, where None matches anything."""
        s, p, o = pattern
        if s is not None:
            found = self._by_s.get(s, ())
        elif p is not None:
            found = self._by_p.get(p, ())
        else:
            found = self._all
        for t in found:
            if (p is None or t[1] == p) and (o is None or t[2] == o):
                yield t


__all__ = ["Triples"]
