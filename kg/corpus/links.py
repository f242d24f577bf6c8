"""The corpus stage: what ties the reports of a build together, made from their ledger
(:mod:`kg.corpus.ledger`, on disk), never from their graphs: the links graph
(one entity across places, commitments another report answers) and the commitments each
report's own text (or nothing) answers; and the named graphs the store must hold.
"""
from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph

from kg import ids
from kg.corpus.cache import Cache, pipeline_hash
from kg.corpus.report import Summary, text_rows
from kg.corpus.workstate import Graph as WantedGraph
from kg.corpus.ledger import Ledger
from kg.facts.linking import add_hubs
from kg.facts.rdf import add_commitments
from kg.serialize import indented, to_ntriples, turtle_block

ONTOLOGY_GRAPH = "graph/ontology"
LINKS_GRAPH = "graph/links"


#: triples of the links graph per chunk: it is made, loaded and written chunk by chunk
CHUNK = 20_000


@dataclass
class Corpus:
    """The reports of a build and its ledger (:mod:`kg.corpus.ledger`): the names several
    places share (hubs) and the commitments, those of the links graph and each report's
    own. Their triples are made only when something needs them (a graph to load, an
    export to write), a chunk at a time: a rebuild compares digests of the ledger's rows."""

    reports: list[Summary]
    ledger: Ledger
    _own: dict[str, str] = field(default_factory=dict, repr=False)  # graph -> digest
    #: the forms of a report's own commitments made at once, when first needed: N-Triples
    #: for the store, and the exports' Turtle and TriG when the build writes them
    own_forms: tuple[str, ...] = ("nt", "ttl", "trig")
    _made: set[str] = field(default_factory=set, repr=False)  # blocks made by this build

    def ordered(self) -> list[tuple[str, Summary | None]]:
        """Every named graph of the build, in IRI order (None: ontology or links)."""
        graphs = [(s.graph, s) for s in self.reports]
        graphs.append((ids.base() + ONTOLOGY_GRAPH, None))
        if self.links_digest is not None:
            graphs.append((ids.base() + LINKS_GRAPH, None))
        return sorted(graphs, key=lambda x: x[0])

    def chunks(self, iri: str) -> Iterator[Graph | set[tuple]]:
        """The triples of the ontology's or the links' graph, a chunk at a time (a hub
        or a commitment is never cut)."""
        if iri.endswith(ONTOLOGY_GRAPH):
            yield ontology()
            return
        out: set[tuple] = set()
        for hub in self.ledger.hubs():
            add_hubs(out, [hub])
            if len(out) >= CHUNK:
                yield out
                out = set()
        for c in self.ledger.linked():
            add_commitments(out, [c])
            if len(out) >= CHUNK:
                yield out
                out = set()
        if out:
            yield out

    def own_triples(self, iri: str) -> set[tuple]:
        """The commitments a report's own text (or nothing) answers, as triples."""
        out: set[tuple] = set()
        add_commitments(out, self.ledger.own(iri))
        return out

    def has_own(self, iri: str) -> bool:
        return iri in self._own

    def own_block(self, cache: Cache, iri: str, form: str) -> Path | None:
        """The file of the report cache that holds a report's own commitments as
        N-Triples (``form`` "nt"), a Turtle block ("ttl") or a TriG body ("trig"); None:
        the report has none. Made when their records change, with the other forms of
        :attr:`own_forms` (the store's loader and the exports then read the same triples
        once)."""
        if iri not in self._own:
            return None
        key = _block_key("own", iri, self._own[iri])
        cache.used.add(key)
        path = cache.path(key, form)
        if not self._fresh(cache, key, path):
            triples = self.own_triples(iri)
            forms = {form, *self.own_forms}
            if "nt" in forms:
                cache.write(key, "nt", to_ntriples(triples))
            if forms & {"ttl", "trig"}:
                ttl = turtle_block(triples)
                cache.write(key, "ttl", ttl)
                cache.write(key, "trig", indented(ttl))
        return path

    def graph_block(self, cache: Cache, iri: str, form: str) -> Path:
        """The file of the report cache that holds the statements of the ontology's or
        the links' graph as Turtle (``form`` "ttl") or as a TriG body ("trig"), made a
        chunk at a time when the graph changes (by :meth:`graph_nt`, when the store
        loads it)."""
        key = self._graph_key(iri)
        cache.used.add(key)
        path = cache.path(key, form)
        if not self._fresh(cache, key, path):
            for _ in self._chunks_writing(cache, key, iri):
                pass
        return path

    def graph_nt(self, cache: Cache, iri: str) -> Iterator[bytes]:
        """The N-Triples of the ontology's or the links' graph, a chunk at a time (for
        the store), writing its Turtle and TriG blocks along when the build writes
        exports and has no fresh blocks of it."""
        key = self._graph_key(iri)
        cache.used.add(key)
        if "ttl" in self.own_forms and not self._fresh(cache, key, cache.path(key, "ttl")):
            chunks = self._chunks_writing(cache, key, iri)
        else:
            chunks = self.chunks(iri)
        for chunk in chunks:
            yield to_ntriples(chunk)

    def _chunks_writing(self, cache: Cache, key: str, iri: str) -> Iterator[Graph | set[tuple]]:
        """:meth:`chunks`, writing the Turtle and TriG blocks of ``key`` along (each
        becomes its file once the last chunk is out)."""
        with cache.writing(key, "ttl") as ttl, cache.writing(key, "trig") as trig:
            for i, chunk in enumerate(self.chunks(iri)):
                piece = ("\n" if i else "") + turtle_block(chunk)
                ttl.write(piece.encode("utf-8"))
                trig.write(indented(piece).encode("utf-8"))
                yield chunk

    def _graph_digest(self, iri: str) -> str | None:
        """The digest of the ontology's or the links' graph (None: no links graph)."""
        return _ontology_digest() if iri.endswith(ONTOLOGY_GRAPH) else self.links_digest

    def _graph_key(self, iri: str) -> str:
        return _block_key("graph", iri, self._graph_digest(iri) or "")

    def _fresh(self, cache: Cache, key: str, path: Path) -> bool:
        """Whether ``path`` (a block of ``key``) may be copied as it is: made by this
        build, or kept by an earlier one in a cache that may be read; else it is made
        now (and counts as made)."""
        if path.is_file() and (key in self._made or cache.enabled):
            return True
        self._made.add(key)
        return False

    @functools.cached_property
    def links_digest(self) -> str | None:
        """The links graph's digest (None: no links graph)."""
        return self.ledger.links_digest()

    def graphs(self, cache: Cache) -> dict[str, WantedGraph]:
        """The named graphs the store must hold, with their digests (of the records they
        are made from: no triple is made for a graph that did not change)."""
        wanted = {}
        for iri, s in self.ordered():
            if s is None:
                wanted[iri] = WantedGraph(self._graph_digest(iri),
                                          functools.partial(self.graph_nt, cache, iri),
                                          functools.partial(_rows_of_graph, iri))
                continue
            digest = s.digest if iri not in self._own else _sha((s.digest + self._own[iri]).encode())
            wanted[iri] = WantedGraph(digest, functools.partial(_report_nt, self, cache, s.key, iri),
                                      lambda _nt, key=s.key: text_rows(cache, key),
                                      base=s.digest, extra=functools.partial(_own_nt, self, cache, iri))
        return wanted


