"""Scoring names: strict span-and-type match, per type and for the place types together,
and leave-one-report-out folds (train on the other reports, test on the one left out).

>>> from kg.names.corpus import Unit
>>> gold = [Unit("r/0", "r", "sentence", 0, 6, "建成长江大桥", [(2, 6, "Facility")])]
>>> s = score(gold, {"r/0": [(2, 4, "Waterway")]})
>>> s["Facility"].recall, s["Waterway"].precision
(0.0, 0.0)
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kg.names.corpus import PLACES, Unit

GROUPS = {"places": PLACES}


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: "Score") -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn


def score(gold: Iterable[Unit], predicted: Mapping[str, Iterable[tuple[int, int, str]]],
          types: Iterable[str] | None = None) -> dict[str, Score]:
    """Per-type scores (plus ``all`` and the groups) of ``predicted`` spans by unit id."""
    keep = set(types) if types else None
    out: dict[str, Score] = {}
    for u in gold:
        g = {s for s in u.spans if keep is None or s[2] in keep}
        p = {tuple(s) for s in predicted.get(u.id, ()) if keep is None or s[2] in keep}
        tp, fp, fn = Counter(), Counter(), Counter()
        for s in g & p:
            tp[s[2]] += 1
        for s in p - g:
            fp[s[2]] += 1
        for s in g - p:
            fn[s[2]] += 1
        for t in set(tp) | set(fp) | set(fn):
            out.setdefault(t, Score()).add(Score(tp[t], fp[t], fn[t]))
    return _rolled_up(out, Score, Score.add)


def _rolled_up(out: dict, empty, add) -> dict:
    """``out`` (type -> tally) with a tally for each group and for ``all`` added: ``empty()``
    makes a tally, ``add(a, b)`` adds ``b`` to ``a``."""
    total = empty()
    for t, part in list(out.items()):
        add(total, part)
        for group, members in GROUPS.items():
            if t in members:
                add(out.setdefault(group, empty()), part)
    out["all"] = total
    return out


#: what became of a gold span (or where a predicted one came from), in :func:`errors`
ERROR_CLASSES = ("found", "other type", "other bounds", "missed", "spurious")


def errors(gold: Iterable[Unit], predicted: Mapping[str, Iterable[tuple[int, int, str]]]
           ) -> dict[str, Counter]:
    """Per type (plus ``all`` and the groups), what became of each gold span: ``found``
    (same span and type), ``other type`` (a predicted span with the same bounds and another
    type), ``other bounds`` (no exact span, but a predicted one overlaps it), ``missed``
    (nothing predicted overlaps it); and ``spurious``: a predicted span of that type that
    overlaps no gold span. The first four add up to the gold spans of the type.

    >>> from kg.names.corpus import Unit
    >>> u = Unit("r/0", "r", "sentence", 0, 12, "推进长江大桥和滨江公园建设", [(2, 6, "Facility"), (7, 11, "Zone")])
    >>> e = errors([u], {"r/0": [(2, 6, "Project"), (9, 11, "Zone"), (11, 13, "Program")]})
    >>> e["Facility"]["other type"], e["Zone"]["other bounds"], e["Program"]["spurious"]
    (1, 1, 1)
    """
    out: dict[str, Counter] = {}
    for u in gold:
        g = set(u.spans)
        p = {tuple(s) for s in predicted.get(u.id, ())}
        for s, e, t in g:
            if (s, e, t) in p:
                kind = "found"
            elif any(ps == s and pe == e for ps, pe, _ in p):
                kind = "other type"
            elif any(ps < e and s < pe for ps, pe, _ in p):
                kind = "other bounds"
            else:
                kind = "missed"
            out.setdefault(t, Counter())[kind] += 1
        for s, e, t in p:
            if not any(gs < e and s < ge for gs, ge, _ in g):
                out.setdefault(t, Counter())["spurious"] += 1
    return _rolled_up(out, Counter, Counter.update)


def merge_scores(parts: Iterable[dict[str, Score]]) -> dict[str, Score]:
    out: dict[str, Score] = {}
    for part in parts:
        for t, s in part.items():
            out.setdefault(t, Score()).add(s)
    return out


__all__ = ["Score", "score", "merge_scores", "errors", "ERROR_CLASSES", "GROUPS"]
