"""Administrative areas, villages, communities, zones and facilities: scored against
tests/gold/places.tsv (written by reading the seed), the gazetteer, the graph, and what
the extractor finds in the shared corpus."""
from __future__ import annotations

import pytest
from rdflib import Graph, Literal, Namespace
from rdflib.namespace import RDF, RDFS

from kg import gazetteer
from kg.extract import places, roads
from kg.ingest import parse_text, read_report
from kg.validate import validate_graph
from tests.conftest import corpus_files, needs_corpus
from tests.gold.places_eval import score

KG = Namespace("https://w3id.org/gwr-kg/ontology#")


@pytest.mark.parametrize("cls", ["Village", "Community", "Zone", "Facility", "AdministrativeArea"])
def test_seed_precision_recall(seed_result, cls):
    s = score(seed_result.entities)[cls]
    assert s.precision >= 0.9, f"{cls}: false positives {s.fp}"
    assert s.recall >= 0.9, f"{cls}: missed {s.fn}"


def test_gazetteer_chain_and_codes():
    chain = gazetteer.locate("上海市浦东新区周浦镇人民政府")
    assert [(d.name, d.code) for d in chain] == [("上海市", "310000"), ("浦东新区", "310115"),
                                                 ("周浦镇", "")]
    # 新华街道 exists in many counties; inside a context it is one
    assert len(gazetteer.lookup("新华街道")) > 1
    assert gazetteer.best("新华街道") is None
    assert gazetteer.best("浦东新区").code == "310115"


def test_admin_chain_in_graph(seed_build):
    g = Graph()
    g.parse(seed_build / "kg.ttl")

    def node(label):
        (n,) = set(g.subjects(RDFS.label, Literal(label, lang="zh"))) & set(
            g.subjects(RDF.type, KG.AdministrativeArea))
        return n

    town, district, city = node("周浦镇"), node("浦东新区"), node("上海市")
    assert (town, KG.locatedIn, district) in g
    assert (district, KG.locatedIn, city) in g
    assert str(g.value(district, KG.adminCode)) == "310115"
    assert str(g.value(city, KG.adminCode)) == "310000"
    # places of the town are located in it unless the text says otherwise
    (library,) = set(g.subjects(RDFS.label, Literal("傅雷图书馆", lang="zh"))) & set(
        g.subjects(RDF.type, KG.Facility))
    assert (library, KG.locatedIn, town) in g


def test_bare_village_names_from_the_gazetteer(seed_result):
    text = seed_result.report.text
    vill = [m for m in seed_result.mentions if m.type == "Village" and m.key == "沈西村"]
    assert [m.text for m in vill] == ["沈西", "沈西"]
    assert all(text[m.start:m.end] == "沈西" for m in vill)


def test_list_items_share_a_kind_suffix(seed_report):
    """The rules' reading of a list with one shared suffix (the tagger reads 周东 as an item
    of the facility list 周东、幸福居民区卫生服务站 instead)."""
    from kg.build import analyse
    ms = {(m.type, m.key): m for m in analyse(seed_report, tagger=False).mentions}
    assert ms[("Community", "周东居民区")].text == "周东"
    assert ("Community", "南八创欣") in ms          # beside 中虹佳园: a name, not 南八创欣佳园
    assert ("Community", "南八创欣佳园") not in ms


def test_zone_named_by_its_tail_is_one_entity(seed_result):
    (zone,) = [e for e in seed_result.entities if e.cls == "Zone" and e.key == "国际医学园区"]
    assert sorted({m.text for m in zone.mentions}) == ["医学园区", "国际医学园区"]


def test_no_chain_no_gazetteer_villages():
    r = parse_text("上半年工作回顾\n推动沈西高标准蔬菜示范基地建设,改造菱翔苑。\n", name="t")
    ms = places.extract(r, ())
    assert [(m.type, m.text) for m in ms] == [("Community", "菱翔苑")]


def test_generic_nouns_are_not_places():
    r = parse_text("上半年工作回顾\n推进乡村振兴,3个小区、5个城中村和各居村完成改造,"
                   "加强老旧小区和农贸市场管理,开设常态化采样点。\n", name="t")
    assert places.extract(r, ()) == []


def test_shapes_catch_a_segment_without_its_road(seed_build):
    g = Graph()
    g.parse(seed_build / "kg.ttl")
    ok, _ = validate_graph(g)
    assert ok
    (seg,) = g.subjects(RDFS.label, Literal("中大街(周康路-梓年街)", lang="zh"))
    g.remove((seg, KG.segmentOf, None))
    ok, report = validate_graph(g)
    assert not ok and "segment" in report


