"""The first stage's schedule: each report's summary, in the order given. A report the
report cache holds is taken from it in this process (a read and a hash, no worker); the
others are analysed by :func:`kg.corpus.report.prepare` on ``jobs`` forked processes,
started at the first report that needs one (after the names model is loaded, so that
the workers share it), and at most ``WINDOW`` reports per job ahead of the one the
caller takes next (finished reports do not pile up in memory while the caller loads
them into the store).
"""
from __future__ import annotations

import functools
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path

from kg.corpus.cache import Cache
from kg.corpus.report import Summary, cached, prepare

#: reports handed to the workers per job ahead of the caller
WINDOW = 3


def prepared(paths: list[Path], encoding, tagger, html: bool, multi: bool, cache: Cache,
             jobs: int, on_analysis: Callable[[], None] | None = None) -> Iterator[Summary]:
    """The summary of each of ``paths``, in order; ``on_analysis`` is called once, before
    the first report that must be analysed (the caller may then get ready for a change).
    The summaries are the same whatever ``jobs`` is."""
    work = functools.partial(prepare, encoding=encoding, tagger=tagger, html=html, multi=multi,
                             cache=cache)
    forked = jobs > 1 and len(paths) > 1 and "fork" in multiprocessing.get_all_start_methods()
    pending: deque = deque()  # summaries, and the workers' results to come
    pool = None
    try:
        for path in paths:
            hit = cached(path, encoding, tagger, html, multi, cache)
            if hit is not None:
                pending.append(hit)
            else:
                if on_analysis is not None:
                    on_analysis()
                    on_analysis = None
                if not forked:
                    pending.append(work(path))
                else:
                    if pool is None:
                        pool = _pool(jobs, tagger)
                    pending.append(pool.apply_async(work, (path,)))
            while pending and (len(pending) > WINDOW * jobs or _ready(pending[0])):
                yield _take(pending.popleft())
        while pending:
            yield _take(pending.popleft())
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()


def _pool(jobs: int, tagger):
    if tagger is True:  # loaded once, before the fork: the workers share its pages
        from kg.names.tagger import tagger as shipped_model
        shipped_model()
    return multiprocessing.get_context("fork").Pool(jobs)


def _ready(x) -> bool:
    return isinstance(x, Summary) or x.ready()


def _take(x) -> Summary:
    return x if isinstance(x, Summary) else x.get()


__all__ = ["prepared", "WINDOW"]
