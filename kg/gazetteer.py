"""China's administrative divisions, offline: provinces, cities, counties, towns, villages.

The tables come from the jionlp package (see the headers of
``data/lexicons/admin_divisions.tsv`` and ``admin_villages.tsv.gz``). Codes (GB/T 2260)
exist down to the county; towns are known by name and county.

>>> d = best("浦东新区")
>>> d.code, [a.name for a in ancestors(d)]
('310115', ['上海市'])
>>> [x.name for x in locate("上海市浦东新区周浦镇人民政府")]
['上海市', '浦东新区', '周浦镇']
>>> "沈西村" in villages(locate("浦东新区周浦镇")[-1])
True
"""
from __future__ import annotations

import functools
import gzip
from collections.abc import Iterable
from dataclasses import dataclass

from kg.errors import ResourceError
from kg.resources import DATA, load_toml, load_tsv

VILLAGES = DATA / "lexicons" / "admin_villages.tsv.gz"


@dataclass(frozen=True)
class Division:
    name: str
    code: str     # GB/T 2260 code; "" for towns
    level: str    # province | city | county | town
    parent: str   # parent's code ("" for provinces)
    short: str    # short form as the source gives it (上海, 浦东); "" when none


@functools.cache
def divisions() -> tuple[Division, ...]:
    return tuple(Division(r["name"], r["code"], r["level"], r["parent"], r["short"])
                 for r in load_tsv("lexicons/admin_divisions.tsv"))


@functools.cache
def _by_name() -> dict[str, tuple[Division, ...]]:
    out: dict[str, list[Division]] = {}
    stop = set(load_toml("rules/places.toml")["admin"]["not_names"])
    for d in divisions():
        if d.name not in stop and len(d.name) >= 2:
            out.setdefault(d.name, []).append(d)
    return {k: tuple(v) for k, v in out.items()}


@functools.cache
def _by_code() -> dict[str, Division]:
    return {d.code: d for d in divisions() if d.code}


@functools.cache
def area_words() -> frozenset[str]:
    """Names and short forms of provinces, cities and counties (浙江, 镇江, 西湖区, 西湖):
    words that, ending a candidate river or lake name, show it is a place instead.

    >>> "浙江" in area_words(), "长江" in area_words()
    (True, False)
    """
    strip = load_toml("rules/places.toml")["admin"]["short_strip"]
    out: set[str] = set()
    for d in divisions():
        if d.level == "town":
            continue
        out.add(d.name)
        if d.short and len(d.short) >= 2:
            out.add(d.short)
        for s in strip:
            if d.name.endswith(s) and len(d.name) - len(s) >= 2:
                out.add(d.name[:-len(s)])
                break
    return frozenset(out)


@functools.cache
def town_words(province_code: str) -> frozenset[str]:
    """Short forms of the towns and streets of one province (张江 for 张江镇 in 310000).

    >>> "张江" in town_words("310000"), "张江" in town_words("420000")
    (True, False)
    """
    strip = load_toml("rules/places.toml")["admin"]["short_strip"]
    prefix = province_code[:2]
    out = set()
    for d in divisions():
        if d.level == "town" and d.parent.startswith(prefix):
            for s in strip:
                if d.name.endswith(s) and len(d.name) - len(s) >= 2:
                    out.add(d.name[:-len(s)])
                    break
    return frozenset(out)


def names() -> frozenset[str]:
    """Every division name (for scanning text)."""
    return frozenset(_by_name())


def lookup(name: str) -> tuple[Division, ...]:
    """All divisions with this exact name (there may be several 新华街道)."""
    return _by_name().get(name, ())


def parent(d: Division) -> Division | None:
    return _by_code().get(d.parent) if d.parent else None


def ancestors(d: Division) -> list[Division]:
    """Enclosing divisions, outermost first."""
    out = []
    p = parent(d)
    while p is not None and p not in out:
        out.insert(0, p)
        p = parent(p)
    return out


def best(name: str, context: Iterable[Division] = ()) -> Division | None:
    """The division called ``name``; among several, the one inside (or equal to, or
    enclosing) the ``context`` divisions, else the one of the highest level; None when
    the name stays ambiguous."""
    cands = lookup(name)
    if not cands:
        return None
    if len(cands) == 1:
        return cands[0]
    ctx_codes = {c.code or c.parent for c in context}
    ctx_codes |= {a.code for c in context for a in ancestors(c)}
    inside = [d for d in cands if (d.code and d.code in ctx_codes)
              or d.parent in ctx_codes or any(a.code in ctx_codes for a in ancestors(d))]
    if len(inside) == 1:
        return inside[0]
    if len(inside) > 1:
        deepest = [d for d in inside if d.parent in ctx_codes]
        if len(deepest) == 1:
            return deepest[0]
    order = ["province", "city", "county", "town"]
    top = min(order.index(d.level) for d in cands)
    tops = [d for d in cands if order.index(d.level) == top]
    return tops[0] if len(tops) == 1 else None


def locate(text: str) -> list[Division]:
    """Divisions named one after another in ``text`` (上海市浦东新区周浦镇), outermost first,
    each resolved inside the ones before it."""
    found: list[Division] = []
    i = 0
    all_names = _by_name()
    longest = max(map(len, all_names))
    while i < len(text):
        hit = None
        for n in range(min(longest, len(text) - i), 1, -1):
            if text[i:i + n] in all_names:
                d = best(text[i:i + n], found)
                if d is not None:
                    hit = d
                    break
        if hit is None:
            i += 1
            continue
        found.append(hit)
        i += len(hit.name)
    return found


@functools.cache
def _village_rows() -> dict[tuple[str, str], tuple[str, ...]]:
    try:
        with gzip.open(VILLAGES, "rt", encoding="utf-8") as fh:
            lines = fh.read().splitlines()
    except (OSError, EOFError) as exc:
        raise ResourceError(f"data/lexicons/{VILLAGES.name}: {exc}") from None
    out: dict[tuple[str, str], tuple[str, ...]] = {}
    header = False
    for lineno, line in enumerate(lines, 1):
        if not line or line.startswith("#"):
            continue
        if not header:
            header = True
            continue
        cells = line.split("\t")
        if len(cells) != 3:
            raise ResourceError(f"data/lexicons/{VILLAGES.name}:{lineno}: expected 3 columns")
        out[(cells[0], cells[1])] = tuple(v for v in cells[2].split("|") if v)
    return out


def villages(town: Division) -> tuple[str, ...]:
    """Villages and residents' committees of a town (empty for any other level)."""
    if town.level != "town":
        return ()
    return _village_rows().get((town.parent, town.name), ())


__all__ = ["Division", "divisions", "lookup", "best", "ancestors", "parent", "locate",
           "villages", "names", "area_words", "town_words"]
