"""The shared status reader (kg/extract/status.py)."""
from __future__ import annotations

import pytest

from kg.extract.status import clause_bounds, status_attrs
from kg.ingest import parse_text
from kg.resources import load_tsv


def _status(body: str, name: str, part: str = "上半年工作回顾") -> dict:
    r = parse_text(f"{part}\n{body}\n", name="t")
    i = r.text.index(name)
    return status_attrs(r, i, i + len(name))


@pytest.mark.parametrize("body,name,status,verb", [
    ("完成周秀路缤纷社区建设项目。", "周秀路缤纷社区建设项目", "completed", "完成"),
    ("甲园、乙中心等产业项目开工建设。", "乙中心", "started", "开工建设"),
    ("扎实推进东南小区综合整新工程。", "东南小区综合整新工程", "in_progress", "推进"),
    ("引入牧禾农场项目,探索新模式。", "牧禾农场项目", "completed", "引入"),
    ("签订国有林地收地协议。", "国有林地收地协议", "completed", "签订"),
    ("年内完成35台加梯任务。", "加梯任务", "planned", "年内完成"),
])
def test_review_verbs(body, name, status, verb):
    got = _status(body, name)
    assert (got["status"], got["status_verb"]) == (status, verb)


def test_plan_section_promises_whatever_the_verb():
    got = _status("完成停车诱导系统建设。", "停车诱导系统", part="下半年工作要点")
    assert (got["status"], got["status_verb"]) == ("planned", "完成")


def test_nearest_verb_in_the_clause_wins():
    # 建成 belongs to the first clause, 推进 to the second
    got = _status("甲中心已建成,推进乙中心建设。", "乙中心")
    assert got["status_verb"] == "推进"
    got = _status("甲中心已建成,推进乙中心建设。", "甲中心")
    assert got["status_verb"] == "建成"


def test_no_verb_no_status():
    assert _status("周浦体育中心面积很大。", "周浦体育中心") == {}


def test_status_offset_points_at_the_verb():
    r = parse_text("上半年工作回顾\n启动建松路立项。\n", name="t")
    i = r.text.index("建松路")
    got = status_attrs(r, i, i + 3)
    assert r.text[got["status_at"]:got["status_at"] + len(got["status_verb"])] == got["status_verb"]


def test_clause_stops_at_commas_not_list_marks():
    r = parse_text("上半年工作回顾\n甲、乙等,丙。\n", name="t")
    a, b = clause_bounds(r, r.text.index("乙"), r.text.index("乙") + 1)
    assert r.text[a:b] == "甲、乙等"


def test_lexicon_values_are_known_statuses():
    from kg.build import _mapping
    allowed = set(_mapping()["status"])
    assert {row["status"] for row in load_tsv("lexicons/status.tsv")} <= allowed


def test_seed_review_and_plan_statuses(seed_result):
    # what the review says was done and what the plan promises, one each from the seed
    by_key = {}
    for m in seed_result.mentions:
        if m.type == "Project":
            by_key.setdefault(m.key, set()).add(m.attrs.get("status"))
    assert by_key["牧禾农场"] == {"completed"}
    assert by_key["平安簿"] == {"in_progress", "planned"}
