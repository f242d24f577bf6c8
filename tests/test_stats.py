"""kg stats on the hand-written fixture (numbers read off tests/cases/viz_small/graph.trig)
and on the seed build."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.store import load_data
from kg.stats import graph_stats

SMALL = Path(__file__).resolve().parent / "cases" / "viz_small" / "graph.trig"


@pytest.fixture(scope="module")
def stats():
    return graph_stats(load_data(SMALL), top=5)


def test_counts_per_class_and_relation(stats):
    assert stats["entities"] == {"Road": 7, "RoadSegment": 3, "AdministrativeArea": 1, "GlossaryTerm": 1,
                                 "LandParcel": 1, "Metric": 1, "PlanningUnit": 1, "Project": 1}
    assert stats["relations"] == {"kg:intersects": 12, "kg:locatedIn": 10, "kg:boundedBy": 6,
                                  "kg:segmentOf": 3, "kg:inPlanningUnit": 1}
    assert stats["types"]["kg:Sentence"] == 6 and stats["types"]["kg:Section"] == 4
    assert stats["types"]["kg:Mention"] == 7 and stats["types"]["kg:Report"] == 1
    assert stats["entity_count"] == 16 and stats["relation_count"] == 32


def test_most_connected_by_degree_and_pagerank(stats):
    top = stats["top_degree"]
    assert (top[0]["label"], top[0]["degree"]) == ("示例镇", 10)
    # 周康路 and 梓年街: located in 示例镇, intersect 2 roads, bound 2 segments
    assert {(e["label"], e["degree"]) for e in top[1:3]} == {("周康路", 5), ("梓年街", 5)}
    assert stats["top_pagerank"][0]["label"] == "示例镇"
    ranks = [e["pagerank"] for e in stats["top_pagerank"]]
    assert ranks == sorted(ranks, reverse=True) and 0 < sum(ranks) <= 1


def test_components(stats):
    c = stats["components"]
    # the roads, segments and 示例镇 (11); parcel + unit (2); metric, project, term alone
    assert c["count"] == 5 and c["isolated"] == 3 and c["sizes"] == [11, 2, 1, 1, 1]


def test_road_intersections(stats):
    r = stats["roads"]
    assert r["roads"] == 7 and r["waterways"] == 0
    pairs = {(i["a"], i["b"]): i["segments"] for i in r["intersections"]}
    assert len(pairs) == 6
    assert pairs[("关岳西路", "周康路")] == ["关岳西路(周康路-梓年街)"]
    assert pairs[("周园路", "韵涛路")] == ["韵涛路(周东南路-周园路)"]


def test_cli_json_and_table():
    r = CliRunner().invoke(main, ["stats", "--data", str(SMALL), "--format", "json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["entities"]["Road"] == 7
    r = CliRunner().invoke(main, ["stats", "--data", str(SMALL)])
    assert r.exit_code == 0 and "entities per class" in r.output and "intersections" in r.output


def test_seed_stats_agree_with_the_build(seed_build):
    s = graph_stats(load_data(seed_build / "kg.trig"))
    assert s["types"]["kg:Report"] == 1
    assert sum(s["entities"].values()) == s["entity_count"] > 0
    assert s["components"]["count"] >= 1 and sum(s["components"]["sizes"]) <= s["entity_count"]
