"""Facts (issue 12): actions, indicators and commitments on the seed and the shared corpus,
through the library queries a user runs, and against the gold of tests/gold/facts/."""
from __future__ import annotations

import csv
import io
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from kg.build import build_dataset
from kg.facts.periods import contains, normalize
from kg.ingest import parse_text, read_report
from kg.query import run_query
from kg.serialize import to_trig
from tests.conftest import ROOT, corpus_files, needs_corpus

GOLD = ROOT / "tests" / "gold" / "facts"


def rows(query: str, data: Path, **params) -> list[dict[str, str]]:
    text = run_query(query, data, params={k: str(v) for k, v in params.items()}, fmt="csv")
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


# -- periods ----------------------------------------------------------------------------

@pytest.mark.parametrize("word, year, part, period", [
    ("1-6月", 2022, None, "2022H1"), ("1-5月", 2022, None, "2022M01-2022M05"),
    ("年内", 2022, None, "2022"), ("全年", 2026, 2025, "2025"), ("今年", 2026, 2025, "2026"),
    ("去年", 2026, None, "2025"), ("过去五年", 2026, None, "2021-2025"),
    ("“十四五”时期", 2026, None, "2021-2025"), ("十五五时期", 2026, None, "2026-2030"),
    ("到2035年", 2026, None, "2035"), ("6月单月", 2022, None, "2022M06"),
    ("上半年", 2026, 2025, "2025H1"), ("13-2月", 2022, None, None),
])
def test_period_words_mean_periods_of_the_report(word, year, part, period):
    assert normalize(word, year, part) == period


def test_period_containment():
    assert contains("2022", "2022H1") and contains("2021-2025", "2023")
    assert not contains("2022H1", "2022") and not contains("2026", "2025")


# -- the seed: the planner's questions ------------------------------------------------------

def test_elevator_question_is_one_library_query(seed_build):
    got = rows("indicators", seed_build / "kg.ttl", name="加装电梯")
    facts = sorted((r["period"], r["kind"], r["value"], r["unit"], r["action"]) for r in got)
    assert facts == [("2022", "target", "35", "台", "完成"),
                     ("2022H1", "actual", "15", "台", "签约"),
                     ("2022H1", "actual", "3", "台", "开工")]
    assert {r["area"] for r in got} == {"周浦镇"} and all(r["sentence"] for r in got)
    # a synonym finds the same indicator
    assert len(rows("indicators", seed_build / "kg.ttl", name="加梯")) == 3


def test_fitmoku_parcel_signed_in_h1_sale_planned_in_h2(seed_build):
    got = rows("actions", seed_build / "kg.ttl", name="菲特莫古地块")
    acts = {(r["action"], r["state"], r["period"]) for r in got}
    assert ("收地", "completed", "2022H1") in acts
    assert ("出让", "planned", "2022H2") in acts
    sold = rows("parcels", seed_build / "kg.ttl", status="planned", action="出让")
    codes = " ".join(r["codes"] for r in sold)
    assert "08单元16-02" in codes and "I-I-7" in codes
    assert "07单元B2-7" not in codes  # its action is 储备, not 出让


def test_a_place_only_where_a_project_happens_has_no_status(seed_build, seed_store):
    q = """PREFIX kg: <https://w3id.org/gwr-kg/ontology#>
           ASK { ?r a kg:Road ; kg:key "周秀路" . { ?r kg:status ?s } UNION { ?r kg:statusAssertion ?a } }"""
    assert not seed_store.query(q)
    # the project it is part of carries the action
    got = rows("actions", seed_build / "kg.ttl", name="缤纷社区建设项目")
    assert {(r["state"], r["period"]) for r in got} == {("completed", "2022H1")}


def test_each_class_carries_only_its_own_actions(seed_build):
    got = rows("actions", seed_build / "kg.ttl")
    by_class = Counter(r["class"].rsplit("#", 1)[-1] for r in got)
    assert by_class["LandParcel"] >= 10 and by_class["Project"] >= 20
    land = {r["action"] for r in got if r["class"].endswith("LandParcel")}
    assert land <= {"收地", "征收清盘", "出让", "储备", "推进"}, land


def test_elevator_target_answered_in_part_by_the_h1_figures(seed_build):
    got = rows("commitments", seed_build / "kg.ttl", answer="partly")
    lift = {(r["outcome"], r["outcome_period"], r["progress"]) for r in got if r["what"] == "加装电梯"}
    assert lift == {("开工3台", "2022H1", "0.0857"), ("签约15台", "2022H1", "0.4286")}


# -- commitments across reports -------------------------------------------------------------

PLAN_2025 = "2025年工作安排\n今年主要预期目标是：地区生产总值增长5%左右，城镇调查失业率控制在5.5%以内。\n"
REVIEW_2025 = ("2025年工作回顾\n地区生产总值增长5.4%，城镇调查失业率5.8%。\n"
               "2026年工作安排\n地区生产总值增长5%左右。\n")


def test_a_target_meets_the_outcome_in_the_next_report_of_the_area(tmp_path):
    a = parse_text(PLAN_2025, name="p2025", meta={"place": "测试市", "year": "2025", "title": "2025年报告"})
    b = parse_text(REVIEW_2025, name="p2026", meta={"place": "测试市", "year": "2026", "title": "2026年报告"})
    ds = build_dataset([a, b], with_ontology=False, tagger=False)
    out = tmp_path / "kg.trig"
    out.write_text(to_trig(ds), encoding="utf-8")
    got = rows("commitments", out)
    answers = {(r["what"], r["promised"], r["answer"], r["outcome"], r["answer_report"]) for r in got
               if r["promise_report"] == "2025年报告"}
    assert ("地区生产总值", "5%左右", "met", "5.4%", "2026年报告") in answers
    assert ("城镇调查失业率", "5.5%以内", "not_met", "5.8%", "2026年报告") in answers
    # the 2026 target has no outcome yet
    later = [r for r in got if r["promise_report"] == "2026年报告"]
    assert later and all(r["answer"] == "not_reported" for r in later)


