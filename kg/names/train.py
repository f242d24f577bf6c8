"""Retrain the shipped names model from the annotated corpus, reproducibly.

``kg train`` reads ``data/annotations/*.jsonl``, trains the CRF with the settings of
``data/rules/tagger.toml`` and writes ``data/models/names.crfsuite`` and beside it
``names.json``: what it was trained on (each corpus file's SHA-256, units, spans per
type), the feature and training settings, and the model's own SHA-256. The same corpus
and settings give the same model file, byte for byte.
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

from kg.names.corpus import read_corpus
from kg.names.crf import train
from kg.names.features import config
from kg.output import write_atomic
from kg.resources import DATA


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def train_model(corpus: Path | None = None, out: Path | None = None) -> dict:
    """Train on every report of ``corpus`` and write the model and its record."""
    cfg = config()
    corpus = corpus or DATA / cfg["train"]["corpus"]
    out = out or DATA / cfg["train"]["model"]
    reports = read_corpus(corpus)
    tagger_types = cfg["merge"]["tagger"]
    units = [u for name in sorted(reports) for u in reports[name]]
    train(units, out)
    spans = Counter(t for u in units for _, _, t in u.spans)
    record = {
        "model": out.name,
        "sha256": _sha(out),
        "bytes": out.stat().st_size,
        "corpus": {name: {"sha256": _sha(corpus / f"{name}.jsonl"), "units": len(reports[name])}
                   for name in sorted(reports)},
        "units": len(units),
        "spans": dict(sorted(spans.items())),
        "features": cfg["features"],
        "heads_sha256": _sha(DATA / cfg["features"]["heads"]),
        "train": cfg["train"],
        "types_owned": tagger_types,
    }
    write_atomic(out.with_suffix(".json"), json.dumps(record, ensure_ascii=False, indent=1) + "\n")
    return record


__all__ = ["train_model"]
