"""Projects: industrial projects and headquarters, infrastructure, housing renovation,
public services, systems and platforms.

A project name ends in a head word (``data/lexicons/projects_heads.tsv``): strong
heads (项目, 工程, 研发总部) make a project by themselves, weak ones (中心, 系统, 食堂)
only where a project cue (建设, 改造, 开工 …, ``projects_cues.tsv``) is in the clause.
The name's left edge comes from :mod:`kg.extract.naming`; a name made only of generic
words (产业项目, 重大项目: ``projects_generic.tsv``), or counted (55个…项目, …项目111个), is
not a project: it names a kind of project. In a list that
ends in a generic head (A、B等重大项目), each item is a project; in a list that ends in
a specific one (周秀路、绿地梧桐苑等缤纷社区建设项目) the items are where it is.

Each project gets its status (:mod:`kg.extract.status`), ``implementedBy`` the
organizations inside its name (沃比医疗研发总部) or named with it (由…承建), and
``locatedIn`` (``inZone``, ``inPlanningUnit``) the places, parcels, roads and waterways of
earlier extractors that its name contains, that its list names, that its clause
puts it in (在御沁园居民区完成…) or that builds it (武汉建设…枢纽); the items of a list that ends in a quoted name
(A、B等“文艺赋美”项目) get ``belongsToProgram`` that program, emitted here. A …工程
right after a campaign verb (实施…工程, ``programs_verbs.tsv``) is a Program. Spans of programs and working groups are left alone;
a Facility span stays a Facility unless project words make it a project.

>>> from kg.ingest import parse_text
>>> r = parse_text("下半年工作要点\\n推进沃比医疗研发总部、熙华科技研发总部等一批产业项目落地。\\n", name="t")
>>> [(m.key, m.attrs["status"]) for m in extract(r, ())]
[('沃比医疗研发总部', 'planned'), ('熙华科技研发总部', 'planned')]
"""
from __future__ import annotations

import bisect
import functools
import re

from kg.extract import programs
from kg.extract.matcher import Intervals, alternation, drop_overlaps
from kg.extract.naming import HARD, MAX_NAME, left_edge, specific_chars, strip_quotes
from kg.extract.status import clause_bounds, status_attrs
from kg.records import Mention, Rel, Report
from kg.resources import load_tsv

PLACE_TYPES = {"AdministrativeArea": "locatedIn", "Village": "locatedIn", "Community": "locatedIn",
               "Zone": "inZone", "LandParcel": "locatedIn", "PlanningUnit": "inPlanningUnit",
               "Road": "locatedIn", "RoadSegment": "locatedIn", "Waterway": "locatedIn",
               "Facility": "locatedIn"}
LIST_SEP = "、"
QUOTED_LIST = re.compile(r"等(“[^“”\n]{2,16}”)$")
LIST_END = "等"
# A name may be followed by these at once (besides the words of the lexicons).
RIGHT_OK = set("、等和及与的“”·0123456789") | HARD


