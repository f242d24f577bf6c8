"""A character CRF (python-crfsuite) over :mod:`kg.names.features`: train and tag.

Training is deterministic: the same units in the same order with the same settings give
the same model file (L-BFGS has no random start; tests check the bytes).
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from kg.errors import ResourceError
from kg.names.corpus import LABELLERS, Unit, spans_from_bio
from kg.names.features import char_features, config
from kg.output import owned_temp


def train(units: Iterable[Unit], out: Path, types: Sequence[str] | None = None,
          features=char_features, settings: dict | None = None) -> Path:
    """Train a model on ``units`` (spans of other types are ignored) and write it to
    ``out``, labelled in the scheme ``[train] labels`` names (BIO or BIOES)."""
    import pycrfsuite

    keep = set(types) if types else None
    opts = dict(config()["train"])
    opts.update(settings or {})
    labeller = LABELLERS[opts.get("labels", "BIO")]
    trainer = pycrfsuite.Trainer(algorithm=opts["algorithm"], verbose=False)
    for u in units:
        spans = [s for s in u.spans if keep is None or s[2] in keep]
        tagged = Unit(u.id, u.report, u.kind, u.start, u.end, u.text, spans)
        trainer.append(features(u.text), labeller(tagged))
    params = {"max_iterations": int(opts["max_iterations"]),
              "feature.minfreq": float(opts["feature_minfreq"])}
    if opts["algorithm"] == "lbfgs":
        params.update({"c1": float(opts["c1"]), "c2": float(opts["c2"])})
    trainer.set_params(params)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = str(owned_temp(out.parent, out.name))  # a killed training's file goes next time
    try:
        trainer.train(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out


def mend_quotes(text: str, spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The guide's quote rules (§3) on the model's spans: a name quoted whole is the text
    inside the quotes (“八八战略” → 八八战略); a quoted name followed by its head keeps both
    quotes (“拔钉子”行动). A span with one quote of a pair, the other outside, is mended.

    >>> t = "开展“千企万户大走访”，实施“渝车出海”行动计划"
    >>> [t[s:e] for s, e, _ in mend_quotes(t, [(2, 10, "Program"), (15, 24, "Program")])]
    ['千企万户大走访', '“渝车出海”行动计划']
    """
    out = []
    for s, e, t in spans:
        name = text[s:e]
        opens, closes = name.count("“"), name.count("”")
        if name.startswith("“") and name.endswith("”") and opens == 1 and closes == 1:
            s, e = s + 1, e - 1                      # quoted whole: the text inside
        elif name.startswith("“") and closes == 0:
            s += 1                                   # an opening quote without its pair
        elif name.endswith("”") and opens == 0:
            e -= 1                                   # a closing quote without its pair
        elif opens == 0 and closes == 1 and s > 0 and text[s - 1] == "“":
            s -= 1                                   # “X”head cut after its opening quote
        if e > s:
            out.append((s, e, t))
    return out


class Tagger:
    """A trained model, ready to tag texts."""

    def __init__(self, path: Path, features=char_features):
        import pycrfsuite

        self.path = Path(path)
        if not self.path.is_file():
            raise ResourceError(f"{self.path}: missing model file (retrain with `kg train`)")
        if self.path.stat().st_size < 64 or self.path.read_bytes()[:4] != b"lCRF":
            raise ResourceError(f"{self.path}: not a CRF model file (corrupt? retrain with `kg train`)")
        self._tagger = pycrfsuite.Tagger()
        try:
            self._tagger.open(str(self.path))
        except (OSError, ValueError) as exc:
            raise ResourceError(f"{self.path}: cannot load model ({exc})") from None
        self.features = features

    def tag(self, text: str) -> list[tuple[int, int, str]]:
        """Spans ``(start, end, type)`` the model finds in ``text``."""
        if not text:
            return []
        return self._spans(text)

    def _spans(self, text: str) -> list[tuple[int, int, str]]:
        """Tag ``text``: the model's labels read as spans, quotes mended (the model's state
        is then this text's, for :meth:`tag_and_check`'s marginals)."""
        return mend_quotes(text, spans_from_bio(self._tagger.tag(self.features(text))))

    def tag_and_check(self, text: str, candidates: Sequence[tuple[int, int, str]]
                      ) -> tuple[list[tuple[int, int, str]], list[float]]:
        """The spans of :meth:`tag`, and for each candidate span the model's belief that
        it is a name of its type: the mean marginal of ``B-type`` at its start and
        ``I-type`` inside it (0 for a type the model does not know)."""
        if not text:
            return [], [0.0 for _ in candidates]
        spans = self._spans(text)
        labels = set(self._tagger.labels())
        beliefs = []
        for s, e, t in candidates:
            if f"B-{t}" not in labels or not (0 <= s < e <= len(text)):
                beliefs.append(0.0)
                continue
            beliefs.append(sum(self._tagger.marginal(lab, i) for i, lab in _labels(s, e, t, labels))
                           / (e - s))
        return spans, beliefs


def _labels(s: int, e: int, t: str, labels: set[str]) -> list[tuple[int, str]]:
    """The label each character of a span ``s:e`` of type ``t`` has, in the model's scheme."""
    if f"E-{t}" not in labels:     # BIO
        return [(s, f"B-{t}")] + [(i, f"I-{t}") for i in range(s + 1, e)]
    if e - s == 1:
        return [(s, f"S-{t}")]
    return [(s, f"B-{t}")] + [(i, f"I-{t}") for i in range(s + 1, e - 1)] + [(e - 1, f"E-{t}")]


__all__ = ["train", "Tagger"]
