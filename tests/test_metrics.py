"""Metrics: the seed against a hand-made gold annotation, non-quantities, the corpus,
and the graph (sorting and filtering money amounts with SPARQL)."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
from conftest import corpus_files, needs_corpus
from gold import locate, read

from kg.extract import extract
from kg.extract import metrics as metrics_mod
from kg.ingest import parse_text, read_report

GOLD = read("metrics.tsv")


@pytest.fixture(scope="module")
def seed_metrics(seed_report):
    return [m for m in extract(seed_report) if m.type == "Metric"]


def _match(seed_report, seed_metrics):
    """gold row -> the extracted metric whose span holds the gold number and unit."""
    pairs = {}
    for i, row in enumerate(GOLD):
        s, e = locate(seed_report.text, row["context"], row["text"])
        hits = [m for m in seed_metrics if m.start <= s and e <= m.end]
        if hits:
            pairs[i] = hits[0]
    return pairs


def test_seed_recall_and_precision(seed_report, seed_metrics):
    pairs = _match(seed_report, seed_metrics)
    recall = len(pairs) / len(GOLD)
    matched = {id(m) for m in pairs.values()}
    extra = [m.text for m in seed_metrics if id(m) not in matched]
    precision = (len(seed_metrics) - len(extra)) / len(seed_metrics)
    missed = [GOLD[i]["context"] for i in range(len(GOLD)) if i not in pairs]
    assert recall >= 0.95, f"recall {recall:.3f}, missed {missed}"
    assert precision >= 0.95, f"precision {precision:.3f}, extra {extra}"


def test_seed_value_and_unit_exact_for_every_match(seed_report, seed_metrics):
    for i, m in _match(seed_report, seed_metrics).items():
        row = GOLD[i]
        got = (m.attrs["value"], m.attrs["unit"], m.attrs["unit_normalized"],
               Decimal(m.attrs["normalized_value"]), m.attrs.get("approx_word", ""))
        want = (row["value"], row["unit"], row["unit_normalized"],
                Decimal(row["normalized_value"]), row["approx_word"])
        assert got == want, row["context"]
        assert m.attrs["approx"] == bool(row["approx_word"])


def test_seed_kind_and_period(seed_report, seed_metrics):
    pairs = _match(seed_report, seed_metrics)
    wrong_kind = [GOLD[i]["context"] for i, m in pairs.items() if m.attrs["kind"] != GOLD[i]["kind"]]
    wrong_period = [GOLD[i]["context"] for i, m in pairs.items()
                    if m.attrs.get("period", "") != GOLD[i]["period"]]
    assert not wrong_kind
    assert not wrong_period


def test_seed_subjects_of_the_economic_figures(seed_report, seed_metrics):
    by_text = {}
    for m in seed_metrics:
        by_text.setdefault(m.text, m.attrs.get("subject"))
    assert by_text["7亿元"] == "财政总收入"
    assert by_text["2.1亿元"] == "一般公共预算收入"
    assert by_text["33.6亿元"] == "规上工业产值"
    assert by_text["154%"] == "规上工业产值"  # 环比4月增长154%: the figure before it
    assert by_text["4177.21亩"] == "签约面积"


@pytest.mark.parametrize("context, inner", [
    ("3月27日晚", "3月27日"),
    ("1-6月,财政总收入", "1-6月"),
    ("争创2021-2022年度", "2021-2022年度"),
    ("全力做好1平方公里09-02", "1平方公里"),
    ("周祝公路1号桥", "1号桥"),
    ("联勤联动微平台3.0版", "3.0版"),
    ("开展12355亲子共育", "12355"),
    ("傅雷诞辰114周年", "114周年"),
    ("发动60周岁以上老年人", "60周岁"),
    ("1个周浦镇社区家庭文明建设指导中心", "1个"),
    ("X个居村家庭教育指导点", "X个"),
    ("“1个领导小组+N个工作专班”", "1个"),
    ("“15分钟文明实践圈”", "15分钟"),
    ("第二十届周浦镇", "第二十届"),
    ("周东5组", "5组"),
    ("五届区委二次全会", "二次"),
])
def test_non_quantities_are_not_metrics(seed_report, seed_metrics, context, inner):
    s, e = locate(seed_report.text, context, inner)
    assert not [m.text for m in seed_metrics if m.start < e and s < m.end]


def test_chinese_numerals_and_hedges():
    r = parse_text("上半年工作回顾\n一、造林\n新增造林三千亩,其中近二十万亩已验收。一批项目开工,"
                   "打通服务群众最后一公里,投入１２.５亿元、两万亿元。\n", name="t")
    got = [(m.text, m.attrs["value"], m.attrs["unit"], m.attrs.get("approx_word"))
           for m in metrics_mod.extract(r, ())]
    assert got == [("三千亩", "3000", "亩", None), ("近二十万亩", "20", "万亩", "近"),
                   ("１２.５亿元", "12.5", "亿元", None), ("两万亿元", "2", "万亿元", None)]


def test_full_width_text_and_rates():
    r = parse_text("下半年工作要点\n一、发展\n全员劳动生产率达58万元／人左右，城镇调查失业率控制在5.5％以内。\n",
                   name="t")
    ms = metrics_mod.extract(r, ())
    assert [(m.attrs["unit"], m.attrs["unit_normalized"], m.attrs["kind"]) for m in ms] == [
        ("万元／人", "yuan/人", "target"), ("％", "percent", "target")]
    assert ms[1].attrs["approx_word"] == "以内"


@needs_corpus
@pytest.mark.corpus
@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.stem)
def test_corpus_reports_have_many_sound_metrics(path):
    report = read_report(path)
    ms = [m for m in extract(report) if m.type == "Metric"]
    assert len(ms) >= len(report.text) / 250  # at least 4 per 1,000 characters
    for m in ms:
        assert report.text[m.start:m.end] == m.text
        assert Decimal(m.attrs["normalized_value"]) == Decimal(m.attrs["value"]) * Decimal(m.attrs["scale"])
        assert m.attrs["kind"] in ("actual", "target", "change", "threshold")
        assert not re.search(r"[\d〇一二三四五六七八九十][年月日号届版]$", m.text), m.text  # dates, names
    # a provincial report states its GDP in 万亿元 or 亿元 and a growth rate in %
    assert any(m.attrs["unit"] in ("万亿元", "亿元") for m in ms)
    assert sum(m.attrs["unit"] in ("%", "％") for m in ms) >= 20
    assert any(m.attrs["kind"] == "target" for m in ms)


PREFIXES = """PREFIX kg: <https://w3id.org/gwr-kg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


