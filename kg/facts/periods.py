"""Periods: what 1-6月, 年内, 去年, 过去五年, “十五五” mean in a given report.

A period is written ``2022`` (a year), ``2022H1`` (a half), ``2022Q1`` (a quarter),
``2022M01-2022M05`` (months), ``2021-2025`` (years). Words are read relative to the
report's year (``meta["year"]``); the patterns are in ``data/rules/facts.toml [periods]``.

>>> normalize("1-6月", 2022), normalize("年内", 2022), normalize("去年", 2026)
('2022H1', '2022', '2025')
>>> normalize("“十五五”时期", 2026), normalize("过去五年", 2026), normalize("2035年", 2026)
('2026-2030', '2021-2025', '2035')
>>> contains("2022", "2022H1"), contains("2022H1", "2022"), contains("2021-2025", "2025")
(True, False, True)
"""
from __future__ import annotations

import bisect
import functools
import re

from kg.resources import load_toml

_CN = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


@functools.cache
def _rules() -> dict:
    return load_toml("rules/facts.toml")["periods"]


@functools.cache
def _compiled() -> tuple:
    r = _rules()
    return ([(re.compile(p), v) for p, v in r["words"]], re.compile(r["months"]),
            re.compile(r["five_year"]), re.compile(r["month"]))


def _cn_number(s: str) -> int | None:
    """十四 -> 14, 十五 -> 15, 九 -> 9 (numbers below 100, as plans are numbered)."""
    if not s or any(ch not in _CN for ch in s):
        return None
    if "十" not in s:
        return _CN[s] if len(s) == 1 else None
    head, _, tail = s.partition("十")
    tens = _CN[head] if head else 1
    return tens * 10 + (_CN[tail] if tail else 0)


def five_year_plan(n: int) -> str:
    """The years of the n-th five-year plan (from the third on, every five years from 1966)."""
    start = 1953 + 5 * (n - 1) if n <= 2 else 1966 + 5 * (n - 3)
    return f"{start}-{start + 4}"


def normalize(word: str, year: int | str | None, part_year: int | None = None) -> str | None:
    """The period a word means in a report of ``year``, or None when it means none;
    ``part_year``: the year of the report's part the word stands in (default ``year``)."""
    w = word.strip()
    words, months, plans, month = _compiled()
    m = plans.search(w)
    if m and ("五”" in w or "五" in w[m.end() - 1:m.end()] or w.endswith(("时期", "期间", "规划"))):
        n = _cn_number(m.group("n"))
        if n and n >= 3:
            return five_year_plan(n)
    to = re.fullmatch(r"到((?:19|20)\d\d)年", w)
    if to:
        return to.group(1)
    try:
        y = int(year) if year is not None else None
    except (TypeError, ValueError):
        y = None
    for pat, value in words:
        mm = pat.match(w)
        if mm:
            if "{year}" in value:
                return value.format(year=mm.group("year"))
            if y is None:
                return None
            r = part_year if part_year is not None else y
            return (value.replace("{Y-5}", str(y - 5)).replace("{Y-1}", str(y - 1))
                    .replace("{Y}", str(y)).replace("{R}", str(r)))
    one = month.match(w)
    if one and y is not None and 1 <= int(one.group("a")) <= 12:
        return f"{part_year or y}M{int(one.group('a')):02d}"
    mm = months.match(w)
    if mm and y is not None:
        a, b = int(mm.group("a")), int(mm.group("b"))
        if not (1 <= a <= b <= 12):
            return None
        if (a, b) == (1, 6):
            return f"{y}H1"
        if (a, b) == (7, 12):
            return f"{y}H2"
        if (a, b) == (1, 12):
            return str(y)
        return f"{y}M{a:02d}-{y}M{b:02d}"
    return None


@functools.lru_cache(maxsize=4096)
def bounds(period: str) -> tuple[float, float] | None:
    """A period as a half-open interval of years (2022H1 -> (2022.0, 2022.5))."""
    m = re.fullmatch(r"(\d{4})(?:(H)([12])|(Q)([1-4])|M(\d\d))?", period)
    if m:
        y = int(m.group(1))
        if m.group(2):
            h = int(m.group(3))
            return (y + (h - 1) / 2, y + h / 2)
        if m.group(4):
            q = int(m.group(5))
            return (y + (q - 1) / 4, y + q / 4)
        if m.group(6):
            mo = int(m.group(6))
            return (y + (mo - 1) / 12, y + mo / 12)
        return (float(y), y + 1.0)
    if "-" in period:
        a, _, b = period.partition("-")
        ba, bb = bounds(a), bounds(b)
        if ba and bb:
            return (ba[0], bb[1])
    return None


