"""Where a name starts: the left edge of a project, program or organization name.

Chinese has no spaces, so a name ending in a head word (…项目, …领导小组) is cut on
the left at the nearest punctuation, or after the last boundary word (a verb such as
推进, a preposition such as 在, a conjunction such as 、 or 等) that still leaves a
specific name (at least ``min_chars`` characters before the head). Quoted stretches
“…” are part of names: a boundary inside them does not count. The boundary words are
given by the caller (from ``data/lexicons/projects_boundary.tsv``).

>>> import re
>>> stops = re.compile("(?:推进|提升|优化)")
>>> t = "优化美丽街区景观提升项目"
>>> t[left_edge(t, 0, t.index("项目"), stops, soft=frozenset({"提升"})):]
'美丽街区景观提升项目'
>>> t[left_edge(t, 0, t.index("项目"), stops):]
'项目'
"""
from __future__ import annotations

import re

# Hard boundaries: no name runs across these (quotes excepted, see above).
HARD = set("，,。；;：:！？!?\n（）()【】[]《》<>　 \t")
QUOTED = re.compile(r"“[^“”\n]{0,40}”")
# Characters a name's left edge is searched for, before its head: the longest name in the
# annotated corpus has 40 (a party resolution's title); a name is never this long.
MAX_NAME = 80
CJK = re.compile(r"[\u4e00-\u9fff]")


def quote_spans(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """The “…” pairs inside ``text[lo:hi]``.

    >>> quote_spans("做好“三会”工作", 0, 8)
    [(2, 6)]
    """
    return [(m.start(), m.end()) for m in QUOTED.finditer(text, lo, hi)]


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(a < pos < b for a, b in spans)


def floor_of(text: str, lo: int, head_start: int) -> int:
    """Nearest hard boundary before ``head_start`` (not inside quotes), at least ``lo``."""
    spans = quote_spans(text, lo, head_start + 1)
    i = head_start
    while i > lo:
        if text[i - 1] in HARD and not _inside(i - 1, spans):
            break
        i -= 1
    return i


def left_edge(text: str, lo: int, head_start: int, stops: re.Pattern[str],
              min_chars: int = 2, soft: frozenset[str] = frozenset()) -> int:
    """Start of the name whose head begins at ``head_start`` (``lo``: the sentence start).

    The last boundary word cuts, unless it is one of the ``soft`` words (verbs that also
    occur inside names: 提升) and leaves fewer than ``min_chars`` or stands inside the
    name (not at the clause start or right after another boundary word): then the one
    before it is tried. The name may come out too short; the caller rejects it then."""
    lo = max(lo, head_start - MAX_NAME)  # no name is longer: the search stays bounded
    floor = floor_of(text, lo, head_start)
    spans = quote_spans(text, floor, head_start + 1)
    found = [m for m in stops.finditer(text, floor, head_start)
             if not _inside(m.start(), spans) and not _inside(m.end() - 1, spans)]
    ends = {floor} | {m.end() for m in found}
    # a soft word cuts only where it opens the clause or follows another boundary word
    # (加快建设X中心), not inside a name (城市建设者之家)
    cuts = [(m.end(), m.group(0)) for m in found if m.group(0) not in soft or m.start() in ends]
    for cut, word in reversed(cuts):
        if specific_chars(text[cut:head_start]) >= min_chars or word not in soft:
            return cut
    return floor


def specific_chars(s: str) -> int:
    """Characters that can make a name specific: Chinese characters, letters and digits."""
    return sum(1 for c in s if c.isalnum())


def strip_quotes(s: str) -> str:
    """A name without its quotation marks: ``“平安簿”系统`` -> ``平安簿系统``."""
    return re.sub(r"[“”\"'‘’「」『』]", "", s)


__all__ = ["left_edge", "floor_of", "quote_spans", "specific_chars", "strip_quotes"]
