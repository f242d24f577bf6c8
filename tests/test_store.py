"""The embedded store: both engines load the same graphs and give the same terms."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Literal
from rdflib.namespace import XSD

from kg.errors import InputError, QueryError
from kg.sandbox import LimitExceeded, run_limited
from kg.store import DEFAULT_ENGINE, ENGINES, ResultTooLarge, load_store

CASE = Path(__file__).resolve().parent / "cases" / "query_graph" / "graph.ttl"
KG = "https://w3id.org/gwr-kg/ontology#"


def test_default_engine_is_oxigraph():
    assert DEFAULT_ENGINE == "oxigraph"
    assert load_store(CASE).engine == "oxigraph"


@pytest.mark.parametrize("engine", ENGINES)
def test_ttl_and_trig_load_the_same_triples(seed_build, engine):
    ttl = load_store(seed_build / "kg.ttl", engine, fmt="turtle")  # fmt given: parse the file
    trig = load_store(seed_build / "kg.trig", engine, fmt="trig")
    assert len(ttl) == len(trig) > 1000
    assert ttl.graphs() == set()
    assert any(g.endswith("/graph/ontology") for g in trig.graphs())
    q = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s a <{KG}Sentence> }}"
    assert ttl.query(q).rows == trig.query(q).rows  # named graphs are queried as a union


def test_a_build_opens_its_on_disk_store_instead_of_parsing(seed_build):
    """kg build writes build/store (pyoxigraph on disk) in the same version as kg.ttl, so
    queries open it instead of parsing the file; the answers are the same."""
    assert (seed_build / "store").is_symlink() and (seed_build / "store").is_dir()
    for data in (seed_build / "kg.ttl", seed_build / "kg.trig", seed_build / "store"):
        s = load_store(data)
        assert s.on_disk_path == seed_build / "store"
    parsed = load_store(seed_build / "kg.trig", fmt="trig")
    disk = load_store(seed_build / "kg.trig")
    q = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
    assert disk.query(q).rows == parsed.query(q).rows and len(disk.query(q).rows) >= 2
    assert disk.graphs() == parsed.graphs()
    # a copy of kg.ttl elsewhere has no store beside it: it is parsed
    import shutil
    copy = seed_build.parent / "copied-kg.ttl"
    shutil.copy(seed_build / "kg.ttl", copy)
    assert load_store(copy).on_disk_path is None


def test_engines_give_equal_terms():
    q = (f"SELECT ?v ?l ?k ?b WHERE {{ ?m <{KG}value> ?v ; <{KG}subjectLabel> ?l ; "
         f"<{KG}metricKind> ?k ; <{KG}approximate> ?b }} ORDER BY ?v")
    a, b = (load_store(CASE, e).query(q) for e in ENGINES)
    assert a.vars == b.vars == ["v", "l", "k", "b"]
    assert [[t.toPython() if isinstance(t.toPython(), Decimal) else t for t in r] for r in a.rows] \
        == [[t.toPython() if isinstance(t.toPython(), Decimal) else t for t in r] for r in b.rows]
    v, label, kind, approx = a.rows[0]
    assert v.toPython() == Decimal("3.2") and v.datatype == XSD.decimal
    assert label == Literal("规上工业产值", lang="zh") and kind == Literal("change")
    assert approx.toPython() is False


@pytest.mark.parametrize("engine", ENGINES)
def test_construct_and_ask(engine):
    s = load_store(CASE, engine)
    res = s.query(f"CONSTRUCT WHERE {{ ?a <{KG}segmentOf> ?b }}")
    assert res.kind == "graph" and len(res.graph()) == 2
    assert s.query(f"ASK {{ ?a <{KG}segmentOf> ?b }}").boolean is True


@pytest.mark.parametrize("engine", ENGINES)
def test_row_limit(engine):
    with pytest.raises(ResultTooLarge, match="limit of 10 rows"):
        load_store(CASE, engine).query("SELECT * WHERE { ?s ?p ?o }", max_rows=10)


def test_load_errors_are_one_line(tmp_path):
    with pytest.raises(InputError, match="no such graph file"):
        load_store(tmp_path / "missing.ttl")
    bad = tmp_path / "bad.ttl"
    bad.write_text("<http://e/a> <http://e/b> .\n", encoding="utf-8")
    for engine in ENGINES:
        with pytest.raises(InputError, match="cannot load graph"):
            load_store(bad, engine)
    other = tmp_path / "graph.csv"
    other.write_text("a,b\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown graph format"):
        load_store(other)
    with pytest.raises(QueryError, match="unknown engine"):
        load_store(CASE, "virtuoso")


def test_sandbox_kills_a_runaway_query_and_keeps_the_store():
    s = load_store(CASE)
    with pytest.raises(LimitExceeded, match="time limit"):
        run_limited(lambda: s.query("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . "
                                    "?g ?h ?i . ?j ?k ?l }").rows, timeout=0.5)
    rows = run_limited(lambda: s.query(f"SELECT ?a WHERE {{ ?a <{KG}segmentOf> ?b }}").rows,
                       timeout=5)
    assert sorted(str(r[0]).rsplit("/", 1)[1] for r in rows) == ["seg1", "seg2"]
    with pytest.raises(ResultTooLarge):  # the child's own error class comes back
        run_limited(lambda: s.query("SELECT * WHERE { ?s ?p ?o }", max_rows=5), timeout=5)
