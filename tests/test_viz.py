"""The graph page, without a browser: what it holds, that it is self-contained, that
report text stays text, and the focus / types / road / query views.

Expected numbers come from reading the hand-written fixture tests/cases/viz_small/graph.trig
(16 entities; 32 entity-to-entity triples, of which 12 are kg:intersects written both ways).
"""
from __future__ import annotations

import json
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.errors import InputError, QueryError
from kg.graphview import entity_graph, road_network
from kg.store import load_data
from kg.viz import load_style, render, render_page

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "tests" / "cases"
SMALL = CASES / "viz_small" / "graph.trig"
XSS = CASES / "viz_xss" / "graph.trig"


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.seen: Counter = Counter()

    def handle_starttag(self, tag, attrs):
        self.seen[tag] += 1


def tags(html: str) -> Counter:
    """How many elements of each tag a page has (script and style content is not parsed)."""
    p = _Tags()
    p.feed(re.sub(r"\{%.*?%\}|\{#.*?#\}", "", html, flags=re.S))
    return p.seen


def page_data(html: str, name: str):
    """The JSON a page carries in ``<script id="kg-NAME" type="application/json">``."""
    m = re.search(rf'<script id="kg-{name}" type="application/json">(.*?)</script>', html, re.S)
    assert m, name
    return json.loads(m.group(1))


@pytest.fixture(scope="module")
def small():
    return load_data(SMALL)


@pytest.fixture(scope="module")
def small_page(small):
    return render_page(small)


def by_label(nodes):
    return {n["label_zh"]: n for n in nodes}


def test_page_holds_every_entity_and_draws_symmetric_relations_once(small_page):
    nodes = page_data(small_page.html, "nodes")
    edges = page_data(small_page.html, "edges")
    assert len(nodes) == 16 == small_page.shown == small_page.total
    # 32 triples, the 12 kg:intersects triples are 6 pairs written both ways: 26 drawn
    assert len(edges) == 26
    inter = [e for e in edges if e["predicate"] == "kg:intersects"]
    assert len(inter) == 6 and all(e["arrows"] == "" for e in inter)
    assert {frozenset((e["from"], e["to"])) for e in inter} == {
        frozenset((a, b)) for a, b in ((e["from"], e["to"]) for e in inter)}
    labels = by_label(nodes)
    assert labels["韵涛路"]["cls"] == "Road" and labels["28街坊71丘"]["cls"] == "LandParcel"
    assert labels["韵涛路"]["label_pinyin"] == "yùn tāo lù"


def test_style_comes_from_viz_data(small_page):
    style = load_style()
    nodes = by_label(page_data(small_page.html, "nodes"))
    road = nodes["周康路"]
    assert road["color"] == style["classes"]["Road"]["color"]
    assert road["shape"] == style["classes"]["Road"]["shape"]
    legend = {c["name"]: c for c in page_data(small_page.html, "meta")["classes"]}
    assert legend["Road"]["count"] == 7 and legend["Road"]["zh"] == style["classes"]["Road"]["zh"]
    assert legend["RoadSegment"]["count"] == 3


def test_node_size_grows_with_degree(small_page):
    nodes = by_label(page_data(small_page.html, "nodes"))
    # 示例镇: 10 places located in it; 牧禾农场项目: no relation
    assert nodes["示例镇"]["size"] > nodes["周康路"]["size"] > nodes["牧禾农场项目"]["size"]


def test_tooltips_show_type_attributes_and_source_sentence(small_page):
    nodes = by_label(page_data(small_page.html, "nodes"))
    seg = nodes["关岳西路(周康路-梓年街)"]["title"]
    assert "路段" in seg and "completed" in seg
    assert "完成关岳西路(周康路-梓年街)、中大街(周康路-梓年街)等道路竣工清算。" in seg
    metric = nodes["4177.21亩"]["title"]
    assert "4177.21亩" in metric and "签约面积" in metric and "签约面积4177.21亩。" in metric
    parcel = nodes["28街坊71丘"]["title"]
    assert "编号: 28街坊71丘" in parcel and "别名: 菲特莫古地块" in parcel
    assert "定义: 由各级党政主要负责人担任河长" in nodes["河长制"]["title"]
    edges = page_data(small_page.html, "edges")
    assert {e["title"] for e in edges} >= {"路段属于", "起止于", "相交", "位于"}


