"""The corpus stage: what ties the reports of a build together, made from their small
summaries (:class:`kg.corpus.report.Summary`), never from their graphs: the links graph
(one entity across places, commitments another report answers) and the commitments each
report's own text (or nothing) answers; and the named graphs the store must hold.
"""
from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

from rdflib import Graph

from kg import ids
from kg.corpus.cache import Cache
from kg.corpus.report import Summary, text_rows
from kg.corpus.workstate import Graph as WantedGraph
from kg.facts.commitments import link
from kg.facts.linking import across_reports
from kg.facts.rdf import add_commitments
from kg.serialize import to_ntriples

ONTOLOGY_GRAPH = "graph/ontology"
LINKS_GRAPH = "graph/links"


@dataclass
class Corpus:
    """The reports of a build, their links, and each report's own commitments."""

    reports: list[Summary]
    links: set[tuple]
    own: dict[str, set[tuple]]               # report graph IRI -> its commitments

    def ordered(self) -> list[tuple[str, Summary | None]]:
        """Every named graph of the build, in IRI order (None: ontology or links)."""
        graphs = [(s.graph, s) for s in self.reports]
        graphs.append((ids.base() + ONTOLOGY_GRAPH, None))
        if len(self.links):
            graphs.append((ids.base() + LINKS_GRAPH, None))
        return sorted(graphs, key=lambda x: x[0])

    def triples(self, iri: str) -> Graph | set[tuple]:
        """The triples of the ontology's or the links' graph."""
        return ontology() if iri.endswith(ONTOLOGY_GRAPH) else self.links

    def graphs(self, cache: Cache) -> dict[str, WantedGraph]:
        """The named graphs the store must hold, with their digests."""
        wanted = {}
        for iri, s in self.ordered():
            if s is None:
                nt = to_ntriples(self.triples(iri))
                wanted[iri] = WantedGraph(_sha(nt), functools.partial(lambda b: b, nt),
                                          functools.partial(_rows_of_triples, nt, iri))
                continue
            extra = to_ntriples(self.own[iri]) if iri in self.own else b""
            digest = _sha(s.digest.encode("ascii") + extra)
            wanted[iri] = WantedGraph(digest, functools.partial(_report_nt, cache, s.key, extra),
                                      functools.partial(text_rows, cache, s.key))
        return wanted


def corpus_stage(reports: list[Summary]) -> Corpus:
    """The links and commitments of ``reports``, as sets of triples (what they are added
    to needs only ``add``; a set holds a third of what an rdflib graph holds)."""
    links: set[tuple] = set()
    if len(reports) > 1:
        across_reports(links, [t for s in reports for t in s.linkable])
    own: dict[str, set[tuple]] = {}
    by_report = {ids.report_iri(s.name): s.graph for s in reports}
    for c in link([e for s in reports for e in s.ledger]):
        if c.answer_report in (None, c.promise_report):
            add_commitments(own.setdefault(by_report[c.promise_report], set()), [c])
        else:
            add_commitments(links, [c])
    return Corpus(reports, links, own)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@functools.cache
def ontology() -> Graph:
    from kg.build import ontology_graph
    return ontology_graph()


def _report_nt(cache: Cache, key: str, extra: bytes) -> bytes:
    return cache.path(key, "nt").read_bytes() + extra


def _rows_of_triples(nt: bytes, iri: str) -> tuple[list, list]:
    from kg.store import OxigraphStore
    from kg.textindex import rows_of
    return rows_of(OxigraphStore(nt, "nt", iri))


__all__ = ["Corpus", "corpus_stage", "ONTOLOGY_GRAPH", "LINKS_GRAPH"]
