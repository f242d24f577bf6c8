"""Status reader: what a sentence says happened to a named thing.

Any extractor can give its mentions a status (projects, programs, parcels, roads):
``attrs.update(status_attrs(report, start, end))`` adds ``status`` (completed |
started | in_progress | planned), ``status_verb`` (the word that says so, as written)
and ``status_at`` (its offset); nothing when the text says nothing.

How: the status verb nearest to the span in its clause (before it first, then after
it), else the nearest one before it in the sentence. Words of status "planned"
(年内完成, 计划) anywhere in the clause override the verb, and so does a plan section
(``modality == "plan"``): a plan promises, it does not report. Words live in
``data/lexicons/status.tsv``.

>>> from kg.ingest import parse_text
>>> r = parse_text("上半年工作回顾\\n扎实推进东南小区综合整新工程。\\n", name="t")
>>> s = r.text.index("东南")
>>> status_attrs(r, s, s + 10)["status"], status_attrs(r, s, s + 10)["status_verb"]
('in_progress', '推进')
"""
from __future__ import annotations

import bisect
import functools
import re

from kg.extract.matcher import alternation
from kg.records import Report
from kg.resources import load_tsv

# Clause separators inside a sentence (not 、, which joins items of one list).
CLAUSE_BREAKS = "，,；;：:。！？!?\n"
PLANNED = "planned"


@functools.cache
def _lexicon() -> tuple[dict[str, str], re.Pattern[str]]:
    table = {r["word"]: r["status"] for r in load_tsv("lexicons/status.tsv")}
    return table, re.compile(alternation(table))


@functools.lru_cache(maxsize=4)
def _index(text: str) -> tuple[list[int], list[int], list[int], list[str], list[int]]:
    """One pass over a report's text: clause breaks, and status words (starts, ends,
    words, and the starts of the planned ones), so that each mention's question is a few
    binary searches instead of a walk over its sentence."""
    breaks = [i for i, ch in enumerate(text) if ch in CLAUSE_BREAKS]
    table, pat = _lexicon()
    starts, ends, words, planned = [], [], [], []
    for m in pat.finditer(text):
        starts.append(m.start())
        ends.append(m.end())
        words.append(m.group(0))
        if table[m.group(0)] == PLANNED:
            planned.append(m.start())
    return breaks, starts, ends, words, planned


def clause_bounds(report: Report, start: int, end: int) -> tuple[int, int]:
    """The clause (between commas, semicolons, colons) that holds ``[start, end)``.

    >>> from kg.ingest import parse_text
    >>> r = parse_text("上半年工作回顾\\n甲乙,丙丁。\\n", name="t")
    >>> a, b = clause_bounds(r, r.text.index("丙"), r.text.index("丙") + 1); r.text[a:b]
    '丙丁'
    """
    sent = report.sentence_at(start)
    lo, hi = (sent.start, sent.end) if sent else (0, len(report.text))
    breaks = _index(report.text)[0]
    i = bisect.bisect_left(breaks, start) - 1      # the last break before the span
    a = max(lo, breaks[i] + 1) if i >= 0 else lo
    j = bisect.bisect_left(breaks, end)            # the first break at or after its end
    b = min(hi, breaks[j]) if j < len(breaks) else hi
    return a, max(b, end)


def status_attrs(report: Report, start: int, end: int) -> dict[str, object]:
    """``{"status", "status_verb", "status_at"}`` for the span ``[start, end)``, or ``{}``."""
    table, _ = _lexicon()
    _, starts, ends, words, planned = _index(report.text)
    sent = report.sentence_at(start)
    s_lo, s_hi = (sent.start, sent.end) if sent else clause_bounds(report, start, end)
    c_lo, c_hi = clause_bounds(report, start, end)
    # status words wholly before the span (ends sorted like starts: matches do not overlap)
    k = bisect.bisect_right(ends, start) - 1
    before = k if k >= 0 and starts[k] >= max(c_lo, s_lo) else None
    earlier = k if k >= 0 and starts[k] >= s_lo else None
    n = bisect.bisect_left(starts, end)
    after = n if n < len(starts) and ends[n] <= min(c_hi, s_hi) else None
    verb = before if before is not None else after if after is not None else earlier
    p = bisect.bisect_left(planned, max(c_lo, s_lo))
    planned_word = None
    while p < len(planned) and planned[p] < min(c_hi, s_hi):
        q = bisect.bisect_left(starts, planned[p])
        if ends[q] <= min(c_hi, s_hi) and (ends[q] <= start or starts[q] >= end):
            planned_word = q
            break
        p += 1
    modality = sent.modality if sent else report.modality_at(start)
    if modality == "plan" or planned_word is not None:
        shown = verb if verb is not None else planned_word
        out: dict[str, object] = {"status": PLANNED}
        if shown is not None:
            out.update(status_verb=words[shown], status_at=starts[shown])
        return out
    if verb is None or modality not in ("review", "other"):
        return {}
    return {"status": table[words[verb]], "status_verb": words[verb], "status_at": starts[verb]}


__all__ = ["status_attrs", "clause_bounds"]
