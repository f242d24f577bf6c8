"""Actions: what a sentence says is done, or will be done, to a named thing.

An action has a name (收地, 出让, 开工, 竣工, 签约 … from ``data/lexicons/actions.tsv``), an
object (a parcel, road, project, program … mention), a state (completed | started |
in_progress | planned), a period, and the words that say so. One clause may hold several
objects and several action words: an object takes the first action word after it in the
clause (A完成征收清盘, A、B等地块储备工作), else the last one before it (完成A的出让). The
state comes from a status verb shortly before the action word (签订…收地协议: completed;
启动…储备: started), else from the word itself (竣工: completed); a plan makes it planned.
A clause with a status verb and no action word gives the generic action 推进 in the
verb's state (加快X: in progress; 完成X: completed).

A place that only says where something happens is no object: a mention nested in another
object's span (the road named inside a project), in parentheses after one (its alias or
location), or a place listed before a project of the same clause (周秀路、绿地梧桐苑等缤纷
社区建设项目).

>>> from kg.ingest import parse_text
>>> from kg.records import Mention
>>> r = parse_text("上半年工作回顾\\n正式签订28街坊71丘国有林地收地协议。\\n", name="t")
>>> s = r.text.index("28")
>>> m = Mention("LandParcel", "28街坊71丘", s, s + 7, "28街坊71丘")
>>> [(a.action, a.word, a.state, a.period) for a in actions(r, [m])]
[('收地', '收地协议', 'completed', None)]
"""
from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass

from kg.extract.matcher import alternation
from kg.extract.status import clause_bounds
from kg.facts.periods import period_at
from kg.records import Mention, Report
from kg.resources import load_toml, load_tsv

PLACES = ("Road", "RoadSegment", "Waterway", "WaterwaySegment", "Village", "Community",
          "Zone", "AdministrativeArea", "Region")
CONTAINERS = ("Project", "Program", "Facility")
GENERIC = "推进"  # the action of a clause that names no action, only a status (完成X, 加快X)


@dataclass(frozen=True)
class Action:
    """One action on one mention's entity."""

    mention: Mention     # the object as mentioned
    action: str          # the action's name (actions.tsv column action, or a status verb)
    domain: str          # land | works | deals | programs | status
    word: str            # the action word as written
    word_at: int
    state: str           # completed | started | in_progress | planned
    verb: str            # the status verb that gave the state ('' when the word did)
    period: str | None
    modality: str
    sentence: tuple[int, int]


@functools.cache
def lexicon() -> dict[str, dict[str, str]]:
    return {r["word"]: r for r in load_tsv("lexicons/actions.tsv")}


@functools.cache
def _status() -> dict[str, str]:
    return {r["word"]: r["status"] for r in load_tsv("lexicons/status.tsv")}


@functools.cache
def _pattern() -> re.Pattern[str]:
    return re.compile(alternation(set(lexicon()) | set(_status())))


@functools.cache
def _rules() -> dict:
    return load_toml("rules/facts.toml")["actions"]


def _words(report: Report, lo: int, hi: int, taken: list[tuple[int, int]]):
    """Action and status words in ``[lo, hi)`` outside the names in ``taken``."""
    out = []
    for m in _pattern().finditer(report.text, lo, hi):
        if any(a <= m.start() < b or a < m.end() <= b for a, b in taken):
            continue
        out.append((m.start(), m.end(), m.group(0)))
    return out


def objects(report: Report, mentions: list[Mention]) -> list[Mention]:
    """The mentions that can be the object of an action (see the module's doc)."""
    types = set(_rules()["object_types"])
    cands = sorted((m for m in mentions if m.type in types), key=lambda m: (m.start, -m.end))
    out: list[Mention] = []
    text = report.text
    starts = [m.start for m in cands]
    for i, m in enumerate(cands):
        # nested in a longer object (its location or a part of its name)
        j = bisect.bisect_right(starts, m.start)
        if any(o is not m and o.start <= m.start and m.end <= o.end and
               (o.end - o.start) > (m.end - m.start) for o in cands[max(0, i - 8):j]):
            continue
        if _in_brackets_after(text, m, cands[max(0, i - 8):i]):
            continue  # 08单元10-06(周祝公路1号桥): what is in brackets says where or aka
        out.append(m)
    return out


def _near(taken: list[tuple[int, int]], lo: int, hi: int) -> list[tuple[int, int]]:
    """The names in ``taken`` (sorted) that start in ``[lo - 200, hi)``: bounded lookups."""
    a = bisect.bisect_left(taken, (lo - 200, 0))
    b = bisect.bisect_left(taken, (hi, 0))
    return taken[a:b]


def _after(objs: list[Mention], starts: list[int], lo: int, hi: int) -> list[Mention]:
    """The objects that start in ``[lo, hi)`` (``starts`` sorted like ``objs``)."""
    return objs[bisect.bisect_left(starts, lo):bisect.bisect_left(starts, hi)]


def _in_brackets_after(text: str, m: Mention, before: list[Mention]) -> bool:
    """Whether ``m`` is inside brackets that open right after another object."""
    lo = max(0, m.start - 30)
    opened = max(text.rfind("(", lo, m.start), text.rfind("（", lo, m.start))
    if opened < 0 or max(text.rfind(")", opened, m.start), text.rfind("）", opened, m.start)) >= 0:
        return False
    return any(o.end == opened for o in before)