@needs_corpus
@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.stem)
def test_corpus_reports(path):
    """Every mention matches its text; the report's own province or municipality is found
    with its code; 乡村/农村 (countryside) are never villages."""
    r = read_report(path)
    found = tuple(roads.extract(r, ()))
    ms = places.extract(r, found)
    for m in ms:
        assert r.text[m.start:m.end] == m.text
    chain = places.report_chain(r)
    assert chain and chain[0].level == "province"
    codes = {m.attrs.get("admin_code") for m in ms if m.type == "AdministrativeArea"}
    assert chain[0].code in codes
    assert not [m.key for m in ms if m.type == "Village" and m.key.endswith(("乡村", "农村"))]


@needs_corpus
def test_corpus_known_places():
    """Places read in the corpus reports by hand."""
    want = {
        "2026_shanghai": {("AdministrativeArea", "浦东新区"), ("Facility", "上海博物馆"),
                          ("Facility", "浦东国际机场"), ("Zone", "洋山特殊综合保税区")},
        "2026_zhejiang": {("Facility", "浙江大学"), ("Facility", "杭州萧山国际机场")},
        "2026_chongqing": {("Facility", "江北国际机场"), ("Village", "民主村")},
    }
    for path in corpus_files():
        if path.stem not in want:
            continue
        r = read_report(path)
        found = tuple(roads.extract(r, ()))
        keys = {(m.type, m.key) for m in places.extract(r, found)}
        assert want[path.stem] <= keys, path.stem


UNSEEN = """# title: 川沙新镇2023年政府工作报告
# publisher: 上海市浦东新区川沙新镇人民政府
# place: 川沙新镇
川沙新镇2023年政府工作报告
各位代表：
一、2022年工作回顾
（一）城市建设
完成华夏东路（川沙路—妙境路）拓宽工程，推进川黄路（华夏东路以北）建设。完成新德路、川环南路等道路大修。完成三灶浜（川沙路—华夏东路）河道整治，推进赵家沟、随塘河水系连通。完成C06-03、C06-05地块出让，启动11单元A1-2地块储备。迪士尼度假区周边环境整治有序推进，黄楼村、连民村、界龙村完成美丽乡村建设。推进城南社区、新川家园、绿洲城市花园等小区综合治理，完成川沙中学改扩建、川沙图书馆改造和六团卫生服务中心建设，川沙汽车站投入使用。
二、2023年工作安排
加快川沙经济园区转型。
"""


def test_a_report_of_another_town():
    """A town report written for this test (full-width punctuation, another town): what a
    reader finds in it, class by class, with the rules alone (``--names rules``; with the
    tagger, see the next test)."""
    from kg.build import analyse
    res = analyse(parse_text(UNSEEN, name="unseen"), tagger=False)
    got = {(e.cls, e.key) for e in res.entities}
    want = {
        ("AdministrativeArea", "川沙新镇"),
        ("Road", "华夏东路"), ("Road", "川沙路"), ("Road", "妙境路"), ("Road", "川黄路"),
        ("Road", "新德路"), ("Road", "川环南路"),
        ("RoadSegment", "华夏东路(川沙路-妙境路)"), ("RoadSegment", "川黄路(华夏东路以北)"),
        ("WaterwaySegment", "三灶浜(川沙路-华夏东路)"), ("Waterway", "三灶浜"),
        ("Waterway", "赵家沟"), ("Waterway", "随塘河"),
        ("LandParcel", "C06-03"), ("LandParcel", "C06-05"), ("LandParcel", "11单元A1-2"),
        ("PlanningUnit", "11单元"),
        ("Village", "黄楼村"), ("Village", "连民村"), ("Village", "界龙村"),
        ("Community", "城南社区"), ("Community", "新川家园"), ("Community", "绿洲城市花园"),
        ("Facility", "川沙中学"), ("Facility", "川沙图书馆"), ("Facility", "六团卫生服务中心"),
        ("Facility", "川沙汽车站"), ("Zone", "迪士尼度假区"), ("Zone", "川沙经济园区"),
    }
    mine = {k for k in got if k[0] in {c for c, _ in want}}
    assert want - mine == set()
    assert mine - want == set()
    (town,) = [e for e in res.entities if e.key == "川沙新镇"]
    assert [(r.predicate, r.key) for r, _ in town.rels][:1] == [("locatedIn", "浦东新区")]


