"""Indicators: which standard indicator a metric is an observation of, and of what kind.

A metric's subject phrase (全市地区生产总值, 规上工业增加值, 城镇调查失业率) names what it
measures. With the report's own area words dropped (全市, 我省) and fillers at the end
(实际), a phrase that *is* a name of a row of ``data/lexicons/indicators.tsv`` makes the
metric an observation of that standard indicator; any other phrase makes it an observation
of a local indicator named by the phrase (the same phrase in two reports is one indicator).
A phrase with more in front of a name (城市副中心地区生产总值) is about a part, not the
indicator: it stays local.

>>> match("全市地区生产总值", "")["id"], match("经济", "增长")["id"], match("经济", "") is None
('gdp', 'gdp', True)
>>> match("规上工业增加值", "增长")["label"], match("居民人均可支配收入实际", "增长")["id"]
('规模以上工业增加值', 'income')
"""
from __future__ import annotations

import functools

from kg.resources import load_toml, load_tsv

TRAILING = ("实际", "名义", "总体", "分别", "同比", "累计", "任务", "工作", "按")


@functools.cache
def rows() -> dict[str, dict]:
    """Indicator id -> {id, label, label_en, names (plain), growth_names, part_of}."""
    out: dict[str, dict] = {}
    for r in load_tsv("lexicons/indicators.tsv"):
        names, growth = [r["label"]], []
        for n in filter(None, (r.get("synonyms") or "").split("|")):
            (growth if n.endswith("~") else names).append(n.rstrip("~"))
        out[r["id"]] = {"id": r["id"], "label": r["label"], "label_en": r["label_en"],
                        "names": names, "growth_names": growth,
                        "part_of": (r.get("part_of") or "").strip() or None}
    return out


@functools.cache
def _names() -> tuple[dict[str, str], dict[str, str]]:
    """(name -> id, growth stem -> id): 经济增长~ gives the stem 经济 for a change."""
    from kg.extract.metrics import _rules as metric_rules
    changes = sorted(metric_rules()["kind"]["change"], key=len, reverse=True)
    plain: dict[str, str] = {}
    stems: dict[str, str] = {}
    for rid, row in rows().items():
        for n in row["names"]:
            plain.setdefault(n, rid)
        for n in row["growth_names"]:
            for w in changes:
                if n.endswith(w) and len(n) > len(w):
                    stems.setdefault(n[: -len(w)], rid)
                    break
    return plain, stems


@functools.cache
def _rules() -> dict:
    return load_toml("rules/facts.toml")["indicators"]


@functools.lru_cache(maxsize=65536)
def clean(subject: str) -> str:
    """The subject phrase without the report's own area words and fillers."""
    r = _rules()
    s = subject.strip().replace("_", "")
    changed = True
    while changed and s:
        changed = False
        for w in sorted(r["own_area"] + r["filler"], key=len, reverse=True):
            if s.startswith(w) and len(s) > len(w):
                s, changed = s[len(w):], True
                break
        for w in TRAILING:
            if s.endswith(w) and len(s) > len(w):
                s, changed = s[: -len(w)], True
    return s


@functools.lru_cache(maxsize=65536)
def match(subject: str, change_word: str) -> dict | None:
    """The standard indicator row ``subject`` names, or None."""
    s = clean(subject)
    if not s:
        return None
    plain, stems = _names()
    rid = plain.get(s)
    if rid is None and change_word:
        rid = stems.get(s)
    if rid is None:
        rid = _with_modifiers(s, plain)
    return rows()[rid] if rid else None


def _with_modifiers(s: str, plain: dict[str, str]) -> str | None:
    """An indicator's name with allowed words before (at most two) and after it
    (实施老楼加装电梯, 地区生产总值年均)."""
    r = _rules()
    pre = sorted(r["prefix_ok"], key=len, reverse=True)
    suf = sorted(r["suffix_ok"], key=len, reverse=True)
    for a, rest in _fronts(s, pre):
        for a2, middle in _fronts(rest, pre):
            for b, core in _backs(middle, suf):
                if core in plain and (a or a2 or b):
                    return plain[core]
    return None


def _fronts(s: str, words: list[str]):
    """('', s), then (w, s without w) for each of ``words`` that ``s`` starts with."""
    yield "", s
    yield from ((w, s[len(w):]) for w in words if s.startswith(w))


def _backs(s: str, words: list[str]):
    """('', s), then (w, s without w) for each of ``words`` that ``s`` ends with."""
    yield "", s
    yield from ((w, s[: len(s) - len(w)]) for w in words if s.endswith(w))


def refers_back(label: str) -> bool:
    """Whether a subject is only a word for the number before (总额, 总量, 折合)."""
    return label in _rules()["same_as_before"] or any(
        label.startswith(w) and len(label) <= len(w) + 2 for w in _rules()["same_as_before"])


def kind(metric_kind: str, clause: str) -> str:
    """actual | target | change | baseline for a metric of kind ``metric_kind``."""
    if metric_kind == "target":
        return "target"
    if any(w in clause for w in _rules()["baseline_words"]):
        return "baseline"
    return metric_kind if metric_kind in ("change", "actual") else "actual"


__all__ = ["match", "rows", "clean", "kind"]
