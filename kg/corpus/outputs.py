"""The last stage: a build's outputs, made from the report cache, the corpus stage and
the working store, never from one graph of the whole corpus: ``kg.ttl`` and ``kg.trig``
joined block by block, the store and index as checkpoints of the working ones, and the
pages (each report's own, made with it; the index of reports joined from its rows).
"""
from __future__ import annotations

import functools
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.corpus.cache import Cache
from kg.corpus.links import Corpus
from kg.corpus.report import PAGE, READER, Summary
from kg.corpus.workstate import WorkState
from kg.indexpage import assemble
from kg.output import link_or_copy
from kg.reader import page_name
from kg.serialize import graph_name, prefix_header
from kg.store import STORE_DIR
from kg.textindex import INDEX_DIR

READER_DIR = "reports"
GRAPHS_DIR = "graphs"


@dataclass
class Outputs:
    """What :func:`kg.output.publish` writes: files (text, or a function that writes the
    file it is given) and folders (a function that fills the folder it is given)."""

    files: dict
    dirs: dict


def outputs(corpus: Corpus, cache: Cache, work: WorkState, html: bool, exports: bool) -> Outputs:
    files: dict = {}
    if exports:  # the published files again when the store has not changed since
        files["kg.ttl"] = (work.published_again("kg.ttl")
                           or functools.partial(write_ttl, corpus, cache))
        files["kg.trig"] = (work.published_again("kg.trig")
                            or functools.partial(write_trig, corpus, cache))
    dirs: dict = {STORE_DIR: work.publish_store, INDEX_DIR: work.publish_index}
    if html:
        reports = corpus.reports
        if len(reports) > 1:  # a corpus: the index of reports on top, one graph page per report
            files["graph.html"] = assemble([s.index_rows["top"] for s in reports])
            dirs[GRAPHS_DIR] = functools.partial(_link_pages, cache, reports, PAGE)
        else:
            files["graph.html"] = functools.partial(link_or_copy, cache.path(reports[0].key, PAGE))
        dirs[READER_DIR] = functools.partial(_reader_pages, cache, reports)
    return Outputs(files, dirs)


def write_ttl(corpus: Corpus, cache: Cache, path: Path) -> None:
    """``kg.ttl``: every graph's statements, one block after another (a statement two
    reports share is in both blocks: Turtle is a set of statements)."""
    with open(path, "wb", buffering=0) as fh:
        fh.write(prefix_header().encode("utf-8"))
        for iri, s in corpus.ordered():
            for piece in _pieces(corpus, cache, iri, s, "ttl"):
                _put(fh, piece)


def write_trig(corpus: Corpus, cache: Cache, path: Path) -> None:
    """``kg.trig``: one block per named graph, in IRI order."""
    with open(path, "wb", buffering=0) as fh:
        fh.write(prefix_header().encode("utf-8"))
        first = True
        for iri, s in corpus.ordered():
            pieces = [p for p in _pieces(corpus, cache, iri, s, "trig") if _size(p)]
            if not pieces:
                continue
            fh.write((("" if first else "\n") + f"{graph_name(iri)} {{\n").encode("utf-8"))
            for piece in pieces:
                _put(fh, piece)
            fh.write(b"}\n")
            first = False


def _pieces(corpus: Corpus, cache: Cache, iri: str, s: Summary | None, form: str) -> Iterator[str | Path]:
    """A graph's statements for kg.ttl (``form`` "ttl"), or its TriG body ("trig"),
    piece by piece: text, or a file of the report cache to copy as it is (a report's
    block, its own commitments' block, the links' or the ontology's graph)."""
    if s is None:
        yield corpus.graph_block(cache, iri, form)
        return
    yield cache.path(s.key, form)
    own = corpus.own_block(cache, iri, form)
    if own is not None:
        yield "\n"
        yield own


def _size(piece: str | Path) -> int:
    return piece.stat().st_size if isinstance(piece, Path) else len(piece)


def _put(fh, piece: str | Path) -> None:
    """Write text, or copy a file's bytes inside the kernel (no decoding, no copy through
    Python: an export of a corpus is gigabytes of cached blocks)."""
    if not isinstance(piece, Path):
        fh.write(piece.encode("utf-8"))
        return
    with open(piece, "rb") as src:
        left = os.fstat(src.fileno()).st_size
        try:
            while left > 0:
                n = os.copy_file_range(src.fileno(), fh.fileno(), left)
                if n == 0:
                    break
                left -= n
        except (AttributeError, OSError):  # no copy_file_range here: copy through Python
            shutil.copyfileobj(src, fh, 1 << 20)
            return
        if left:
            raise OSError(f"{piece}: shorter than it was")


def _link_pages(cache: Cache, reports: list[Summary], blob: str, folder: Path) -> None:
    for s in reports:
        link_or_copy(cache.path(s.key, blob), folder / f"{page_name(s.name)}.html")


def _reader_pages(cache: Cache, reports: list[Summary], folder: Path) -> None:
    """The reader page of each report (kg/reader.py) and their index (kg/indexpage.py)."""
    _link_pages(cache, reports, READER, folder)
    (folder / "index.html").write_text(assemble([s.index_rows["sub"] for s in reports]),
                                       encoding="utf-8")


__all__ = ["outputs", "write_ttl", "write_trig", "READER_DIR", "GRAPHS_DIR"]
