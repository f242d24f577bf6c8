"""Organizations and people named in a report.

Organizations are found by their head words (``data/lexicons/orgs_heads.tsv``):
government bodies after an administrative level (镇人大, 区委, 周浦镇人民政府),
level-abbreviated units (市道运中心), working groups (…领导小组), companies (a short
trade name and an industry word: 沃比医疗, also inside a project name), associations
(…协会) and institutions (…图书馆). The name's left edge comes from
:mod:`kg.extract.naming`. People are found by the words that follow a name
(``orgs_person_cues.tsv``: 诞辰, 旧居, 总书记 …); every other occurrence of a name found
so is a Person mention too, and an organization named after a person gets
``namedAfter``. An organization whose name starts with another one's
(周浦镇人民政府办公室, 重庆大学智能汽车技术学院) is ``subOrganizationOf`` it. The report's speaker comes from its metadata (kg/build.py).

>>> from kg.ingest import parse_text
>>> r = parse_text("下半年工作要点\\n依托傅雷图书馆,与中国翻译协会共同举办活动。纪念傅雷诞辰。\\n", name="t")
>>> sorted({(m.type, m.key) for m in extract(r, ())})
[('Organization', '中国翻译协会'), ('Organization', '傅雷图书馆'), ('Person', '傅雷')]
"""
from __future__ import annotations

import functools
import re

from kg.extract.matcher import alternation, drop_overlaps
from kg.extract.naming import HARD, floor_of, left_edge
from kg.records import Mention, Rel, Report
from kg.resources import load_tsv, words

NAME_CHARS = re.compile(r"^[\u4e00-\u9fff·]+$")
PLACE_TYPES = ("AdministrativeArea",)


@functools.cache
def _lex() -> dict:
    heads: dict[str, list[str]] = {}
    for row in load_tsv("lexicons/orgs_heads.tsv"):
        heads.setdefault(row["kind"], []).append(row["word"])
    bounds = load_tsv("lexicons/projects_boundary.tsv")
    generic = load_tsv("lexicons/orgs_generic.tsv")
    cues = {r["word"]: r["role"] for r in load_tsv("lexicons/orgs_person_cues.tsv")}
    levels = words("lexicons/orgs_levels.tsv")
    stops_all = [r["word"] for r in bounds]
    stops_no_conj = [r["word"] for r in bounds if r["kind"] != "conj"]
    return {
        "heads": heads,
        "levels": levels,
        "gov": re.compile(f"(?P<lvl>{alternation(levels)})(?P<body>{alternation(heads['gov'])})"),
        "unit": re.compile(f"{alternation(levels)}[\u4e00-\u9fff]{{2}}{alternation(heads['unit'])}"),
        "body": re.compile(alternation(heads["body"])),
        "named": re.compile(alternation(heads["group"] + heads["association"] + heads["institution"])),
        "kind": {w: k for k, ws in heads.items() for w in ws},
        "firm": re.compile(alternation(w for w in heads["company"] if w.endswith(("公司", "集团")))),
        "project_head": re.compile(alternation(r["word"] for r in load_tsv("lexicons/projects_heads.tsv"))),
        "company": re.compile(f"(?:{alternation(heads['company'])})+"),
        "stops": re.compile(alternation(stops_all)),
        "stops_no_conj": re.compile(alternation(stops_no_conj)),
        "stop_words": tuple(sorted(stops_all, key=len, reverse=True)),
        "generic_name": tuple(r["word"] for r in generic if r["use"] == "name"),
        "generic_after": tuple(r["word"] for r in generic if r["use"] == "after"),
        "person_cues": re.compile(alternation(cues)),
        "roles": cues,
    }


def _at_edge(text: str, lo: int, pos: int) -> bool:
    """True where a name may start at ``pos``: sentence start, punctuation, a boundary word."""
    if pos <= lo or text[pos - 1] in HARD or text[pos - 1] in "“”\"·":
        return True
    return any(text.endswith(w, lo, pos) for w in _lex()["stop_words"])


def _place_names(report: Report, found: tuple[Mention, ...]) -> set[str]:
    names = {m.text for m in found if m.type in PLACE_TYPES}
    if report.meta.get("place"):
        names.add(str(report.meta["place"]))
    return {n for n in names if len(n) >= 2}