def test_filters_know_sections_modalities_and_statuses(small_page):
    meta = page_data(small_page.html, "meta")
    nodes = by_label(page_data(small_page.html, "nodes"))
    assert [m for m, _ in meta["modalities"]] == ["review", "plan", "glossary"]
    assert [s for s, _ in meta["statuses"]] == ["completed", "in_progress", "planned"]
    sections = dict(meta["sections"])
    assert [v.strip("\u3000") for v in sections.values()] == ["上半年工作回顾", "一、城市建设", "下半年工作要点", "名词解释"]
    assert nodes["28街坊71丘"]["modalities"] == ["plan"]
    assert sections[nodes["28街坊71丘"]["sections"][0]] == "下半年工作要点"
    assert nodes["牧禾农场项目"]["status"] == "planned"


def test_page_is_self_contained(small_page):
    html = small_page.html
    assert not re.search(r"<script[^>]*\bsrc=", html)
    assert not re.search(r"<link\b", html)
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)
    assert "bootstrap" not in html.lower() and "cdnjs" not in html and "@import" not in html
    assert "Content-Security-Policy" in html and "default-src 'none'" in html


def test_positions_are_computed_in_python_and_physics_is_bounded(small_page):
    nodes = page_data(small_page.html, "nodes")
    meta = page_data(small_page.html, "meta")
    assert len({(n["x"], n["y"]) for n in nodes}) == len(nodes)
    assert meta["physics"] is True and 0 < meta["stabilization_iterations"] <= 500


def test_same_graph_same_page(small):
    assert render_page(small).html == render_page(small).html


def test_focus_depth_and_types(small):
    one = render_page(small, focus="周康路", depth=1)
    got = {n["label_zh"] for n in page_data(one.html, "nodes")}
    assert got == {"周康路", "关岳西路", "中大街", "关岳西路(周康路-梓年街)", "中大街(周康路-梓年街)", "示例镇"}
    assert render_page(small, focus="zhōu kāng lù", depth=0).shown == 1
    roads = render_page(small, types=["Road", "RoadSegment"])
    assert {n["cls"] for n in page_data(roads.html, "nodes")} == {"Road", "RoadSegment"}
    assert roads.shown == 10
    with pytest.raises(InputError, match="8 entities match"):
        render_page(small, focus="路")
    with pytest.raises(InputError, match="no entity"):
        render_page(small, focus="不存在的路")


def test_road_network_view(small):
    net = road_network(entity_graph(small))
    labels = {frozenset((net.nodes[u]["label"], net.nodes[v]["label"])): d["label"]
              for u, v, d in net.edges(data=True)}
    assert net.number_of_nodes() == 7
    assert net.graph["sections"] == entity_graph(small).graph["sections"] != {}  # for the section filter
    assert labels == {
        frozenset(("关岳西路", "周康路")): "关岳西路(周康路-梓年街)",
        frozenset(("关岳西路", "梓年街")): "关岳西路(周康路-梓年街)",
        frozenset(("中大街", "周康路")): "中大街(周康路-梓年街)",
        frozenset(("中大街", "梓年街")): "中大街(周康路-梓年街)",
        frozenset(("韵涛路", "周东南路")): "韵涛路(周东南路-周园路)",
        frozenset(("韵涛路", "周园路")): "韵涛路(周东南路-周园路)",
    }
    page = render_page(small, roads=True)
    edges = page_data(page.html, "edges")
    assert page.shown == 7 and len(edges) == 6
    assert all(e["label"].endswith(")") for e in edges)  # segments labelled on the edges


