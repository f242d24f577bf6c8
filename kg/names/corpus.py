"""The annotated corpus of names: units (sentences and headings), spans, formats.

A unit is a sentence or a heading of a report; its spans are ``(start, end, type)``
offsets into the unit's text. The corpus format is JSONL (one unit a line, see
``data/annotations/GUIDE.md``); the working format annotators edit is one unit a line,
``<id>\\t<text with [[name|Type]] marks>``.

>>> from_marked("建成[[沪渝蓉高铁|Road]]。")
('建成沪渝蓉高铁。', [(2, 7, 'Road')])
>>> to_marked("建成沪渝蓉高铁。", [(2, 7, "Road")])
'建成[[沪渝蓉高铁|Road]]。'
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError
from kg.records import Report

# The types an annotator marks (metrics and glossary terms have rules of their own).
TYPES = ("AdministrativeArea", "Village", "Community", "Zone", "Region", "Facility",
         "LandParcel", "PlanningUnit", "Road", "RoadSegment", "Waterway", "Project",
         "Program", "Organization", "Person", "Document")
PLACES = ("AdministrativeArea", "Village", "Community", "Zone", "Region", "Facility")
MARK = re.compile(r"\[\[([^\[\]|\n]+)\|([A-Za-z]+)\]\]")


@dataclass
class Unit:
    id: str
    report: str
    kind: str                   # "sentence" | "heading"
    start: int
    end: int
    text: str
    spans: list[tuple[int, int, str]] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps({"id": self.id, "report": self.report, "kind": self.kind,
                           "start": self.start, "end": self.end, "text": self.text,
                           "spans": [list(s) for s in sorted(self.spans)]}, ensure_ascii=False)


def units(report: Report) -> list[Unit]:
    """Every sentence and every heading of a report, in text order, with its id."""
    found = [("sentence", s.start, s.end) for s in report.sentences]
    found += [("heading", s.title_start, s.title_end) for s in report.sections
              if s.title_end > s.title_start]
    found.sort(key=lambda u: (u[1], u[2]))
    out: list[Unit] = []
    last_end = -1
    for kind, start, end in found:
        if start < last_end:      # a heading inside a sentence (never expected): keep the first
            continue
        text = report.text[start:end]
        if not text.strip():
            continue
        out.append(Unit(f"{report.name}/{len(out):04d}", report.name, kind, start, end, text))
        last_end = end
    return out


def from_marked(marked: str) -> tuple[str, list[tuple[int, int, str]]]:
    """Strip ``[[name|Type]]`` marks: the plain text and the spans they made."""
    spans: list[tuple[int, int, str]] = []
    plain: list[str] = []
    pos = 0
    length = 0
    for m in MARK.finditer(marked):
        before = marked[pos:m.start()]
        plain.append(before)
        length += len(before)
        name, typ = m.group(1), m.group(2)
        if typ not in TYPES:
            raise InputError(f"unknown type {typ!r} in mark {m.group(0)!r} (types: {', '.join(TYPES)})")
        spans.append((length, length + len(name), typ))
        plain.append(name)
        length += len(name)
        pos = m.end()
    plain.append(marked[pos:])
    text = "".join(plain)
    if "[[" in text or "]]" in text:
        raise InputError(f"a broken mark is left in {text[:60]!r}")
    return text, spans


def to_marked(text: str, spans: list[tuple[int, int, str]]) -> str:
    """The unit's text with its spans as ``[[name|Type]]`` marks."""
    out: list[str] = []
    pos = 0
    for start, end, typ in sorted(spans):
        out.append(text[pos:start])
        out.append(f"[[{text[start:end]}|{typ}]]")
        pos = end
    out.append(text[pos:])
    return "".join(out)


def check_spans(unit: Unit) -> None:
    """Spans lie inside the text, do not overlap, carry a known type."""
    last = 0
    for start, end, typ in sorted(unit.spans):
        if not (0 <= start < end <= len(unit.text)):
            raise InputError(f"{unit.id}: span {start}-{end} is outside the unit's text")
        if start < last:
            raise InputError(f"{unit.id}: span {start}-{end} {unit.text[start:end]!r} overlaps another")
        if typ not in TYPES:
            raise InputError(f"{unit.id}: unknown type {typ!r}")
        last = end


def read_marked(path: Path, report_units: list[Unit]) -> list[Unit]:
    """Read a working file against the report's units: every line's plain text must equal its unit."""
    by_id = {u.id.rsplit("/", 1)[1]: u for u in report_units}
    out: list[Unit] = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        uid, sep, marked = line.partition("\t")
        if not sep:
            raise InputError(f"{path}:{lineno}: expected <id><TAB><text>")
        unit = by_id.get(uid.strip().rsplit("/", 1)[-1])
        if unit is None:
            raise InputError(f"{path}:{lineno}: no unit {uid!r} in the report")
        try:
            text, spans = from_marked(marked)
        except InputError as exc:
            raise InputError(f"{path}:{lineno}: {exc}") from None
        if text != unit.text:
            at = next((i for i, (a, b) in enumerate(zip(text, unit.text)) if a != b),
                      min(len(text), len(unit.text)))
            raise InputError(f"{path}:{lineno}: text differs from the report at character {at}: "
                             f"{text[max(0, at - 8):at + 8]!r} vs {unit.text[max(0, at - 8):at + 8]!r}")
        new = Unit(unit.id, unit.report, unit.kind, unit.start, unit.end, unit.text, spans)
        check_spans(new)
        out.append(new)
    return out