@pytest.fixture(scope="module")
def store(seed_store):
    return seed_store


def test_graph_money_in_yuan_largest_first(store):
    rows = list(store.query(PREFIXES + """
        SELECT ?yuan ?unit ?anchor ?subject WHERE {
          ?m a kg:Metric ; kg:normalizedUnit "yuan" ; kg:normalizedValue ?yuan ; kg:unitText ?unit ;
             prov:wasDerivedFrom ?mention .
          ?mention nif:anchorOf ?anchor .
          OPTIONAL { ?m kg:subjectLabel ?subject }
        } ORDER BY DESC(?yuan)"""))
    want = sorted((Decimal(g["normalized_value"]) for g in GOLD if g["unit_normalized"] == "yuan"),
                  reverse=True)
    assert [Decimal(r["yuan"].value) for r in rows] == want
    assert rows[0]["subject"].value == "规上工业产值" and rows[0]["anchor"].value == "33.6亿元"


def test_graph_filters_numerically_and_metrics_are_observations(store):
    above = list(store.query(PREFIXES + """
        SELECT ?m WHERE { ?m a kg:Metric ; kg:normalizedUnit "yuan" ; kg:normalizedValue ?v .
                          FILTER (?v > 100000000) }"""))
    assert len(above) == sum(1 for g in GOLD if g["unit_normalized"] == "yuan"
                             and Decimal(g["normalized_value"]) > 10 ** 8)
    kinds = list(store.query(PREFIXES + """
        SELECT ?v WHERE { ?m a kg:Metric ; kg:value ?v . FILTER (datatype(?v) != xsd:decimal) }"""))
    assert kinds == []
    assert store.query(PREFIXES + "ASK { kg:Metric rdfs:subClassOf qb:Observation }")


def test_shapes_catch_a_broken_metric(seed_build):
    """The Metric shape: one decimal value, value × scale = normalized value, known kind."""
    from rdflib import Literal
    from rdflib.namespace import RDF, XSD

    from kg.validate import load_graph, validate_graph
    from kg.vocab import KG

    g = load_graph(seed_build / "kg.ttl")
    m = next(g.subjects(KG.unitText, Literal("亿元")))
    assert (m, RDF.type, KG.Metric) in g
    g.set((m, KG.normalizedValue, Literal("1", datatype=XSD.decimal)))
    g.set((m, KG.metricKind, Literal("guess")))
    conforms, report = validate_graph(g)
    assert not conforms
    assert "value times its scale" in report and "guess" in report


