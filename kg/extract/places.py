"""Administrative areas, villages, communities, zones and facilities.

- Areas: names from the offline gazetteer (:mod:`kg.gazetteer`), resolved in the report's
  own chain (上海市 ⊃ 浦东新区 ⊃ 周浦镇, read from its publisher or title), with their
  code and the area each lies in; short forms (浦东, 上海) of that chain and of provinces.
- Villages and communities: names ending in a suffix word (村, 小区, 苑, 居民区 …), the
  villages and residents' committees the gazetteer lists for the report's town (沈西 is
  沈西村), villagers' groups (周东5组), and list items sharing the last item's suffix
  (周东、幸福居民区).
- Zones and facilities: names ending in a suffix word (产业园, 先导区; 市场, 图书馆, 小学,
  方舱, 号桥 …). A zone that is the tail of a longer zone's name is that zone.

Words: ``data/lexicons/places_*.tsv``; patterns: ``data/rules/places.toml``.

>>> from kg.ingest import parse_text
>>> r = parse_text("# publisher: 上海市浦东新区周浦镇人民政府\\n上半年工作回顾\\n"
...                "改造菱翔苑安防设施,依托傅雷图书馆,推动周南村发展。\\n", name="t")
>>> [(m.type, m.text) for m in extract(r, ())]
[('Community', '菱翔苑'), ('Facility', '傅雷图书馆'), ('Village', '周南村')]
"""
from __future__ import annotations

import functools
import re

from kg import gazetteer
from kg.extract.matcher import Intervals, SpanIndex, drop_overlaps, overlaps
from kg.extract.placenames import body_sentences
from kg.extract.placenames import (Candidate, all_generic, cut_stem, find_names,
                                   is_name_char, run_before, suffixes_from_rows)
from kg.extract.status import status_attrs
from kg.gazetteer import Division
from kg.ids import normalize
from kg.records import Mention, Rel, Report
from kg.resources import load_toml, load_tsv, words

PLACE_TYPES = ("Village", "Community", "Zone", "Facility")


@functools.cache
def _lex() -> dict:
    rules = load_toml("rules/places.toml")
    return {
        "rules": rules,
        "suffixes": suffixes_from_rows(load_tsv("lexicons/places_suffixes.tsv")),
        "boundary": words("lexicons/places_boundary.tsv"),
        "generic": words("lexicons/places_generic.tsv"),
        "org_heads": words("lexicons/places_org_heads.tsv"),
        "group": re.compile(rules["villages"]["group"]),
    }


# -- the report's own place ---------------------------------------------------------------

def report_chain(report: Report) -> list[Division]:
    """The report's place and the areas around it, outermost first (may be empty).

    >>> from kg.ingest import parse_text
    >>> r = parse_text("# publisher: 上海市浦东新区周浦镇人民政府\\n正文。\\n", name="t")
    >>> [d.name for d in report_chain(r)]
    ['上海市', '浦东新区', '周浦镇']
    """
    meta = report.meta
    place = str(meta.get("place") or "")
    best: list[Division] = []
    for field in ("publisher", "title", "place"):
        value = str(meta.get(field) or "")
        chain = gazetteer.locate(value) if value else []
        if chain and (not place or chain[-1].name == place):
            return _complete(chain)
        if len(chain) > len(best):
            best = chain
    return _complete(best)


def _complete(chain: list[Division]) -> list[Division]:
    if not chain:
        return []
    return gazetteer.ancestors(chain[-1]) + [chain[-1]]


def short_form(name: str, strip: list[str]) -> str:
    for s in sorted(strip, key=len, reverse=True):
        if name.endswith(s) and len(name) - len(s) >= 2:
            return name[:-len(s)]
    return ""


# -- administrative areas -----------------------------------------------------------------

@functools.cache
def _province_shorts(code: str) -> dict[str, Division]:
    """Short forms recognized in a report of the province ``code`` ("" when not known),
    before its own chain's: provinces' everywhere, and the province's cities, the
    counties it governs itself and its counties with longer short forms. The same for
    every report of a province: made once (it walks the whole division table)."""
    rules = _lex()["rules"]["admin"]
    shorts: dict[str, Division] = {}
    for d in gazetteer.divisions():
        if d.level in rules["short_levels"] and d.short and len(d.short) >= 2:
            shorts[d.short] = d
    if not code:
        return shorts
    prefix = code[:2]
    longer = int(rules["short_county_min"])
    generic = tuple(rules["not_names"] + rules["short_county_not_endings"])
    for d in gazetteer.divisions():
        s = d.short or short_form(d.name, rules["short_strip"])
        if len(s) < 2 or s in rules["short_not_names"]:
            continue
        up = gazetteer.parent(d)
        if d.parent == code or (up is not None and up.parent == code
                                and up.short in rules["governed_directly"]):
            shorts[s] = d  # its cities, and the counties it governs itself (仙桃, 济源)
        elif (d.level == "county" and len(s) >= longer and d.code.startswith(prefix)
              and s not in shorts and not s.endswith(generic)):
            shorts[s] = d
    return shorts