@functools.cache
def _lex() -> dict:
    heads = {r["word"]: r["strength"] for r in load_tsv("lexicons/projects_heads.tsv")}
    cues = [r["word"] for r in load_tsv("lexicons/projects_cues.tsv")]
    generic_rows = load_tsv("lexicons/projects_generic.tsv")
    generic = [r["word"] for r in generic_rows]
    kinds = {k: tuple(sorted((r["word"] for r in generic_rows if r["kind"] == k), key=len, reverse=True))
             for k in ("category", "start", "field")}
    bound_rows = load_tsv("lexicons/projects_boundary.tsv")
    goal_rows = load_tsv("lexicons/projects_goals.tsv")
    bounds = [r["word"] for r in bound_rows]
    status = [r["word"] for r in load_tsv("lexicons/status.tsv")]
    follow = sorted(set(cues) | set(bounds) | set(status) | set(heads), key=len, reverse=True)
    return {
        "heads": heads,
        "head_re": re.compile(alternation(heads)),
        "head_words": tuple(sorted(heads, key=len, reverse=True)),
        "strong": re.compile(alternation(w for w, s in heads.items() if s == "strong")),
        "cue_re": re.compile(alternation(cues)),
        "generic_re": re.compile(alternation(generic)),
        "stops": re.compile(alternation(bounds)),
        "follow": tuple(follow),
        "campaign": tuple(sorted((r["word"] for r in load_tsv("lexicons/programs_verbs.tsv")),
                                 key=len, reverse=True)),
        "soft_words": tuple(sorted((r["word"] for r in bound_rows if r["kind"] == "soft"),
                                   key=len, reverse=True)),
        "soft": frozenset(r["word"] for r in bound_rows if r["kind"] == "soft"),
        "category": kinds["category"],
        "start": kinds["start"],
        "field": kinds["field"],
        "with": re.compile(alternation(r["word"] for r in load_tsv("lexicons/programs_with.tsv"))),
        "one_head": re.compile(f"{alternation(heads)}$"),
        "head_tail": re.compile(f"(?:{alternation(heads)}|建设)+$"),
        "generic_tail": re.compile(f"(?:{alternation(generic)}|\\d+)*$"),
        "count": re.compile(f"\\d+(?:\\.\\d+)?[万亿]?多?{alternation(r['word'] for r in load_tsv('lexicons/projects_measures.tsv'))}(?:以上)?"),
        "quoted_after": re.compile(f"{alternation(heads)}(?=“)"),
        "goal_heads": _longest(r["word"] for r in goal_rows if r["kind"] == "head"),
        "goal_scope": re.compile(alternation(r["word"] for r in goal_rows if r["kind"] == "scope")),
        "goal_verbs": re.compile(alternation(r["word"] for r in goal_rows if r["kind"] == "verb")),
        "industry": re.compile(alternation(r["word"] for r in load_tsv("lexicons/projects_industries.tsv"))),
        "program_heads": _longest(r["word"] for r in load_tsv("lexicons/projects_programs.tsv")),
    }


def _longest(words) -> tuple[str, ...]:
    return tuple(sorted(set(words), key=len, reverse=True))


def is_generic(name: str) -> bool:
    """True when ``name`` says only what kind of project it is (重大项目, 一批产业项目).

    >>> is_generic("一批产业项目"), is_generic("农业科技创新重点项目"), is_generic("牧禾农场项目")
    (True, True, False)
    """
    lex = _lex()
    plain = strip_quotes(name)
    if plain.startswith(lex["start"]):
        return True
    rest = lex["one_head"].sub("", re.sub(r"(?:项目|工程|建设)+$", "", plain) or plain)
    if rest.endswith(lex["category"]):
        return True
    if re.search(r"[一二三四五六七八九十两百千]+大$", rest):  # 六大工程: a class of projects
        return True
    rest = lex["generic_re"].sub("", rest)
    rest = re.sub(r"\d+", "", rest)
    return specific_chars(rest) < 2


def is_goal(name: str) -> bool:
    """True when ``name`` is a goal a place sets itself (国际金融中心, 全国经济中心,
    具有全球影响力的产业科技创新中心): a goal head (``projects_goals.tsv``) with only
    scope words before it, after a goal verb inside the name if there is one.

    >>> is_goal("国际金融中心"), is_goal("全国性综合交通枢纽"), is_goal("国家生猪技术创新中心")
    (True, True, False)
    """
    lex = _lex()
    plain = strip_quotes(name)
    verbs = list(lex["goal_verbs"].finditer(plain))
    if verbs:
        plain = plain[verbs[-1].end():]
    head = next((h for h in lex["goal_heads"] if plain.endswith(h)), None)
    if head is None:
        return False
    rest = lex["goal_scope"].sub("", plain[:-len(head)])
    return specific_chars(rest) < 2


