"""Find names that end in a suffix word (韵涛路, 东南小区, 傅雷图书馆): the algorithm only.

A name is a *stem* followed by a *suffix*. The stem is read leftwards from the suffix over
name characters (CJK, ASCII letters and digits, ``·``, a hyphen between two alphanumerics),
then cut after the last *boundary word* (a verb or function word: 完成, 推进, 和 ...) that
leaves at least ``min_stem`` characters. A stem that ends in a *generic word* (老旧, 农村)
is a common noun, and the candidate is dropped. All words come from ``data/lexicons``.

>>> sfx = [Suffix("路", "Road", 2, 4, "径")]
>>> [(c.text, c.stem) for c in find_names("完成周秀路、推进道路", sfx, ["完成", "推进"], ["道"])]
[('周秀路', '周秀')]
>>> is_name_char("8"), is_name_char(",")
(True, False)
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kg.extract.matcher import alternation

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_ALNUM = re.compile(r"[A-Za-z0-9]")


def body_sentences(report):
    """The report's sentences from its first heading on: the front matter (title, press
    line, reporter's name) is metadata, not text about places.

    >>> from kg.ingest import parse_text
    >>> r = parse_text("本报记者 朱江 摄\\n上半年工作回顾\\n整治小沥港。\\n", name="t")
    >>> [r.text[s.start:s.end] for s in body_sentences(r)][-1]
    '整治小沥港。'
    """
    first = report.sections[0].start if report.sections else report.body_start
    return [s for s in report.sentences if s.start >= first]


def is_name_char(c: str) -> bool:
    """A character that can be inside a place name."""
    return bool(_CJK.match(c) or _ALNUM.match(c) or c == "·")


@dataclass(frozen=True)
class Suffix:
    """A word that ends a name of ``type`` with ``min_stem..max_stem`` characters before it."""

    word: str
    type: str
    min_stem: int
    max_stem: int
    not_before: str = ""   # characters that, right after the suffix, cancel it
    not_after: str = ""    # characters that, right before the suffix, cancel it (乡村, 农村)


@dataclass(frozen=True)
class Candidate:
    start: int
    end: int
    text: str
    stem: str
    suffix: Suffix


def suffixes_from_rows(rows: Iterable[dict[str, str]]) -> list[Suffix]:
    """Suffix records from lexicon rows (columns suffix, type, min_stem, max_stem,
    not_before and, optionally, not_after)."""
    return [Suffix(r["suffix"], r["type"], int(r["min_stem"] or 1), int(r["max_stem"] or 4),
                   r.get("not_before", ""), r.get("not_after", "")) for r in rows]


def run_before(text: str, pos: int, limit: int) -> int:
    """Start of the run of name characters that ends at ``pos`` (at most ``limit`` long)."""
    i = pos
    while i > 0 and pos - i < limit:
        c = text[i - 1]
        if is_name_char(c):
            i -= 1
        elif c == "-" and i >= 2 and _ALNUM.match(text[i - 2]) and i < len(text) \
                and _ALNUM.match(text[i]):
            i -= 1
        else:
            break
    return i


def cut_stem(run: str, boundary: Sequence[str], min_stem: int) -> str:
    """The part of ``run`` after its last boundary word. A one-character word that would
    leave fewer than ``min_stem`` characters may belong to the name (和平路, 祥和里); any
    longer word that does means there is no name (the caller drops the candidate).

    >>> cut_stem("完成周市", ["完成"], 2), cut_stem("和平", ["和"], 2), cut_stem("推进", ["推进"], 2)
    ('周市', '和平', '')
    """
    cuts: dict[int, int] = {}
    for w in boundary:
        start = 0
        while True:
            k = run.find(w, start)
            if k < 0:
                break
            cuts[k + len(w)] = max(cuts.get(k + len(w), 0), len(w))
            start = k + 1
    for c in sorted(cuts, reverse=True):
        if len(run) - c >= min_stem:
            return run[c:]
        if cuts[c] == 1 and c < len(run):   # 和 in 祥和里, 和平路: may be inside a name
            continue
        return run[c:]
    return run


def ends_generic(stem: str, generic: Iterable[str]) -> bool:
    return any(stem.endswith(g) for g in generic)


def all_generic(stem: str, generic: Sequence[str]) -> bool:
    """True when ``stem`` is only generic words (and digits), read from its end.

    >>> all_generic("全国文明", ["全国", "文明"]), all_generic("周南社区", ["社区"])
    (True, False)
    """
    s = stem
    while s:
        for g in generic:
            if g and s.endswith(g):
                s = s[:-len(g)]
                break
        else:
            break
    return not _CJK.search(s)


def anchor_cut(stem: str, anchors: Sequence[str], min_stem: int) -> str:
    """Start the stem at the first known place name in it.

    >>> anchor_cut("打响周浦智慧", ["周浦"], 2)
    '周浦智慧'
    """
    best = None
    for a in anchors:
        k = stem.find(a)
        if k > 0 and len(stem) - k >= max(min_stem, len(a)) and (best is None or k < best):
            best = k
    return stem[best:] if best is not None else stem


def find_names(text: str, suffixes: Sequence[Suffix], boundary: Sequence[str],
               generic: Sequence[str], start: int = 0, end: int | None = None,
               anchors: Sequence[str] = (), generic_mode: str = "end",
               counters: str = "") -> list[Candidate]:
    """Every name in ``text[start:end]`` that ends in one of ``suffixes`` (overlaps kept).

    ``generic_mode`` "end": a stem ending in a generic word is dropped; "all": only a stem
    made of nothing but generic words is. ``anchors`` are place names a stem may start at;
    a number and one of the ``counters`` (3家, 5个) ends what comes before a stem.
    """
    count_re = (re.compile(r"[0-9一二三四五六七八九十百千万两几多首第]+[" + re.escape(counters) + "]")
                if counters else None)
    end = len(text) if end is None else end
    by_word = {s.word: s for s in suffixes}
    pat = re.compile("(?=(" + alternation(by_word) + "))")
    out: list[Candidate] = []
    for m in pat.finditer(text, start, end):
        s_start = m.start()
        for word in sorted((w for w in by_word if text.startswith(w, s_start)), key=len, reverse=True):
            sfx = by_word[word]
            s_end = s_start + len(word)
            if s_end > end:
                continue
            if s_end < len(text) and sfx.not_before and text[s_end] in sfx.not_before:
                continue
            if s_start > 0 and sfx.not_after and text[s_start - 1] in sfx.not_after:
                continue
            wide = run_before(text, s_start, sfx.max_stem + 8)
            wide = max(wide, start)
            run = text[wide:s_start]
            if count_re is not None:
                counts = list(count_re.finditer(run))
                if counts:
                    run = run[counts[-1].end():]
            stem = cut_stem(run, boundary, sfx.min_stem)
            if anchors:
                stem = anchor_cut(stem, anchors, sfx.min_stem)
            if len(stem) > sfx.max_stem:   # no boundary found: where the name starts is unknown
                continue
            if len(stem) < sfx.min_stem or (sfx.min_stem and not stem):
                continue
            if stem and not _CJK.search(stem + word):
                continue
            if stem and generic_mode == "end" and ends_generic(stem, generic):
                continue
            if stem and generic_mode == "all" and all_generic(stem, generic):
                continue
            if sfx.min_stem and stem and stem[0] == "-":
                continue
            c_start = s_start - len(stem)
            out.append(Candidate(c_start, s_end, text[c_start:s_end], stem, sfx))
    return out


__all__ = ["Suffix", "Candidate", "find_names", "cut_stem", "run_before", "is_name_char",
           "suffixes_from_rows", "all_generic", "anchor_cut", "ends_generic"]
