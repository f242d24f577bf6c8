"""Consistency of the annotated corpus: the same name marked in one sentence and not in
another, or marked with another type or other bounds.

``review(corpus)`` lists, for every string the corpus marks somewhere, each occurrence of
that string whose reading differs from the string's usual one: left unmarked (and not
inside another name), cut by a span of other bounds, or marked with another type. A
reader decides each line by the guide; ``apply(corpus, decisions)`` writes the decisions
back. A decision names a span of the unit's text and what it becomes: a type (the span
is marked so, spans it overlaps are removed) or ``none`` (a span exactly there is
removed). Nothing is decided here: the tool finds, the reader judges.

>>> from kg.names.corpus import Unit
>>> a = Unit("r/0000", "r", "sentence", 0, 8, "实施三保工程。", [(2, 6, "Program")])
>>> b = Unit("r/0001", "r", "sentence", 8, 14, "推进三保工程", [])
>>> [(o.unit, o.start, o.end, o.status) for g in review({"r": [a, b]}) for o in g.odd]
[('r/0001', 2, 6, 'unmarked')]
>>> apply({"r": [a, b]}, [Decision("r/0001", 2, 6, "Program")])
1
>>> b.spans
[(2, 6, 'Program')]
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from kg.errors import InputError
from kg.names.corpus import TYPES, Unit, check_spans


@dataclass
class Occurrence:
    unit: str
    start: int
    end: int
    status: str          # "unmarked" | "bounds" | "type" (odd), or "marked" (the usual reading)
    context: str


@dataclass
class Group:
    name: str
    types: Counter
    marked: int = 0
    odd: list[Occurrence] = field(default_factory=list)
    shown: list[Occurrence] = field(default_factory=list)   # some usual readings, to compare

    @property
    def usual(self) -> str:
        return self.types.most_common(1)[0][0]


@dataclass
class Decision:
    unit: str
    start: int
    end: int
    becomes: str         # a type, or "none"
    note: str = ""


def _context(u: Unit, s: int, e: int, width: int = 18) -> str:
    """The text around ``s:e`` with the unit's marks (``[[…|T]]``) and the occurrence in ⟦…⟧."""
    lo, hi = max(0, s - width), min(len(u.text), e + width)
    for a, b, _ in u.spans:          # a mark at the window's edge is shown whole
        if a < lo < b:
            lo = a
        if a < hi < b:
            hi = b
    cuts = []
    for a, b, t in u.spans:
        if b > lo and a < hi:
            cuts.append((max(a, lo), "[["))
            cuts.append((min(b, hi), f"|{t}]]"))
    cuts += [(s, "⟦"), (e, "⟧")]
    out, pos = [], lo
    for at, mark in sorted(cuts, key=lambda c: (c[0], c[1] in ("⟦", "[["))):
        out.append(u.text[pos:at])
        out.append(mark)
        pos = at
    out.append(u.text[pos:hi])
    return ("…" if lo else "") + "".join(out) + ("…" if hi < len(u.text) else "")


def review(corpus: dict[str, list[Unit]], min_len: int = 2) -> list[Group]:
    """Every marked string with at least one odd occurrence, most odd first."""
    units = [u for name in sorted(corpus) for u in corpus[name]]
    types: dict[str, Counter] = {}
    for u in units:
        for s, e, t in u.spans:
            if e - s >= min_len:
                types.setdefault(u.text[s:e], Counter())[t] += 1
    if not types:
        return []
    groups = {name: Group(name, ct) for name, ct in types.items()}
    # one pass over the text: every occurrence of every marked string (longest first at a
    # position, then every other length too: 中国 inside 中国石化 is an occurrence of 中国)
    by_first: dict[str, list[str]] = {}
    for name in types:
        by_first.setdefault(name[0], []).append(name)
    for u in units:
        text = u.text
        for i, ch in enumerate(text):
            for name in by_first.get(ch, ()):
                if not text.startswith(name, i):
                    continue
                s, e = i, i + len(name)
                g = groups[name]
                over = [sp for sp in u.spans if sp[0] < e and s < sp[1]]
                exact = [sp for sp in over if sp[0] == s and sp[1] == e]
                if exact:
                    status = "marked" if exact[0][2] == g.usual else "type"
                elif any(sp[0] <= s and e <= sp[1] for sp in over):
                    continue                      # inside a longer name: the guide's rule
                elif over:
                    status = "bounds"
                else:
                    status = "unmarked"
                if status == "marked":
                    g.marked += 1
                    if len(g.shown) < 5:
                        g.shown.append(Occurrence(u.id, s, e, status, _context(u, s, e)))
                else:
                    g.odd.append(Occurrence(u.id, s, e, status, _context(u, s, e)))
    out = [g for g in groups.values() if g.odd]
    out.sort(key=lambda g: (-len(g.odd), g.name))
    return out


