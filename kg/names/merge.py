"""Where rules and the tagger both speak: one set of mentions.

``data/rules/tagger.toml [merge]`` says which types each side owns:

- Rule-owned types with closed patterns (parcels, planning units, road segments,
  metrics, glossary terms) always stay; a tagger span that overlaps one is dropped
  (a segment's own roads stay too: they are its parts).
- Tagger-owned types (projects, programs, organizations, facilities, zones, regions,
  villages, communities, roads, waterways, documents): the tagger's spans win. A rule mention of
  these types stays where it has the same span and type as a tagged one (it carries
  attributes and relations: ``source = "rule+tagger"``), where it lies inside a tagged
  project or program (东南小区 in 东南小区综合整新工程: a place the work names, with no status
  of its own), or, where the tagger marked nothing over it, where the model's belief in
  it (the mean marginal of its labels) reaches ``[merge] verify``: the rules propose,
  the model disposes; for a type the model learned from too few spans
  (:func:`scarce_types`) the rule name stands. Any other rule mention of these types is
  dropped.
- Administrative areas and people come from the rules (gazetteer, speaker line,
  titles) unless a tagged name other than a project or program holds them: the outer
  name wins (浙江 inside 浙江大学 is not a place of its own); a tagger span that only
  partly overlaps one of them is dropped.

Every mention gets ``attrs["source"]``: ``rule``, ``gazetteer`` (administrative areas),
``tagger`` or ``rule+tagger``.
"""
from __future__ import annotations

import functools

from kg.extract.matcher import Intervals
from kg.extract.status import status_attrs
from kg.names.features import config
from kg.records import Mention, Report

STRUCTURAL = frozenset({"LandParcel", "PlanningUnit", "RoadSegment", "GlossaryTerm", "Metric"})
STATUS_TYPES = frozenset({"Project", "Program", "Road", "Facility"})
# Tagged names that may hold other names (东南小区综合整新工程 is in 东南小区, 长江经济带 along
# 长江): the rules' names inside them stay, without a status of their own. Not
# organizations: 西湖大学 is named after 西湖, not in it.
NESTING = frozenset({"Project", "Program", "Facility", "Zone", "Region"})
# A project may be named by its place alone (外环运河、小沥港河道整治等项目: 外环运河 is the
# project and the river): a rule name of these types with a tagged project's very span stays.
PLACE_OF_WORK = frozenset({"Waterway", "Road", "Village", "Community", "Zone"})
ENCLOSING = {"“": "”", "《": "》", "‘": "’"}


@functools.cache
def scarce_types() -> frozenset[str]:
    """Tagger-owned types the shipped model learned from fewer than ``[merge] min_spans``
    annotated spans: it cannot judge their rule names, so those stand unless a tagged name
    overlaps them (with today's corpus: Village, Community)."""
    import json

    from kg.names.tagger import model_path
    try:
        counts = json.loads(model_path().with_suffix(".json").read_text(encoding="utf-8"))["spans"]
    except (OSError, ValueError, KeyError):
        counts = {}
    least = int(config()["merge"]["min_spans"])
    return frozenset(t for t in owners()[0] if counts.get(t, 0) < least)


@functools.cache
def owners() -> tuple[frozenset[str], frozenset[str]]:
    m = config()["merge"]
    return frozenset(m["tagger"]), frozenset(m["rules"])


def name_key(text: str) -> str:
    """The normalized name of a tagged span: no enclosing quotes, no spaces.

    >>> name_key("“八八战略”"), name_key("长 江")
    ('八八战略', '长江')
    """
    s = "".join(text.split())
    if len(s) > 2 and s[0] in ENCLOSING and s[-1] == ENCLOSING[s[0]]:
        s = s[1:-1]
    return s


OPENERS, CLOSERS = "“《‘「（(", "”》’」）)"
EDGE_JUNK = "、，,。；;：:！？ \t\n"


def tidy(text: str, s: int, e: int) -> tuple[int, int]:
    """A tagged span with the guide's edges: no punctuation at either end, no quote or book
    mark left unpaired inside it, none enclosing the whole name.

    >>> t = "实施“千万工程”。"
    >>> s, e = tidy(t, 2, 7); t[s:e]
    '千万工程'
    >>> t = "“城中村”地块改造项目"
    >>> s, e = tidy(t, 0, len(t)); t[s:e]
    '“城中村”地块改造项目'
    """
    for _ in range(4):
        while s < e and text[s] in EDGE_JUNK:
            s += 1
        while e > s and text[e - 1] in EDGE_JUNK:
            e -= 1
        span = text[s:e]
        if not span:
            break
        first, last = span[0], span[-1]
        if first in OPENERS and span.count(first) > span.count(CLOSERS[OPENERS.index(first)]):
            s += 1
            continue
        if last in CLOSERS and span.count(last) > span.count(OPENERS[CLOSERS.index(last)]):
            e -= 1
            continue
        if first in OPENERS and last == CLOSERS[OPENERS.index(first)] and \
                span.count(first) == 1 and span.count(last) == 1:
            s, e = s + 1, e - 1
            continue
        break
    return s, e


def rule_source(m: Mention) -> str:
    """Where a rule mention comes from: the gazetteer (administrative areas) or a rule."""
    return "gazetteer" if m.type == "AdministrativeArea" else "rule"