def is_industry(name: str) -> bool:
    """True when ``name`` is made only of industry words and their modifiers
    (``projects_industries.tsv``): 新能源汽车, 绿色先进能源; not 杭州海康机器人.

    >>> is_industry("绿色先进能源"), is_industry("商业航天"), is_industry("杭州海康机器人")
    (True, True, False)
    """
    return specific_chars(_lex()["industry"].sub("", strip_quotes(name))) < 2


def is_policy(name: str) -> bool:
    """True when ``name`` ends in a program head (试点, 人才工程: ``projects_programs.tsv``)
    and holds no project head before it: a pilot policy or a programme, a Program.

    >>> is_policy("要素市场化配置综合改革试点"), is_policy("联勤联动微平台3.0版试点")
    (True, False)
    """
    lex = _lex()
    plain = strip_quotes(name)
    head = next((h for h in lex["program_heads"] if plain.endswith(h)), None)
    if head is None:
        return False
    return lex["head_re"].search(plain[:-len(head)]) is None


def key_of(name: str) -> str:
    """A project's key: quotes dropped, and a trailing 项目/工程/建设; a quoted name
    followed only by head words keys on what the quotes hold (“平安簿”系统 -> 平安簿).

    >>> key_of("“溢哲华庭”二期项目工程"), key_of("“平安簿”平台"), key_of("牧禾农场项目")
    ('溢哲华庭二期', '平安簿', '牧禾农场')
    """
    lex = _lex()
    m = re.fullmatch(r"“([^“”]+)”(.*)", name)
    if m and (not m.group(2) or lex["head_tail"].fullmatch(m.group(2))):
        return m.group(1)
    plain = strip_quotes(name)
    short = re.sub(r"(?:项目|工程|建设)+$", "", plain)
    return short if specific_chars(short) >= 2 else plain


def _right_ok(text: str, end: int, hi: int) -> bool:
    if end >= hi or text[end] in RIGHT_OK:
        return True
    return text.startswith(_lex()["follow"], end)


def _items(text: str, lo: int, list_end: int) -> list[tuple[int, int]]:
    """The items of the list ``A、B、C`` that ends right before ``list_end`` (at 等)."""
    lex = _lex()
    items = []
    b = list_end
    while True:
        a = b
        while a > lo and text[a - 1] not in HARD and text[a - 1] != LIST_SEP:
            a -= 1
        cut = left_edge(text, a, b, lex["stops"], min_chars=2, soft=lex["soft"])
        items.append((cut, b))
        if cut != a or a <= lo or text[a - 1] != LIST_SEP:
            break
        b = a - 1
    return [(a, b) for a, b in reversed(items) if specific_chars(text[a:b]) >= 3]


