"""Score facts against the gold of ``tests/gold/facts/`` (written by reading reports).

- indicators: an observation of a standard indicator matches a gold row when it has the
  gold's indicator and value (sign aside: annotators wrote 下降7.4% as 7.4 or -7.4) and
  its number lies in the gold's quote. ``found`` counts those; ``exact`` also needs the
  period and the kind. Per kind, exact precision and recall.
- actions: an action matches a gold row of its sentence when its object's text is the
  gold object's (or holds it, or is held by it) and its action is the gold's. Rows the
  lexicon cannot give (``升级*``) stay in the recall. ``exact`` also needs state and period.
"""
from __future__ import annotations

import csv
import json
from collections import Counter
from decimal import Decimal, InvalidOperation
from pathlib import Path

from kg.facts import Facts
from kg.records import Report


def read_gold(path: Path) -> list[dict[str, str]]:
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines()
             if ln.strip() and not ln.startswith("#")]
    return [dict(r) for r in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)]


def _num(s: str) -> Decimal | None:
    try:
        return abs(Decimal(s.strip()))
    except (InvalidOperation, AttributeError):
        return None


def _spans(text: str, quote: str) -> list[tuple[int, int]]:
    out, i = [], text.find(quote)
    while i >= 0 and quote:
        out.append((i, i + len(quote)))
        i = text.find(quote, i + 1)
    return out


def _match(c: Counter, g: dict, preds: list, used: set[int], fits, exact, kind: str) -> None:
    """Count gold row ``g`` as found when a prediction not used yet ``fits`` it (an ``exact``
    one preferred, the first otherwise); ``kind`` is the gold's kind or state."""
    best = None
    for k, p in enumerate(preds):
        if k in used or not fits(p):
            continue
        if best is None or exact(p):
            best = (k, exact(p))
            if best[1]:
                break
    if best is not None:
        used.add(best[0])
        c["found"] += 1
        if best[1]:
            c["exact"] += 1
            c[f"exact:{kind}"] += 1


def score_indicators(report: Report, facts: Facts, gold: list[dict[str, str]]) -> Counter:
    c: Counter = Counter()
    preds = [o for o in facts.observations if o.indicator]
    used: set[int] = set()
    for g in gold:
        c["gold"] += 1
        c[f"gold:{g['kind']}"] += 1
        gv = _num(g["value"])
        where = _spans(report.text, g["quote"])
        _match(c, g, preds, used,
               lambda o: (o.indicator == g["indicator"]
                          and _num(str(o.metric.attrs.get("value"))) == gv
                          and any(a <= o.metric.start < b or a < o.metric.end <= b for a, b in where)),
               lambda o: o.period == g["period"] and o.kind == g["kind"], g["kind"])
    for o in preds:
        c["pred"] += 1
        c[f"pred:{o.kind}"] += 1
    return c


def score_actions(report: Report, facts: Facts, gold: list[dict[str, str]],
                  sentences: dict[str, tuple[int, int]]) -> Counter:
    c: Counter = Counter()
    scope = set(sentences.values())
    preds = [a for a in facts.actions if a.sentence in scope or
             any(s[0] <= a.mention.start < s[1] for s in scope)]
    used: set[int] = set()
    for g in gold:
        c["gold"] += 1
        c[f"gold:{g['state']}"] += 1
        span = sentences.get(g["sentence"])
        if span is None:
            continue
        obj = g["object"]
        _match(c, g, preds, used,
               lambda a: (span[0] <= a.mention.start < span[1]
                          and (a.mention.text == obj or obj in a.mention.text or a.mention.text in obj)
                          and a.action == g["action"]),
               lambda a: a.state == g["state"] and a.period == g["period"], g["state"])
    for a in preds:
        c["pred"] += 1
        c[f"pred:{a.state}"] += 1
    return c


def sample_sentences(path: Path) -> dict[str, tuple[int, int]]:
    return {r["sentence"]: (int(r["start"]), int(r["end"])) for r in read_gold(path)}


def annotation_sentences(path: Path) -> dict[str, tuple[int, int]]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        out[row["id"]] = (int(row["start"]), int(row["end"]))
    return out


def pr(c: Counter, hit: str = "exact", suffix: str = "") -> tuple[float, float]:
    """(precision, recall) of a counter, overall or for one kind or state."""
    tp = c[f"{hit}{':' + suffix if suffix else ''}"]
    pred = c[f"pred{':' + suffix if suffix else ''}"]
    gold = c[f"gold{':' + suffix if suffix else ''}"]
    return (tp / pred if pred else 0.0, tp / gold if gold else 0.0)


__all__ = ["read_gold", "score_indicators", "score_actions", "sample_sentences",
           "annotation_sentences", "pr"]


def score_commitments(rows: list[dict[str, str]], gold: list[dict[str, str]]) -> Counter:
    """Commitment rows (the ``commitments`` query) against gold of one report: a gold
    promise is ``linked`` when some row's promise sentence holds its plan quote and, for an
    answered one, its answer sentence holds the answer quote; ``agree`` when the answer
    value is also the gold's. Predicted links (rows with an answer) are ``pred``."""
    c: Counter = Counter()
    answered = [r for r in rows if r["answer"] != "not_reported"]
    c["pred"] = len({(r["promise_sentence"], r["answer_sentence"]) for r in answered})
    for g in gold:
        c["gold"] += 1
        mine = [r for r in rows if g["plan_quote"] in r["promise_sentence"]]
        if g["answer"] == "not_reported":
            c["gold:not_reported"] += 1
            if mine and all(r["answer"] == "not_reported" for r in mine):
                c["agree:not_reported"] += 1
            continue
        c["gold:answered"] += 1
        hit = [r for r in mine if g["answer_quote"] and g["answer_quote"] in (r["answer_sentence"] or "")]
        if hit:
            c["linked"] += 1
            if any(r["answer"] == g["answer"] for r in hit):
                c["agree"] += 1
    return c