def test_a_report_of_another_town_with_the_tagger():
    """With the tagger (the default) the closed patterns and the names the corpus teaches
    stay; town-level names it saw too rarely are where it loses recall (README, Names)."""
    from kg.build import analyse
    res = analyse(parse_text(UNSEEN, name="unseen"))
    got = {(e.cls, e.key) for e in res.entities}
    assert {("RoadSegment", "华夏东路(川沙路-妙境路)"), ("RoadSegment", "川黄路(华夏东路以北)"),
            ("WaterwaySegment", "三灶浜(川沙路-华夏东路)"), ("LandParcel", "C06-03"),
            ("LandParcel", "11单元A1-2"), ("PlanningUnit", "11单元"),
            ("Road", "新德路"), ("Road", "川环南路"), ("Facility", "川沙图书馆"),
            ("Facility", "川沙汽车站"), ("Facility", "川沙中学"),
            ("Village", "黄楼村"), ("Village", "连民村"), ("Village", "界龙村"),
            ("Community", "城南社区"), ("Community", "绿洲城市花园"), ("Community", "新川家园")} <= got
    # the BIOES model of the reviewed corpus reads 新川家园 as a community (the BIO model
    # read a zone), but doubts 川沙经济园区 in 加快…转型 (belief 0.43 < [merge] verify 0.5;
    # 0.91 in 推进…建设): it is among the town-level names the README lists as missed
    assert ("AdministrativeArea", "川沙新镇") in got and ("Zone", "川沙新镇") not in got


def test_report_without_places_builds_a_valid_graph(tmp_path):
    from kg.pipeline import build
    from kg.validate import validate_file
    src = tmp_path / "none.txt"
    src.write_text("上半年工作回顾\n加强学习，提高思想认识。\n", encoding="utf-8")
    build([src], tmp_path / "out", html=False)
    ok, report = validate_file(tmp_path / "out" / "kg.ttl")
    assert ok, report


def test_place_data_files_are_well_formed():
    """Every suffix row names a mention type the graph knows; every pattern compiles."""
    import re

    from kg.records import MENTION_TYPES
    from kg.resources import load_toml, load_tsv
    for name in ("lexicons/places_suffixes.tsv", "lexicons/roads_suffixes.tsv"):
        for row in load_tsv(name):
            assert row["type"] in MENTION_TYPES, (name, row)
            assert 0 <= int(row["min_stem"]) <= int(row["max_stem"]), (name, row)
    rules = load_toml("rules/places.toml")
    for pat in (rules["villages"]["group"], rules["lists"]["cue"], rules["lists"]["item_tail"]):
        re.compile(pat)
    assert set(rules["lists"]["kinds"].values()) <= set(MENTION_TYPES)
    for section in load_toml("rules/parcels.toml").values():
        for key, value in section.items():
            if isinstance(value, str) and "(?" in value:
                re.compile(value)
    re.compile(load_toml("rules/roads.toml")["segment"]["side"])
    levels = {d.level for d in gazetteer.divisions()}
    assert levels == {"province", "city", "county", "town"}


@needs_corpus
def test_corpus_cities_of_the_province():
    """Short forms of the cities (or a municipality's districts) under the report's own
    province: 武汉 is 武汉市 in 湖北省; 成渝中线 names no 渝中区."""
    got = {}
    for path in corpus_files():
        if path.stem.endswith(("hubei", "chongqing")):
            r = read_report(path)
            got[path.stem] = places.extract(r, tuple(roads.extract(r, ())))
    (hubei,) = [v for k, v in got.items() if k.endswith("hubei")]
    wuhan = [m for m in hubei if m.key == "武汉市"]
    assert wuhan and wuhan[0].attrs["admin_code"] == "420100"
    assert [(x.predicate, x.key) for x in wuhan[0].rels] == [("locatedIn", "湖北省")]
    (cq,) = [v for k, v in got.items() if k.endswith("chongqing")]
    assert not [m for m in cq if m.key == "渝中区"]
    assert [m for m in cq if m.key == "涪陵区"]


@needs_corpus
def test_corpus_counties_the_province_names_by_short_forms():
    """Short forms of the counties a province governs itself (仙桃 for 仙桃市, held by
    Hubei's 省直辖行政区划), and of its counties of three characters or more (格尔木); one
    of three characters stands after a name character too (出席哈尔滨第九届亚冬会). Two-
    character county short forms elsewhere stay words (新建 in Jiangxi is not 新建区)."""
    got = {}
    for path in corpus_files():
        if path.stem.endswith(("hubei", "qinghai", "heilongjiang", "jiangxi")):
            r = read_report(path)
            got[path.stem.split("_")[-1]] = (r, places.extract(r, tuple(roads.extract(r, ()))))

    def areas(name):
        r, ms = got[name]
        return {(r.text[m.start - 3:m.start], m.text, m.key) for m in ms if m.type == "AdministrativeArea"}

    assert ("咸宁、", "仙桃", "仙桃市") in areas("hubei")  # the 3 characters before, the name
    assert ("分别在", "格尔木", "格尔木市") in areas("qinghai")
    assert any(m[1:] == ("德令哈", "德令哈市") for m in areas("qinghai"))
    assert ("，出席", "哈尔滨", "哈尔滨市") in areas("heilongjiang")
    assert not [m for m in areas("jiangxi") if m[2] == "新建区"]