def _admin(report: Report, chain: list[Division]) -> list[Mention]:
    rules = _lex()["rules"]["admin"]
    text = report.text
    names = gazetteer.names()
    longest = 12
    endings = rules["endings"]
    shorts = dict(_province_shorts(chain[0].code if chain else ""))
    for d in chain:
        s = d.short or short_form(d.name, rules["short_strip"])
        if s and len(s) >= 2:
            shorts[s] = d
    short_pat = re.compile("|".join(sorted(map(re.escape, shorts), key=len, reverse=True)))
    cands: list[tuple[int, int, Division | None, str]] = []
    # the front matter too: the title and meeting line name the report's own area
    for sent in report.sentences:
        for i in range(sent.start, sent.end):
            if text[i] not in endings:
                continue
            for n in range(min(longest, i + 1 - sent.start), 1, -1):
                name = text[i + 1 - n:i + 1]
                if name in names:
                    d = gazetteer.best(name, chain)
                    if _foreign_town(name, d, chain):
                        continue
                    if (d not in chain and i + 1 - n > 0 and is_name_char(text[i - n])
                            and (_ends_in_word(name, rules) or n < rules["min_loose_name"])):
                        continue
                    cands.append((i + 1 - n, i + 1, d, name))
                    break
        for m in short_pat.finditer(text, sent.start, sent.end):
            d = shorts[m.group(0)]
            if (d.level != "province" and d not in chain and len(m.group(0)) < rules["short_loose_min"]
                    and not _clean_left(text, m.start())):
                continue
            nxt = text[m.end():m.end() + 1]
            if nxt and nxt in rules["short_not_before"]:
                continue
            if text[m.end() - 1:m.end() + 1] in rules["compass_words"]:
                continue
            cands.append((m.start(), m.end(), d, d.name))
    out = []
    for c in drop_overlaps([_Span(*c) for c in cands]):
        d, name = c.div, c.name
        attrs: dict = {}
        rels: tuple[Rel, ...] = ()
        if d is not None:
            attrs["level"] = d.level
            if d.code:
                attrs["admin_code"] = d.code
            up = gazetteer.parent(d)
            if up is not None:
                rels = (Rel("locatedIn", "AdministrativeArea", up.name),)
        label = name
        out.append(Mention("AdministrativeArea", text[c.start:c.end], c.start, c.end,
                           normalize(name), {**attrs, "label": label} if label != text[c.start:c.end] else attrs,
                           rels))
    return out


def _foreign_town(name: str, d: Division | None, chain: list[Division]) -> bool:
    """A town not in the report's chain, or whose county is not: too ambiguous to take."""
    levels = _lex()["rules"]["admin_context"]["foreign_town_levels"]
    if d is not None and d.level not in levels:
        return False
    if d is None and all(x.level in levels for x in gazetteer.lookup(name)) is False:
        return False
    codes = {x.code for x in chain if x.code}
    return d is None or d.parent not in codes


def _clean_left(text: str, pos: int) -> bool:
    """Nothing of a name right before ``pos``: a non-name character or a boundary word
    (、武汉; 支持恩施; not 成渝中线)."""
    if pos == 0 or not is_name_char(text[pos - 1]):
        return True
    return any(text.endswith(w, 0, pos) for w in _lex()["boundary"])


def _ends_in_word(name: str, rules: dict) -> bool:
    """应城市 ends in 城市, a common word that reaches into its proper part (应城)."""
    short = short_form(name, rules["short_strip"])
    tail = len(name) - len(short) if short else 0
    return any(name.endswith(e) and len(e) > tail for e in rules["common_endings"])


def _is_town_name(name: str) -> bool:
    """中关村 is a 街道, not a village: X村 (or its tail) whose X村街道 or X村镇 is a division."""
    return any(gazetteer.lookup(name[k:] + s) for k in range(len(name) - 2)
               for s in ("街道", "镇", "乡"))


