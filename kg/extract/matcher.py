"""Generic matching helpers for extractors. No domain words live here: extractors pass
in words and patterns loaded from ``data/``.

>>> pat = alternation(["路", "公路", "大道"])
>>> pat
'(?:公路|大道|路)'
>>> [m.text for m in drop_overlaps([M(0, 2, "a"), M(1, 4, "b"), M(5, 6, "c")])]
['b', 'c']
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
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


def drop_overlaps(spans: Iterable[T]) -> list[T]:
    """Keep the longest of overlapping spans (earliest first on ties), in text order."""
    chosen: list[T] = []
    for sp in sorted(spans, key=lambda x: (-(x.end - x.start), x.start)):
        if not any(overlaps(sp, c) for c in chosen):
            chosen.append(sp)
    return sorted(chosen, key=lambda x: (x.start, x.end))


def inside(inner: _Spanlike, outer: _Spanlike) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end
