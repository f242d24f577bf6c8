"""The main job: read reports, build the graph, publish the outputs as one atomic set.

>>> default_reports()[0].name.endswith(".txt")
True
"""
from __future__ import annotations

import functools
import hashlib
import multiprocessing
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph

from kg import ids
from kg.artifact import PAGE, READER, Summary, prepare, text_rows
from kg.cache import Cache
from kg.errors import InputError
from kg.facts.commitments import link
from kg.facts.linking import across_reports
from kg.facts.rdf import add_commitments
from kg.indexpage import assemble
from kg.ingest import read_report
from kg.output import ensure_dir, publish
from kg.reader import page_name
from kg.records import Report
from kg.resources import DATA
from kg.serialize import graph_name, prefix_header, to_ntriples, turtle_block
from kg.store import STORE_DIR
from kg.textindex import INDEX_DIR
from kg.workstate import Graph as WantedGraph
from kg.workstate import WorkState

REPORTS_DIR = DATA / "reports"


@dataclass
class BuildSummary:
    out_dir: Path
    files: dict[str, Path]
    reports: list[str]
    triples: int
    entities: Counter = field(default_factory=Counter)
    sections: int = 0
    sentences: int = 0
    mentions: int = 0
    seconds: float = 0.0
    cached: int = 0       # reports taken from the cache (unchanged since the last build)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage
    loaded: int = 0       # named graphs the store took (changed since the last build)


def default_reports() -> list[Path]:
    """Every report file bundled in ``data/reports/``."""
    return sorted(p for p in REPORTS_DIR.glob("*.txt") if p.is_file())


def load_reports(paths: Sequence[str | Path], encoding: str | None = None) -> list[Report]:
    """Every report of ``paths`` (see :func:`report_paths`), read."""
    return [read_report(p, encoding) for p in report_paths(paths)]


def report_paths(paths: Sequence[str | Path]) -> list[Path]:
    """The report files to build (default: the bundled ones), each once; two reports of
    one name are refused (a report's graph and IRIs come from its file name)."""
    if not paths:
        paths = default_reports()
        if not paths:
            raise InputError(f"{REPORTS_DIR}: no report files (*.txt) to build")
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():  # a folder of reports: its *.txt files
            inside = sorted(x for x in p.glob("*.txt") if x.is_file())
            if not inside:
                raise InputError(f"{p}: a folder without report files (*.txt)")
            files += inside
        else:
            files.append(p)
    paths = files
    seen: dict[str, Path] = {}
    for p in paths:
        name = Path(p).stem
        if name in seen and Path(seen[name]).resolve() != Path(p).resolve():
            raise InputError(f"two reports are named {name!r} ({seen[name]} and {p}): a report's "
                             "graph and IRIs come from its file name, so rename one")
        seen[name] = Path(p)
    return list(dict.fromkeys(Path(x) for x in paths))


def build(paths: Sequence[str | Path] = (), out_dir: str | Path = "build",
          encoding: str | None = None, html: bool = True,
          progress: Callable | None = None, tagger: bool = True,
          jobs: int = 1, cache: bool = True, exports: bool = True) -> BuildSummary:
    """Build the graph of ``paths`` (default: all bundled reports) into ``out_dir``.

    Reports stream through three stages: each is read, analysed and written out on its own
    (on ``jobs`` processes, :mod:`kg.artifact`, kept in the report cache); then what ties
    reports together is made from their small summaries (the links graph, commitments);
    then the working store and index take the named graphs that changed
    (:mod:`kg.workstate`) and the outputs are published as one set. ``tagger=False``:
    names from the rules alone; ``cache=False``: analyse every report again;
    ``exports=False``: no ``kg.ttl``/``kg.trig`` (the store is the graph; ``kg export``
    writes them from it). The outputs are the same whatever ``jobs`` is."""
    t0 = time.perf_counter()
    out = ensure_dir(Path(out_dir))
    files_in = report_paths(paths)
    multi = len(files_in) > 1
    store = Cache(out, reuse=cache)
    summaries: list[Summary] = []
    try:
        for s in prepared(files_in, encoding, tagger, html, multi, store, jobs):
            store.used.add(s.key)
            store.hits += s.cached
            summaries.append(s)
            if progress:
                progress(s)
        t1 = time.perf_counter()
        corpus = corpus_stage(summaries)
        t2 = time.perf_counter()
        work = WorkState(out)
        try:
            loaded, _ = work.sync(corpus.graphs(store))
            n_triples = len(work)
            t3 = time.perf_counter()
            outputs = corpus.outputs(store, work, html=html, exports=exports, jobs=jobs)
            written = publish(out, outputs.files, names=("kg.ttl", "kg.trig", "graph.html"),
                              dirs=outputs.dirs)
        finally:
            work.close()
    finally:
        store.prune()
    summary = BuildSummary(out_dir=out, files=written, cached=store.hits, loaded=loaded,
                           reports=[s.name for s in summaries], triples=n_triples)
    summary.timings = {"reports": t1 - t0, "links": t2 - t1, "store": t3 - t2,
                       "outputs": time.perf_counter() - t3}
    classes: dict[str, str] = {}
    for s in summaries:
        for iri, cls in s.entities:  # the same entity in two reports of one place counts once
            classes.setdefault(iri, cls)
    summary.entities = Counter(classes.values())
    summary.sections = sum(s.sections for s in summaries)
    summary.sentences = sum(s.sentences for s in summaries)
    summary.mentions = sum(s.mentions for s in summaries)
    summary.seconds = time.perf_counter() - t0
    return summary