class _Span:
    def __init__(self, start: int, end: int, div: Division | None, name: str):
        self.start, self.end, self.div, self.name = start, end, div, name


# -- villages, communities, zones, facilities ----------------------------------------------

def _anchors(chain: list[Division]) -> list[str]:
    strip = _lex()["rules"]["admin"]["short_strip"]
    out = []
    for d in chain:
        out.append(d.name)
        s = d.short or short_form(d.name, strip)
        if s:
            out.append(s)
    return out


def _suffix_places(report: Report, chain: list[Division], blocked: list[Mention]
                   ) -> list[Candidate]:
    lex = _lex()
    text = report.text
    anchors = _anchors(chain)
    found: list[Candidate] = []
    for sent in body_sentences(report):
        found.extend(find_names(text, lex["suffixes"], lex["boundary"], lex["generic"],
                                sent.start, sent.end, anchors=anchors, generic_mode="all",
                                counters=lex["rules"]["names"]["counters"]))
    # A candidate may contain an earlier mention (周祝公路1号桥) but not cut through one.
    cutting = Intervals((b.start, b.end) for b in blocked)
    found = [c for c in found if not cutting.cuts(c.start, c.end)]
    kept = drop_overlaps(found)
    # A name inside a kept one, ending where its name part ends, is a place too
    # (幸福居民区 in 幸福居民区卫生服务站).
    nested = [c for c in found for k in kept
              if c is not k and k.start <= c.start and c.end == k.start + len(k.stem)]
    return sorted(set(kept) | set(nested), key=lambda c: (c.start, c.end))


def _gazetteer_places(report: Report, chain: list[Division]) -> list[Mention]:
    """Villages and residents' committees of the report's town, full or bare names."""
    if not chain or chain[-1].level != "town":
        return []
    rules = _lex()["rules"]["villages"]
    text = report.text
    out = []
    entries = gazetteer.villages(chain[-1])
    for entry in entries:
        typ = "Village" if entry.endswith(("村", "村委会", "村民委员会")) else "Community"
        bare = ""
        sfx = ""
        for s in sorted(rules["entry_suffixes"], key=len, reverse=True):
            if entry.endswith(s) and len(entry) - len(s) >= 2:
                bare, sfx = entry[:-len(s)], s
                break
        forms = [entry]
        if bare and sfx in rules["bare_alone"]:
            forms.append(bare)
        for form in forms:
            for m in re.finditer(re.escape(form), text[report.body_start:]):
                s = m.start() + report.body_start
                out.append(Mention(typ, form, s, s + len(form), normalize(entry),
                                   {"label": entry} if form != entry else {}))
    return out


def _groups(report: Report) -> list[Mention]:
    lex = _lex()
    text = report.text
    out = []
    for sent in body_sentences(report):
        for m in lex["group"].finditer(text, sent.start, sent.end):
            run = text[m.start("stem"):m.end("stem")]
            stem = cut_stem(run, lex["boundary"], 2)
            if all_generic(stem, lex["generic"]):
                continue
            s = m.end("stem") - len(stem)
            name = text[s:m.end()]
            out.append(Mention("Village", name, s, m.end(), normalize(name), {},
                               (Rel("partOf", "Village", normalize(stem) + "村"),)))
    return out


def _distributed(report: Report, heads: list[Mention], taken: list) -> list[Mention]:
    taken_iv = Intervals((t.start, t.end) for t in taken)
    return _distributed_items(report, heads, taken_iv)


def _distributed_items(report: Report, heads: list[Mention], taken_iv: Intervals) -> list[Mention]:
    """``A、B居民区``: A is a 居民区 too, when A is a short name right before it."""
    lex = _lex()
    rules = lex["rules"]["villages"]
    text = report.text
    out = []
    for h in heads:
        if h.type not in rules["distribute"]:
            continue
        sfx = h.attrs.get("suffix")
        if not sfx:
            continue
        pos = h.start
        while pos > 0 and text[pos - 1] == rules["list_sep"]:
            end = pos - 1
            start = run_before(text, end, rules["max_item"] + 6)
            stem = cut_stem(text[start:end], lex["boundary"], 2)
            if not (2 <= len(stem) <= rules["max_item"]) or all_generic(stem, lex["generic"]):
                break
            s = end - len(stem)
            if taken_iv.overlaps(s, end):
                break
            name = stem + sfx if sfx in rules["kind_suffixes"] else stem
            attrs = {"label": name} if name != stem else {}
            out.append(Mention(h.type, stem, s, end, normalize(name), attrs))
            # 周东、幸福居民区卫生服务站: 周东居民区 has a 卫生服务站 too
            for f in heads:
                if f.type == "Facility" and f.start == h.start and f.end > h.end and \
                        name != stem:
                    fname = name + text[h.end:f.end]
                    out.append(Mention("Facility", stem, s, end, normalize(fname),
                                       {"label": fname, "suffix": f.attrs.get("suffix")}))
            pos = s
    return out


