"""The main job: read reports, build the graph, publish the outputs as one atomic set.

>>> default_reports()[0].name.endswith(".txt")
True
"""
from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, URIRef

from kg import viz
from kg.build import ReportResult, build_dataset
from kg.cache import Cache
from kg.errors import InputError
from kg.ingest import read_report
from kg.output import ensure_dir, publish
from kg.records import Report
from kg.resources import DATA
from kg.serialize import to_trig, to_turtle
from kg.store import STORE_DIR, write_store
from kg.textindex import INDEX_DIR

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
    cached: int = 0       # reports whose analysis came from the cache


def default_reports() -> list[Path]:
    """Every report file bundled in ``data/reports/``."""
    return sorted(p for p in REPORTS_DIR.glob("*.txt") if p.is_file())


def load_reports(paths: Sequence[str | Path], encoding: str | None = None) -> list[Report]:
    if not paths:
        paths = default_reports()
        if not paths:
            raise InputError(f"{REPORTS_DIR}: no report files (*.txt) to build")
    seen: dict[str, Path] = {}
    for p in paths:
        name = Path(p).stem
        if name in seen and Path(seen[name]).resolve() != Path(p).resolve():
            raise InputError(f"two reports are named {name!r} ({seen[name]} and {p}): a report's "
                             "graph and IRIs come from its file name, so rename one")
        seen[name] = Path(p)
    reports = []
    for p in dict.fromkeys(Path(x) for x in paths):
        reports.append(read_report(p, encoding))
    return reports


def serialize(ds: Dataset) -> tuple[str, str, int]:
    """(Turtle of ontology + all data, TriG of one named graph per report, triple count)."""
    triples = {t for ctx in ds.graphs() for t in ctx}
    return to_turtle(triples), to_trig(ds), len(triples)


def build(paths: Sequence[str | Path] = (), out_dir: str | Path = "build",
          encoding: str | None = None, html: bool = True,
          progress: Callable[[Report], None] | None = None, tagger: bool = True,
          jobs: int = 1, cache: bool = True) -> BuildSummary:
    """Build the graph of ``paths`` (default: all bundled reports) into ``out_dir``
    (``tagger=False``: names from the rules alone; ``jobs``: processes analysing reports,
    the outputs are the same whatever their number; ``cache``: reuse the analyses of an
    earlier build into ``out_dir`` of reports that did not change, :mod:`kg.cache`)."""
    t0 = time.perf_counter()
    out = ensure_dir(Path(out_dir))
    reports = load_reports(paths, encoding)
    results: list[ReportResult] = []
    store = Cache(out) if cache else None
    ds = build_dataset(reports, progress=progress, results=results, tagger=tagger, jobs=jobs,
                       cache=store)
    ttl, trig, n_triples = serialize(ds)
    trig_bytes = trig.encode("utf-8")  # the file and the store are made from one encoding
    files = {"kg.ttl": ttl, "kg.trig": trig_bytes}
    if html:
        html_text = _graph_html(ds)
        if html_text is not None:
            files["graph.html"] = html_text
    dirs = {STORE_DIR: lambda folder: write_store(folder, trig_bytes)}
    if html:
        dirs[READER_DIR] = lambda folder: _reader_pages(folder.parent / STORE_DIR, folder,
                                                        graphs=len(reports) > 1)
    dirs[INDEX_DIR] = lambda folder: _text_index(folder.parent / STORE_DIR, folder)
    if html and len(reports) > 1:  # a corpus: one page per report beside the overview
        dirs[GRAPHS_DIR] = lambda folder: _report_graph_pages(ds, reports, folder, jobs)
    written = publish(out, files, names=("kg.ttl", "kg.trig", "graph.html"), dirs=dirs)
    if store is not None:
        store.prune()
    summary = BuildSummary(out_dir=out, files=written, cached=store.hits if store else 0,
                           reports=[r.name for r in reports], triples=n_triples)
    seen: set[str] = set()
    for res in results:
        for e in res.entities:
            if e.iri not in seen:  # the same entity in two reports of one place counts once
                seen.add(e.iri)
                summary.entities[e.cls] += 1
    summary.sections = sum(len(r.report.sections) for r in results)
    summary.sentences = sum(len(r.report.sentences) for r in results)
    summary.mentions = sum(len(r.mentions) for r in results)
    summary.seconds = time.perf_counter() - t0
    return summary


READER_DIR = "reports"
GRAPHS_DIR = "graphs"


def _text_index(store_dir: Path, folder: Path) -> None:
    """The full-text index of sentences and names (kg/textindex.py), from the new store."""
    from kg.store import OxigraphStore
    from kg.textindex import write_index
    write_index(OxigraphStore.on_disk(store_dir, str(store_dir)), folder)


def _reader_pages(store_dir: Path, folder: Path, graphs: bool = False) -> None:
    """One reader page per report (kg/reader.py), made from the store just written, and
    their index (kg/indexpage.py; ``graphs``: link each report's own graph page)."""
    from kg.indexpage import write_index
    from kg.reader import page_name, reports_of, write_pages
    from kg.store import OxigraphStore
    store = OxigraphStore.on_disk(store_dir, str(store_dir))
    write_pages(store, folder)
    links = {name: f"../{GRAPHS_DIR}/{page_name(name)}.html" for _, _, name in reports_of(store)} if graphs else None
    write_index(store, folder, links)


_PAGES_DS: Dataset | None = None  # the dataset the forked page workers read


def _report_page(name: str) -> str:
    from kg import ids
    return viz.render_dataset(_PAGES_DS.graph(URIRef(ids.graph_iri(name))), reader=f"../{READER_DIR}/")


def _report_graph_pages(ds: Dataset, reports: Sequence[Report], folder: Path, jobs: int = 1) -> None:
    """The graph page of each report's own named graph (``graphs/NAME.html``), on ``jobs``
    processes forked with the dataset (the pages are the same whatever ``jobs`` is)."""
    import multiprocessing

    from kg.reader import page_name
    global _PAGES_DS
    _PAGES_DS = ds
    names = [r.name for r in reports]
    try:
        if jobs > 1 and "fork" in multiprocessing.get_all_start_methods():
            with multiprocessing.get_context("fork").Pool(min(jobs, len(names))) as pool:
                pages = pool.map(_report_page, names)
        else:
            pages = [_report_page(n) for n in names]
    finally:
        _PAGES_DS = None
    for name, page in zip(names, pages):
        (folder / f"{page_name(name)}.html").write_text(page, encoding="utf-8")


def _graph_html(ds: Dataset) -> str | None:
    """The interactive page (kg/viz.py)."""
    return viz.render_dataset(ds)
