"""Land parcels and planning units: 28街坊71丘, 08单元16-02, 国际医学园区19-12地块, I-I-7.

A parcel list is items joined by 、, each perhaps followed by 地块 and a bracketed note.
Block and unit codes (28街坊71丘, 08单元16-02) are parcels anywhere; bare codes (21-04,
I-I-7) only in a list that says 地块. A code right after a zone (found by the places
extractor, or an area such as 1平方公里) lies in that zone, and a bare code takes the zone
of the item before it. A bracketed note is an alias, or a road side (周东路两侧) for a
location; an alias ending in 地块 on a single code ties code systems together
(菲特莫古地块 = 28街坊71丘 = 08单元16-02). Each multi-code item keeps its own span.
Patterns: ``data/rules/parcels.toml``.

>>> from kg.ingest import parse_text
>>> r = parse_text("上半年工作回顾\\n完成周浦镇08单元16-02(菲特莫古地块)的出让。\\n", name="t")
>>> [(m.type, m.text, m.attrs.get("alias")) for m in extract(r, ())]
[('LandParcel', '08单元16-02', '菲特莫古地块'), ('PlanningUnit', '08单元', None)]
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from kg.extract.placenames import body_sentences
from kg.extract.status import status_attrs
from kg.ids import normalize
from kg.records import Mention, Rel, Report
from kg.resources import load_toml


@functools.cache
def _rules() -> dict:
    r = load_toml("rules/parcels.toml")
    return {
        "block": re.compile(r["items"]["block"]),
        "unit": re.compile(r["items"]["unit"]),
        "code": re.compile(r["items"]["code"]),
        "area_zone": re.compile(r["items"]["area_zone"]),
        "side": re.compile(r["list"]["side_note"]),
        **r["list"],
    }


@dataclass
class _Item:
    start: int
    end: int
    code: str
    kind: str                 # block | unit | code
    unit: str = ""
    unit_span: tuple[int, int] | None = None
    zone: str = ""
    zone_mention: Mention | None = None
    notes: dict = field(default_factory=dict)
    rels: list = field(default_factory=list)


def _item_at(text: str, i: int, end: int, zones: dict[int, Mention]) -> _Item | None:
    r = _rules()
    if i > 0 and (text[i - 1].isascii() and text[i - 1].isalnum() or text[i - 1] == "-"
                  or text[i - 1].isdecimal()):  # not inside a run of (full-width) digits
        return None
    for kind in ("block", "unit"):
        m = r[kind].match(text, i, end)
        if m and not _continues(text, m.end()):
            return _Item(i, m.end(), m.group("unit") + m.group("code"), kind, m.group("unit"),
                         (m.start("unit"), m.end("unit")))
    zone, zone_m, j = "", None, i
    z = zones.get(i)
    if z is not None:
        zone, zone_m, j = z.key, z, z.end
    else:
        a = r["area_zone"].match(text, i, end)
        if a:
            zone, j = normalize(a.group("zone")), a.end()
            zone_m = Mention("Zone", a.group("zone"), i, j, zone, {"area_name": True})
    m = r["code"].match(text, j, end)
    if m and not _continues(text, m.end()):
        return _Item(i, m.end(), m.group("code"), "code", zone=zone, zone_mention=zone_m)
    return None


def _continues(text: str, j: int) -> bool:
    return j < len(text) and (text[j].isascii() and text[j].isalnum() or
                              text[j] in "-." and j + 1 < len(text) and text[j + 1].isdigit())


def _chain(report: Report, i: int, end: int, zones: dict[int, Mention]
           ) -> tuple[list[_Item], bool, int]:
    """Items of a parcel list starting at ``i``, whether it says 地块, and where it ends."""
    r = _rules()
    text = report.text
    items: list[_Item] = []
    said = False
    pos = i
    pending: list[_Item] = []   # items since the last bracketed note
    while True:
        it = _item_at(text, pos, end, zones)
        if it is None:
            break
        items.append(it)
        pending.append(it)
        pos = it.end
        if text.startswith(r["parcel_word"], pos):
            said = True
            pos += len(r["parcel_word"])
            it.end = pos
        if pos < end and text[pos] in r["open"]:
            close = min((k for k in (text.find(c, pos + 1, end) for c in r["close"]) if k > 0),
                        default=-1)
            if close > 0:
                for p in pending:
                    p.notes = {"text": text[pos + 1:close], "start": pos + 1, "group": len(pending)}
                pending = []
                pos = close + 1
        if text.startswith(r["sep"], pos):
            pos += len(r["sep"])
            continue
        if text.startswith(r["before_word"] + r["parcel_word"], pos):
            said = True
        break
    return items, said, pos


def extract(report: Report, found: tuple[Mention, ...]) -> list[Mention]:
    """Parcels, planning units and area-named zones of ``report``."""
    r = _rules()
    text = report.text
    zones = {m.start: m for m in found if m.type == "Zone"}
    roads = {m.start: m for m in found if m.type == "Road"}
    out: list[Mention] = []
    for sent in body_sentences(report):
        i = sent.start
        while i < sent.end:
            items, said, stop = _chain(report, i, sent.end, zones)
            if not items:
                i += 1
                continue
            zone = ""
            for it in items:
                if it.kind == "code" and not said and not it.zone:
                    continue
                if it.kind == "code" and not it.zone and zone:
                    it.zone = zone
                zone = it.zone or zone if it.kind == "code" else ""
                out.extend(_mentions(report, it, roads))
            i = max(stop, i + 1)
    return out


def _mentions(report: Report, it: _Item, roads: dict[int, Mention]) -> list[Mention]:
    r = _rules()
    text = report.text
    attrs: dict = {"codes": [it.code], "unit": None, "zone": None, "alias": None}
    rels: list[Rel] = []
    out: list[Mention] = []
    if it.unit:
        attrs["unit"] = it.unit
        key = normalize(it.code)
        rels.append(Rel("inPlanningUnit", "PlanningUnit", normalize(it.unit)))
        s, e = it.unit_span
        out.append(Mention("PlanningUnit", text[s:e], s, e, normalize(it.unit)))
    elif it.zone:
        attrs["zone"] = it.zone
        key = normalize(it.zone + it.code)
        rels.append(Rel("inZone", "Zone", it.zone))
        if it.zone_mention is not None and it.zone_mention.attrs.get("area_name"):
            z = it.zone_mention
            out.append(Mention("Zone", z.text, z.start, z.end, z.key))
    else:
        key = normalize(it.code)
    note = it.notes.get("text")
    if note:
        road = roads.get(it.notes["start"])
        side = r["side"].fullmatch(note[len(road.text):]) if road is not None else None
        if road is not None and side:
            attrs["qualifier"] = note
            attrs["side"] = side.group("side")
            rels.append(Rel("boundedBy", "Road", road.key))
        else:
            attrs["alias"] = note
            if it.notes["group"] == 1 and note.endswith(r["same_alias_end"]):
                attrs["same_as"] = [normalize(note)]
    attrs.update(status_attrs(report, it.start, it.end))
    out.insert(0, Mention("LandParcel", text[it.start:it.end], it.start, it.end, key, attrs,
                          tuple(rels)))
    return out


__all__ = ["extract"]
