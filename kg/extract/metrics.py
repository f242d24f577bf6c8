"""Metrics: every quantity with a unit (财政总收入7亿元, 6700余名, 环比4月增长154%).

A metric is a number (Arabic, full-width or Chinese) followed by an optional scale word
(万, 亿) and a unit from ``data/lexicons/units.tsv``, with its hedge (约, 余, 以上),
period (1-6月, 年内), kind (actual, target, change) and subject (what is measured).
Numbers that name or code something (dates, 1号桥, 3.0版, 千亿级, “15分钟…圈”, parts of
a glossary definition) are not metrics; the patterns are in ``data/rules/metrics.toml``.

>>> from kg.ingest import parse_text
>>> r = parse_text("上半年工作回顾\\n1-6月,财政总收入7亿元,发放物资超过118.9万份。\\n", name="t")
>>> [(m.text, m.attrs["value"], m.attrs["unit"], m.attrs["normalized_value"], m.attrs["subject"])
...  for m in extract(r, ())]
[('7亿元', '7', '亿元', '700000000', '财政总收入'), ('超过118.9万份', '118.9', '万份', '1189000', '发放物资')]
"""
from __future__ import annotations

import bisect
import functools
import re
from collections import Counter
from decimal import Decimal

from kg.extract.matcher import Intervals, alternation
from kg.numbers import is_chinese, plain, to_decimal
from kg.records import Mention, Rel, Report, Sentence
from kg.resources import load_toml, load_tsv

TYPE = "Metric"
_ARABIC = r"[0-9０-９]+(?:[.．][0-9０-９]+)?"
# at most 16 characters (九千九百九十九 has 7; 万, 亿 are scale words): tried at every
# position of a run of numerals, an unbounded run made 500 KB of 十 take minutes
_CHINESE = r"[〇零一二两三四五六七八九十][〇零一二两三四五六七八九十百千]{0,15}"


@functools.cache
def _rules() -> dict:
    return load_toml("rules/metrics.toml")


@functools.cache
def units() -> dict[str, dict[str, str]]:
    """Unit as written -> its row in ``data/lexicons/units.tsv``."""
    return {r["unit"]: r for r in load_tsv("lexicons/units.tsv")}


@functools.cache
def _pattern() -> re.Pattern[str]:
    r = _rules()
    ap = r["approx"]
    return re.compile(
        rf"(?P<before>{alternation(ap['before'])})?"
        rf"(?<![0-9０-９.．A-Za-zＡ-Ｚａ-ｚ\-—/])"
        rf"(?:(?P<lo>{_ARABIC})[{re.escape(r['range']['marks'])}](?=[0-9０-９]))?"
        rf"(?P<num>{_ARABIC}|{_CHINESE})"
        rf"(?P<inner1>{alternation(ap['inner'])})?"
        rf"(?P<scale>{alternation(r['scale'])})?"
        rf"(?P<inner2>{alternation(ap['inner'])})?"
        rf"(?P<unit>{alternation(units())})"
        rf"(?P<after>{alternation(ap['after'])})?")


@functools.cache
def _compiled() -> dict:
    r = _rules()
    return {
        "after_unit": [re.compile(p) for p in r["names"]["after_unit"]],
        "group_after": re.compile(r["names"]["group_after"]),
        "period": re.compile("|".join(f"(?:{p})" for p in r["period"]["patterns"])),
        "target": re.compile("|".join(f"(?:{p})" for p in r["kind"]["target_patterns"])),
        "change": re.compile(f"(?:{alternation(r['kind']['change'])})(?!值)"),  # not 增加值
        "stop_after": re.compile(alternation(r["subject"]["stop_after"])),
        "verbs": re.compile(alternation(r["subject"]["verbs"] + r["kind"]["change"])),
        "list_gap": re.compile(r["subject"]["list_gap"]),
        "per": re.compile(f"[{re.escape(r['names']['per_marks'])}][{r['names']['per_scales']}]*"
                          rf"(?:{alternation(units())}|[\u4e00-\u9fff])"),
    }


def extract(report: Report, found: tuple[Mention, ...]) -> list[Mention]:
    """Every quantity with a unit in the report's sentences."""
    out: list[Mention] = []
    ordered = sorted(found, key=lambda m: m.start)
    starts = [m.start for m in ordered]
    longest = _longest(ordered)
    for sent in report.sentences:
        # only the names that overlap this sentence (a binary search, not a scan of all)
        lo = bisect.bisect_left(starts, sent.start - longest)
        hi = bisect.bisect_left(starts, sent.end)
        local = tuple(m for m in ordered[lo:hi] if m.end > sent.start)
        out.extend(sentence_metrics(report, sent, local))
    keys = Counter(m.key for m in out)
    return [m if keys[m.key] == 1 else
            Mention(m.type, m.text, m.start, m.end, f"{m.key}@{m.start}", m.attrs, m.rels)
            for m in out]