def _structural(m: Mention) -> bool:
    return m.type in STRUCTURAL or m.attrs.get("class") == "WaterwaySegment"


def merge(report: Report, rules: list[Mention], tagged: list[tuple[int, int, str]],
          beliefs: dict[tuple[int, int, str], float] | None = None) -> list[Mention]:
    """Rule mentions and tagger spans as one list (see the module docstring).

    ``beliefs``: the model's belief in each rule mention of a tagger-owned type
    (:func:`kg.names.tagger.tag_report`); a rule name the tagger did not mark stays only
    where the belief reaches ``[merge] verify``.
    """
    tagger_types, _ = owners()
    beliefs = beliefs or {}
    verify = float(config()["merge"]["verify"])
    rules_decide = scarce_types()
    structural = [m for m in rules if _structural(m)]
    in_structural = Intervals((m.start, m.end) for m in structural)

    spans: list[tuple[int, int, str]] = []
    for s, e, t in tagged:
        s, e = tidy(report.text, s, e)
        if e - s >= 2 and t in tagger_types and not in_structural.overlaps(s, e):
            spans.append((s, e, t))
    span_set = set(spans)
    tagged_iv = Intervals((s, e) for s, e, _ in spans)
    hosts = Intervals((s, e) for s, e, t in spans if t in NESTING)
    outer = Intervals((s, e) for s, e, t in spans if t not in NESTING)
    works = {(s, e) for s, e, t in spans if t == "Project"}

    out: list[Mention] = []
    fixed: list[Mention] = []
    for m in rules:
        attrs = dict(m.attrs)
        source = rule_source(m)
        if _structural(m) or in_structural.holds(m.start, m.end):
            pass
        elif m.type in tagger_types:
            if (m.start, m.end, m.type) in span_set:
                source = "rule+tagger"
            elif hosts.holds(m.start, m.end) or (m.type in PLACE_OF_WORK and (m.start, m.end) in works):
                for k in ("status", "status_verb", "status_at"):  # the project's, not the place's
                    attrs.pop(k, None)
            elif tagged_iv.overlaps(m.start, m.end):
                continue
            elif m.type not in rules_decide and beliefs.get((m.start, m.end, m.type), 0.0) < verify:
                continue
        else:  # areas, people, documents: the rules' own, unless a tagged name holds them
            if outer.holds(m.start, m.end):
                continue
            fixed.append(m)
        attrs["source"] = source
        if m.type in STATUS_TYPES and "status" not in attrs and source == "rule+tagger":
            attrs.update(status_attrs(report, m.start, m.end))
        out.append(Mention(m.type, m.text, m.start, m.end, m.key, attrs, m.rels))
    exact = {(m.start, m.end, m.type) for m in rules}
    fixed_iv = Intervals((m.start, m.end) for m in fixed)
    fixed_spans = {(m.start, m.end) for m in fixed}
    same_type: dict[str, list[Mention]] = {}
    for m in rules:
        if m.type in tagger_types and m.rels:
            same_type.setdefault(m.type, []).append(m)
    for s, e, t in spans:
        if (s, e, t) in exact:
            continue
        if fixed_iv.stabs(s) or fixed_iv.stabs(e) or (s, e) in fixed_spans:
            continue  # the very span or a partial overlap of a rule-owned name: the rule wins
        text = report.text[s:e]
        key = name_key(text)
        if len(key) < 2:
            continue
        attrs: dict = {"source": "tagger"}
        if t in STATUS_TYPES:
            attrs.update(status_attrs(report, s, e))
        # the relations the rules found for an overlapping name of the same type (the
        # places of its list or clause) carry over; targets missing from the merge drop later
        rels = tuple(dict.fromkeys(r for m in same_type.get(t, ()) if s < m.end and m.start < e
                                   for r in m.rels))
        out.append(Mention(t, text, s, e, key, attrs, rels))
    return _implemented_by(report, sorted(out, key=Mention.sort_key))


@functools.cache
def _with_words():
    import re

    from kg.extract.matcher import alternation
    from kg.resources import load_tsv
    return re.compile(alternation(r["word"] for r in load_tsv("lexicons/programs_with.tsv")))


def _implemented_by(report: Report, mentions: list[Mention]) -> list[Mention]:
    """A tagged project or program is ``implementedBy`` an organization only where its
    clause says so (由…承建, 与…共同举办: ``programs_with.tsv``), never by nearness."""
    from kg.extract.status import clause_bounds
    from kg.records import Rel
    orgs = [m for m in mentions if m.type == "Organization"]
    if not orgs:
        return mentions
    pat = _with_words()
    out = []
    for m in mentions:
        if m.attrs.get("source") == "tagger" and m.type in ("Project", "Program"):
            a, _ = clause_bounds(report, m.start, m.end)
            rels = [Rel("implementedBy", "Organization", o.key) for o in orgs
                    if a <= o.start and o.end <= m.start and pat.search(report.text, o.end, m.start)]
            if rels:
                m = Mention(m.type, m.text, m.start, m.end, m.key, m.attrs, tuple(dict.fromkeys(rels)))
        out.append(m)
    return out


__all__ = ["merge", "name_key", "owners", "tidy", "rule_source"]