def prepared(paths: list[Path], encoding, tagger, html: bool, multi: bool, cache: Cache,
             jobs: int) -> Iterator[Summary]:
    """:func:`kg.artifact.prepare` of each report, in the order given, on ``jobs``
    processes (forked after the names model is loaded, so that workers share it)."""
    work = functools.partial(prepare, encoding=encoding, tagger=tagger, html=html, multi=multi,
                             cache=cache)
    if jobs <= 1 or len(paths) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        for p in paths:
            yield work(p)
        return
    if tagger is True:
        from kg.names.tagger import tagger as shipped_model
        shipped_model()
    with multiprocessing.get_context("fork").Pool(min(jobs, len(paths))) as pool:
        yield from pool.imap(work, paths)


READER_DIR = "reports"
GRAPHS_DIR = "graphs"
ONTOLOGY_GRAPH = "graph/ontology"
LINKS_GRAPH = "graph/links"


@dataclass
class Outputs:
    files: dict
    dirs: dict


@dataclass
class Corpus:
    """What ties the reports of a build together, made from their summaries: the links
    graph, and the commitments each report's own text (or nothing) answers."""

    reports: list[Summary]
    links: set[tuple]
    own: dict[str, set[tuple]]               # report graph IRI -> its commitments

    def _ordered(self) -> list[tuple[str, Summary | None]]:
        """Every named graph of the build, in IRI order (None: ontology or links)."""
        graphs = [(s.graph, s) for s in self.reports]
        graphs.append((ids.base() + ONTOLOGY_GRAPH, None))
        if len(self.links):
            graphs.append((ids.base() + LINKS_GRAPH, None))
        return sorted(graphs, key=lambda x: x[0])

    def graphs(self, cache: Cache) -> dict[str, WantedGraph]:
        """The named graphs the store must hold, with their digests."""
        wanted = {}
        for iri, s in self._ordered():
            if s is None:
                triples = _ontology() if iri.endswith(ONTOLOGY_GRAPH) else self.links
                nt = to_ntriples(triples)
                wanted[iri] = WantedGraph(_sha(nt), functools.partial(lambda b: b, nt),
                                          functools.partial(_rows_of_triples, nt, iri))
                continue
            extra = to_ntriples(self.own[iri]) if iri in self.own else b""
            digest = _sha(s.digest.encode("ascii") + extra)
            wanted[iri] = WantedGraph(digest, functools.partial(_report_nt, cache, s.key, extra),
                                      functools.partial(text_rows, cache, s.key))
        return wanted

    def write_ttl(self, cache: Cache, path: Path) -> None:
        """``kg.ttl``: every graph's statements, one block after another (a statement two
        reports share is in both blocks: Turtle is a set of statements)."""
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(prefix_header())
            for iri, s in self._ordered():
                fh.write(self._block(cache, iri, s, ""))

    def write_trig(self, cache: Cache, path: Path) -> None:
        """``kg.trig``: one block per named graph, in IRI order."""
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(prefix_header())
            first = True
            for iri, s in self._ordered():
                body = self._block(cache, iri, s, "    ")
                if body:
                    fh.write(("" if first else "\n") + f"{graph_name(iri)} {{\n{body}}}\n")
                    first = False

    def _block(self, cache: Cache, iri: str, s: Summary | None, indent: str) -> str:
        if s is None:
            triples = _ontology() if iri.endswith(ONTOLOGY_GRAPH) else self.links
            return turtle_block(triples, indent=indent)
        body = cache.path(s.key, "trig" if indent else "ttl").read_text(encoding="utf-8")
        if iri in self.own:
            body += "\n" + turtle_block(self.own[iri], indent=indent)
        return body

    def outputs(self, cache: Cache, work: WorkState, html: bool, exports: bool, jobs: int) -> Outputs:
        files: dict = {}
        if exports:
            files["kg.ttl"] = functools.partial(self.write_ttl, cache)
            files["kg.trig"] = functools.partial(self.write_trig, cache)
        dirs: dict = {STORE_DIR: work.publish_store, INDEX_DIR: work.publish_index}
        if html:
            multi = len(self.reports) > 1
            if multi:  # a corpus: the index of reports on top, one graph page per report
                files["graph.html"] = assemble([s.index_rows["top"] for s in self.reports])
                dirs[GRAPHS_DIR] = functools.partial(_link_pages, cache, self.reports, PAGE)
            else:
                files["graph.html"] = functools.partial(_link_file, cache.path(self.reports[0].key, PAGE))
            dirs[READER_DIR] = functools.partial(_reader_pages, cache, self.reports)
        return Outputs(files, dirs)


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
def _ontology() -> Graph:
    from kg.build import ontology_graph
    return ontology_graph()


def _report_nt(cache: Cache, key: str, extra: bytes) -> bytes:
    return cache.path(key, "nt").read_bytes() + extra


def _rows_of_triples(nt: bytes, iri: str) -> tuple[list, list]:
    from kg.store import OxigraphStore
    from kg.textindex import rows_of
    return rows_of(OxigraphStore(nt, "nt", iri))


def _link_file(src: Path, dest: Path) -> None:
    """``dest`` is ``src`` (a hard link where the file system allows it, else a copy)."""
    try:
        os.link(src, dest)
    except OSError:
        shutil.copyfile(src, dest)


def _link_pages(cache: Cache, reports: list[Summary], blob: str, folder: Path) -> None:
    for s in reports:
        _link_file(cache.path(s.key, blob), folder / f"{page_name(s.name)}.html")


def _reader_pages(cache: Cache, reports: list[Summary], folder: Path) -> None:
    """The reader page of each report (kg/reader.py) and their index (kg/indexpage.py)."""
    _link_pages(cache, reports, READER, folder)
    (folder / "index.html").write_text(assemble([s.index_rows["sub"] for s in reports]),
                                       encoding="utf-8")
