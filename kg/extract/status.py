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


def clause_bounds(report: Report, start: int, end: int) -> tuple[int, int]:
    """The clause (between commas, semicolons, colons) that holds ``[start, end)``.

    >>> from kg.ingest import parse_text
    >>> r = parse_text("上半年工作回顾\\n甲乙,丙丁。\\n", name="t")
    >>> a, b = clause_bounds(r, r.text.index("丙"), r.text.index("丙") + 1); r.text[a:b]
    '丙丁'
    """
    sent = report.sentence_at(start)
    lo, hi = (sent.start, sent.end) if sent else (0, len(report.text))
    text = report.text
    a = start
    while a > lo and text[a - 1] not in CLAUSE_BREAKS:
        a -= 1
    b = end
    while b < hi and text[b] not in CLAUSE_BREAKS:
        b += 1
    return a, b


def status_attrs(report: Report, start: int, end: int) -> dict[str, object]:
    """``{"status", "status_verb", "status_at"}`` for the span ``[start, end)``, or ``{}``."""
    table, pat = _lexicon()
    text = report.text
    sent = report.sentence_at(start)
    s_lo, s_hi = (sent.start, sent.end) if sent else clause_bounds(report, start, end)
    c_lo, c_hi = clause_bounds(report, start, end)
    hits = [m for m in pat.finditer(text, s_lo, s_hi) if m.end() <= start or m.start() >= end]
    before = [m for m in hits if m.end() <= start and m.start() >= c_lo]
    after = [m for m in hits if m.start() >= end and m.end() <= c_hi]
    earlier = [m for m in hits if m.end() <= start]
    verb = (before[-1] if before else after[0] if after else earlier[-1] if earlier else None)
    planned_word = next((m for m in hits if c_lo <= m.start() and m.end() <= c_hi
                         and table[m.group(0)] == PLANNED), None)
    modality = sent.modality if sent else report.modality_at(start)
    if modality == "plan" or planned_word is not None:
        shown = verb or planned_word
        out: dict[str, object] = {"status": PLANNED}
        if shown is not None:
            out.update(status_verb=shown.group(0), status_at=shown.start())
        return out
    if verb is None or modality not in ("review", "other"):
        return {}
    return {"status": table[verb.group(0)], "status_verb": verb.group(0), "status_at": verb.start()}


__all__ = ["status_attrs", "clause_bounds"]
