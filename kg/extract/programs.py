"""Programs (campaigns, policies, mechanisms, slogans) and documents.

- Documents: 《…》 titles, and quoted names ending in a document word (“…防控方案”).
- Programs: a quoted name with a program head after it (“拔钉子”行动, “四责协同”机制,
  “1+1+X”的…指导体系); a quoted name whose own end is a program word (“15分钟文化圈”,
  “一网通办”); an unquoted name and a program head, cut on the left by the boundary
  words (清源专项行动, 老吾老计划); and the shapes in ``data/rules/programs.toml``
  (河长制, 五违整治, 美丽庭院建设).

Words in ``data/lexicons/programs_heads.tsv``. Every mention gets the status its
sentence gives (:mod:`kg.extract.status`), ``implementedBy`` an organization the clause
says runs it with (与…共同举办), and ``namedAfter`` a person its name starts with.

>>> from kg.ingest import parse_text
>>> r = parse_text("上半年工作回顾\\n全面推行河长制、林长制。开展“拔钉子”行动。完成《周浦镇国土空间总体规划》编制。\\n", name="t")
>>> [(m.type, m.key, m.attrs.get("status")) for m in extract(r, ())]
[('Program', '河长制', 'in_progress'), ('Program', '林长制', 'in_progress'), ('Program', '拔钉子行动', 'in_progress'), ('Document', '周浦镇国土空间总体规划', 'completed')]
"""
from __future__ import annotations

import functools
import re

from kg.extract.matcher import alternation, drop_overlaps
from kg.extract.naming import HARD, left_edge, specific_chars, strip_quotes
from kg.extract.status import clause_bounds, status_attrs
from kg.records import Mention, Rel, Report
from kg.resources import load_toml, load_tsv


@functools.cache
def _lex() -> dict:
    rows = load_tsv("lexicons/programs_heads.tsv")
    by_use: dict[str, list[str]] = {}
    mins: dict[str, int] = {}
    for r in rows:
        by_use.setdefault(r["use"], []).append(r["word"])
        if r["use"] == "unquoted":
            mins[r["word"]] = int(r["min"] or 0)
    bounds = [r["word"] for r in load_tsv("lexicons/projects_boundary.tsv")]
    cjk = "\u4e00-\u9fff"
    return {
        "quoted": re.compile(f"“[^“”\\n]{{1,24}}”(?:的?(?:(?![等和及与])[{cjk}]){{0,12}}?)?"
                             f"{alternation(by_use['quoted'])}"),
        "quote": re.compile(r"“([^“”\n]{2,24})”"),
        "tail": tuple(by_use["tail"]),
        "doc": tuple(by_use["doc"]),
        "unquoted": re.compile(alternation(by_use["unquoted"])),
        "mins": mins,
        "stops": re.compile(alternation(bounds)),
        "stop_words": tuple(sorted(bounds, key=len, reverse=True)),
        "runon": tuple(r["word"] for r in load_tsv("lexicons/programs_runon.tsv")),
        "book": re.compile(r"《([^《》\n]{2,60})》"),
        "patterns": [(re.compile(p["regex"]), int(p.get("min", 2)))
                     for p in load_toml("rules/programs.toml").get("patterns", [])],
        "generic": re.compile(alternation(r["word"] for r in load_tsv("lexicons/projects_generic.tsv"))),
        "with": re.compile(alternation(r["word"] for r in load_tsv("lexicons/programs_with.tsv"))),
    }


def _at_edge(text: str, lo: int, pos: int) -> bool:
    if pos <= lo or text[pos - 1] in HARD or text[pos - 1] in "“”·":
        return True
    return any(text.endswith(w, lo, pos) for w in _lex()["stop_words"])


def _ends_name(text: str, end: int, hi: int) -> bool:
    """False where the head word runs on (行动上, 制度优势: ``programs_runon.tsv``)."""
    return end >= hi or not text.startswith(_lex()["runon"], end)


def _ungeneric(name: str) -> str:
    """``name`` without the words that only say what kind of thing it is (各项, 重大)."""
    return _lex()["generic"].sub("", name)


def key_of(name: str) -> str:
    """A program's key: its name without quotes and a linking 的.

    >>> key_of("“1+1+X”的家庭文明建设指导体系")
    '1+1+X家庭文明建设指导体系'
    """
    return strip_quotes(re.sub(r"”的", "”", name))


def candidates(report: Report) -> list[Mention]:
    """Program and Document spans without status or relations (projects use them to
    keep out of programs' way)."""
    lex = _lex()
    text = report.text
    out: list[Mention] = []

    def add(typ: str, a: int, b: int) -> None:
        if b > a:
            out.append(Mention(typ, text[a:b], a, b, key_of(text[a:b])))

    for sent in report.sentences:
        if sent.modality == "glossary":  # definitions: the glossary extractor's
            continue
        lo, hi = sent.start, sent.end
        for m in lex["book"].finditer(text, lo, hi):
            add("Document", m.start(1), m.end(1))
        for m in lex["quote"].finditer(text, lo, hi):
            inner = m.group(1)
            if inner.endswith(lex["doc"]):
                add("Document", m.start(1), m.end(1))
            elif inner.endswith(lex["tail"]) and specific_chars(inner) >= 3:
                add("Program", m.start(), m.end())
        for m in lex["quoted"].finditer(text, lo, hi):
            add("Program", m.start(), m.end())
        for m in lex["unquoted"].finditer(text, lo, hi):
            if not _ends_name(text, m.end(), hi):
                continue  # 思想上政治上行动上, 制度优势: the word runs on
            need = lex["mins"][m.group(0)]
            a = left_edge(text, lo, m.start(), lex["stops"], min_chars=0)
            name = text[a:m.start()]
            if specific_chars(_ungeneric(name)) >= need and "“" not in name and "”" not in name:
                add("Program", a, m.end())
        for pat, need in lex["patterns"]:
            for m in pat.finditer(text, lo, hi):
                a = m.start()
                while a < m.end() and not _at_edge(text, lo, a):
                    a += 1
                if m.end() - a >= need:
                    add("Program", a, m.end())
    docs = [m for m in out if m.type == "Document"]
    progs = [m for m in out if m.type == "Program"
             and not any(d.start <= m.start and m.end <= d.end + 1 for d in docs)]
    return drop_overlaps(docs + progs)


def extract(report: Report, found: tuple[Mention, ...]) -> list[Mention]:
    """Program and Document mentions with status and relations."""
    lex = _lex()
    text = report.text
    projects = [m for m in found if m.type == "Project"]
    orgs = [m for m in found if m.type == "Organization"]
    people = sorted({m.key for m in found if m.type == "Person"})
    out = []
    for c in candidates(report):
        if any(p.start <= c.start and c.end <= p.end for p in projects):
            continue
        attrs = dict(status_attrs(report, c.start, c.end))
        label = strip_quotes(c.text)
        if label != c.key:
            attrs["label"] = label
        rels = [Rel("namedAfter", "Person", k) for k in people
                if c.key.startswith(k) and len(c.key) > len(k)]
        a, _ = clause_bounds(report, c.start, c.end)
        for o in orgs:
            if a <= o.start and o.end <= c.start and lex["with"].search(text, o.end, c.start):
                rels.append(Rel("implementedBy", "Organization", o.key))
        out.append(Mention(c.type, c.text, c.start, c.end, c.key, attrs, tuple(rels)))
    return out


__all__ = ["extract", "candidates", "key_of"]