def _longest(ms: list[Mention]) -> int:
    return max((m.end - m.start for m in ms), default=0)


def sentence_metrics(report: Report, sent: Sentence, found: tuple[Mention, ...]) -> list[Mention]:
    text = report.text
    rules = _rules()
    c = _compiled()
    # spans asked about once per number: indexed once per sentence (a run-on sentence of
    # 25,000 numbers and names made a scan of them per number n²)
    quoted = Intervals(_quoted_spans(text, sent.start, sent.end))
    names = Intervals((m.start, m.end) for m in found if m.type in rules["names"]["name_types"])
    glossary = [m for m in found if m.type == "GlossaryTerm"]
    parts = (Intervals((p.start, p.end) for p in glossary),
             {p.start for p in glossary if p.attrs.get("role") == "component"})
    index = _MeasureIndex(sent, found, rules)
    out: list[Mention] = []
    previous_subject, previous_end, previous_change = "", sent.start, ""
    for m in _pattern().finditer(text, sent.start, sent.end):
        num_s, unit_e = m.start("num"), m.end("unit")
        numtext, unit = m.group("num"), m.group("unit")
        row = units()[unit]
        if _is_name(text, m, sent, quoted, names, parts, row, c, rules):
            continue
        value = to_decimal(numtext)
        if value is None:
            continue
        low = to_decimal(m.group("lo")) if m.group("lo") else None
        if low is not None and not low < value:
            low = None  # 3-2%: no range
        scale_word = m.group("scale") or ""
        scale = Decimal(rules["scale"].get(scale_word, "1")) * Decimal(row["scale"])
        written_unit = text[m.start("scale"):unit_e] if scale_word else unit
        written_unit = written_unit.replace(m.group("inner2") or "\0", "")
        approx_word = m.group("before") or m.group("inner1") or m.group("inner2") or m.group("after")
        start, end = m.start(), m.end()
        normalized, family = row["normalized"], row["family"]
        upper = _range_end(text, sent, m)
        per = c["per"].match(text, unit_e, sent.end) if not m.group("after") else None
        if per:  # 58万元/人: a rate, in yuan per person
            written_unit += per.group(0)
            normalized, family = f"{normalized}/{per.group(0)[1:]}", "rate"
            end = per.end()
            after = re.match(alternation(rules["approx"]["after"]), text[end:sent.end])
            if after:
                end += after.end()
                approx_word = approx_word or after.group(0)
        if m.group("before") and any(text[max(0, num_s - len(w)):num_s] == w
                                     for w in rules["approx"]["not_before"]):
            start = num_s  # 签约15台: 约 belongs to 签约
            approx_word = m.group("inner1") or m.group("inner2") or m.group("after")
        floor = max(sent.start, previous_end)
        listed = previous_end > sent.start and c["list_gap"].fullmatch(text, previous_end, start)
        if listed:  # 分别下降65.3%、58.3%: the second shares the first's subject and change
            subject = _counted_noun(text, sent, m.end(), row, c, rules) or previous_subject
            change_word = previous_change
        else:
            subject = _subject(text, sent, floor, start, m.end(), row, c, rules) or previous_subject
            change_word = _change_word(text, sent, floor, start, c, rules)
        previous_subject, previous_end, previous_change = subject, end, change_word
        kind = _kind(report, sent, change_word, c)
        if m.group("after") in ("及以上", "及以下") and sent.modality == "glossary":
            kind = "threshold"
        attrs = {
            "value": plain(value), "unit": written_unit, "unit_normalized": normalized,
            "scale": plain(scale), "normalized_value": plain(value * scale),
            "approx": bool(approx_word), "kind": kind, "family": family,
        }
        if upper is not None:
            attrs["value_max"] = plain(upper[0])
            end = upper[1]
        elif low is not None:  # 4.5-5%: the unit written once, after the upper bound
            attrs.update(value=plain(low), value_max=plain(value),
                         normalized_value=plain(low * scale))
        if approx_word:
            attrs["approx_word"] = approx_word
        period = _period(text, sent, m.start(), c, rules)
        if period:
            attrs["period"] = period
        if subject:
            attrs["subject"] = subject
        if change_word:
            attrs["change_word"] = change_word
        rels = _measures(text, sent, num_s, end, index, rules, subject)
        key = f"{subject}{text[start:end]}"
        out.append(Mention(TYPE, text[start:end], start, end, key, attrs, rels))
    return out