def _counted_lists(report: Report, taken: list) -> list[Mention]:
    """``欣周小商品市场、祥和里(西)等6个小区``: untyped items before 等N个小区 are 小区."""
    lex = _lex()
    rules = lex["rules"]["lists"]
    cue = re.compile(rules["cue"])
    tail = re.compile("(?:" + rules["item_tail"] + ")$")
    sep = lex["rules"]["villages"]["list_sep"]
    text = report.text
    out = []
    seen = SpanIndex((t.start, t.end) for t in taken)
    for sent in body_sentences(report):
        for m in cue.finditer(text, sent.start, sent.end):
            typ = rules["kinds"][m.group("kind")]
            end = m.start()
            while end > sent.start:
                t = tail.search(text, max(sent.start, end - 3), end)
                name_end = t.start() if t else end
                start = run_before(text, name_end, rules["max_item"] + 6)
                stem = cut_stem(text[start:name_end], lex["boundary"], 2)
                s = name_end - len(stem)
                if not (2 <= len(stem) <= rules["max_item"]) or all_generic(stem, lex["generic"]):
                    break
                if not seen.overlaps(s, end):
                    out.append(Mention(typ, text[s:end], s, end, normalize(text[s:end])))
                    seen.add(s, end)
                if s == 0 or text[s - 1] != sep:
                    break
                end = s - 1
    return out


def _zone_tails(mentions: list[Mention]) -> list[Mention]:
    """A zone named by the tail of a longer zone's name takes that name as its key."""
    min_tail = _lex()["rules"]["zones"]["min_tail"]
    zones = sorted({m.key for m in mentions if m.type == "Zone"}, key=len, reverse=True)
    out = []
    for m in mentions:
        longer = [z for z in zones if len(z) > len(m.key) and z.endswith(m.key)]
        if m.type == "Zone" and longer and len(m.key) >= min_tail:
            m = Mention(m.type, m.text, m.start, m.end, longer[0],
                        {**m.attrs, "label": longer[0]}, m.rels)
        out.append(m)
    return out


def extract(report: Report, found: tuple[Mention, ...]) -> list[Mention]:
    """Areas, villages, communities, zones and facilities of ``report``."""
    lex = _lex()
    chain = report_chain(report)
    blocked = [m for m in found]
    blocked_iv = Intervals((b.start, b.end) for b in blocked)
    admin = [m for m in _admin(report, chain) if not blocked_iv.overlaps(m.start, m.end)]
    admin_iv = Intervals((a.start, a.end) for a in admin)
    out: list[Mention] = list(admin)
    taken: list = list(blocked) + admin
    text = report.text
    named: list[Mention] = []
    for c in _suffix_places(report, chain, blocked):
        nxt = text[c.end:c.end + 2]
        if nxt in lex["org_heads"]:
            continue
        if admin_iv.cuts(c.start, c.end):
            continue
        if c.suffix.type == "Village" and _is_town_name(c.text):
            continue
        attrs = {"suffix": c.suffix.word}
        if c.suffix.type in lex["rules"]["names"]["status_types"]:
            attrs.update(status_attrs(report, c.start, c.end))
        named.append(Mention(c.suffix.type, c.text, c.start, c.end, normalize(c.text), attrs))
    named = [m for m in named if m.type != "Village"] + \
        [m for m in named if m.type == "Village"]
    held = Intervals((t.start, t.end) for t in taken + named)
    gaz = drop_overlaps([g for g in _gazetteer_places(report, chain) if not held.overlaps(g.start, g.end)])
    groups = [g for g in _groups(report) if not held.overlaps(g.start, g.end)]
    taken += named + gaz + groups
    dist = _distributed(report, named, taken)
    counted = _counted_lists(report, taken + dist)
    places = named + gaz + groups + dist + counted
    out.extend(_zone_tails(places))
    return sorted(out, key=Mention.sort_key)


__all__ = ["extract", "report_chain", "PLACE_TYPES"]
