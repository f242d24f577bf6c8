"""The query library on a hand-written graph (tests/cases/query_graph) and on the seed build:
rows asserted, both engines agree, parameters bound safely, every output format parses."""
from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import BNode, Graph, Literal, URIRef

from kg.cli import main
from kg.errors import QueryError, ResourceError
from kg.guard import check_read_only, inspect_query
from kg.query import (bind_params, execute, library, parse_spec, resolve_query, run_query,
                      sparql_term)
from kg.results import render
from kg.store import ENGINES, load_store

CASE = Path(__file__).resolve().parent / "cases" / "query_graph" / "graph.ttl"
E = "https://w3id.org/gwr-kg/id/zhou-pu-zhen/"


@pytest.fixture(scope="module")
def stores():
    return {e: load_store(CASE, e) for e in ENGINES}


def _plain(t):
    if t is None:
        return None
    if isinstance(t, URIRef):
        s = str(t)
        return s[len(E):] if s.startswith(E) else s
    if isinstance(t, Literal):
        v = t.toPython()
        if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool):
            return Decimal(str(v)).normalize()
        return str(t) if not isinstance(v, bool) else v
    return str(t)


def rows(store, query_name, **params):
    spec = library()[query_name]
    res = execute(store, spec.text, params, spec)
    return [dict(zip(res.vars, map(_plain, r))) for r in res.rows]


def _canon(res):
    """Engine-independent form: values (not bytes), GROUP_CONCAT parts sorted, bnodes blank."""
    def cell(t):
        v = _plain(t)
        if isinstance(t, BNode):
            return "_:b"
        if isinstance(v, str):
            for sep in (" / ", "、"):
                if sep in v:
                    v = sep.join(sorted(v.split(sep)))
        return repr(v)
    if res.kind == "ask":
        return res.boolean
    if res.kind == "graph":
        return sorted(tuple(cell(t) for t in tr) for tr in res.triples)
    return res.vars, sorted(tuple(cell(t) for t in r) for r in res.rows)


# -- the library --------------------------------------------------------------------

def test_library_has_at_least_15_documented_queries():
    lib = library()
    assert len(lib) >= 15
    for name, spec in lib.items():
        assert spec.description and spec.description[0].isupper(), name
        assert inspect_query(spec.text).form == "SELECT", name


@pytest.mark.parametrize("name", sorted(library()))
def test_engines_agree_on_every_library_query(stores, name):
    spec = library()[name]
    a = execute(stores["oxigraph"], spec.text, {}, spec)
    b = execute(stores["rdflib"], spec.text, {}, spec)
    assert _canon(a) == _canon(b)
    assert a.rows, f"{name} returns no rows on the hand-written graph"


@pytest.mark.parametrize("engine", ENGINES)
def test_road_segments_with_bounding_roads_and_status(stores, engine):
    got = {r["segment"]: r for r in rows(stores[engine], "road-segments")}
    assert set(got) == {"seg1", "seg2"}
    assert got["seg1"]["road"] == "guanyuexi"
    assert sorted(got["seg1"]["bounded_by"].split(" / ")) == ["周康路", "梓年街"]
    assert got["seg1"]["segment_status"] == "https://schema.org/CompletedActionStatus"
    done = rows(stores[engine], "road-segments", status="completed")
    assert [r["segment"] for r in done] == ["seg1"]
    assert [r["segment"] for r in rows(stores[engine], "road-segments", road_name="韵涛路")] == ["seg2"]
    assert rows(stores[engine], "road-segments", status="planned") == []


def test_parcels_with_codes_alias_unit_zone(stores):
    got = {r["parcel"]: r for r in rows(stores["oxigraph"], "parcels")}
    assert got["parcel1"]["codes"] == "28街坊71丘"
    assert got["parcel1"]["aliases"] == "菲特莫古地块"
    assert got["parcel1"]["unit"] == "block28"
    assert got["parcel2"]["zone"] == "medzone"
    assert [r["parcel"] for r in rows(stores["oxigraph"], "parcels", code="19-12")] == ["parcel2"]


def test_projects_by_status_with_places_orgs_programs(stores):
    (p,) = rows(stores["oxigraph"], "projects", status="started")
    assert p["project"] == "smartpark"
    assert (p["places"], p["organizations"], p["programs"]) == ("国际医学园区", "周浦镇人民政府", "乡村振兴")
    assert rows(stores["oxigraph"], "projects", status="completed") == []