def read_jsonl(path: Path) -> list[Unit]:
    """Read a corpus file; every span is checked against its text."""
    out: list[Unit] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror}") from None
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            unit = Unit(obj["id"], obj["report"], obj["kind"], int(obj["start"]), int(obj["end"]),
                        obj["text"], [(int(s), int(e), str(t)) for s, e, t in obj["spans"]])
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{path}:{lineno}: not a corpus record ({exc})") from None
        if len(unit.text) != unit.end - unit.start:
            raise InputError(f"{path}:{lineno}: text length does not match start/end")
        check_spans(unit)
        out.append(unit)
    return out


def read_corpus(folder: Path) -> dict[str, list[Unit]]:
    """Every ``*.jsonl`` of a folder, by report name (sorted)."""
    files = sorted(folder.glob("*.jsonl"))
    if not files:
        raise InputError(f"{folder}: no annotated reports (*.jsonl)")
    return {f.stem: read_jsonl(f) for f in files}


def extend_quoted_heads(unit: Unit, heads: list[str]) -> int:
    """The guide's rule for a quoted name and its head: a span that is just the quoted
    core (“拔钉子”) followed at once by a programme head (行动) becomes “拔钉子”行动.
    Returns how many spans changed.

    >>> u = Unit("r/0", "r", "sentence", 0, 9, "开展“拔钉子”行动。", [(3, 6, "Program")])
    >>> extend_quoted_heads(u, ["行动"]), u.text[u.spans[0][0]:u.spans[0][1]]
    (1, '“拔钉子”行动')
    """
    t = unit.text
    heads = sorted(heads, key=len, reverse=True)
    taken = sorted(unit.spans)
    changed = 0
    out = []
    for i, (s, e, typ) in enumerate(taken):
        if 0 < s and t[s - 1] == "“" and t[e:e + 1] == "”":
            head = next((h for h in heads if t.startswith(h, e + 1)), None)
            nxt = taken[i + 1][0] if i + 1 < len(taken) else len(t)
            prev = out[-1][1] if out else 0
            if head and e + 1 + len(head) <= nxt and s - 1 >= prev:
                s, e = s - 1, e + 1 + len(head)
                changed += 1
        out.append((s, e, typ))
    unit.spans = out
    return changed


def bio_tags(unit: Unit) -> list[str]:
    """One BIO tag per character of the unit's text.

    >>> bio_tags(Unit("r/0", "r", "sentence", 0, 4, "建成长江", [(2, 4, "Waterway")]))
    ['O', 'O', 'B-Waterway', 'I-Waterway']
    """
    tags = ["O"] * len(unit.text)
    for start, end, typ in unit.spans:
        tags[start] = f"B-{typ}"
        for i in range(start + 1, end):
            tags[i] = f"I-{typ}"
    return tags


def bioes_tags(unit: Unit) -> list[str]:
    """One BIOES tag per character: a name's last character is E-, a one-character name S-.

    >>> bioes_tags(Unit("r/0", "r", "sentence", 0, 5, "建成长江海", [(2, 4, "Waterway"), (4, 5, "Waterway")]))
    ['O', 'O', 'B-Waterway', 'E-Waterway', 'S-Waterway']
    """
    tags = ["O"] * len(unit.text)
    for start, end, typ in unit.spans:
        if end - start == 1:
            tags[start] = f"S-{typ}"
            continue
        tags[start] = f"B-{typ}"
        for i in range(start + 1, end - 1):
            tags[i] = f"I-{typ}"
        tags[end - 1] = f"E-{typ}"
    return tags


LABELLERS = {"BIO": bio_tags, "BIOES": bioes_tags}


def spans_from_bio(tags: list[str]) -> list[tuple[int, int, str]]:
    """Spans from BIO or BIOES tags (an I- or E- without its B- starts a span; E- and S-
    end one).

    >>> spans_from_bio(['O', 'B-Road', 'I-Road', 'I-Zone', 'O'])
    [(1, 3, 'Road'), (3, 4, 'Zone')]
    >>> spans_from_bio(['B-Road', 'E-Road', 'S-Zone', 'E-Zone', 'B-Road'])
    [(0, 2, 'Road'), (2, 3, 'Zone'), (3, 4, 'Zone'), (4, 5, 'Road')]
    """
    out: list[tuple[int, int, str]] = []
    start, typ = None, None
    for i, tag in enumerate(list(tags) + ["O"]):
        kind, _, t = tag.partition("-")
        inside = kind in ("I", "E")
        if start is not None and (not inside or t != typ):
            out.append((start, i, typ))
            start, typ = None, None
        if kind in ("B", "S") or (inside and start is None):
            start, typ = i, t
        if kind in ("E", "S"):
            out.append((start, i + 1, typ))
            start, typ = None, None
    return out


def to_conll(units_: list[Unit]) -> str:
    """CoNLL-style BIO text: ``char<TAB>tag`` lines, a blank line after each unit."""
    out: list[str] = []
    for u in units_:
        for ch, tag in zip(u.text, bio_tags(u)):
            out.append(f"{'_' if ch.isspace() else ch}\t{tag}")
        out.append("")
    return "\n".join(out) + "\n"