def _is_location(report: Report, m: Mention, objs: list[Mention], c_hi: int,
                 action_at: int | None) -> bool:
    """A place before a project or program of its clause, with the action after both."""
    if m.type not in PLACES:
        return False
    for o in objs:
        if o.type in CONTAINERS and o.start >= m.end and o.end <= c_hi and \
                (action_at is None or o.end <= action_at):
            gap = report.text[m.end:o.start]
            if len(gap) <= 30 and not re.search("[，,；;。]", gap):
                return True
    return False


def _continued(report: Report, m: Mention, objs: list[Mention], c_hi: int, s_end: int,
               taken: list[tuple[int, int]]):
    """The action word of the next clause when ``m`` ends its clause and that clause
    starts with another object (a list the comma did not end), else None."""
    text = report.text
    rest = text[m.end:c_hi]
    if re.sub(r"[(（][^)）]*[)）]", "", rest).strip() or c_hi >= s_end:
        return None
    nxt = c_hi + 1
    i = bisect.bisect_left(objs, nxt, key=lambda o: o.start)
    if not (i < len(objs) and objs[i].start <= nxt + 2):
        return None
    n_lo, n_hi = clause_bounds(report, nxt, nxt + 1)
    later = [w for w in _words(report, n_lo, n_hi, _near(taken, n_lo, n_hi)) if w[2] in lexicon()]
    return later[0] if later else None


def actions(report: Report, mentions: list[Mention]) -> list[Action]:
    """Every action the report states on the objects among ``mentions``."""
    lex, status = lexicon(), _status()
    objs = objects(report, mentions)
    obj_starts = [o.start for o in objs]
    taken = [(m.start, m.end) for m in mentions if m.type in set(_rules()["object_types"])]
    taken.sort()
    window = int(_rules()["verb_window"])
    out: list[Action] = []
    clauses: dict[tuple[int, int], list] = {}
    for m in objs:
        sent = report.sentence_at(m.start)
        if sent is None:
            continue
        c_lo, c_hi = clause_bounds(report, m.start, m.end)
        key = (c_lo, c_hi)
        if key not in clauses:
            clauses[key] = _words(report, c_lo, c_hi, _near(taken, c_lo, c_hi))
        words = clauses[key]
        acts = [w for w in words if w[2] in lex]
        after = [w for w in acts if w[0] >= m.end]
        before = [w for w in acts if w[1] <= m.start]
        chosen = after[0] if after else before[-1] if before else None
        if chosen is None or not after:
            # 完成A(甲),B、C的出让: a list cut by a comma goes on in the next clause
            nxt = _continued(report, m, objs, c_hi, sent.end, taken)
            if nxt is not None:
                chosen = nxt
                words = words + [nxt]
        if _is_location(report, m, _after(objs, obj_starts, m.end, c_hi), c_hi,
                        chosen[0] if chosen else None):
            continue
        modality = sent.modality
        planned_clause = modality == "plan" or any(status.get(w[2]) == "planned" for w in words)
        if chosen is None:
            verbs = [w for w in words if w[2] in status and status[w[2]] != "planned"]
            near = [w for w in verbs if w[1] <= m.start] or [w for w in verbs if w[0] >= m.end]
            if near:
                v = near[-1] if near[-1][1] <= m.start else near[0]
                name, domain, state, verb = GENERIC, "status", status[v[2]], v[2]
                word, at = v[2], v[0]
            elif m.type == "Project" and modality == "plan" and m.attrs.get("status"):
                # a project the plan names with no verb of its own (推动A和B项目) is promised
                name, domain, state = GENERIC, "status", str(m.attrs["status"])
                verb = word = str(m.attrs.get("status_verb") or "")
                at = int(m.attrs.get("status_at", m.start))
                if not word:
                    word, at = report.text[m.start:m.end], m.start
            else:
                continue
        else:
            at, word = chosen[0], chosen[2]
            row = lex[word]
            name, domain, state, verb = row["action"], row["domain"], row["state"], ""
            prior = [w for w in words if w[1] <= at and at - w[1] <= window and w[2] in status
                     and status[w[2]] != "planned" and w[0] != at]
            if prior:
                v = max(prior)
                state, verb = status[v[2]], v[2]
        if planned_clause:
            state = "planned"
        out.append(Action(m, name, domain, word, at, state, verb,
                          period_at(report, at), modality, (sent.start, sent.end)))
    return out


def metric_action(report: Report, metric: Mention) -> tuple[str, str] | None:
    """(action name, word) said right before a metric's number (签约15台, 开工3台), or None."""
    lo = max(0, metric.start - int(_rules()["metric_window"]))
    best = None
    for m in _pattern().finditer(report.text, lo, metric.start + 1):
        if m.end() in (metric.start, metric.start + 1) or (
                m.end() <= metric.start and not re.search(r"[，,；;。、]", report.text[m.end():metric.start])):
            best = m
    if best is None:
        return None
    w = best.group(0)
    for i in range(len(w) - 1):  # 年内完成: a planned 完成
        tail = w[i:]
        row = lexicon().get(tail)
        if row:
            return row["action"], tail
        if _status().get(tail) not in (None, "planned"):
            return tail, tail
    return None


__all__ = ["Action", "actions", "objects", "metric_action", "lexicon"]