def test_plan_vs_review(stores):
    got = {r["entity"]: r for r in rows(stores["oxigraph"], "plan-vs-review")}
    assert set(got) == {"seg2", "smartpark"}
    assert got["smartpark"]["promised"] == "加快"
    assert got["smartpark"]["reported"] == "started:开工"
    assert got["smartpark"]["in_review"] is True
    assert got["seg2"]["in_review"] is False and got["seg2"].get("reported") is None


def test_metrics_sorted_by_normalized_value(stores):
    got = rows(stores["oxigraph"], "metrics", subject="产值")
    assert [r["metric"] for r in got] == ["m4", "m1", "m2"]  # 250亿元, 120.5亿元, then 3.2%
    assert got[1]["normalized_value"] == Decimal("12050000000")
    assert [r["metric"] for r in rows(stores["oxigraph"], "metrics", kind="change")] == ["m2"]


def test_glossary_definitions_and_components(stores):
    (t,) = rows(stores["oxigraph"], "glossary", term="缤纷")
    assert t["definition"].startswith("包括口袋公园")
    assert sorted(t["components"].split(" / ")) == ["口袋公园", "街心花园"]


def test_section_mentions_include_subsections(stores):
    part = rows(stores["oxigraph"], "section-mentions", path="1")
    assert {r["text"] for r in part} == {"关岳西路(周康路-梓年街)", "关岳西路", "周康路", "28街坊71丘",
                                         "智慧产业园区项目", "120.5亿元"}
    plan = rows(stores["oxigraph"], "section-mentions", path="2")
    assert {r["entity"] for r in plan} == {"seg2", "smartpark", "plan-doc", "m4"}


def test_entity_mentions_give_exact_sentences(stores):
    got = rows(stores["oxigraph"], "entity-mentions", name="智慧产业园区项目")
    assert [(r["begin"], r["modality"].rsplit("#")[1]) for r in got] == [(68, "Review"), (150, "Plan")]
    assert "开工" in got[0]["sentence_text"]
    # full-width punctuation in the parameter is normalized like kg:key
    assert len(rows(stores["oxigraph"], "entity-mentions", name="关岳西路（周康路－梓年街）")) == 1


def test_intersecting_roads_and_neighbourhood(stores):
    got = rows(stores["oxigraph"], "intersecting-roads", road_name="关岳西路")
    assert {(r["crossing"], r["via"]) for r in got} == {("zhoukang", "seg1"), ("zinian", "seg1")}
    near = rows(stores["oxigraph"], "neighbourhood", name="关岳西路(周康路-梓年街)")
    one = {(r["from"], r["to"]) for r in near if r["hops"] == 1}
    assert ("seg1", "guanyuexi") in one and ("seg1", "zhoukang") in one
    assert any(r["hops"] == 2 and r["from"] == "guanyuexi" and r["to"] == "town" for r in near)


def test_counts_and_status_statements(stores):
    counts = {r["class"].rsplit("#")[1]: r["count"] for r in rows(stores["oxigraph"], "counts")}
    # 6 roads of the report and the corpus-level 关岳西路 one of them matches
    assert counts["Road"] == 7 and counts["RoadSegment"] == 2 and counts["Sentence"] == 5
    got = rows(stores["oxigraph"], "status-statements", status_value="in_progress")
    assert {(r["entity"], r["verb"], r["period"]) for r in got} == {
        ("seg2", "推进", "2022H2"), ("smartpark", "加快", "2022H2")}


# -- parameters --------------------------------------------------------------------