def test_construct_query_is_drawn_and_other_forms_refused(small):
    page = render_page(small, query="CONSTRUCT { ?s kg:boundedBy ?o } WHERE { ?s kg:boundedBy ?o }")
    edges = page_data(page.html, "edges")
    assert len(edges) == 6 and {e["predicate"] for e in edges} == {"kg:boundedBy"}
    assert {n["cls"] for n in page_data(page.html, "nodes")} == {"Road", "RoadSegment"}
    with pytest.raises(QueryError, match="CONSTRUCT"):
        render_page(small, query="SELECT * WHERE { ?s ?p ?o }")
    with pytest.raises(QueryError, match="SERVICE"):
        render_page(small, query="CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <http://x/> { ?s ?p ?o } }")


def test_large_graph_is_cut_down_with_a_message(small, monkeypatch):
    style = load_style()
    monkeypatch.setitem(style["page"], "max_nodes", 5)
    page = render(entity_graph(small), title="t")
    assert page.shown == 5 and page.total == 16
    assert "--focus" in page.note and page_data(page.html, "meta")["note"] == page.note
    kept = {n["label_zh"] for n in page_data(page.html, "nodes")}
    assert "示例镇" in kept  # the most connected entity stays


def test_report_text_never_becomes_markup():
    page = render_page(load_data(XSS))
    html = page.html
    # every payload is present only in escaped form
    assert "<img" not in html and "<svg" not in html and "<iframe" not in html and "<style>body" not in html
    assert "onerror" in html  # ... but it is there, as text
    # the only </script> are our own closing tags: one per <script> element we wrote
    # parsed as a browser would: the elements are exactly those of the template
    assert tags(html) == tags((ROOT / "viz" / "template.html").read_text(encoding="utf-8"))
    nodes = by_label(page_data(html, "nodes"))
    assert "<img src=x onerror=\"window.__xss='label'\">路" in nodes
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert "&lt;/script&gt;" in title and "<" not in title


def test_build_writes_the_page(seed_build):
    html = (seed_build / "graph.html").read_text(encoding="utf-8")
    view = entity_graph(load_data(seed_build / "kg.trig"))
    assert len(page_data(html, "nodes")) == view.number_of_nodes() > 0
    assert not re.search(r"<script[^>]*\bsrc=", html) and "<link" not in html


def test_cli_viz(tmp_path):
    out = tmp_path / "g.html"
    r = CliRunner().invoke(main, ["viz", "--data", str(SMALL), "-o", str(out), "--focus", "韵涛路"])
    assert r.exit_code == 0, r.output
    assert "wrote" in r.output and out.is_file()
    assert len(page_data(out.read_text(encoding="utf-8"), "nodes")) == 5
    r = CliRunner().invoke(main, ["viz", "--data", str(SMALL), "-o", str(out), "--focus", "路"])
    assert r.exit_code == 1 and r.output.startswith("kg: error: --focus")
    r = CliRunner().invoke(main, ["viz", "--data", str(tmp_path / "missing.trig")])
    assert r.exit_code == 1 and "no such file" in r.output


def test_tooltips_and_panel_show_what_a_person_reads(small_page, seed_build):
    # kg:role is a person's position; on a glossary term it is an internal mark
    nodes = page_data((seed_build / "graph.html").read_text(encoding="utf-8"), "nodes")
    terms = [n for n in nodes if n["cls"] == "GlossaryTerm"]
    assert terms and not any("职务" in n["title"] or "mention" in n["title"] or "component" in n["title"]
                             for n in terms)
    assert not any(label == "职务" for n in terms for label, _ in n["facts"])
    from kg.viz import node_facts
    assert node_facts({"cls": "Person", "label": "赵某", "role": "镇长"}) == [["职务", "镇长"]]
    parcel = by_label(page_data(small_page.html, "nodes"))["28街坊71丘"]
    assert ["别名", "菲特莫古地块"] in parcel["facts"] and "别名: 菲特莫古地块" in parcel["title"]