def persons(report: Report) -> list[Mention]:
    """People found by the words after their names, and every other occurrence of them."""
    lex = _lex()
    text = report.text
    names: dict[str, str] = {}
    for sent in report.sentences:
        for m in lex["person_cues"].finditer(text, sent.start, sent.end):
            for k in (3, 2):
                a = m.start() - k
                if a < sent.start or not NAME_CHARS.match(text[a:m.start()]):
                    continue
                name = text[a:m.start()]
                if (_at_edge(text, sent.start, a) and not _generic(name)
                        and not any(w in name for w in lex["stop_words"] if len(w) >= 2)):
                    role = lex["roles"].get(m.group(0)) or ""
                    if role or text[a:m.start()] not in names:
                        names[text[a:m.start()]] = role
                    break
    out = []
    for name, role in sorted(names.items()):
        for m in re.finditer(re.escape(name), text[report.body_start:]):
            s = m.start() + report.body_start
            attrs = {"role": role} if role else {}
            out.append(Mention("Person", name, s, s + len(name), name, attrs))
    return out


def _generic(name: str) -> bool:
    lex = _lex()
    return name in lex["generic_name"] or any(name.startswith(g) for g in lex["generic_name"]
                                              if len(g) >= 2)


def extract(report: Report, found: tuple[Mention, ...]) -> list[Mention]:
    """Organization and Person mentions (see the module docstring)."""
    lex = _lex()
    text = report.text
    places = _place_names(report, found)
    cands: list[Mention] = []

    def add(a: int, b: int, kind: str) -> None:
        cands.append(Mention("Organization", text[a:b], a, b, text[a:b], {"org_kind": kind}))

    for sent in report.sentences:
        lo, hi = sent.start, sent.end
        for m in lex["gov"].finditer(text, lo, hi):
            if m.group("body") == "委" and text[m.end():m.end() + 1] == "员":
                continue
            a = m.start()
            ext = next((p for p in sorted(places, key=len, reverse=True)
                        if p.endswith(m.group("lvl")) and text.endswith(p, lo, m.end("lvl"))), None)
            if ext:
                a = m.end("lvl") - len(ext)
            if a == m.start() and not _at_edge(text, lo, a):
                continue
            add(a, m.end(), "gov")
        for m in lex["unit"].finditer(text, lo, hi):
            if _at_edge(text, lo, m.start()):
                add(m.start(), m.end(), "gov")
        for m in lex["body"].finditer(text, lo, hi):
            add(m.start(), m.end(), "gov")
        for m in lex["named"].finditer(text, lo, hi):
            kind = lex["kind"][m.group(0)]
            stops = lex["stops_no_conj"] if kind == "group" else lex["stops"]
            a = left_edge(text, lo, m.start(), stops, min_chars=0)
            name = text[a:m.start()]
            if len(name) < 2 or not NAME_CHARS.match(name) or _generic(name):
                continue
            add(a, m.end(), kind)
        for m in lex["company"].finditer(text, lo, hi):
            floor = floor_of(text, lo, m.start())
            a = next((m.start() - k for k in (2, 3, 4, 5)
                      if m.start() - k >= floor and _at_edge(text, lo, m.start() - k)), None)
            if a is None:
                continue
            name = text[a:m.start()]
            after = text[m.end():m.end() + 4]
            if (not NAME_CHARS.match(name) or _generic(name) or _is_place(name, places)
                    or any(g in name for g in lex["generic_name"] if len(g) >= 2)
                    or name.startswith(lex["stop_words"])
                    or any(after.startswith(w) for w in lex["generic_after"])):
                continue
            if not lex["firm"].search(m.group(0)) and not _starts_project(text, m.end(), hi):
                continue  # 沃比医疗 counts inside 沃比医疗研发总部, not alone (金融科技)
            add(a, m.end(), "company")
    orgs = drop_overlaps(cands)
    people = persons(report)
    out: list[Mention] = []
    for o in orgs:
        rels = [Rel("namedAfter", "Person", k) for k in sorted({p.key for p in people})
                if o.text.startswith(k) and len(o.text) > len(k)]
        # 市政府办公厅, 重庆大学…学院: a body named at the start is the one it is part of
        parent = max((c for c in cands if c.start == o.start and c.end < o.end
                      and c.attrs["org_kind"] != "group"), key=lambda c: c.end, default=None)
        if parent is not None:
            out.append(parent)
            rels.append(Rel("subOrganizationOf", "Organization", parent.key))
        out.append(Mention(o.type, o.text, o.start, o.end, o.key, o.attrs, tuple(rels)))
    return out + people


def _starts_project(text: str, pos: int, hi: int) -> bool:
    """True when the name run after ``pos`` (to punctuation or a list mark) ends in a
    project head: the company opens a project's name."""
    end = pos
    while end < hi and text[end] not in HARD and text[end] not in "、等和及":
        end += 1
    return _lex()["project_head"].search(text, pos, end) is not None


def _is_place(name: str, places: set[str]) -> bool:
    return any(p.startswith(name) or name.startswith(p) for p in places) or name[-1] in "省市区县镇乡村"


__all__ = ["extract", "persons"]