# -- the shared corpus --------------------------------------------------------------------

@pytest.fixture(scope="module")
def corpus_build(tmp_path_factory):
    from kg.pipeline import build
    out = tmp_path_factory.mktemp("corpus")
    build(corpus_files(), out, html=False, tagger=False)
    return out / "kg.ttl"


@needs_corpus
def test_every_report_gives_its_gdp_target_and_outcome_in_one_query(corpus_build):
    got = rows("targets", corpus_build, name="地区生产总值", period="2026", measure="change")
    assert len({r["report"] for r in got}) == len(corpus_files())
    by_area = {r["area"]: r for r in got}
    assert (by_area["北京市"]["target"], by_area["北京市"]["approx"], by_area["北京市"]["outcome"]) == \
        ("5", "true", "5.4")
    assert (by_area["浙江省"]["target"], by_area["浙江省"]["target_max"], by_area["浙江省"]["outcome"]) == \
        ("5", "5.5", "5.5")
    assert (by_area["黑龙江省"]["target"], by_area["黑龙江省"]["target_max"]) == ("4.5", "5")
    with_outcome = [r for r in got if r["outcome"]]
    assert len(with_outcome) >= len(got) - 2, [r["area"] for r in got if not r["outcome"]]
    for r in got:
        assert Decimal("3") <= Decimal(r["target"]) <= Decimal("8"), r


# -- against the gold (written by reading) ------------------------------------------------------

def _bench():
    import importlib.util
    spec = importlib.util.spec_from_file_location("bench_facts", ROOT / "tests" / "bench" / "bench_facts.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@needs_corpus
def test_facts_hold_against_the_gold():
    from kg.facts.evaluate import pr
    res = _bench().run(tagger=True)
    ind, act = Counter(res["indicators"]), Counter(res["actions"])
    p, r = pr(ind)
    assert p >= 0.85 and r >= 0.70, (p, r)
    p, r = pr(act, "found")
    assert p >= 0.80 and r >= 0.60, (p, r)


def test_gold_quotes_are_in_their_reports():
    for path in sorted(GOLD.glob("*.indicators.tsv")) + sorted(GOLD.glob("*.actions.tsv")):
        name = path.name.split(".")[0]
        src = ROOT / "data" / "reports" / f"{name}.txt"
        if not src.is_file():
            src = ROOT.parent / "shared" / "corpus" / f"{name}.txt"
        if not src.is_file():
            continue
        text = read_report(src).text
        from kg.facts.evaluate import read_gold
        for row in read_gold(path):
            assert row["quote"] in text, (path.name, row["quote"])


# -- pages ----------------------------------------------------------------------------------

def test_indicator_page_charts_and_tables_the_observations(seed_build):
    from kg.facts.page import indicator_page, promises_page
    from kg.store import load_store
    store = load_store(seed_build / "kg.ttl")
    page = indicator_page(store, "加梯")
    assert page.count("<rect") >= 3 and "加装电梯" in page and "签约" in page
    assert "<script" not in page
    prom = promises_page(store, "2022h1_zhoupu")
    assert 'class="partly"' in prom and "加装电梯" in prom


def test_report_text_is_escaped_on_fact_pages(tmp_path):
    from kg.facts.page import indicator_page
    from kg.store import load_store
    r = parse_text("上半年工作回顾\n<b>甲</b>加装电梯签约15台。\n", name="esc",
                   meta={"place": "测试镇", "year": "2022", "period": "上半年"})
    ds = build_dataset([r], with_ontology=False, tagger=False)
    out = tmp_path / "kg.trig"
    out.write_text(to_trig(ds), encoding="utf-8")
    store = load_store(out)
    labels = [row[0] for row in store.query(
        "SELECT ?l WHERE { ?i a <https://w3id.org/gwr-kg/ontology#Indicator> ; "
        "<http://www.w3.org/2004/02/skos/core#prefLabel> ?l }").rows]
    assert labels
    page = indicator_page(store, str(labels[0]))
    assert "<b>" not in page and "&lt;b&gt;" in page


def test_observations_of_no_known_area_answer_only_their_own_report():
    """A target whose area the report does not name is answered by its own report alone:
    two reports of places the build cannot tell apart do not answer each other (and the
    corpus stage does not compare every such target with every such outcome)."""
    from kg.facts.commitments import Entry, link
    t = Entry("obs", "t", "r1", "2025", "target", ind="gdp", area="", measure="change", unit="%", value=5)
    mine = Entry("obs", "o1", "r1", "2025", "actual", ind="gdp", area="", measure="change", unit="%", value=5.2)
    other = Entry("obs", "o2", "r2", "2025", "actual", ind="gdp", area="", measure="change", unit="%", value=6)
    assert [(c.promise, c.answer, c.value) for c in link([t, other])] == [("t", None, "not_reported")]
    assert [(c.promise, c.answer, c.value) for c in link([t, mine, other])] == [("t", "o1", "met")]
    named = Entry("obs", "o3", "r2", "2025", "actual", ind="gdp", area="a", measure="change", unit="%", value=6)
    target = Entry("obs", "t2", "r1", "2025", "target", ind="gdp", area="a", measure="change", unit="%", value=5)
    assert [(c.answer, c.value) for c in link([target, named])] == [("o3", "met")]  # a named area still links
