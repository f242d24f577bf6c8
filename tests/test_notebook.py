"""For notebook and Gephi users: ``kg.run_query`` gives rows (with a path to pandas and
networkx), and GraphML/GEXF read back into networkx with numbers as numbers, the class
colours, the page's layout and each symmetric relation once. On the seed build."""
from __future__ import annotations

from collections import Counter

import networkx as nx
import pytest

import kg
from kg.export import export
from kg.graphview import entity_graph
from kg.store import load_data
from kg.viz import class_style


def test_run_query_returns_rows_of_python_values(seed_build):
    rows = kg.run_query("metrics", seed_build / "kg.ttl")
    assert isinstance(rows, list) and rows.vars[:2] == ["subject_label", "value"]
    shots = next(r for r in rows if rows.labels[r["metric"]] == "60周岁以上老年人接种7284人次")
    assert shots["value"] == 7284 and isinstance(shots["value"], int)  # not "7284.0"
    assert shots["unit_text"] == "人次" and shots["approximate"] is False
    budget = next(r for r in rows if r["subject_label"] == "一般公共预算收入")
    assert budget["value"] == 2.1 and budget["normalized_value"] == 210_000_000
    # a name parameter, looked up like everywhere else
    roads = kg.run_query("intersecting-roads", seed_build / "kg.ttl", {"road_name": "yuntaolu"})
    assert sorted(roads.labels[r["crossing"]] for r in roads) == ["周东南路", "周园路", "姚渔港"]
    # a loaded store can be passed instead of a file, for many questions in a row
    store = kg.load_store(seed_build / "kg.ttl")
    assert kg.run_query("intersecting-roads", store, {"road_name": "韵涛路"}) == roads
    # the text formats are still there
    assert kg.run_query("counts", store, fmt="csv").startswith("class")


def test_rows_to_pandas_and_networkx(seed_build):
    pd = pytest.importorskip("pandas")
    rows = kg.run_query("road-segments", seed_build / "kg.ttl")
    df = rows.to_pandas()
    assert list(df.columns) == rows.vars and len(df) == len(rows) > 0
    assert pd.DataFrame(rows).shape == df.shape  # a list of dicts: pandas reads it as is
    named = rows.to_pandas(labels=True)
    assert {"segment", "segment_iri", "road", "road_iri"} <= set(named.columns)
    assert "韵涛路" in set(named["road"]) and named["road_iri"].str.startswith("https://").all()
    g = rows.to_networkx("segment", "road")
    assert g.number_of_edges() == sum(1 for r in rows if r["road"])
    assert any(d.get("label") == "韵涛路" for _, d in g.nodes(data=True))
    graph = kg.run_query("CONSTRUCT { ?a kg:intersects ?b } WHERE { ?a kg:intersects ?b }",
                         seed_build / "kg.ttl")
    net = graph.to_networkx()
    assert net.number_of_edges() == len(graph.triples) > 0
    assert {k for _, _, k in net.edges(keys=True)} == {"https://w3id.org/gwr-kg/ontology#intersects"}


@pytest.mark.parametrize("fmt, reader", [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_gephi_formats_carry_numbers_colours_positions(seed_build, tmp_path, fmt, reader):
    src = load_data(seed_build / "kg.trig")
    view = entity_graph(src)
    [path] = export(src, fmt, tmp_path / f"kg.{fmt}")
    back = reader(path)
    metric = next(n for n, d in view.nodes(data=True) if d.get("label") == "60周岁以上老年人接种7284人次")
    d = back.nodes[metric]
    assert d["value"] == 7284 and isinstance(d["value"], float | int)  # a number, not text
    assert isinstance(d["degree"], int)
    colour = class_style("Metric")["color"]
    if fmt == "graphml":
        assert d["color"] == colour
        assert "#%02x%02x%02x" % (d["r"], d["g"], d["b"]) == colour.lower()
        xy = [(b["x"], b["y"]) for _, b in back.nodes(data=True)]
    else:
        c = d["viz"]["color"]
        assert "#%02x%02x%02x" % (c["r"], c["g"], c["b"]) == colour.lower()
        xy = [(b["viz"]["position"]["x"], b["viz"]["position"]["y"]) for _, b in back.nodes(data=True)]
    assert len(xy) == view.number_of_nodes() and len(set(xy)) == len(xy)  # a real layout
    # kg:intersects is written both ways in RDF; the export has each pair once
    inter = [frozenset((u, v)) for u, v, e in back.edges(data=True) if e["predicate"] == "kg:intersects"]
    both_ways = [frozenset((u, v)) for u, v, k in view.edges(keys=True) if k == "kg:intersects"]
    assert inter and Counter(inter) == Counter(set(both_ways)) and len(both_ways) == 2 * len(inter)


def test_layout_is_the_same_each_time(seed_build, tmp_path):
    src = load_data(seed_build / "kg.trig")
    a = export(src, "graphml", tmp_path / "a.graphml")[0].read_bytes()
    b = export(src, "graphml", tmp_path / "b.graphml")[0].read_bytes()
    assert a == b