def extract(report: Report, found: tuple[Mention, ...]) -> list[Mention]:
    """Project mentions with status and relations (see the module docstring)."""
    lex = _lex()
    text = report.text
    blocked = [m for m in programs.candidates(report)]
    blocked += [m for m in found if m.type == "Organization" and m.attrs.get("org_kind") == "group"]
    facilities = {(m.start, m.end) for m in found if m.type == "Facility"}
    places = [m for m in found if m.type in PLACE_TYPES and not _is_report_place(report, m)]
    orgs = sorted((m for m in found if m.type == "Organization"), key=lambda m: m.start)
    people = sorted({m.key for m in found if m.type == "Person"})
    places.sort(key=lambda m: m.start)
    place_starts = [m.start for m in places]
    org_starts = [m.start for m in orgs]
    cands: list[tuple[int, int, tuple[tuple[int, int], ...]]] = []  # (start, end, list items)
    extra: list[Mention] = []                # programs named by the lists of their projects
    member_of: dict[tuple[int, int], str] = {}

    all_blocked = Intervals((x.start, x.end) for x in blocked)
    hard_blocked = Intervals((x.start, x.end) for x in blocked if x.type != "Organization")

    def inside_blocked(a: int, b: int) -> bool:
        """Inside a blocked span, or overlapping one that is not an organization."""
        return all_blocked.covers(a, b) or hard_blocked.overlaps(a, b)

    for sent in report.sentences:
        if sent.modality == "glossary":
            continue
        lo, hi = sent.start, sent.end
        for h in lex["head_re"].finditer(text, lo, hi):
            end = h.end()
            if text.startswith(lex["head_words"], end):  # 平台试点, 项目工程: the later head ends it
                continue
            if not _right_ok(text, end, hi) or inside_blocked(h.start(), end):
                continue
            c_lo, c_hi = clause_bounds(report, h.start(), end)
            has_cue = bool(lex["cue_re"].search(text, c_lo, c_hi))
            if lex["heads"][h.group(0)] == "weak" and not has_cue:
                continue
            near = max(lo, h.start() - MAX_NAME)  # what ends at the head lies this close to it
            q = QUOTED_LIST.search(text[near:h.start()])
            if q and lex["heads"][h.group(0)] == "strong":  # A、B等“文艺赋美”项目: a program's projects
                qa, qb = near + q.start(1), near + q.end(1)
                prog = Mention("Program", text[qa:qb], qa, qb, strip_quotes(text[qa:qb]),
                               dict(status_attrs(report, qa, qb)))
                extra.append(prog)
                for ia, ib in _items(text, lo, near + q.start()):
                    if not inside_blocked(ia, ib) and not _kind_only(text[ia:ib]):
                        cands.append((ia, ib, ()))
                        member_of[(ia, ib)] = prog.key
                continue
            tail = lex["generic_tail"].search(text[near:h.start()]).group(0)
            g = h.start() - len(tail)
            if g > lo and text[g - 1] == LIST_END:  # A、B等(一批产业)项目: the items are projects
                if lex["heads"][h.group(0)] == "strong" and not any(f in tail for f in lex["field"]):
                    for ia, ib in _items(text, lo, g - 1):
                        if not inside_blocked(ia, ib) and not _kind_only(text[ia:ib]):
                            cands.append((ia, ib, ()))
                continue
            a = left_edge(text, lo, h.start(), lex["stops"], min_chars=2, soft=lex["soft"])
            for prev in lex["quoted_after"].finditer(text, a, h.start()):
                a = prev.end()  # a head right before a quote ends the name before it
            for p in places:  # 武汉建设国际性综合交通枢纽: a place, a soft verb, then the name
                w = _soft_after(text, p.end) if p.start == a else None
                if w and p.end + len(w) < h.start():
                    a = p.end + len(w)
                    break
            if _counted(text, a, end, lo, hi):
                continue  # 55个扩面试点项目, 社区停车综合治理项目111个: a kind of project, counted
            if a >= h.start():
                continue
            if text.count("“", a, end) > text.count("”", a, end) and text[end:end + 1] == "”":
                end += 1
            name = text[a:end]
            if (a, end) in facilities and not has_cue:
                continue
            if is_generic(name) or inside_blocked(a, end):
                continue
            if is_goal(name):
                continue  # 建设国际金融中心: a goal, not a build
            items = tuple(_items(text, lo, a - 1)) if a > lo and text[a - 1] == LIST_END else ()
            cands.append((a, end, items))

    spans = drop_overlaps([_Span(a, b, items) for a, b, items in cands])
    out = []
    for sp in spans:
        name = text[sp.start:sp.end]
        attrs: dict[str, object] = dict(status_attrs(report, sp.start, sp.end))
        label = strip_quotes(name)
        key = key_of(_unplaced(report, name))
        if label != key:
            attrs["label"] = label
        rels: list[Rel] = []
        c_lo, _ = clause_bounds(report, sp.start, sp.end)
        sent = report.sentence_at(sp.start)
        lo, hi = (sent.start, sent.end) if sent else (0, len(text))
        for p in _within(places, place_starts, lo, hi):
            if (p.start, p.end) == (sp.start, sp.end):
                continue
            in_name = sp.start <= p.start and p.end <= sp.end
            in_list = any(ia <= p.start and p.end <= ib for ia, ib in sp.items)
            at = c_lo <= p.start and p.end <= sp.start and text[max(c_lo, p.start - 1):p.start] == "在"
            w = _soft_after(text, p.end)
            led = w is not None and p.end + len(w) == sp.start
            if in_name or in_list or at or led:
                rels.append(Rel(PLACE_TYPES[p.type], p.type, p.key))
        for o in _within(orgs, org_starts, lo, hi):
            in_name = sp.start <= o.start and o.end <= sp.end
            named_with = (c_lo <= o.start and o.end <= sp.start
                          and lex["with"].search(text, o.end, sp.start) is not None)
            if in_name or named_with:
                rels.append(Rel("implementedBy", "Organization", o.key))
        rels += [Rel("namedAfter", "Person", k) for k in people if key.startswith(k) and len(key) > len(k)]
        if (sp.start, sp.end) in member_of:
            rels.append(Rel("belongsToProgram", "Program", member_of[(sp.start, sp.end)]))
        typ = "Program" if _campaign(text, sp.start, name, c_lo) or is_policy(name) else "Project"
        out.append(Mention(typ, name, sp.start, sp.end, key, attrs, tuple(dict.fromkeys(rels))))
    return out + extra


