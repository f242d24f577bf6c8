"""Organizations and people (kg/extract/orgs.py): seed gold, patterns on small texts."""
from __future__ import annotations

import pytest

import gold_projects as gold
from conftest import corpus_files, needs_corpus
from kg.extract import orgs
from kg.ingest import parse_text


@pytest.fixture(scope="module")
def rows(seed_report):
    return gold.load(seed_report.text)


def test_seed_organizations_precision_recall(seed_result, rows):
    s = gold.score(seed_result.mentions, rows, "Organization")
    assert s.recall >= 0.9, s.misses
    assert s.precision >= 0.9, s.false_hits


def test_seed_people(seed_result, rows):
    s = gold.score(seed_result.mentions, rows, "Person")
    assert s.recall == 1.0, s.misses
    assert s.precision == 1.0, s.false_hits


def _orgs(body: str, found=()):
    r = parse_text(f"上半年工作回顾\n{body}\n", name="t")
    return [(m.key, m.attrs.get("org_kind")) for m in orgs.extract(r, found) if m.type == "Organization"]


def test_government_bodies_after_a_level():
    assert _orgs("在区委、区政府和镇党委的领导下,主动接受镇人大监督。") == [
        ("区委", "gov"), ("区政府", "gov"), ("镇党委", "gov"), ("镇人大", "gov")]


def test_government_body_takes_the_place_before_it():
    r = parse_text("# place: 周浦镇\n上半年工作回顾\n我代表周浦镇人民政府作报告。\n", name="t")
    assert [m.key for m in orgs.extract(r, ())] == ["周浦镇人民政府"]


def test_not_a_body_inside_a_word():
    assert _orgs("加强社区委托管理。表彰优秀村委员。") == []


def test_working_group_keeps_conjunctions_inside():
    assert _orgs("成立土地储备及征收工作领导小组。") == [("土地储备及征收工作领导小组", "group")]


def test_companies_inside_project_names_but_not_industries():
    got = _orgs("推进沃比医疗研发总部、扬子江药业上海学术科研中心项目建设。发展生物医药产业,推广科技助老。")
    assert got == [("沃比医疗", "company"), ("扬子江药业", "company")]


def test_generic_groups_are_not_organizations():
    assert _orgs("建立核酸采样、消杀服务等多个工作组。") == []


def test_people_from_cues_and_their_other_mentions():
    r = parse_text("下半年工作要点\n依托傅雷图书馆开展活动。纪念傅雷诞辰。深入贯彻习近平总书记重要讲话精神。\n",
                   name="t")
    ms = orgs.extract(r, ())
    people = sorted({(m.key, m.attrs.get("role", "")) for m in ms if m.type == "Person"})
    assert people == sorted([("傅雷", ""), ("习近平", "总书记")])
    assert len([m for m in ms if m.key == "傅雷"]) == 2
    lib = next(m for m in ms if m.key == "傅雷图书馆")
    assert [(x.predicate, x.key) for x in lib.rels] == [("namedAfter", "傅雷")]


def test_body_at_the_start_of_a_group_is_its_parent():
    r = parse_text("# place: 周浦镇\n上半年工作回顾\n成立周浦镇人民政府招商工作领导小组。\n", name="t")
    ms = {m.key: m for m in orgs.extract(r, ())}
    assert set(ms) == {"周浦镇人民政府", "周浦镇人民政府招商工作领导小组"}
    assert [(x.predicate, x.key) for x in ms["周浦镇人民政府招商工作领导小组"].rels] == [
        ("subOrganizationOf", "周浦镇人民政府")]


def test_a_boundary_word_is_no_ones_name():
    r = parse_text("上半年工作回顾\n深入贯彻落实总书记重要讲话精神。\n", name="t")
    assert [m for m in orgs.extract(r, ()) if m.type == "Person"] == []


@needs_corpus
@pytest.mark.corpus
@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.stem)
def test_corpus_reports_name_their_own_government(path):
    from kg.extract import extract
    from kg.ingest import read_report
    ms = [m for m in extract(read_report(path)) if m.type == "Organization"]
    keys = {m.key for m in ms}
    # its own government: 省人民政府, 自治区人民政府 or 省政府, whichever the text writes
    assert any(k.endswith("政府") for k in keys), sorted(keys)
    assert "党中央" in keys
