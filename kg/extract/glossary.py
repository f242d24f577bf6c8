"""Glossary terms: the entries of a report's 名词解释 (or 注释, 注：…) with their exact
definitions and the components a definition enumerates, and every mention of a term
in the body of the report.

An entry is ``term: definition`` or, where the colon was lost, ``“term”definition``;
the term is cut after its quoted core plus a head noun from
``data/lexicons/glossary_heads.tsv`` (“四责协同”机制). Entries become ``GlossaryTerm``
mentions keyed by the term without quotes, with ``attrs["definition"]`` and
``attrs["components"]``; each component is a ``GlossaryTerm`` mention of its own, linked
by ``Rel("narrower", …)``.

>>> from kg.ingest import parse_text
>>> r = parse_text("一、工作\\n落实“三张清单”。\\n名词解释\\n1.“三张清单”:问题清单、任务清单、责任清单\\n",
...                name="t")
>>> [(m.key, m.attrs.get("definition")) for m in extract(r, ()) if "definition" in m.attrs]
[('三张清单', '问题清单、任务清单、责任清单')]
>>> sorted({m.key for m in extract(r, ()) if m.attrs.get("component_of")})
['任务清单', '责任清单', '问题清单']
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from kg.extract.matcher import Intervals, alternation, drop_overlaps
from kg.records import Mention, Rel, Report
from kg.resources import load_toml, words

TYPE = "GlossaryTerm"


@functools.cache
def _rules() -> dict:
    return load_toml("rules/glossary.toml")


@functools.cache
def _compiled() -> dict:
    e = _rules()["entries"]
    markers = "(?:" + "|".join(e["markers"]) + ")"
    return {
        "marker": re.compile(r"\s*" + markers + r"\s*"),
        "inline_marker": re.compile(r"(?<=[。；;!！?？])\s*(?=" + markers + ")"),
        "note_start": re.compile(e["note_start"]),
        "notes_heading": re.compile(e["notes_heading"]),
        "stop": [re.compile(p) for p in e["stop"]],
        "heads": re.compile(alternation(words("lexicons/glossary_heads.tsv"))),
        "count_prefix": re.compile(_rules()["components"]["count_prefix"].lstrip("^")),
    }


@dataclass
class Entry:
    """One glossary entry: where its term and definition are in the text."""

    start: int             # start of the term (after the numbering)
    term_end: int
    def_start: int
    def_end: int
    label: str             # the term without quotes
    core: str = ""         # the quoted part, if any (三张清单 in 招商“三张清单”)
    raw: str = ""          # the term as written, quotes kept (“三会”实训室)
    components: list[tuple[int, int, str]] = field(default_factory=list)


# -- finding entries ------------------------------------------------------------------

def entry_spans(report: Report) -> list[tuple[int, int]]:
    """Spans of glossary entries: paragraphs of glossary sections, and notes after 注：.

    Numbering markers are kept in the span; several entries in one paragraph are split.
    """
    c = _compiled()
    text = report.text
    spans: list[tuple[int, int]] = []
    glossary_paths = {s.path for s in report.sections if s.modality == "glossary"}
    in_notes = False
    # numbered notes after 注： may have been read as headings ("2.“三份清单”：…"): their
    # lines are blocks too, used only while reading notes
    blocks = [(p.start, p.end, p.section, False) for p in report.paragraphs]
    for sec in report.sections:
        if sec.level >= 1:
            line_end = text.find("\n", sec.start)
            blocks.append((sec.start, len(text) if line_end < 0 else line_end, sec.path, True))
    blocks.sort(key=lambda b: (b[0], not b[3]))
    taken_until = -1
    for b_start, b_end, b_section, is_heading in blocks:
        if b_start < taken_until:
            continue
        if is_heading and not (in_notes and c["marker"].match(text, b_start, b_end)):
            in_notes = False
            continue
        p = _Block(b_start, b_end, None if is_heading else b_section)
        if is_heading:
            taken_until = b_end
        para = text[p.start:p.end]
        if any(rx.search(para) for rx in c["stop"]):
            in_notes = False
            continue
        start = p.start
        if c["notes_heading"].match(para):
            in_notes = True
            continue
        if p.section in glossary_paths:
            pass
        else:
            m = c["note_start"].match(para)
            if m:
                in_notes = True
                start = p.start + m.end()
            elif not (in_notes and c["marker"].match(para)):
                in_notes = False
                continue
        cuts = [start] + [m.end() for m in c["inline_marker"].finditer(text, start, p.end)]
        cuts.append(p.end)
        for a, b in zip(cuts, cuts[1:]):
            while b > a and text[b - 1].isspace():
                b -= 1
            if b > a:
                spans.append((a, b))
    return spans


def parse_entry(text: str, start: int, end: int, number: int | None = None) -> Entry | None:
    """Split one entry span into term and definition; None when no term is found.

    >>> t = "4.招商“三张清单”招商资源清单、项目清单、政策清单"
    >>> e = parse_entry(t, 0, len(t))
    >>> t[e.start:e.term_end], e.label, e.core, t[e.def_start:e.def_end]
    ('招商“三张清单”', '招商三张清单', '三张清单', '招商资源清单、项目清单、政策清单')
    """
    rules = _rules()["entries"]
    c = _compiled()
    m = c["marker"].match(text, start, end)
    s = m.end() if m else start
    if m is None and number is not None:
        # "2.1+1+X”…": the marker of entry 2 followed by a term that starts with a digit
        nm = re.match(rf"\s*{number}\s*[.．、]", text[start:end])
        s = start + nm.end() if nm else start
    opens, closes, colons = rules["open_quotes"], rules["close_quotes"], rules["colons"]
    # 1. term: definition (a colon outside quotes, not too far in)
    depth = 0
    for i in range(s, min(end, s + rules["max_term_chars"] + 1)):
        ch = text[i]
        if ch in opens and ch not in closes:
            depth += 1
        elif ch in closes and ch not in opens:
            depth = max(0, depth - 1)
        elif ch in colons and depth == 0 and i > s:
            return _entry(text, s, i, i + 1, end)
        elif ch in "。；;":
            break
    # 2. “term”definition: a quoted core (its opening quote may be lost), maybe a head noun
    close = None
    for i in range(s, min(end, s + rules["max_prefix_chars"] + rules["max_term_chars"])):
        if text[i] in closes and text[i] not in opens or (text[i] == '"' and i > s):
            close = i
            break
        if text[i] in "。；;:：,，":
            break
    if close is None:
        cue = re.compile(alternation(rules["definition_cues"]))
        cm = cue.search(text, s, min(end, s + rules["max_term_chars"]))
        if cm and cm.start() > s:
            return _entry(text, s, cm.start(), cm.end(), end)
        # "规上工业企业 指年主营业务收入…": a space after a short term
        sm = re.compile(r"[ \t\u3000]+").search(text, s, min(end, s + rules["max_term_chars"]))
        if sm and sm.start() > s and not re.search(r"[。；;，,、]", text[s:sm.start()]):
            return _entry(text, s, sm.start(), sm.end(), end)
        return None
    open_ = max((i for i in range(s, close) if text[i] in opens), default=None)
    core_start = open_ + 1 if open_ is not None else s
    if open_ is not None and open_ - s > rules["max_prefix_chars"]:
        return None
    core = text[core_start:close]
    term_end = close + 1
    if not c["heads"].search(core[-4:]):
        hm = c["heads"].search(text, term_end, min(end, term_end + rules["max_suffix_chars"]))
        if hm and not re.search(r"[。；;:：,，、]", text[term_end:hm.start()]):
            term_end = hm.end()
    if term_end >= end:
        return None
    return _entry(text, s, term_end, term_end, end, core=core)


def _entry(text: str, s: int, term_end: int, def_start: int, end: int, core: str = "") -> Entry:
    while def_start < end and text[def_start].isspace():
        def_start += 1
    lead = re.match(_rules()["entries"]["definition_lead"], text[def_start:end])
    if lead and def_start + lead.end() < end:
        def_start += lead.end()
    label = _unquote(text[s:term_end]).strip()
    raw = text[s:term_end].strip()
    if raw[:1] in _rules()["entries"]["open_quotes"] and _unquote(raw[1:-1]) == raw[1:-1]:
        raw = raw[1:-1]  # “规上工业企业”: the quotes wrap the whole term
    if not core:
        qm = re.search(r"[“\"「『‘]([^”\"」』’]{1,20})[”\"」』’]", text[s:term_end])
        core = qm.group(1) if qm and qm.group(1) != label else ""
    return Entry(start=s, term_end=term_end, def_start=def_start, def_end=end,
                 label=label, core=core if core != label else "", raw=raw)


def _unquote(s: str) -> str:
    r = _rules()["entries"]
    return "".join(ch for ch in s if ch not in r["open_quotes"] + r["close_quotes"]).strip()


# -- components -----------------------------------------------------------------------

def expected_parts(term: str) -> int | None:
    """How many parts a term's own numeral announces (四责协同 → 4, 1+1+X → 3).

    >>> expected_parts("四责协同机制"), expected_parts("1+1+X体系"), expected_parts("规上工业企业")
    (4, 3, None)
    """
    plus = re.match(r"^[\dA-Za-z]+(?:\s*\+\s*[\dA-Za-z]+)+", term)
    if plus:
        return plus.group(0).count("+") + 1
    nums = _rules()["components"]["numerals"]
    m = re.search(f"[{nums}]+", term)
    if not m:
        return None
    values = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9, "十": 10}
    n = m.group(0)
    if len(n) == 1:
        return values.get(n)
    return None


def components(text: str, entry: Entry) -> list[tuple[int, int, str]]:
    """The parts a definition enumerates, as (start, end, label) spans in ``text``."""
    rules = _rules()["components"]
    want = expected_parts(entry.label) or expected_parts(entry.core or "")
    sep = re.compile(alternation(rules["separators"]))
    ends = re.compile(alternation(rules["ends"]))
    cues = re.compile(alternation(rules["cues"]))
    starts = [cm.end() for cm in cues.finditer(text, entry.def_start, entry.def_end)]
    for a in starts + [entry.def_start]:
        stop = re.compile(r"[。；;:：]").search(text, a, entry.def_end)
        b = stop.start() if stop else entry.def_end
        items = _split(text, a, b, sep, ends, rules)
        if items is None:
            continue
        if want is not None and len(items) != want:
            continue
        if want is None and (len(items) < 3 or not _listy(text, a, b)):
            continue
        if all(0 < e - s <= rules["max_item_chars"] and
               not any(ch in rules["item_forbidden"] for ch in lab) for s, e, lab in items):
            return items
    return []


def _split(text, a, b, sep, ends, rules):
    items = []
    pos = a
    seps = list(sep.finditer(text, a, b)) + [None]
    for m in seps:
        e = m.start() if m else b
        s = pos
        em = ends.search(text, s, e)
        closed = em is not None and em.start() > s
        if closed:
            e = em.start()
        cm = _compiled()["count_prefix"].match(text, s, e)
        if cm:
            s = cm.end()
        while s < e and text[s].isspace():
            s += 1
        label = _unquote(text[s:e])
        if not label:
            return None
        items.append((s, e, label))
        if closed or m is None:
            break
        pos = m.end()
    return items


def _listy(text: str, a: int, b: int) -> bool:
    """A bare list: enumeration commas and no verbs of a sentence (的, 为, 是)."""
    chunk = text[a:b]
    return "、" in chunk and not re.search(r"[的为是将]", chunk)


# -- extraction -----------------------------------------------------------------------

def entries(report: Report) -> list[Entry]:
    """Every glossary entry of the report, with its components."""
    out = []
    for n, (a, b) in enumerate(entry_spans(report), 1):
        e = parse_entry(report.text, a, b, number=n)
        if e is None or not e.label:
            continue
        e.components = components(report.text, e)
        out.append(e)
    return out


def extract(report: Report, found: tuple[Mention, ...]) -> list[Mention]:
    """Glossary entries, their components, and mentions of the terms in the body."""
    text = report.text
    out: list[Mention] = []
    es = entries(report)
    for e in es:
        comp_keys = [lab for _, _, lab in e.components]
        # surface forms become skos:altLabel; a form with a lost quote is no label
        names = [n for n in (e.raw, e.core) if n and n != e.label and _balance(n) == 0]
        attrs = {"label": e.label, "definition": text[e.def_start:e.def_end],
                 "components": comp_keys, "role": "entry", "names": names}
        rels = tuple(Rel("narrower", TYPE, k) for k in comp_keys)
        out.append(Mention(TYPE, text[e.start:e.term_end], e.start, e.term_end, e.label,
                           attrs, rels))
        for s, t, lab in e.components:
            out.append(Mention(TYPE, text[s:t], s, t, lab,
                               {"label": lab, "component_of": e.label, "role": "component"}))
    out.extend(body_mentions(report, es))
    return out


def body_mentions(report: Report, es: list[Entry]) -> list[Mention]:
    """Occurrences of the glossary's terms outside the glossary (quotes ignored).

    A term's quoted core (三张清单) counts alone only where the text quotes it too.
    """
    if not es:
        return []
    text = report.text
    rules = _rules()["entries"]
    quotes = rules["open_quotes"] + rules["close_quotes"]
    glossary_spans = [(e.start, e.def_end) for e in es]
    # every form of every term in one pattern, longest first: one scan per sentence
    forms: dict[str, tuple[str, bool]] = {}
    for e in es:
        # a short term (两新) or a term's quoted core counts only where it is quoted too
        for form, quoted_only in [(e.label, len(e.label) <= 2)] + ([(_unquote(e.core), True)] if e.core else []):
            if len(form) >= 2 and form not in forms:
                forms[form] = (e.label, quoted_only)
    if not forms:
        return []
    pattern = re.compile("|".join(re.escape(f) for f in sorted(forms, key=lambda f: (-len(f), f))))
    spans = Intervals(glossary_spans)
    cands = []
    for sent in report.sentences:
        if sent.modality == "glossary" or spans.overlaps(sent.start, sent.end):
            continue
        # the sentence without quotes, and where each kept character came from
        keep = [i for i in range(sent.start, sent.end) if text[i] not in quotes]
        flat = "".join(text[i] for i in keep)
        for m in pattern.finditer(flat):
            label, quoted_only = forms[m.group(0)]
            s, t = keep[m.start()], keep[m.end() - 1] + 1
            before = text[s - 1] if s > sent.start else ""
            after = text[t] if t < sent.end else ""
            if quoted_only and not (before in rules["open_quotes"]
                                    and after in rules["close_quotes"]):
                continue
            balance = _balance(text[s:t])
            if balance < 0 and before in rules["open_quotes"]:
                s -= 1
            elif balance > 0 and after in rules["close_quotes"]:
                t += 1
            cands.append(_Cand(s, t, label, len(m.group(0))))
    out = []
    for c in drop_overlaps(cands):
        out.append(Mention(TYPE, text[c.start:c.end], c.start, c.end, c.key,
                           {"label": c.key, "role": "mention"}))
    return out


def _balance(s: str) -> int:
    """Opening minus closing quotes in ``s``."""
    r = _rules()["entries"]
    opens = [q for q in r["open_quotes"] if q not in r["close_quotes"]]
    closes = [q for q in r["close_quotes"] if q not in r["open_quotes"]]
    return sum(s.count(q) for q in opens) - sum(s.count(q) for q in closes)


@dataclass
class _Block:
    start: int
    end: int
    section: str | None


@dataclass
class _Cand:
    start: int
    end: int
    key: str
    size: int


__all__ = ["extract", "entries", "entry_spans", "parse_entry", "components", "expected_parts"]
