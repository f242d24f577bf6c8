"""Score extracted mentions against tests/gold/projects.tsv (issue 4's seed gold).

A gold row names an occurrence (exact text, nth occurrence) in the seed. An extracted
mention of the same type matches it when the spans overlap and one normalized name
holds the other, the shorter at least 60 % of the longer (so 周浦“平安簿”系统 matches
“平安簿”系统, but 项目 does not match 牧禾农场项目). Entities: a gold entity is found
when one of its rows is matched; an extracted entity (type, key) is a true hit when one
of its mentions matches a required row, ignored when it only matches optional rows,
and a false hit otherwise.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

GOLD = Path(__file__).resolve().parent / "gold" / "projects.tsv"


@dataclass(frozen=True)
class GoldRow:
    type: str
    text: str
    start: int
    end: int
    status: str
    optional: bool
    place: str
    org: str


def load(text: str) -> list[GoldRow]:
    rows = []
    lines = [ln for ln in GOLD.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    for r in csv.DictReader(lines, delimiter="\t"):
        pos = -1
        for _ in range(int(r["nth"])):
            pos = text.index(r["text"], pos + 1)
        rows.append(GoldRow(r["type"], r["text"], pos, pos + len(r["text"]), r["status"],
                            r["optional"] == "1", r["place"], r["org"]))
    return rows


def norm(s: str) -> str:
    s = re.sub(r"[“”\"·]", "", s)
    return re.sub(r"(?:项目|工程|建设)+$", "", s) or s


def matches(m, g: GoldRow) -> bool:
    if m.type != g.type or not (m.start < g.end and g.start < m.end):
        return False
    a, b = norm(m.text), norm(g.text)
    short, long_ = sorted((a, b), key=len)
    return short in long_ and len(short) >= 0.6 * len(long_)


@dataclass
class Score:
    tp: int
    fp: int
    fn: int
    false_hits: list[str]
    misses: list[str]

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        found = self.tp_gold
        return found / (found + self.fn) if found + self.fn else 1.0

    tp_gold: int = 0


def score(mentions, rows: list[GoldRow], typ: str) -> Score:
    rows = [g for g in rows if g.type == typ]
    ms = [m for m in mentions if m.type == typ]
    entities: dict[str, list] = {}
    for m in ms:
        entities.setdefault(m.key, []).append(m)
    tp = fp = 0
    false_hits = []
    for key, group in sorted(entities.items()):
        hit = [g for m in group for g in rows if matches(m, g)]
        if any(not g.optional for g in hit):
            tp += 1
        elif not hit:
            fp += 1
            false_hits.append(key)
    gold_entities: dict[str, list[GoldRow]] = {}
    for g in rows:
        if not g.optional:
            gold_entities.setdefault(norm(g.text), []).append(g)
    found = [k for k, gs in gold_entities.items() if any(matches(m, g) for g in gs for m in ms)]
    misses = sorted(set(gold_entities) - set(found))
    s = Score(tp, fp, len(misses), false_hits, misses)
    s.tp_gold = len(found)
    return s


def status_accuracy(mentions, rows: list[GoldRow], typ: str = "Project") -> tuple[float, list[str]]:
    """Share of required gold rows with a status whose matching mention has that status
    (a missed row counts as wrong)."""
    todo = [g for g in rows if g.type == typ and g.status and not g.optional]
    wrong = []
    for g in todo:
        got = [m.attrs.get("status") for m in mentions if matches(m, g)]
        if g.status not in got:
            wrong.append(f"{g.text}: want {g.status}, got {got}")
    return (1 - len(wrong) / len(todo) if todo else 1.0), wrong