# -- what is not a metric -------------------------------------------------------------

def _quoted_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans = []
    for o, cl in _rules()["names"]["quotes"]:
        i = start
        while True:
            a = text.find(o, i, end)
            if a < 0:
                break
            b = text.find(cl, a + 1, end)
            if b < 0:
                break
            spans.append((a, b + 1))
            i = b + 1
    return spans


def _is_name(text, m, sent, quoted, names, parts, row, c, rules) -> bool:
    s, e = m.start("num"), m.end("unit")
    if quoted.covers(s, e):
        return True
    before = text[max(sent.start, s - 1):s]
    if before and before in rules["names"]["ordinal_before"]:
        return True
    num = m.group("num")
    if is_chinese(num):
        if row["counter"] == "yes":
            return True  # 一批, 两个, 十一次全会: words, not counts
        if re.search("[一二两三四五六七八九]{2}", num) and not re.search("[〇零]", num):
            return True  # 三四轮: "three or four", no number
        if len(num) == 1 and not m.group("scale"):
            return True  # 最后一公里, 一米线: idioms, not measurements
    rest = text[e:min(sent.end, e + 12)]
    if any(p.search(rest) for p in c["after_unit"]):
        return True
    if row["family"] == "age" and c["group_after"].search(text[e:min(sent.end, e + 8)]):
        return True
    if names.covers(s, e):
        return True
    spans, components = parts
    # a count in front of a glossary component (1个…中心) names a part
    return e in components or e + 1 in components or spans.covers(s, e)


# -- attributes -----------------------------------------------------------------------

def _clause_start(text: str, floor: int, pos: int, rules: dict) -> int:
    """Where the clause before ``pos`` starts, looking back at most ``[subject] lookback``
    (a subject phrase is never longer; the walk stays bounded in run-on text)."""
    bounds = rules["subject"]["boundaries"]
    floor = max(floor, pos - int(rules["subject"]["lookback"]))
    i = pos
    while i > floor and text[i - 1] not in bounds:
        i -= 1
    return i


def _subject(text, sent, floor, start, unit_e, row, c, rules) -> str:
    """The indicator phrase: the noun a classifier counts, else the phrase before."""
    sr = rules["subject"]
    counted = _counted_noun(text, sent, unit_e, row, c, rules)
    if counted:
        return counted
    a = _clause_start(text, floor, start, rules)
    phrase = text[a:start]
    while True:
        before = phrase
        pm = c["period"].match(phrase)
        if pm:
            phrase = phrase[pm.end():]
        for w in sr["strip_start"]:
            if phrase.startswith(w):
                phrase = phrase[len(w):]
        if phrase == before:
            break
    if re.match(alternation(rules["period"]["comparison"]), phrase):
        return ""  # 环比4月增长154%: the subject is the one before
    cm = c["change"].match(phrase)
    if cm and len(phrase) == cm.end():
        return ""  # 、下降11.5%: the subject is the one before
    if cm and len(phrase) > cm.end():
        phrase = phrase[cm.end():]  # 增加床位约20张
    cm = c["change"].search(phrase)
    cut = re.search(alternation(rules["period"]["comparison"]), phrase)
    stops = [x.start() for x in (cm, cut) if x and x.start() > 0]
    if stops:
        phrase = phrase[: min(stops)]
    changed = True
    while changed:
        changed = False
        for w in sr["strip_end"] + rules["approx"]["before"]:
            if phrase.endswith(w):
                phrase = phrase[: -len(w)]
                changed = True
    phrase = phrase.strip()
    if len(phrase) > sr["max_chars"]:
        phrase = phrase[-sr["max_chars"]:]
    return phrase if len(phrase) >= 2 and not phrase.isdigit() else ""


def _range_end(text, sent, m) -> tuple[Decimal, int] | None:
    """(upper value, end) where the number is the start of a range (5%—5.5%), else None."""
    marks = _rules()["range"]["marks"]
    i = m.end("unit") if not m.group("after") else m.end()
    if i >= sent.end or text[i] not in marks:
        return None
    unit = text[m.end("num"):m.end("unit")]
    second = re.match(rf"({_ARABIC}){re.escape(unit)}", text[i + 1:sent.end])
    if not second or not re.fullmatch(_ARABIC, m.group("num")):
        return None
    value = to_decimal(second.group(1))
    return (value, i + 1 + second.end()) if value is not None else None