def test_parameter_values_never_become_syntax(stores):
    evil = '周浦镇" } ?s ?p ?o . } #'
    text = bind_params("SELECT ?s { VALUES ?n { UNDEF } ?s kg:key ?n }", {"n": evil}, None)
    assert text == 'SELECT ?s { VALUES ?n { "周浦镇\\" } ?s ?p ?o . } #" } ?s kg:key ?n }'
    for engine in ENGINES:  # a name is looked up in Python (kg/lookup.py), never spliced
        with pytest.raises(QueryError, match="no entity has this name"):
            rows(stores[engine], "entity-mentions", name=evil)
        assert rows(stores[engine], "glossary", term='") || true || ("') == []
    with pytest.raises(QueryError, match="not an absolute IRI"):
        sparql_term("urn:a> } ; DROP ALL <urn:b", "iri")
    with pytest.raises(QueryError, match="not an integer"):
        sparql_term("1 } UNION { ?s ?p ?o", "integer")
    with pytest.raises(QueryError, match="5,000 characters"):  # past int()'s digit limit
        sparql_term("9" * 5000, "integer")
    spec = library()["road-segments"]
    with pytest.raises(QueryError, match="unknown parameter"):
        bind_params(spec.text, {"nope": "1"}, spec)
    with pytest.raises(QueryError, match="unknown status"):
        bind_params(spec.text, {"status": "done"}, spec)
    with pytest.raises(QueryError, match="placeholder"):
        bind_params("SELECT * { ?s ?p ?o }", {"s": "x"}, None)


def test_header_without_placeholder_is_a_resource_error():
    with pytest.raises(ResourceError, match="placeholder"):
        parse_spec("bad", "# Bad.\n# @param x string text\nSELECT * { ?s ?p ?x }")


# -- the read-only guard -----------------------------------------------------------

def test_guard_reads_keywords_only_where_sparql_does():
    graphs = {"https://w3id.org/gwr-kg/graph/a"}
    ok = 'PREFIX ex: <http://e/> SELECT * { ?s ex:service ?o ; ex:load "SERVICE FROM" } # DROP'
    assert check_read_only(ok, graphs).form == "SELECT"
    assert check_read_only("SELECT * FROM <https://w3id.org/gwr-kg/graph/a> { ?s ?p ?o }", graphs)
    for bad in ("SELECT * FROM <file:///etc/passwd> { ?s ?p ?o }",
                "SELECT * FROM NAMED <http://example.org/g> { GRAPH ?g { ?s ?p ?o } }",
                "SELECT * { service <http://e/sparql> { ?s ?p ?o } }",
                "LOAD <http://example.org/data.ttl>",
                "DELETE WHERE { ?s ?p ?o }",
                "PREFIX x: <http://e/> INSERT DATA { x:a x:b x:c }"):
        with pytest.raises(QueryError, match="refused"):
            check_read_only(bad, graphs)


# -- formats --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def seg_result(stores):
    spec = library()["road-segments"]
    return execute(stores["oxigraph"], spec.text, {}, spec)


def test_json_xml_csv_tsv_results(seg_result):
    js = json.loads(render(seg_result, "json"))
    assert js["head"]["vars"] == ["segment", "road", "bounded_by", "qualifier", "segment_status"]
    first = js["results"]["bindings"][0]
    assert first["segment"] == {"type": "uri", "value": E + "seg1"}
    assert "qualifier" not in first  # unbound: left out, as the JSON format says
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    root = ET.fromstring(render(seg_result, "xml"))
    assert len(root.findall("r:results/r:result", ns)) == 2
    assert root.find("r:results/r:result/r:binding[@name='segment']/r:uri", ns).text == E + "seg1"
    table = list(csv.reader(io.StringIO(render(seg_result, "csv"))))
    assert table[0][0] == "segment" and table[1][0] == E + "seg1" and len(table) == 3
    tsv = render(seg_result, "tsv").splitlines()
    assert tsv[0].startswith("?segment\t?road") and tsv[1].startswith(f"<{E}seg1>\t")


def test_table_shows_labels_and_graph_results_parse(stores):
    out = run_query("road-segments", CASE, fmt="table")
    assert "关岳西路(周康路-梓年街)" in out and E not in out
    ttl = run_query("CONSTRUCT WHERE { ?s kg:intersects ?o }", CASE, fmt="ttl")
    g = Graph().parse(data=ttl, format="turtle")
    assert len(g) == 8
    ask = json.loads(run_query("ASK { ?s kg:segmentOf ?o }", CASE, fmt="json"))
    assert ask == {"head": {}, "boolean": True}
    with pytest.raises(QueryError):
        run_query("CONSTRUCT WHERE { ?s kg:intersects ?o }", CASE, fmt="csv")


def test_resolve_query_file_and_unknown(tmp_path):
    f = tmp_path / "mine.rq"
    f.write_text("# Mine.\nSELECT ?s { ?s a kg:Road }\n", encoding="utf-8")
    text, spec = resolve_query(str(f))
    assert spec.description == "Mine." and "kg:Road" in text
    with pytest.raises(QueryError, match="not a library query"):
        resolve_query("no-such-query")


