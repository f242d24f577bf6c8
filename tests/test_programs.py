"""Programs and documents (kg/extract/programs.py): seed gold, patterns on small texts."""
from __future__ import annotations

import pytest

import gold_projects as gold
from conftest import corpus_files, needs_corpus
from kg.extract import programs
from kg.ingest import parse_text
from kg.records import Mention


@pytest.fixture(scope="module")
def rows(seed_report):
    return gold.load(seed_report.text)


@pytest.mark.parametrize("typ", ["Program", "Document"])
def test_seed_precision_recall(seed_result, rows, typ):
    s = gold.score(seed_result.mentions, rows, typ)
    assert s.recall >= 0.9, s.misses
    assert s.precision >= 0.9, s.false_hits


def _progs(body: str, part: str = "上半年工作回顾", found=()):
    r = parse_text(f"{part}\n{body}\n", name="t")
    return [(m.type, m.key) for m in programs.extract(r, found)]


@pytest.mark.parametrize("body,want", [
    ("全面推行河长制、林长制。", [("Program", "河长制"), ("Program", "林长制")]),
    ("开展“拔钉子”行动。", [("Program", "拔钉子行动")]),
    ("深入开展“清源”专项行动。", [("Program", "清源专项行动")]),
    ("形成“1+1+X”的家庭文明建设指导体系。", [("Program", "1+1+X家庭文明建设指导体系")]),
    ("依托“一网通办”等平台。", [("Program", "一网通办")]),
    ("打造“15分钟文化圈”。", [("Program", "15分钟文化圈")]),
    ("推动五违整治精细化。", [("Program", "五违整治")]),
    ("推进美丽庭院建设。", [("Program", "美丽庭院建设")]),
    ("实施自建房安全专项整治。", [("Program", "自建房安全专项整治")]),
    ("分类推进拔点清面行动。", [("Program", "拔点清面行动")]),
    ("完成《国土空间总体规划》编制。", [("Document", "国土空间总体规划")]),
    ("严格落实“第九版防控方案”。", [("Document", "第九版防控方案")]),
])
def test_patterns(body, want):
    assert _progs(body) == want


@pytest.mark.parametrize("body", [
    "建立健全各项内控制度。",           # generic: 各项 says only what kind
    "以实际行动迎接大会。",             # 行动 after a two-character phrase
    "明确改造方案和年度计划。",         # 年度计划 names no plan
    "做好“三会”工作。",                 # a quoted name with no program word
])
def test_not_programs(body):
    assert _progs(body) == []


def test_status_and_organization():
    r = parse_text("下半年工作要点\n与中国翻译协会共同举办傅雷青年翻译人才发展计划。\n", name="t")
    i = r.text.index("中国翻译协会")
    org = Mention("Organization", "中国翻译协会", i, i + 6, "中国翻译协会")
    j = r.text.index("傅雷")
    person = Mention("Person", "傅雷", j, j + 2, "傅雷")
    (m,) = programs.extract(r, (org, person))
    assert m.key == "傅雷青年翻译人才发展计划"
    assert (m.attrs["status"], m.attrs["status_verb"]) == ("planned", "举办")
    assert {(x.predicate, x.key) for x in m.rels} == {("implementedBy", "中国翻译协会"),
                                                      ("namedAfter", "傅雷")}


def test_glossary_definitions_are_left_to_the_glossary():
    assert _progs("“三会”制度是指听证会制度。", part="名词解释") == []


@needs_corpus
@pytest.mark.corpus
@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.stem)
def test_corpus_reports_name_campaigns(path):
    from kg.extract import extract
    from kg.ingest import read_report
    r = read_report(path)
    progs = {m.key for m in extract(r) if m.type == "Program"}
    assert len(progs) >= 15
    assert all(len(k) >= 2 for k in progs)


def test_head_word_running_on_is_no_program():
    assert _progs("始终在思想上政治上行动上同党中央保持一致。彰显中国特色社会主义制度优势。") == []
    # a lost 。 after the head is not a run-on
    assert _progs("分类推进拔点清面行动动态实施划分。") == [("Program", "拔点清面行动")]