def write_review(groups: list[Group]) -> str:
    """The reader's sheet: one block per string, up to five of its usual readings, then one
    line per odd occurrence (``unit<TAB>start<TAB>end<TAB>status<TAB>context``)."""
    lines = ["# Consistency review of the annotated corpus (kg annotate consistency).",
             "# Each block: a string the corpus marks, how often and as what; then each occurrence",
             "# read otherwise. Decide by GUIDE.md; write decisions as",
             "#   unit<TAB>start<TAB>end<TAB>Type|none<TAB>note",
             "# (start/end into the unit's text; change them to mark other bounds)."]
    for g in groups:
        kinds = ", ".join(f"{t}×{n}" for t, n in g.types.most_common())
        lines.append(f"\n## {g.name}\tmarked {kinds}; usual reading {g.marked} times; odd {len(g.odd)}")
        for o in g.shown + g.odd:
            lines.append(f"{o.unit}\t{o.start}\t{o.end}\t{o.status}\t{o.context}")
    return "\n".join(lines) + "\n"


def read_decisions(text: str, where: str = "decisions") -> list[Decision]:
    out = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) < 4:
            raise InputError(f"{where}:{lineno}: expected unit<TAB>start<TAB>end<TAB>Type|none")
        try:
            s, e = int(parts[1]), int(parts[2])
        except ValueError:
            raise InputError(f"{where}:{lineno}: start and end must be numbers") from None
        becomes = parts[3].strip()
        if becomes != "none" and becomes not in TYPES:
            raise InputError(f"{where}:{lineno}: unknown type {becomes!r}")
        out.append(Decision(parts[0].strip(), s, e, becomes, "\t".join(parts[4:]).strip()))
    return out


def apply(corpus: dict[str, list[Unit]], decisions: list[Decision]) -> int:
    """Write ``decisions`` into the corpus's units; returns how many units changed.

    Decisions on one unit are applied together, each against the unit as annotated:
    two that contradict each other (overlapping spans both to be marked) are an error."""
    by_id = {u.id: u for name in corpus for u in corpus[name]}
    per_unit: dict[str, list[Decision]] = {}
    for d in decisions:
        u = by_id.get(d.unit)
        if u is None:
            raise InputError(f"no unit {d.unit!r} in the corpus")
        if not (0 <= d.start < d.end <= len(u.text)):
            raise InputError(f"{d.unit}: span {d.start}-{d.end} is outside the unit's text")
        per_unit.setdefault(d.unit, []).append(d)
    changed = 0
    for uid, ds in sorted(per_unit.items()):
        u = by_id[uid]
        spans = set(u.spans)
        marks = sorted({(d.start, d.end, d.becomes) for d in ds if d.becomes != "none"})
        for a, b in zip(marks, marks[1:]):
            if b[0] < a[1]:
                raise InputError(f"{uid}: decisions {a} and {b} overlap")
        for d in ds:
            if d.becomes == "none":
                spans = {sp for sp in spans if not (sp[0] == d.start and sp[1] == d.end)}
        for s, e, t in marks:
            spans = {sp for sp in spans if not (sp[0] < e and s < sp[1])}
            spans.add((s, e, t))
        new = sorted(spans)
        if new != sorted(u.spans):
            u.spans = new
            check_spans(u)
            changed += 1
    return changed


__all__ = ["Decision", "Group", "Occurrence", "apply", "read_decisions", "review", "write_review"]