def corpus_stage(reports: list[Summary], ledger: Ledger, exports: bool = True) -> Corpus:
    """What ties ``reports`` together, from the ledger of their facts (which holds
    exactly these reports); ``exports``: the build writes kg.ttl and kg.trig."""
    ledger.link({ids.report_iri(s.name): s.graph for s in reports})
    return Corpus(reports, ledger, ledger.own_digests(),
                  own_forms=("nt", "ttl", "trig") if exports else ("nt",))


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _block_key(kind: str, iri: str, digest: str) -> str:
    """The cache key of a block made from records, not from one report's text: the code
    and data that write it, the graph and the digest of its records."""
    return f"{kind}-" + _sha(f"{pipeline_hash()}\n{iri}\n{digest}".encode("utf-8"))


@functools.cache
def ontology() -> Graph:
    from kg.build import ontology_graph
    return ontology_graph()


@functools.cache
def _ontology_digest() -> str:
    return _sha(to_ntriples(ontology()))


def _report_nt(corpus: Corpus, cache: Cache, key: str, iri: str) -> Iterator[bytes]:
    yield cache.path(key, "nt").read_bytes() + b"".join(_own_nt(corpus, cache, iri))


def _own_nt(corpus: Corpus, cache: Cache, iri: str) -> Iterator[bytes]:
    own = corpus.own_block(cache, iri, "nt")
    if own is not None:
        yield own.read_bytes()


def _rows_of_graph(iri: str, nt: bytes) -> tuple[list, list]:
    from kg.store import OxigraphStore
    from kg.textindex import rows_of
    return rows_of(OxigraphStore(nt, "nt", iri))


__all__ = ["Corpus", "corpus_stage", "ONTOLOGY_GRAPH", "LINKS_GRAPH"]