def _kind_only(item: str) -> bool:
    """True for a list item that names a kind, an industry or a goal, not a project."""
    return is_generic(item) or is_industry(item) or is_goal(item)


class _Span:
    def __init__(self, start: int, end: int, items: tuple[tuple[int, int], ...]):
        self.start, self.end, self.items = start, end, items


def _counted(text: str, a: int, end: int, lo: int, hi: int) -> bool:
    """True when a count comes right before the name, or right after it and ends the
    phrase (项目111个，; not 小学3所配套学校, where it counts what follows)."""
    count = _lex()["count"]
    after = count.match(text, end)
    if (after and _right_ok(text, after.end(), hi)) or count.match(text, a):
        return True
    return any(count.fullmatch(text, a - k, a) for k in range(2, min(12, a - lo) + 1))


def _within(ms: list[Mention], starts: list[int], lo: int, hi: int) -> list[Mention]:
    """The mentions (sorted by start, ``starts`` their starts) inside ``[lo, hi)``."""
    return [m for m in ms[bisect.bisect_left(starts, lo):bisect.bisect_left(starts, hi)] if m.end <= hi]


def _soft_after(text: str, pos: int) -> str | None:
    """The soft boundary verb (建设, 提升) that starts at ``pos``, if any."""
    return next((w for w in _lex()["soft_words"] if text.startswith(w, pos)), None)


def _campaign(text: str, start: int, name: str, c_lo: int = 0) -> bool:
    """True for a …工程 after a campaign verb (实施…工程; 实施A、B和…工程, with no
    project cue between them), and for a quoted name with nothing but 项目/工程 after
    it (“两重”项目): a program, not a build."""
    if re.fullmatch(r"“[^“”]+”(?:项目|工程)", name):
        return True
    return name.endswith("工程") and _after_campaign(text, start, c_lo)


def _after_campaign(text: str, start: int, c_lo: int) -> bool:
    """True when a campaign verb of the clause governs what starts at ``start``: right
    before it, or before a list it ends (实施A、B工程), or with no project cue between."""
    lex = _lex()
    if text.endswith(lex["campaign"], 0, start):
        return True
    verb_ends = [i for i in range(c_lo, start) if text.endswith(lex["campaign"], c_lo, i)]
    if not verb_ends:
        return False
    return text[start - 1] in "、和及与" or lex["cue_re"].search(text, verb_ends[-1], start) is None


def _unplaced(report: Report, name: str) -> str:
    """``name`` without the report's own place before a quoted name (周浦“平安簿”系统)."""
    place = str(report.meta.get("place") or "")
    for p in (place, place[:-1]):
        if len(p) >= 2 and name.startswith(p + "“"):
            return name[len(p):]
    return name


def _is_report_place(report: Report, m: Mention) -> bool:
    return m.type == "AdministrativeArea" and m.key == report.meta.get("place")


__all__ = ["extract", "key_of", "is_generic", "is_goal", "is_industry", "is_policy"]