# -- the CLI ---------------------------------------------------------------------------

def test_cli_list_and_query():
    r = CliRunner().invoke(main, ["query", "--list"])
    assert r.exit_code == 0
    assert all(name in r.output for name in library())
    r = CliRunner().invoke(main, ["query", "parcels", "--data", str(CASE), "--format", "csv",
                                  "--param", "code=28街坊71丘", "--iris"])
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[1].startswith(E + "parcel1,28街坊71丘,菲特莫古地块")
    r = CliRunner().invoke(main, ["query", "counts", "--data", str(CASE), "--engine", "rdflib",
                                  "--format", "json", "--iris"])
    assert r.exit_code == 0 and json.loads(r.output)["results"]["bindings"]


def test_cli_tables_for_people_have_labels_iri_columns_and_a_bom():
    """csv/tsv/json of kg query: labels where a person wants words, the IRIs beside them."""
    r = CliRunner().invoke(main, ["query", "parcels", "--data", str(CASE), "--format", "csv",
                                  "--param", "code=28街坊71丘"])
    assert r.exit_code == 0, r.output
    assert r.output.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(r.output.lstrip("\ufeff"))))
    head, first = rows[0], dict(zip(rows[0], rows[1]))
    assert head[:2] == ["parcel", "parcel_iri"] and first["parcel_iri"] == E + "parcel1"
    assert not first["parcel"].startswith("http") and "schema.org" not in first.get("parcel_status", "")
    r = CliRunner().invoke(main, ["query", "parcels", "--data", str(CASE), "--format", "json",
                                  "--param", "code=28街坊71丘"])
    obj = json.loads(r.output)[0]
    assert obj["parcel_iri"] == E + "parcel1" and not obj["parcel"].startswith("http")


def test_cli_errors_are_one_line(tmp_path):
    r = CliRunner().invoke(main, ["query", "counts", "--data", str(tmp_path / "none.ttl")])
    assert r.exit_code == 1 and "no such graph file" in r.output
    r = CliRunner().invoke(main, ["query", "DROP ALL", "--data", str(CASE)])
    assert r.exit_code == 1 and "read-only" in r.output
    r = CliRunner().invoke(main, ["query", "SELECT * {", "--data", str(CASE)])
    assert r.exit_code == 1 and "syntax" in r.output.lower()
    r = CliRunner().invoke(main, ["query", "counts", "--data", str(CASE), "--param", "x"])
    assert r.exit_code == 1 and "key=value" in r.output


# -- the seed build --------------------------------------------------------------------

@pytest.fixture(scope="module")
def seed_stores(seed_build):
    return {e: load_store(seed_build / "kg.ttl", e) for e in ENGINES}


@pytest.mark.parametrize("name", sorted(library()))
def test_every_library_query_runs_on_the_seed_and_engines_agree(seed_stores, name):
    spec = library()[name]
    params = dict(spec.examples)  # "a given entity" queries run with their documented example
    a = execute(seed_stores["oxigraph"], spec.text, params, spec)
    b = execute(seed_stores["rdflib"], spec.text, params, spec)
    assert _canon(a) == _canon(b)


def test_seed_report_sections_and_search(seed_stores):
    (rep,) = rows(seed_stores["oxigraph"], "reports")
    assert rep["title"] == "周浦镇2022年上半年政府工作报告"
    assert rep["sections"] >= 10 and rep["sentences"] >= 100
    secs = rows(seed_stores["oxigraph"], "sections")
    headings = [r["section"] for r in secs]
    assert len(headings) == rep["sections"]
    modal = {r["modality"].rsplit("#")[1] for r in secs}
    assert {"Review", "Plan"} <= modal
    hits = rows(seed_stores["oxigraph"], "search", text="韵涛路")
    assert hits and all("韵涛路" in r["sentence_text"] for r in hits)
    # read from the report: 韵涛路 is in one review sentence (姚渔港(韵涛路-周邓公路)) and in
    # plan sentences (小沥港(六灶港-规划韵涛路), 韵涛路(周东南路-周园路))
    plan_hits = rows(seed_stores["oxigraph"], "search", text="韵涛路", modality="plan")
    assert any("周东南路" in r["sentence_text"] for r in plan_hits)
    review = [r for r in hits if r not in plan_hits]
    assert len(review) == 1 and "姚渔港" in review[0]["sentence_text"]


