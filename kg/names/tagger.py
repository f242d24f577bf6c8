"""The shipped names model: load it once, tag a report's sentences and headings.

The model file and its training record live in ``data/models/`` (``kg train`` remakes
them from ``data/annotations/``). A missing or corrupt file is a one-line
:class:`~kg.errors.ResourceError`.
"""
from __future__ import annotations

import functools
import os
from pathlib import Path

from kg.names.corpus import units
from kg.names.crf import Tagger
from kg.names.features import config
from kg.records import Report
from kg.resources import DATA


def model_path() -> Path:
    """The shipped model, or the file ``$KG_NAMES_MODEL`` names."""
    return Path(os.environ.get("KG_NAMES_MODEL") or DATA / config()["train"]["model"])


@functools.cache
def _tagger(path: str) -> Tagger:
    return Tagger(Path(path))


def tagger(path: Path | None = None) -> Tagger:
    """The loaded model (cached per path)."""
    return _tagger(str(path or model_path()))


def tag_report(report: Report, model: Tagger | None = None,
               candidates: list[tuple[int, int, str]] = ()
               ) -> tuple[list[tuple[int, int, str]], dict[tuple[int, int, str], float]]:
    """Spans ``(start, end, type)`` in report offsets, unit by unit, in text order, and
    the model's belief in each candidate span (:meth:`Tagger.tag_and_check`)."""
    import bisect
    model = model or tagger()
    us = units(report)
    starts = [u.start for u in us]
    per_unit: dict[int, list[tuple[int, int, str]]] = {}
    for c in candidates:
        i = bisect.bisect_right(starts, c[0]) - 1
        if i >= 0 and c[1] <= us[i].end:
            per_unit.setdefault(i, []).append(c)
    out: list[tuple[int, int, str]] = []
    beliefs: dict[tuple[int, int, str], float] = {}
    for i, u in enumerate(us):
        cands = per_unit.get(i, [])
        local = [(s - u.start, e - u.start, t) for s, e, t in cands]
        spans, probs = model.tag_and_check(u.text, local)
        out.extend((u.start + s, u.start + e, t) for s, e, t in spans)
        beliefs.update(zip(cands, probs))
    return out, beliefs


__all__ = ["tag_report", "tagger", "model_path"]
