"""Roads, waterways and their segments: 韵涛路, 姚渔港, 小沥港路(繁荣路-周祝公路), 建松路(沈梅路以南).

Every name that ends in a road word (路, 公路, 街, 大道 …) is a ``Road``; one that ends in
a waterway word (港, 河, 浜, 泾, 运河 …) is a ``Waterway``. Where the two overlap the
longer name wins, so 年家浜路 is a road. ``X(A-B)`` right after a name is a segment of X
bounded by A and B (``RoadSegment``, or a ``Waterway`` mention of class
``WaterwaySegment``); ``X(A以南)`` is a segment with a ``qualifier``. The roads that bound
a segment intersect its road. A planned word before a name (规划韵涛路) makes a planned
section of the road. Words: ``data/lexicons/roads_*.tsv``; patterns: ``data/rules/roads.toml``.

>>> from kg.ingest import parse_text
>>> r = parse_text("上半年工作回顾\\n推进小沥港路(繁荣路-周祝公路)建设。\\n", name="t")
>>> [(m.type, m.text) for m in extract(r, ())]
[('Road', '小沥港路'), ('Road', '繁荣路'), ('Road', '周祝公路'), ('RoadSegment', '小沥港路(繁荣路-周祝公路)')]
"""
from __future__ import annotations

import bisect
import functools
import re
from dataclasses import replace

from kg import gazetteer
from kg.extract.matcher import Intervals, drop_overlaps
from kg.extract.places import report_chain
from kg.extract.status import status_attrs
from kg.extract.placenames import Candidate, body_sentences, find_names, suffixes_from_rows
from kg.ids import normalize
from kg.records import Mention, Rel, Report
from kg.resources import load_toml, load_tsv, words


@functools.cache
def _lex():
    rules = load_toml("rules/roads.toml")
    return {
        "suffixes": suffixes_from_rows(load_tsv("lexicons/roads_suffixes.tsv")),
        "boundary": words("lexicons/places_boundary.tsv"),
        "generic": words("lexicons/roads_generic.tsv"),
        "planned": words("lexicons/roads_planned.tsv"),
        "org_heads": words("lexicons/places_org_heads.tsv"),
        "major": frozenset(words("lexicons/waterways_major.tsv", "name")),
        "stop": set(rules["names"]["not_names"]),
        "ports": rules["ports"]["suffixes"],
        "counters": load_toml("rules/places.toml")["names"]["counters"],
        "dash": re.compile(rules["segment"]["between"]),
        "side": re.compile(rules["segment"]["side"]),
        "open": rules["segment"]["open"],
        "close": rules["segment"]["close"],
        "tail": rules["segment"]["tail"],
    }


def _names(report: Report) -> list[Candidate]:
    lex = _lex()
    chain = report_chain(report)
    # a waterway-looking name that is a town of the report's province is that town (张江)
    towns = gazetteer.town_words(chain[0].code) if chain and chain[0].code else frozenset()
    found: list[Candidate] = []
    for sent in body_sentences(report):
        found.extend(find_names(report.text, lex["suffixes"], lex["boundary"], lex["generic"],
                                sent.start, sent.end, counters=lex["counters"]))
    found = [_major(c, lex["major"]) if c.suffix.type == "Waterway" else c for c in found]
    found = [c for c in found if normalize(c.text) not in lex["stop"]
             and not _org_follows(report.text, c.end, lex["org_heads"])
             and not (c.suffix.type == "Waterway" and c.text not in lex["major"]
                      and (_ends_in_area(c.text, c.suffix.word) or c.text in towns))]
    return [_port(c, lex["ports"]) for c in drop_overlaps(found)]


def _port(c: Candidate, ports: list[str]) -> Candidate:
    """宁波舟山港: a port word after an area's name makes a port (Facility)."""
    if c.suffix.type != "Waterway" or c.suffix.word not in ports:
        return c
    areas = gazetteer.area_words()
    if any(c.stem[k:] in areas for k in range(len(c.stem) - 1)):
        return Candidate(c.start, c.end, c.text, c.stem, replace(c.suffix, type="Facility"))
    return c


def _major(c: Candidate, major: frozenset[str]) -> Candidate:
    """Cut a waterway candidate back to the major river it ends in (百里长江 -> 长江)."""
    for k in range(1, len(c.text) - 1):
        if c.text[k:] in major:
            return Candidate(c.start + k, c.end, c.text[k:], c.stem[k:], c.suffix)
    return c


def _ends_in_area(name: str, suffix: str) -> bool:
    """浙江, 美丽浙江, 镇江: a province, city or county name, not a river or lake. Only
    endings longer than the suffix count (运河 is also a district's name)."""
    areas = gazetteer.area_words()
    return any(name[k:] in areas for k in range(len(name) - len(suffix)))


def _org_follows(text: str, end: int, heads: tuple[str, ...]) -> bool:
    """A name followed by 药业, 集团 … is part of an organization's name (扬子江药业)."""
    return any(text.startswith(h, end) for h in heads)


