"""Facts: the stage after resolution that reads what a report says happened and what it
promises, from the mentions it found.

- :mod:`kg.facts.periods`: period words as periods (1-6月 -> 2022H1, “十五五” -> 2026-2030).
- :mod:`kg.facts.actions`: actions on named things (收地 completed 2022H1, 出让 planned 2022H2).
- :mod:`kg.facts.indicators`: metrics as observations of indicators (地区生产总值 target 2026).
- :mod:`kg.facts.commitments`: targets linked to the outcomes that answer them.
- :mod:`kg.facts.rdf`: all of it as triples of the report's graph.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from kg.facts import indicators
from kg.facts.actions import Action, actions, metric_action
from kg.facts.periods import bounds, default_period, period_at
from kg.records import Mention, Report


@dataclass(frozen=True)
class Observation:
    """A metric read as an observation of an indicator."""

    metric: Mention
    indicator: str            # a standard indicator's id, or '' for a local one
    label: str                # the indicator's label (the subject phrase for a local one)
    kind: str                 # actual | target | change | baseline
    measure: str              # level | change
    period: str | None
    action: str = ""          # the action the number counts (签约15台 -> 签约)
    action_word: str = ""


@dataclass
class Facts:
    actions: list[Action] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)


def observation(report: Report, m: Mention, before: Observation | None = None) -> Observation | None:
    """The observation a metric makes; ``before``: the one before it in its sentence (总额
    突破8000亿元 is of the same indicator)."""
    subject = str(m.attrs.get("subject") or "")
    change = str(m.attrs.get("change_word") or "")
    row = indicators.match(subject, change)
    label = row["label"] if row else indicators.clean(subject)
    if before is not None and not row and indicators.refers_back(label):
        row = indicators.rows().get(before.indicator) if before.indicator else None
        label = before.label
    if not label:
        return None
    sent = report.sentence_at(m.start)
    clause = report.text[max(sent.start, m.start - 30):m.start] if sent else ""
    measure = "change" if change else "level"
    period = period_at(report, m.start, str(m.attrs.get("period") or "") or None)
    kind = indicators.kind(str(m.attrs.get("kind") or ""), clause)
    kind = _kind_by_period(report, kind, period, measure)
    if report.text[max(0, m.start - 1):m.start] == "从" and kind != "target":
        kind = "baseline"  # 从4.16万亿元增加到5.67万亿元
    act = metric_action(report, m)
    return Observation(m, row["id"] if row else "", label, kind, measure, period,
                       act[0] if act else "", act[1] if act else "")


def _kind_by_period(report: Report, kind: str, period: str | None, measure: str) -> str:
    """A value of a period after the one the report reviews is a target; a target of a
    period the review covers is an outcome (“十五五” figures in a review section, 2025
    figures quoted in a plan)."""
    review = default_period(report, "review")
    rb = bounds(review) if review else None
    pb = bounds(period) if period else None
    if not (rb and pb):
        return kind
    if kind in ("actual", "change") and pb[0] >= rb[1]:
        return "target"
    if kind == "target" and pb[1] <= rb[1]:
        return "change" if measure == "change" else "actual"
    return kind


def read_facts(report: Report, mentions: list[Mention]) -> Facts:
    """The actions and observations of one report."""
    obs: list[Observation] = []
    for m in mentions:
        if m.type != "Metric":
            continue
        prev = obs[-1] if obs and report.sentence_at(obs[-1].metric.start) == \
            report.sentence_at(m.start) else None
        o = observation(report, m, prev)
        if o:
            obs.append(o)
    return Facts(actions(report, mentions), obs)


__all__ = ["Facts", "Observation", "read_facts"]