def test_panel_spans_are_the_reports_own_text(seed_build):
    from kg.ingest import read_report
    text = read_report(ROOT / "data" / "reports" / "2022h1_zhoupu.txt").text
    html = (seed_build / "graph.html").read_text(encoding="utf-8")
    nodes, spans = page_data(html, "nodes"), page_data(html, "text")
    assert spans["reports"] == [["2022h1_zhoupu", "周浦镇2022年上半年政府工作报告"]]
    n_spans = 0
    for n in nodes:
        for sent, b, e in n["spans"]:
            _, start, sentence = spans["sentences"][sent]
            assert text[start:start + len(sentence)] == sentence
            assert sentence[b - start:e - start] == text[b:e]
            n_spans += 1
    view = entity_graph(load_data(seed_build / "kg.trig"))
    assert n_spans >= sum(len(d["sentences"]) for _, d in view.nodes(data=True)) > 0
    meta = page_data(html, "meta")
    assert meta["reader"] == "reports/"
    assert (seed_build / "reports" / "2022h1_zhoupu.html").is_file()


def test_first_view_hides_isolated_entities_and_metrics(small_page):
    nodes = by_label(page_data(small_page.html, "nodes"))
    hidden = {label for label, n in nodes.items() if n["start_hidden"]}
    assert hidden == {"牧禾农场项目", "河长制", "4177.21亩"}  # no relation, no relation, a metric
    ranks = sorted(nodes.values(), key=lambda n: n["rank"])
    assert ranks[0]["label_zh"] == "示例镇"  # labels go to the most connected first
    legend = page_data(small_page.html, "meta")["edge_legend"]
    assert {r["predicate"] for r in legend} >= {"kg:locatedIn", "kg:intersects"}


def test_cli_focus_does_not_walk_through_hubs(seed_build, tmp_path):
    import networkx as nx

    from kg.graphview import undirected_simple
    data = seed_build / "kg.trig"
    view = entity_graph(load_data(data))
    hub = next(n for n, d in view.nodes(data=True) if d["label"] == "周浦镇")
    road = next(n for n, d in view.nodes(data=True) if d["label"] == "韵涛路")

    def drawn(*args):
        out = tmp_path / "focus.html"
        r = CliRunner().invoke(main, ["viz", "--data", str(data), "-o", str(out), *args])
        assert r.exit_code == 0, r.output
        html = out.read_text(encoding="utf-8")
        return {n["id"] for n in page_data(html, "nodes")}, page_data(html, "meta"), page_data(html, "nodes")

    got, meta, nodes = drawn("--focus", "韵涛路", "--depth", "2")
    # the hub is reached but not walked through: exactly the ball of radius 2 without it
    simple = undirected_simple(view)
    without = simple.subgraph(n for n in simple if n != hub)
    assert got == set(nx.single_source_shortest_path_length(without, road, cutoff=2)) | {hub}
    assert len(got) < 20
    # focus: highlighted and named for the page to centre
    assert meta["focus"] == road
    focus_node = next(n for n in nodes if n["id"] == road)
    assert focus_node["borderWidth"] == load_style()["focus"]["border_width"] and not focus_node["start_hidden"]
    # asked for, it walks through: nearly everything is two hops away through the hub
    through, _, _ = drawn("--focus", "韵涛路", "--depth", "2", "--through-hubs")
    assert through == set(nx.single_source_shortest_path_length(simple, road, cutoff=2))
    assert len(through) > 5 * len(got)
    # a hub in focus is walked from
    hub_view, _, _ = drawn("--focus", "周浦镇", "--depth", "1")
    assert hub_view == set(simple[hub]) | {hub}
    # written elsewhere, the page still links the reader pages beside the data
    other = tmp_path / "sub" / "g.html"
    other.parent.mkdir()
    r = CliRunner().invoke(main, ["viz", "--data", str(data), "-o", str(other)])
    assert r.exit_code == 0, r.output
    reader = page_data(other.read_text(encoding="utf-8"), "meta")["reader"]
    assert (other.parent / reader / "2022h1_zhoupu.html").resolve().is_file()
