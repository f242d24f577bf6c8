"""Commitments: a promise linked to what answers it, in its own report or a later one.

A promise is a target observation (地区生产总值 target 2026: 5%左右) or a planned action
(出让 of a parcel, 2022H2). Its answer is an outcome of the same thing:

- for a target, an actual or change observation of the same indicator, area, measure and
  unit. An outcome of the target's own period answers it: ``met`` when it reaches the
  target (at most it, for a ceiling such as 控制在5%以内), ``partly`` when it reaches
  ``[commitments] partly_share`` of it, else ``not_met``. An outcome of a shorter period
  inside the target's (H1 against the year) is ``partly`` (progress so far, its share of
  the target as progress), or ``met`` when it already reaches the target.
- for a planned action, an action on the same entity that is not planned, in the same
  years as the promise: ``met`` when it is the same action, completed, within the
  promise's period; else ``partly`` (a step towards it: the land agreement signed in H1
  of a parcel whose sale is planned for H2; work under way).

A promise nothing answers is ``not_reported``. Outcomes come from any report of the build,
so a target for year Y in one report meets the outcome for Y in the next report of the
same area.

>>> t = Entry("obs", "t", "r1", "2022", "target", ind="i", area="a", measure="level", unit="u", value=35)
>>> o = Entry("obs", "o", "r1", "2022H1", "actual", ind="i", area="a", measure="level", unit="u", value=3)
>>> [(c.promise, c.answer, c.value, str(c.progress)) for c in link([t, o])]
[('t', 'o', 'partly', '0.0857')]
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal

from kg.facts.periods import bounds, contains
from kg.resources import load_toml

CEILING_WORDS = ("以内", "以下", "不超过", "低于", "控制在", "不高于")


@dataclass(frozen=True)
class Entry:
    """A fact of a report's ledger: an observation ("obs") or an action ("act")."""

    kind_of: str              # obs | act
    iri: str
    report: str
    period: str | None
    kind: str                 # obs: actual | change | target | baseline; act: its state
    ind: str = ""             # obs: indicator IRI
    area: str = ""            # obs: area IRI
    measure: str = ""         # obs: level | change
    unit: str = ""            # obs: normalized unit
    value: Decimal | float | int | None = None
    value_max: Decimal | float | int | None = None
    ceiling: bool = False     # obs: the target is an upper bound
    entity: str = ""          # act: the object's IRI
    action: str = ""          # act: the action type's IRI
    sentence: str = ""


@dataclass(frozen=True)
class Commitment:
    promise: str
    answer: str | None
    value: str                # met | partly | not_met | not_reported
    progress: Decimal | None
    promise_report: str
    answer_report: str | None
    promise_sentence: str
    answer_sentence: str | None


@functools.cache
def _share() -> Decimal:
    return Decimal(str(load_toml("rules/facts.toml")["commitments"]["partly_share"]))


def _judge(target: Entry, outcome: Entry) -> tuple[str, Decimal | None]:
    t = Decimal(str(target.value))
    v = Decimal(str(outcome.value))
    progress = (v / t).quantize(Decimal("0.0001")) if t else None
    if target.period != outcome.period:
        return ("met" if not target.ceiling and v >= t else "partly"), progress
    if target.ceiling:
        top = Decimal(str(target.value_max)) if target.value_max is not None else t
        return ("met" if v <= top else "not_met"), progress
    if v >= t:
        return "met", progress
    if t > 0 and v >= t * _share():
        return "partly", progress
    return "not_met", progress


def _answers_target(t: Entry, o: Entry) -> bool:
    if o.kind_of != "obs" or o.kind not in ("actual", "change") or o.value is None:
        return False
    if (o.ind, o.area, o.measure, o.unit) != (t.ind, t.area, t.measure, t.unit):
        return False
    if not (o.period and t.period and contains(t.period, o.period)):
        return False
    # a change is a rate: only the rate of the target's whole period answers it
    return o.period == t.period or t.measure == "level"


def group_of(e: Entry) -> tuple[str, ...]:
    """The group an entry is linked within: an observation with those of its indicator
    and area (an observation of no known area is its own report's), an action with those
    of its entity. :func:`link` pairs only entries of one group."""
    if e.kind_of == "obs":
        return ("o", e.ind, e.area or e.report)
    return ("a", e.entity)


def is_promise(e: Entry) -> bool:
    """A target with a value and a period, or a planned action with a period."""
    if e.kind_of == "obs":
        return e.kind == "target" and e.value is not None and bool(e.period)
    return e.kind_of == "act" and e.kind == "planned" and bool(e.period)


def answered_in_own_report(c: Commitment) -> bool:
    """Whether a commitment stays with its promise's report (its own text, or nothing,
    answers it) rather than going to the links across reports."""
    return c.answer_report in (None, c.promise_report)


def link(entries: list[Entry]) -> list[Commitment]:
    """Every promise among ``entries`` with its answers (or ``not_reported``)."""
    groups: dict[tuple, list[Entry]] = {}
    for e in entries:
        groups.setdefault(group_of(e), []).append(e)
    out: list[Commitment] = []
    for p in entries:
        if not is_promise(p):
            continue
        answers: list[tuple[Entry, str, Decimal | None]] = []
        if p.kind_of == "obs":
            for o in groups[group_of(p)]:
                if _answers_target(p, o):
                    answers.append((o, *_judge(p, o)))
        else:
            for a in groups[group_of(p)]:
                if a.kind != "planned" and a.period and _same_years(a, p):
                    done = a.kind == "completed" and a.action == p.action and \
                        contains(p.period, a.period)
                    answers.append((a, "met" if done else "partly", None))
        if not answers:
            out.append(Commitment(p.iri, None, "not_reported", None, p.report, None,
                                  p.sentence, None))
        for a, value, progress in answers:
            out.append(Commitment(p.iri, a.iri, value, progress, p.report, a.report,
                                  p.sentence, a.sentence))
    return sorted(out, key=lambda c: (c.promise, c.answer or ""))


def placed(commitments: list[Commitment]) -> tuple[dict[str, list[Commitment]], list[Commitment]]:
    """Where commitments go: those the promise's own report answers (or nothing does), by
    that report, for its graph; and those another report answers, for the links graph."""
    own: dict[str, list[Commitment]] = {}
    linked: list[Commitment] = []
    for c in commitments:
        if answered_in_own_report(c):
            own.setdefault(c.promise_report, []).append(c)
        else:
            linked.append(c)
    return own, linked


def _same_years(answer: Entry, promise: Entry) -> bool:
    """Whether an action's period overlaps the calendar years of a promise's period."""
    a, p = bounds(answer.period or ""), bounds(promise.period or "")
    if not (a and p):
        return False
    lo, hi = int(p[0]), int(p[1]) + (0 if p[1] == int(p[1]) else 1)
    return a[0] < hi and a[1] > lo


__all__ = ["Entry", "Commitment", "link", "group_of", "is_promise", "answered_in_own_report"]
