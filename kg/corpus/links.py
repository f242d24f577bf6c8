"""The corpus stage: what ties the reports of a build together, made from their small
summaries (:class:`kg.corpus.report.Summary`), never from their graphs: the links graph
(one entity across places, commitments another report answers) and the commitments each
report's own text (or nothing) answers; and the named graphs the store must hold.
"""
from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field

from rdflib import Graph

from kg import ids
from kg.corpus.cache import Cache
from kg.corpus.report import Summary, text_rows
from kg.corpus.workstate import Graph as WantedGraph
from kg.facts.commitments import Commitment, link, placed
from kg.facts.linking import add_hubs, hubs
from kg.facts.rdf import add_commitments
from kg.serialize import to_ntriples, turtle_block

ONTOLOGY_GRAPH = "graph/ontology"
LINKS_GRAPH = "graph/links"


@dataclass
class Corpus:
    """The reports of a build, the names several places share (hubs), and the
    commitments: those of the links graph and each report's own. Their triples are made
    only when something needs them (a graph to load, an export to write): a rebuild
    compares digests of these plain records."""

    reports: list[Summary]
    hubs: list[tuple[str, str, list[str]]]
    linked: list[Commitment]                  # commitments another report answers
    own: dict[str, list[Commitment]]          # report graph IRI -> its own commitments
    _blocks: dict[str, str] = field(default_factory=dict, repr=False)

    def ordered(self) -> list[tuple[str, Summary | None]]:
        """Every named graph of the build, in IRI order (None: ontology or links)."""
        graphs = [(s.graph, s) for s in self.reports]
        graphs.append((ids.base() + ONTOLOGY_GRAPH, None))
        if self.hubs or self.linked:
            graphs.append((ids.base() + LINKS_GRAPH, None))
        return sorted(graphs, key=lambda x: x[0])

    def triples(self, iri: str) -> Graph | set[tuple]:
        """The triples of the ontology's or the links' graph."""
        return ontology() if iri.endswith(ONTOLOGY_GRAPH) else self.links

    @functools.cached_property
    def links(self) -> set[tuple]:
        """The links graph's triples, made once (a set: what is added needs only ``add``)."""
        out: set[tuple] = set()
        add_hubs(out, self.hubs)
        add_commitments(out, self.linked)
        return out

    def block(self, iri: str) -> str:
        """The Turtle block of the ontology's or the links' graph (for kg.ttl, and indented
        for kg.trig), made once."""
        if iri not in self._blocks:
            self._blocks[iri] = turtle_block(self.triples(iri))
        return self._blocks[iri]

    def own_triples(self, iri: str) -> set[tuple]:
        """The commitments a report's own text (or nothing) answers, as triples."""
        out: set[tuple] = set()
        add_commitments(out, self.own.get(iri, []))
        return out

    def graphs(self, cache: Cache) -> dict[str, WantedGraph]:
        """The named graphs the store must hold, with their digests (of the records they
        are made from: no triple is made for a graph that did not change)."""
        wanted = {}
        for iri, s in self.ordered():
            if s is None:
                if iri.endswith(ONTOLOGY_GRAPH):
                    digest = _ontology_digest()
                else:
                    digest = _sha((repr(self.hubs) + _text(self.linked)).encode("utf-8"))
                wanted[iri] = WantedGraph(digest, functools.partial(_nt_of, self, iri),
                                          functools.partial(_rows_of_graph, iri))
                continue
            digest = _sha((s.digest + _text(self.own.get(iri, []))).encode("utf-8"))
            wanted[iri] = WantedGraph(digest, functools.partial(_report_nt, self, cache, s.key, iri),
                                      lambda _nt, key=s.key: text_rows(cache, key))
        return wanted


def corpus_stage(reports: list[Summary]) -> Corpus:
    """What ties ``reports`` together, from their summaries."""
    shared = hubs([t for s in reports for t in s.linkable]) if len(reports) > 1 else []
    by_report = {ids.report_iri(s.name): s.graph for s in reports}
    own, linked = placed(link([e for s in reports for e in s.ledger]))
    return Corpus(reports, shared, linked, {by_report[r]: cs for r, cs in own.items()})


def _text(commitments: list[Commitment]) -> str:
    """Commitments as text, for a digest (a dataclass's repr is ten times slower)."""
    return "\n".join(f"{c.promise}\x1f{c.answer}\x1f{c.value}\x1f{c.progress}\x1f{c.promise_report}"
                     f"\x1f{c.answer_report}\x1f{c.promise_sentence}\x1f{c.answer_sentence}"
                     for c in commitments)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@functools.cache
def ontology() -> Graph:
    from kg.build import ontology_graph
    return ontology_graph()


@functools.cache
def _ontology_digest() -> str:
    return _sha(to_ntriples(ontology()))


def _nt_of(corpus: Corpus, iri: str) -> bytes:
    return to_ntriples(corpus.triples(iri))


def _report_nt(corpus: Corpus, cache: Cache, key: str, iri: str) -> bytes:
    return cache.path(key, "nt").read_bytes() + to_ntriples(corpus.own_triples(iri))


def _rows_of_graph(iri: str, nt: bytes) -> tuple[list, list]:
    from kg.store import OxigraphStore
    from kg.textindex import rows_of
    return rows_of(OxigraphStore(nt, "nt", iri))


__all__ = ["Corpus", "corpus_stage", "ONTOLOGY_GRAPH", "LINKS_GRAPH"]
