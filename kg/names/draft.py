"""A first draft of a report's annotation from the rule extractors, to be corrected by a reader.

Mentions become unit spans: metrics and glossary terms are left out (they have rules of
their own), overlapping mentions keep the longest, and quotes or book marks that enclose
a whole name are dropped from its span (the guide's boundary rule).
"""
from __future__ import annotations

from kg.names.corpus import TYPES, Unit, units
from kg.records import Report

ENCLOSING = {"“": "”", "《": "》", "‘": "’", "\"": "\""}


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    s = text[start:end]
    if len(s) > 2 and s[0] in ENCLOSING and s[-1] == ENCLOSING[s[0]] and s.count(s[0]) == 1:
        return start + 1, end - 1
    return start, end


def draft(report: Report, tagger=False) -> list[Unit]:
    """The report's units with the rule extractors' mentions as spans (``tagger``: with
    the names tagger too, as :func:`kg.extract.extract` takes it)."""
    from kg.extract import extract

    return as_units(report, extract(report, tagger=tagger))


def as_units(report: Report, mentions) -> list[Unit]:
    """Mentions as flat unit spans: the longest wins an overlap, enclosing quotes dropped."""
    mentions = [m for m in mentions if m.type in TYPES]
    mentions.sort(key=lambda m: (-(m.end - m.start), m.start))
    out = units(report)
    bounds = [(u.start, u.end) for u in out]
    taken: list[list[tuple[int, int, str]]] = [[] for _ in out]
    import bisect
    starts = [b[0] for b in bounds]
    for m in mentions:
        i = bisect.bisect_right(starts, m.start) - 1
        if i < 0 or m.end > bounds[i][1]:
            continue
        s, e = _trim(report.text, m.start, m.end)
        s, e = s - bounds[i][0], e - bounds[i][0]
        if any(s < te and ts < e for ts, te, _ in taken[i]):
            continue
        taken[i].append((s, e, m.type))
    for u, spans in zip(out, taken):
        u.spans = sorted(spans)
    return out
