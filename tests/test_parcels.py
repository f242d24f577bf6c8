"""Land parcels and planning units: scored against tests/gold/places.tsv (written by
reading the seed), merges across code systems, lists, and the `kg extract` JSON."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, Namespace
from rdflib.namespace import RDFS

from kg.cli import main
from kg.extract import parcels
from kg.ingest import parse_text
from tests.gold.places_eval import gold, score

KG = Namespace("https://w3id.org/gwr-kg/ontology#")


@pytest.mark.parametrize("cls", ["LandParcel", "PlanningUnit"])
def test_seed_precision_recall(seed_result, cls):
    s = score(seed_result.entities)[cls]
    assert s.precision >= 0.95, f"{cls}: false positives {s.fp}"
    assert s.recall >= 0.95, f"{cls}: missed {s.fn}"


def test_parcel_attributes_match_gold(seed_result):
    ents = {(e.cls, e.key): e for e in seed_result.entities}
    for (cls, key), attrs in gold().items():
        if cls != "LandParcel":
            continue
        e = ents[(cls, key)]
        for name, values in attrs.items():
            got = e.attrs.get(name)
            got = got if isinstance(got, list) else [got]
            assert got == values, (key, name, e.attrs)


def test_alias_joins_two_code_systems(seed_result):
    (e,) = [e for e in seed_result.entities if e.cls == "LandParcel" and "菲特莫古地块" in
            str(e.attrs.get("alias"))]
    assert sorted(e.attrs["codes"]) == ["08单元16-02", "28街坊71丘"]
    assert sorted(m.text for m in e.mentions) == ["08单元16-02", "28街坊71丘"]
    # the review mentions it as done, the plan as to do
    assert {m.start < seed_result.report.text.index("下半年工作要点") for m in e.mentions} == {True, False}


def test_one_list_many_parcels_not_merged(seed_result):
    group = [e for e in seed_result.entities if e.cls == "LandParcel"
             and e.attrs.get("alias") == "沈梅路哈邻里南侧商业地块"]
    assert sorted(e.key for e in group) == ["I-I-12", "I-I-7", "J-I-12"]
    starts = sorted(m.start for e in group for m in e.mentions)
    text = seed_result.report.text
    assert text[starts[0]:starts[-1]].startswith("I-I-7、I-I-12、")


def test_lookalikes_are_not_parcels(seed_result):
    text = seed_result.report.text
    bridge = text.index("周祝公路1号桥")
    for m in seed_result.mentions:
        if m.type == "LandParcel":
            assert m.key != "1平方公里"
            assert not (bridge <= m.start < bridge + len("周祝公路1号桥"))
    r = parse_text("上半年工作回顾\n1-6月,财政总收入7亿元,4-5月疫情严重,2021-2022年度。\n", name="t")
    assert parcels.extract(r, ()) == []


def test_full_width_list_with_side_note():
    r = parse_text("下半年工作要点\n启动07单元B2-7、07单元B2-9（周东路两侧）等地块储备工作。\n",
                   name="t")
    from kg.extract import roads
    found = tuple(roads.extract(r, ()))
    ps = [m for m in parcels.extract(r, found) if m.type == "LandParcel"]
    assert [m.key for m in ps] == ["07单元B2-7", "07单元B2-9"]
    assert all(m.attrs["qualifier"] == "周东路两侧" for m in ps)
    assert all(("boundedBy", "周东路") in [(x.predicate, x.key) for x in m.rels] for m in ps)


def test_parcels_in_graph(seed_build):
    g = Graph()
    g.parse(seed_build / "kg.ttl")
    (p,) = set(g.subjects(KG.alias, Literal("菲特莫古地块", lang="zh")))
    assert {str(c) for c in g.objects(p, KG.code)} == {"28街坊71丘", "08单元16-02"}
    units = {str(lab) for u in g.objects(p, KG.inPlanningUnit)
             for lab in g.objects(u, RDFS.label) if lab.language == "zh"}
    assert units == {"28街坊", "08单元"}


def test_extract_json_shows_attributes(seed_path):
    res = CliRunner().invoke(main, ["extract", str(seed_path), "--format", "json",
                                    "--types", "LandParcel,RoadSegment"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    text = seed_path.read_text(encoding="utf-8")
    by_text = {m["text"]: m for m in data["mentions"]}
    for m in data["mentions"]:
        assert text[m["start"]:m["end"]] == m["text"]
        assert m["entity"].startswith("http")
    assert by_text["21-04地块"]["attrs"]["zone"] == "国际医学园区"
    assert by_text["28街坊71丘"]["attrs"]["unit"] == "28街坊"
    assert by_text["28街坊71丘"]["attrs"]["alias"] == "菲特莫古地块"
    seg = by_text["关岳西路(周康路-梓年街)"]["attrs"]
    assert (seg["road"], seg["from"], seg["to"]) == ("关岳西路", "周康路", "梓年街")
    assert by_text["建韵路(沈梅路以北)"]["attrs"]["qualifier"] == "沈梅路以北"
    assert by_text["28街坊71丘"]["entity"] == by_text["08单元16-02"]["entity"]


def test_parcel_status_follows_the_text(seed_result):
    ms = {m.text: m for m in seed_result.mentions if m.type == "LandParcel"}
    assert (ms["28街坊71丘"].attrs["status"], ms["28街坊71丘"].attrs["status_verb"]) == (
        "completed", "签订")
    assert ms["21-04地块"].attrs["status"] == "completed"
    assert ms["08单元16-02"].attrs["status"] == "planned"   # 下半年工作要点


def test_other_code_systems():
    r = parse_text("下半年工作要点\n完成PDS1-0101单元E01-2地块、C06-03a地块出让。\n", name="t")
    got = [(m.type, m.key, m.attrs.get("unit")) for m in parcels.extract(r, ())]
    assert got == [("LandParcel", "PDS1-0101单元E01-2", "PDS1-0101单元"),
                   ("PlanningUnit", "PDS1-0101单元", None),
                   ("LandParcel", "C06-03a", None)]
