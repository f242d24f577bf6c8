"""Generic matching helpers for extractors. No domain words live here: extractors pass
in words and patterns loaded from ``data/``.

>>> pat = alternation(["路", "公路", "大道"])
>>> pat
'(?:公路|大道|路)'
>>> [m.text for m in drop_overlaps([M(0, 2, "a"), M(1, 4, "b"), M(5, 6, "c")])]
['b', 'c']
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Protocol, TypeVar

from kg.records import Report, Sentence


class _Spanlike(Protocol):
    start: int
    end: int


T = TypeVar("T", bound=_Spanlike)


class M:
    """A tiny span for doctests."""

    def __init__(self, start: int, end: int, text: str):
        self.start, self.end, self.text = start, end, text


def alternation(words: Iterable[str]) -> str:
    """A non-capturing regex alternation of ``words``, longest first, escaped."""
    ws = sorted({w for w in words if w}, key=lambda w: (-len(w), w))
    if not ws:
        return "(?!)"
    return "(?:" + "|".join(re.escape(w) for w in ws) + ")"


def sentences(report: Report, modalities: Iterable[str] | None = None) -> Iterator[Sentence]:
    """The report's sentences, optionally only those of some modalities."""
    allowed = set(modalities) if modalities is not None else None
    for s in report.sentences:
        if allowed is None or s.modality in allowed:
            yield s


def finditer(pattern: re.Pattern[str], report: Report, modalities: Iterable[str] | None = None
             ) -> Iterator[tuple[Sentence, re.Match[str]]]:
    """Matches of ``pattern`` within each sentence; match offsets are report offsets."""
    for sent in sentences(report, modalities):
        for m in pattern.finditer(report.text, sent.start, sent.end):
            yield sent, m


def overlaps(a: _Spanlike, b: _Spanlike) -> bool:
    return a.start < b.end and b.start < a.end


def _start_end(x) -> tuple[int, int]:
    return x.start, x.end


def drop_overlaps(spans: Iterable[T], bounds: Callable[[T], tuple[int, int]] = _start_end) -> list[T]:
    """Keep the longest of overlapping spans (earliest first on ties), in text order;
    ``bounds`` gives a span's (start, end).

    The chosen spans never overlap one another, so a new span can only overlap the chosen
    one that starts last before its end: one binary search each (n log n, not n²).
    """
    starts: list[int] = []
    ends: list[int] = []
    chosen: list[T] = []
    for sp in sorted(spans, key=lambda x: (bounds(x)[0] - bounds(x)[1], bounds(x)[0])):
        start, end = bounds(sp)
        i = bisect.bisect_left(starts, end)
        if i and ends[i - 1] > start:
            continue
        starts.insert(i, start)
        ends.insert(i, end)
        chosen.insert(i, sp)
    return chosen


class SpanIndex:
    """Spans added one by one; does any overlap a range? Candidates are found by binary
    search among the spans that start at most the longest span's length before the range.

    >>> ix = SpanIndex(); ix.add(3, 6); ix.overlaps(5, 9), ix.overlaps(6, 9)
    (True, False)
    """

    def __init__(self, pairs: Iterable[tuple[int, int]] = ()):
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.longest = 0
        for a, b in pairs:
            self.add(a, b)

    def add(self, s: int, e: int) -> None:
        i = bisect.bisect_right(self.starts, s)
        self.starts.insert(i, s)
        self.ends.insert(i, e)
        self.longest = max(self.longest, e - s)

    def overlaps(self, s: int, e: int) -> bool:
        lo = bisect.bisect_left(self.starts, s - self.longest)
        hi = bisect.bisect_left(self.starts, e)
        return any(self.ends[i] > s for i in range(lo, hi))


class Intervals:
    """Boolean questions about a fixed set of spans, each in O(log n): does any overlap
    a range, hold a point strictly inside, or hold a range (prefix maxima of the ends over
    the spans sorted by start).

    >>> iv = Intervals([(0, 5), (10, 12)])
    >>> iv.overlaps(4, 6), iv.overlaps(5, 10), iv.stabs(11), iv.holds(1, 3), iv.holds(0, 5)
    (True, False, True, True, False)
    >>> iv.covers(0, 5), iv.cuts(4, 8), iv.cuts(0, 12)
    (True, True, False)
    """

    def __init__(self, pairs: Iterable[tuple[int, int]]):
        items = sorted(pairs)
        self.starts = [a for a, _ in items]
        self.ends = [b for _, b in items]
        self.maxend: list[int] = []
        best = -1
        for b in self.ends:
            best = max(best, b)
            self.maxend.append(best)

    def overlaps(self, s: int, e: int) -> bool:
        """Some span overlaps ``[s, e)``."""
        i = bisect.bisect_left(self.starts, e)
        return i > 0 and self.maxend[i - 1] > s

    def stabs(self, x: int) -> bool:
        """Some span has ``x`` strictly inside it (start < x < end)."""
        i = bisect.bisect_left(self.starts, x)
        return i > 0 and self.maxend[i - 1] > x

    def covers(self, s: int, e: int) -> bool:
        """Some span contains ``[s, e)`` (itself included)."""
        i = bisect.bisect_right(self.starts, s)
        return i > 0 and self.maxend[i - 1] >= e

    def cuts(self, s: int, e: int) -> bool:
        """Some span overlaps ``[s, e)`` without lying inside it (it cuts through it)."""
        return self.stabs(s) or self.stabs(e)

    def holds(self, s: int, e: int) -> bool:
        """Some span other than ``[s, e)`` itself contains ``[s, e)``."""
        i = bisect.bisect_left(self.starts, s)
        if i > 0 and self.maxend[i - 1] >= e:
            return True
        j = i
        while j < len(self.starts) and self.starts[j] == s:  # same start: a longer one
            if self.ends[j] > e:
                return True
            j += 1
        return False


def inside(inner: _Spanlike, outer: _Spanlike) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end