def _mention(report: Report, c: Candidate) -> Mention:
    return Mention(c.suffix.type, c.text, c.start, c.end, normalize(c.text))


def extract(report: Report, found: tuple[Mention, ...]) -> list[Mention]:
    """Roads, waterways, planned sections and segments of ``report``."""
    lex = _lex()
    text = report.text
    names = _names(report)
    out: list[Mention] = []
    base: dict[int, Mention] = {}      # candidate start -> mention of the named thing itself
    for c in names:
        m = _mention(report, c)
        out.append(m)
        base[c.start] = m
        planned = _planned_prefix(text, c.start, lex["planned"])
        if planned:
            p_start = c.start - len(planned)
            ptext = text[p_start:c.end]
            pm = Mention(m.type, ptext, p_start, c.end, normalize(ptext),
                         {"planned": True, "road" if m.type == "Road" else "waterway": m.key},
                         (Rel("plannedSectionOf", m.type, m.key),))
            out.append(pm)
            base[p_start] = pm
    segs = [seg for c in names if (seg := _segment(report, c, base, lex)) is not None]
    out.extend(segs)
    # What the text says happened: to segments and to roads named for themselves, not to
    # the roads that only bound a segment.
    held = Intervals((g.start, g.end) for g in segs)
    seg_ids = {id(g) for g in segs}
    return [m if (id(m) not in seg_ids and held.holds(m.start, m.end))
            or _in_brackets(report, m.start, lex) else _with_status(report, m) for m in out]


@functools.lru_cache(maxsize=4)
def _brackets(text: str, opens: str, closes: str) -> tuple[list[int], list[int]]:
    return ([i for i, ch in enumerate(text) if ch in opens],
            [i for i, ch in enumerate(text) if ch in closes])


def _in_brackets(report: Report, pos: int, lex: dict) -> bool:
    """A name inside brackets (a parcel's note, a bound) is a location, not the subject."""
    sent = report.sentence_at(pos)
    lo = sent.start if sent else 0
    opens, closes = _brackets(report.text, "".join(lex["open"]), "".join(lex["close"]))
    n_open = bisect.bisect_left(opens, pos) - bisect.bisect_left(opens, lo)
    n_close = bisect.bisect_left(closes, pos) - bisect.bisect_left(closes, lo)
    return n_open > n_close


def _with_status(report: Report, m: Mention) -> Mention:
    st = status_attrs(report, m.start, m.end)
    return Mention(m.type, m.text, m.start, m.end, m.key, {**m.attrs, **st}, m.rels) if st else m


def _planned_prefix(text: str, start: int, planned: tuple[str, ...]) -> str:
    for w in planned:
        if text.endswith(w, 0, start):
            return w
    return ""


def _bound_at(pos: int, end: int, base: dict[int, Mention]) -> Mention | None:
    m = base.get(pos)
    return m if m is not None and m.end <= end else None


def _segment(report: Report, c: Candidate, base: dict[int, Mention], lex: dict
             ) -> Mention | None:
    """``X(A-B)`` or ``X(A以南)`` right after the name ``c``, as a segment mention."""
    text = report.text
    i = c.end
    if i >= len(text) or text[i] not in lex["open"]:
        return None
    close = min((k for k in (text.find(ch, i + 1, i + 40) for ch in lex["close"]) if k > 0),
                default=-1)
    if close < 0:
        return None
    whole = base[c.start]
    a = _bound_at(i + 1, close, base)
    if a is None:
        return None
    attrs: dict = {}
    rels: list[Rel] = []
    rest = text[a.end:close]
    is_road = whole.type == "Road"
    own = "road" if is_road else "waterway"
    dash = lex["dash"].match(rest)
    if dash:
        b = _bound_at(a.end + dash.end(), close, base)
        if b is None or b.end != close:
            return None
        attrs = {own: whole.key, "from": a.key, "to": b.key, "qualifier": None}
        bounds = [a, b]
    else:
        side = lex["side"].fullmatch(rest)
        if not side:
            return None
        attrs = {own: whole.key, "from": None, "to": None, "qualifier": text[a.start:close],
                 "side": side.group("side")}
        bounds = [a]
    key = normalize(text[c.start:close + 1])
    end = close + 1 + (len(lex["tail"]) if text.startswith(lex["tail"], close + 1) else 0)
    seg_text = text[c.start:end]
    for b in bounds:
        rels.append(Rel("boundedBy", b.type, b.key))
        rels.append(Rel("intersects", b.type, b.key, subject=(whole.type, whole.key)))
    rels.insert(0, Rel("segmentOf", whole.type, whole.key))
    if is_road:
        return Mention("RoadSegment", seg_text, c.start, end, key, attrs, tuple(rels))
    attrs["class"] = "WaterwaySegment"
    return Mention("Waterway", seg_text, c.start, end, key, attrs, tuple(rels))


__all__ = ["extract"]