def contains(outer: str, inner: str) -> bool:
    """Whether period ``inner`` lies within ``outer``."""
    a, b = bounds(outer), bounds(inner)
    return bool(a and b and a[0] <= b[0] and b[1] <= a[1])


__all__ = ["normalize", "bounds", "contains", "five_year_plan"]


# -- a period in context ----------------------------------------------------------------

def report_year(report) -> int | None:
    try:
        return int(report.meta.get("year"))
    except (TypeError, ValueError):
        return None


def default_period(report, modality: str) -> str | None:
    """The period a sentence refers to when it names none: 2022H1 review and 2022H2 plan
    of a first-half report; for a yearly report the year before (review) and the year
    itself (plan)."""
    year = report_year(report)
    if year is None or modality not in ("review", "plan"):
        return None
    half = report.meta.get("period")
    if half == "上半年":
        return f"{year}H1" if modality == "review" else f"{year}H2"
    if half == "下半年":
        return f"{year}H2" if modality == "review" else str(year + 1)
    return str(year - 1) if modality == "review" else str(year)


@functools.cache
def _finder() -> re.Pattern[str]:
    from kg.extract.metrics import _rules as metric_rules
    pats = list(metric_rules()["period"]["patterns"]) + list(_rules()["extra"])
    return re.compile("|".join(f"(?:{p})" for p in sorted(pats, key=len, reverse=True)))


@functools.lru_cache(maxsize=256)
def _words_in(text: str, lo: int, hi: int, year: int | None,
              part_year: int | None = None) -> list[tuple[int, str]]:
    """(offset, period) of every period word in ``text[lo:hi]`` that means one (once per
    stretch: a sentence's numbers share one scan)."""
    out = []
    for m in _finder().finditer(text, lo, hi):
        lead = text[max(lo, m.start() - 2):m.start()]
        if lead.endswith(("比", "较", "同比", "环比")):
            continue  # 比1-4月: a base of comparison
        p = normalize(m.group(0), year, part_year)
        if p:
            out.append((m.start(), p))
    return out


def period_at(report, offset: int, word: str | None = None) -> str | None:
    """The period at ``offset``: ``word`` if it means one, else the nearest period word
    before ``offset`` in its sentence, else the first period
    of its paragraph's first sentence (the paragraph's topic: 刚刚过去的2025年，…), else the
    one period of the heading of its section or the nearest ancestor that names one (where
    it names several, the wider for 年均/累计 figures, the narrower for others), else the
    default of its modality."""
    year = report_year(report)
    sent = report.sentence_at(offset)
    modality = sent.modality if sent is not None else report.modality_at(offset)
    part = default_period(report, modality)
    part_year = int(part[:4]) if part else None
    if word:
        p = normalize(word, year, part_year)
        if p:
            return p
    if sent is not None:
        found = _words_in(report.text, sent.start, sent.end, year, part_year)
        k = bisect.bisect_left(found, (offset, ""))
        if k:
            return found[k - 1][1]
    if sent is not None:
        # the paragraph's topic: 刚刚过去的2025年，…; 今年是“十五五”起步之年，…
        para = report.paragraphs[sent.paragraph]
        first = report.sentence_at(para.start)
        if first is not None and first.start < sent.start:
            found = _words_in(report.text, first.start, first.end, year, part_year)
            if found:
                return found[0][1]
    section = report.section(sent.section) if sent is not None else None
    spans = _SPAN_WORDS.search(report.text, max(sent.start if sent else 0, offset - 30), offset)
    several: list[str] = []
    while section is not None:
        found = [p for _, p in _words_in(report.text, section.title_start, section.title_end,
                                         year, part_year)]
        if len(found) == 1:
            return found[0]
        if found and not several:
            several = found
        section = report.section(section.parent) if section.parent else None
    if several:
        # “十四五”时期和2025年工作回顾: 年均/累计 figures are the plan's years, others the year
        pick = _widest if spans else _narrowest
        best = pick(several)
        ties = [p for p in several if _width(p) == _width(best)]
        if len(ties) > 1 and sent is not None and _TARGET_WORDS.search(report.text, sent.start, sent.end):
            return max(ties, key=lambda p: bounds(p) or (0.0, 0.0))  # a target: the later plan
        return best
    return default_period(report, modality)


_SPAN_WORDS = re.compile("年均|累计|五年|以来|期间")
_TARGET_WORDS = re.compile("目标|力争|预期|指标|到(?:19|20)\\d\\d年")


def _width(p: str) -> float:
    b = bounds(p)
    return b[1] - b[0] if b else 0.0


def _widest(ps: list[str]) -> str:
    return max(ps, key=_width)


def _narrowest(ps: list[str]) -> str:
    return min(ps, key=_width)