def test_measures_links_only_the_named_thing():
    """From the subject phrase or the thing counted, never the nearest name: 7座 counts
    公共停车场 (no entity), not the 停车诱导系统 before it."""
    from kg.records import Mention
    text = ("下半年工作要点\n一、治理\n完成停车诱导系统建设,对接7座公共停车场。新建1家星级型爱心妈咪小屋。"
            "引江济淮工程完成投资120亿元。\n")
    r = parse_text(text, name="t")

    def mention(type_, name):
        at = text.index(name)
        return Mention(type_, name, at, at + len(name), name)

    found = (mention("Project", "停车诱导系统"), mention("Project", "星级型爱心妈咪小屋"),
             mention("Project", "引江济淮工程"))
    got = [(m.text, [(x.predicate, x.key) for x in m.rels]) for m in metrics_mod.extract(r, found)]
    assert got == [("7座", []), ("1家", [("measures", "星级型爱心妈咪小屋")]),
                   ("120亿元", [("measures", "引江济淮工程")])]
    assert [m.rels for m in metrics_mod.extract(r, ())] == [(), (), ()]


def test_ranges_are_one_metric_with_an_upper_bound():
    r = parse_text("下半年工作要点\n一、发展\n全省生产总值增长5%—5.5%,保障重大项目用能1302万吨标准煤。\n", name="t")
    got = [(m.text, m.attrs["value"], m.attrs.get("value_max"), m.attrs["unit_normalized"])
           for m in metrics_mod.extract(r, ())]
    assert got == [("5%—5.5%", "5", "5.5", "percent"), ("1302万吨标准煤", "1302", None, "tce")]


def test_data_files_are_sound():
    """Every unit has a normalized name, a decimal scale and a counter flag; patterns compile."""
    from kg.resources import load_toml, load_tsv
    rows = load_tsv("lexicons/units.tsv")
    assert len({r["unit"] for r in rows}) == len(rows)
    for r in rows:
        assert r["normalized"] and Decimal(r["scale"]) > 0 and r["counter"] in ("yes", "no"), r
    rules = load_toml("rules/metrics.toml")
    for p in rules["period"]["patterns"] + rules["kind"]["target_patterns"] + rules["names"]["after_unit"]:
        re.compile(p)
    assert all(Decimal(v) > 1 for v in rules["scale"].values())
    assert metrics_mod._pattern().search("财政总收入7亿元")


CORPUS_GOLD = read("metrics_corpus.tsv")


@needs_corpus
@pytest.mark.corpus
@pytest.mark.parametrize("name", sorted({g["report"] for g in CORPUS_GOLD}))
def test_corpus_paragraphs_against_gold(name):
    """Recall, precision, value and unit on hand-annotated paragraphs of the corpus."""
    from conftest import CORPUS
    report = read_report(CORPUS / f"{name}.txt")
    text = report.text
    rows = [g for g in CORPUS_GOLD if g["report"] == name]
    spans = [locate(text, g["context"], g["text"]) for g in rows]
    para = [p for p in report.paragraphs if any(p.start <= s < p.end for s, _ in spans)]
    ms = [m for m in extract(report) if m.type == "Metric"
          and any(p.start <= m.start < p.end for p in para)]
    matched, kinds = {}, 0
    for g, (s, e) in zip(rows, spans):
        hit = [m for m in ms if m.start <= s and e <= m.end]
        if hit:
            matched[id(hit[0])] = hit[0]
            assert (hit[0].attrs["value"], hit[0].attrs["unit"]) == (g["value"], g["unit"]), g["context"]
            kinds += hit[0].attrs["kind"] == g["kind"]
    assert len(matched) / len(rows) >= 0.95  # recall
    assert len(matched) / len(ms) >= 0.95  # precision
    assert kinds / len(rows) >= 0.9


def test_range_upper_bound_in_the_graph():
    from rdflib import Literal
    from rdflib.namespace import XSD

    from kg.build import build_dataset, union_graph
    from kg.vocab import KG
    r = parse_text("下半年工作要点\n一、发展\n全省生产总值增长5%—5.5%。\n", name="t")
    g = union_graph(build_dataset([r], with_ontology=False))
    m = next(g.subjects(KG.unitText, Literal("%")))
    assert g.value(m, KG.value) == Literal("5.0", datatype=XSD.decimal)
    assert g.value(m, KG.maxValue) == Literal("5.5", datatype=XSD.decimal)
    assert str(g.value(m, KG.metricKind)) == "target"
