"""The main job: read reports, build the graph, publish the outputs as one atomic set.

>>> default_reports()[0].name.endswith(".txt")
True
"""
from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path


from kg import ids
from kg.corpus.cache import Cache
from kg.corpus.links import corpus_stage
from kg.corpus.outputs import GRAPHS_DIR, READER_DIR, outputs
from kg.corpus.report import Summary, facts_of, text_rows
from kg.corpus.schedule import prepared
from kg.corpus.workstate import WorkState
from kg.errors import InputError
from kg.ingest import read_report
from kg.output import ensure_dir, publish
from kg.records import Report
from kg.resources import DATA

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
    (:mod:`kg.corpus.report`, kept in the report cache; a report the cache holds is taken
    from it, the others are analysed on ``jobs`` processes, :mod:`kg.corpus.schedule`), its facts
    going to the ledger on disk (:mod:`kg.corpus.ledger`); then what ties reports together
    is made from the ledger (the links graph, commitments);
    then the working store and index take the named graphs that changed
    (:mod:`kg.corpus.workstate`) and the outputs are published as one set. ``tagger=False``:
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
        work = WorkState(out)  # locked: one build at a time writes this folder's state
        try:
            ledger = work.ledger
            # a first build loads each report's graph as it arrives, beside the analyses
            streaming = work.begin_stream(ids.graph_iri(p.stem) for p in files_in)
            for s in prepared(files_in, encoding, tagger, html, multi, store, jobs,
                              on_analysis=work.index_soon):
                store.used.add(s.key)
                store.hits += s.cached
                if s.facts is not None or not ledger.has(s.key):
                    ledger.add(s.key, facts_of(store, s))
                s.facts = None  # the ledger has them: the build keeps only the summary
                if streaming:
                    work.stream(s.graph, s.digest, store.path(s.key, "nt").read_bytes(),
                                text_rows(store, s.key))
                summaries.append(s)
                if progress:
                    progress(s)
            ledger.keep(s.key for s in summaries)
            if streaming:
                work.streamed_all()
            t1 = time.perf_counter()
            corpus = corpus_stage(summaries, ledger, exports=exports)
            t2 = time.perf_counter()
            loaded, _ = work.sync(corpus.graphs(store))
            n_triples = len(work)
            t3 = time.perf_counter()
            made = outputs(corpus, store, work, html=html, exports=exports)
            written = publish(out, made.files, names=("kg.ttl", "kg.trig", "graph.html"),
                              dirs=made.dirs)
            work.mark_published()
            entities = ledger.entity_counts()
        finally:
            work.close()
    finally:
        store.prune()
    summary = BuildSummary(out_dir=out, files=written, cached=store.hits, loaded=loaded,
                           reports=[s.name for s in summaries], triples=n_triples)
    summary.timings = {"reports": t1 - t0, "links": t2 - t1, "store": t3 - t2,
                       "outputs": time.perf_counter() - t3}
    summary.entities = Counter(entities)
    summary.sections = sum(s.sections for s in summaries)
    summary.sentences = sum(s.sentences for s in summaries)
    summary.mentions = sum(s.mentions for s in summaries)
    summary.seconds = time.perf_counter() - t0
    return summary


__all__ = ["build", "BuildSummary", "report_paths", "load_reports", "default_reports", "READER_DIR",
           "GRAPHS_DIR"]