def _keys(store, iris) -> list[str]:
    """kg:key of each entity IRI (rows hold IRIs; the report's words are keys)."""
    out = []
    for iri in iris:
        res = store.query(f"SELECT ?k WHERE {{ <{iri}> <https://w3id.org/gwr-kg/ontology#key> ?k }}")
        out.append(str(res.rows[0][0]) if res.rows else None)
    return out


def _full(row, col):
    return row[col] if row[col] is None or "://" in str(row[col]) else E + row[col]


def test_seed_entities_answer_the_planners_questions(seed_stores):
    """Gold read from the report: 姚渔港(韵涛路-周邓公路) 完成房屋征收清盘 (review);
    下半年: 推进韵涛路(周东南路-周园路)建设; 国际医学园区19-12地块 完成房屋征收清盘;
    名词解释 1.“规上工业企业”:主营业务收入2000万元及以上的工业法人单位。; 签约面积4177.21亩."""
    s = seed_stores["oxigraph"]
    segs = rows(s, "road-segments")
    by_key = dict(zip(_keys(s, [_full(r, "segment") for r in segs]), segs))
    yao = by_key["姚渔港(韵涛路-周邓公路)"]
    assert sorted(yao["bounded_by"].split(" / ")) == sorted(["韵涛路", "周邓公路"])
    assert yao["segment_status"] == "https://schema.org/CompletedActionStatus"
    cross = rows(s, "intersecting-roads", road_name="韵涛路")
    assert {"周东南路", "周园路", "姚渔港"} <= set(_keys(s, [_full(r, "crossing") for r in cross]))
    parcels = rows(s, "parcels", code="19-12")
    assert parcels and parcels[0]["parcel_status"] == "https://schema.org/CompletedActionStatus"
    assert _keys(s, [_full(parcels[0], "zone")]) == ["国际医学园区"]
    terms = rows(s, "glossary", term="规上工业企业")
    assert [t["definition"] for t in terms] == ["主营业务收入2000万元及以上的工业法人单位。"]
    area = rows(s, "metrics", subject="签约面积")
    assert [(m["value"], m["unit_text"], m["metric_kind"]) for m in area] == [
        (Decimal("4177.21"), "亩", "actual")]
    where = rows(s, "entity-mentions", name="韵涛路")
    assert where and all(r["text"] == "韵涛路" for r in where)
    assert any("周东南路" in r["sentence_text"] for r in where)


# -- messages that point at the user's own text (issue 13) -------------------------------

def test_syntax_errors_name_the_users_line_and_column():
    r = CliRunner().invoke(main, ["query", "SELECT ?s WHERE {\n  ?s kg:segmentOf ?o \n}}", "--data", str(CASE)])
    assert r.exit_code == 1
    assert "line 3, column 2" in r.output and len(r.output.strip().splitlines()) == 1


def test_an_unknown_prefix_names_itself_and_the_known_ones():
    r = CliRunner().invoke(main, ["query", "SELECT * WHERE { ?s xyz:p ?o }", "--data", str(CASE)])
    assert r.exit_code == 1 and "unknown prefix xyz:" in r.output and "kg:" in r.output
    assert len(r.output) < 400


def test_close_library_names_are_suggested():
    r = CliRunner().invoke(main, ["query", "parcel", "--data", str(CASE)])
    assert r.exit_code == 1 and "did you mean parcels" in r.output


def test_show_stdin_and_sparql_files(tmp_path):
    r = CliRunner().invoke(main, ["query", "--show", "road-segments"])
    assert r.exit_code == 0 and "SELECT" in r.output and r.output == library()["road-segments"].text.rstrip("\n") + "\n"
    r = CliRunner().invoke(main, ["query", "-", "--data", str(CASE), "--format", "json"],
                           input="ASK { ?s kg:segmentOf ?o }")
    assert r.exit_code == 0 and json.loads(r.output)["boolean"] is True
    f = tmp_path / "q.sparql"
    f.write_text("ASK { ?s kg:segmentOf ?o }", encoding="utf-8")
    r = CliRunner().invoke(main, ["query", str(f), "--data", str(CASE), "--format", "json"])
    assert r.exit_code == 0 and json.loads(r.output)["boolean"] is True
