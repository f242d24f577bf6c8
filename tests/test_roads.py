"""Roads, waterways and their segments: scored against tests/gold/places.tsv (written by
reading the seed), plus behaviour on small texts and on the shared corpus."""
from __future__ import annotations

import pytest
from rdflib import Graph, Namespace

from kg.extract import places, roads
from kg.ingest import parse_text, read_report
from tests.conftest import corpus_files, needs_corpus
from tests.gold.places_eval import gold, score

KG = Namespace("https://w3id.org/gwr-kg/ontology#")


@pytest.mark.parametrize("cls", ["Road", "RoadSegment", "Waterway", "WaterwaySegment"])
def test_seed_precision_recall(seed_result, cls):
    s = score(seed_result.entities)[cls]
    assert s.precision >= 0.95, f"{cls}: false positives {s.fp}"
    assert s.recall >= 0.95, f"{cls}: missed {s.fn}"


def test_segment_attributes_match_gold(seed_result):
    ents = {(e.cls, e.key): e for e in seed_result.entities}
    checked = 0
    for (cls, key), attrs in gold().items():
        if cls not in ("RoadSegment", "WaterwaySegment") or (cls, key) not in ents:
            continue
        e = ents[(cls, key)]
        for name, values in attrs.items():
            assert e.attrs.get(name) == values[0], (key, name, e.attrs)
        checked += 1
    assert checked == 10


def test_roads_named_after_waterways_are_roads(seed_report):
    ms = roads.extract(seed_report, ())
    keys = {(m.type, m.key) for m in ms}
    for name in ("年家浜路", "祝家港路", "小沥港路"):
        assert ("Road", name) in keys
        assert ("Waterway", name[:-1]) not in keys or name == "小沥港路"


def test_full_width_segment_and_side():
    r = parse_text("下半年工作要点\n推进韵涛路（周东南路—周园路）建设，启动建松路（沈梅路以南）立项。\n",
                   name="t")
    segs = {m.key: m.attrs for m in roads.extract(r, ()) if m.type == "RoadSegment"}
    assert segs["韵涛路(周东南路-周园路)"]["from"] == "周东南路"
    assert segs["韵涛路(周东南路-周园路)"]["to"] == "周园路"
    assert segs["建松路(沈梅路以南)"]["qualifier"] == "沈梅路以南"
    assert segs["建松路(沈梅路以南)"]["side"] == "南"


def test_planned_section():
    r = parse_text("下半年工作要点\n推进小沥港(六灶港-规划韵涛路)等河道整治工程。\n", name="t")
    ms = {(m.type, m.key): m for m in roads.extract(r, ())}
    planned = ms[("Road", "规划韵涛路")]
    assert [(x.predicate, x.key) for x in planned.rels] == [("plannedSectionOf", "韵涛路")]
    seg = ms[("Waterway", "小沥港(六灶港-规划韵涛路)")]
    assert seg.attrs["class"] == "WaterwaySegment" and seg.attrs["to"] == "规划韵涛路"


def test_no_places_is_empty_not_an_error():
    r = parse_text("上半年工作回顾\n加强学习，提高思想认识。\n", name="t")
    assert roads.extract(r, ()) == []
    assert places.extract(r, ()) == []


def test_road_network_in_graph(seed_build):
    g = Graph()
    g.parse(seed_build / "kg.ttl")

    def by_label(label):
        from rdflib import Literal
        from rdflib.namespace import RDFS
        (node,) = set(g.subjects(RDFS.label, Literal(label, lang="zh")))
        return node

    seg = by_label("小沥港路(繁荣路-周祝公路)")
    road = by_label("小沥港路")
    assert (seg, KG.segmentOf, road) in g
    assert {by_label("繁荣路"), by_label("周祝公路")} <= set(g.objects(seg, KG.boundedBy))
    assert (road, KG.intersects, by_label("周祝公路")) in g
    assert (by_label("周祝公路"), KG.intersects, road) in g
    assert (by_label("规划韵涛路"), KG.plannedSectionOf, by_label("韵涛路")) in g
    wseg = by_label("姚渔港(韵涛路-周邓公路)")
    assert (wseg, KG.segmentOf, by_label("姚渔港")) in g
    assert (by_label("韵涛路"), KG.intersects, by_label("姚渔港")) in g


@needs_corpus
@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.stem)
def test_corpus_waterways_are_not_places(path):
    """Read from the corpus: province and city names (浙江, 镇江) and slogans (美丽浙江) are
    no rivers; each report's rivers include 长江 or 黄河 or a canal where it names them."""
    r = read_report(path)
    ms = roads.extract(r, ())
    for m in ms:
        assert r.text[m.start:m.end] == m.text
    keys = {m.key for m in ms if m.type == "Waterway"}
    assert not {k for k in keys if k.endswith(("浙江", "江苏", "镇江", "九江", "湖北", "湖南"))}
    if "长江" in r.text[r.sections[0].start:]:
        assert "长江" in keys


@needs_corpus
def test_corpus_shanghai_rivers_and_roads():
    (path,) = [p for p in corpus_files() if p.stem.endswith("shanghai")]
    ms = roads.extract(read_report(path), ())
    keys = {(m.type, m.key) for m in ms}
    assert {("Waterway", "黄浦江"), ("Waterway", "苏州河"), ("Road", "南京东路")} <= keys


def test_status_of_segments_not_of_their_bounds(seed_result):
    ms = {(m.type, m.text): m for m in seed_result.mentions}
    seg = ms[("RoadSegment", "小沥港路(繁荣路-周祝公路)")]
    assert (seg.attrs["status"], seg.attrs["status_verb"]) == ("in_progress", "推进")
    done = ms[("Waterway", "姚渔港(韵涛路-周邓公路)")]
    assert done.attrs["status"] == "completed"
    bound = [m for m in seed_result.mentions if m.type == "Road" and m.key == "繁荣路"
             and seg.start < m.start < seg.end]
    assert bound and "status" not in bound[0].attrs


def test_segment_with_trailing_word():
    r = parse_text("下半年工作要点\n推进川周公路（川沙路-华夏路）段改造。\n", name="t")
    (seg,) = [m for m in roads.extract(r, ()) if m.type == "RoadSegment"]
    assert seg.text == "川周公路（川沙路-华夏路）段"
    assert seg.key == "川周公路(川沙路-华夏路)"