def _counted_noun(text, sent, unit_e, row, c, rules) -> str:
    """The noun right after a classifier (7个临时中转平台 -> 临时中转平台), or ''."""
    if row["counter"] != "yes":
        return ""
    sr = rules["subject"]
    bounds = sr["boundaries"].replace("、", "")
    j = unit_e
    while j < sent.end and j - unit_e < sr["max_chars"] and text[j] not in bounds \
            and not text[j].isdigit():
        j += 1
    after = text[unit_e:j].rstrip("、")
    sm = c["stop_after"].search(after)
    if sm:
        after = after[: sm.start()]
    if after and "、" not in after[:1] and not c["verbs"].match(after) and \
            re.match(r"[\u4e00-\u9fff]", after):
        return after
    return ""


def _change_word(text, sent, floor, start, c, rules) -> str:
    a = max(_clause_start(text, floor, start, rules), start - rules["kind"]["change_window"])
    found = list(c["change"].finditer(text, a, start))
    if not found:
        return ""
    rest = text[found[-1].end():start]
    if any(rest.startswith(w) for w in rules["kind"]["level_after"]):
        return ""  # 提高到45%: a level, not a change
    return found[-1].group(0)


def _kind(report: Report, sent: Sentence, change_word: str, c) -> str:
    if sent.modality == "plan" or (sent.modality != "review" and
                                   _says_target(report.text, sent.start, sent.end, c["target"])):
        return "target"
    return "change" if change_word else "actual"


@functools.lru_cache(maxsize=64)
def _says_target(text: str, lo: int, hi: int, pattern) -> bool:
    """Whether a sentence says target words (once per sentence, not once per number)."""
    return pattern.search(text, lo, hi) is not None


def _period(text, sent, start, c, rules) -> str:
    """The nearest period before ``start`` in its sentence (one scan per sentence)."""
    ends, words = _periods(text, sent.start, sent.end, c["period"], tuple(rules["period"]["comparison"]))
    i = bisect.bisect_right(ends, start) - 1
    return words[i] if i >= 0 else ""


@functools.lru_cache(maxsize=64)
def _periods(text: str, lo: int, hi: int, pattern, comparison: tuple[str, ...]):
    """A sentence's periods, not the bases of a comparison (比1-4月): their ends and words."""
    ends, words = [], []
    for pm in pattern.finditer(text, lo, hi):
        lead = text[max(lo, pm.start() - 2):pm.start()]
        if any(lead.endswith(w) for w in comparison):
            continue
        ends.append(pm.end())
        words.append(pm.group(0))
    return ends, words


class _MeasureIndex:
    """The names a sentence's metrics may measure, sorted by start, with the containers
    (projects, programs) as :class:`Intervals`: each question in O(log n + answers)."""

    def __init__(self, sent: Sentence, found, rules: dict):
        spec = rules["measures"]
        types = set(spec["types"])
        self.cands = sorted((m for m in found if m.type in types and sent.start <= m.start
                             and m.end <= sent.end), key=lambda m: (m.start, m.end))
        self.starts = [m.start for m in self.cands]
        self.containers = [m for m in self.cands if m.type in spec["containers"]]
        self.held = Intervals((m.start, m.end) for m in self.containers)

    def starting_in(self, a: int, b: int) -> list:
        """Candidates whose start is in ``[a, b]``."""
        return self.cands[bisect.bisect_left(self.starts, a):bisect.bisect_right(self.starts, b)]


def _measures(text, sent, s, e, index: _MeasureIndex, rules, subject: str = "") -> tuple[Rel, ...]:
    """What the metric measures, only where the text names it: a named thing it counts
    (1家星级型爱心妈咪小屋), a project or program whose name holds it, or a named thing
    inside the metric's own subject phrase (引江济淮工程完成投资120亿元). The nearest name
    that is not in the subject is not taken: a metric of a generic thing measures nothing."""
    if not index.cands:
        return ()
    after = index.starting_in(e, e)
    holding = [m for m in index.containers if m.start <= s and e <= m.end
               and (m.start, m.end) != (s, e)] if index.held.covers(s, e) else []
    in_subject: list = []
    if subject:
        at = text.rfind(subject, sent.start, s)
        if at >= 0:
            in_subject = [m for m in index.starting_in(at, at + len(subject))
                          if m.end <= at + len(subject)]
    for group in (after, holding, in_subject):
        if group:
            best = max(group, key=lambda m: (m.end if group is not after else -m.start,
                                             m.end - m.start))
            return (Rel("measures", best.type, best.key),)
    return ()


__all__ = ["extract", "units", "sentence_metrics"]
