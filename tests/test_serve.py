"""`kg serve` as a real HTTP server on a free loopback port, queried with SPARQLWrapper."""
from __future__ import annotations

import csv
import io
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from SPARQLWrapper import CSV, JSON, JSONLD, POST, POSTDIRECTLY, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from kg.query import library
from kg.serve import make_server

CASE = Path(__file__).resolve().parent / "cases" / "query_graph" / "graph.ttl"
E = "https://w3id.org/gwr-kg/id/zhou-pu-zhen/"
KG = "https://w3id.org/gwr-kg/ontology#"
SEGMENTS = f"PREFIX kg: <{KG}> SELECT ?s ?road WHERE {{ ?s kg:segmentOf ?road }} ORDER BY ?s"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def _start(data, **options):
    server = make_server(data, host="127.0.0.1", port=0, **options)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture(scope="module")
def endpoint():
    server, thread, url = _start(CASE, timeout=2.0, max_rows=100, workers=2)
    yield url
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def client(url, query, fmt=JSON, method=None):
    sw = SPARQLWrapper(url + "/sparql")
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    if method == POST:
        sw.setMethod(POST)
    elif method == POSTDIRECTLY:
        sw.setMethod(POST)
        sw.setRequestMethod(POSTDIRECTLY)
    return sw.query().convert()


def http(url, data=None, headers=None):
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, dict(resp.headers), resp.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode("utf-8")


def test_binds_loopback_only(endpoint):
    assert urllib.parse.urlsplit(endpoint).hostname == "127.0.0.1"


@pytest.mark.parametrize("method", [None, POST, POSTDIRECTLY])
def test_select_json_get_and_post(endpoint, method):
    res = client(endpoint, SEGMENTS, JSON, method)
    assert res["head"]["vars"] == ["s", "road"]
    got = [(b["s"]["value"], b["road"]["value"]) for b in res["results"]["bindings"]]
    assert got == [(E + "seg1", E + "guanyuexi"), (E + "seg2", E + "yuntao")]


def test_select_xml_csv_tsv(endpoint):
    doc = client(endpoint, SEGMENTS, XML)
    uris = [n.firstChild.data for n in doc.getElementsByTagName("uri")]
    assert uris == [E + "seg1", E + "guanyuexi", E + "seg2", E + "yuntao"]
    rows = list(csv.reader(io.StringIO(client(endpoint, SEGMENTS, CSV).decode("utf-8"))))
    assert rows == [["s", "road"], [E + "seg1", E + "guanyuexi"], [E + "seg2", E + "yuntao"]]
    tsv = client(endpoint, SEGMENTS, TSV).decode("utf-8").splitlines()
    assert tsv == ["?s\t?road", f"<{E}seg1>\t<{E}guanyuexi>", f"<{E}seg2>\t<{E}yuntao>"]


def test_ask_json_and_xml(endpoint):
    assert client(endpoint, f"ASK {{ <{E}seg1> <{KG}segmentOf> <{E}guanyuexi> }}", JSON)["boolean"] is True
    doc = client(endpoint, f"ASK {{ <{E}seg1> <{KG}segmentOf> <{E}yuntao> }}", XML)
    assert doc.getElementsByTagName("boolean")[0].firstChild.data == "false"


def test_construct_turtle_rdfxml_jsonld(endpoint):
    q = f"CONSTRUCT {{ ?a <{KG}intersects> ?b }} WHERE {{ ?a <{KG}intersects> ?b }}"
    ttl = client(endpoint, q, TURTLE)
    g = Graph().parse(data=ttl.decode("utf-8"), format="turtle")
    assert len(g) == 8 and (URIRef(E + "yuntao"), URIRef(KG + "intersects"), URIRef(E + "zhouyuan")) in g
    assert len(client(endpoint, q, RDFXML)) == 8  # SPARQLWrapper parses RDF/XML into a Graph
    js = client(endpoint, q, JSONLD)
    assert len(js) == 8


def test_library_query_over_http_agrees_with_rows(endpoint):
    spec = library()["road-segments"]
    res = client(endpoint, spec.text, JSON)
    assert {b["segment"]["value"] for b in res["results"]["bindings"]} == {E + "seg1", E + "seg2"}


def test_update_is_refused_and_nothing_changes(endpoint):
    with pytest.raises(urllib.error.HTTPError) as err:
        client(endpoint, f"INSERT DATA {{ <{E}x> <{KG}key> \"x\" }}", JSON, POST)
    assert err.value.code == 403
    status, _, body = http(endpoint + "/sparql", data=b"DROP ALL",
                           headers={"Content-Type": "application/sparql-update"})
    assert status == 403 and "read-only" in body
    status, _, body = http(endpoint + "/sparql",
                           data=urllib.parse.urlencode({"query": "CLEAR DEFAULT"}).encode())
    assert status == 403 and "read-only" in body
    n = client(endpoint, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", JSON)
    assert n["results"]["bindings"][0]["n"]["value"] == str(len(Graph().parse(CASE)))


@pytest.mark.parametrize("query, word", [
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", "SERVICE"),
    ("SELECT * FROM <http://example.org/data.ttl> WHERE { ?s ?p ?o }", "FROM"),
    ("SELECT * FROM NAMED <file:///etc/passwd> WHERE { GRAPH ?g { ?s ?p ?o } }", "FROM"),
    ("LOAD <http://example.org/data.ttl>", "read-only"),
])
def test_federation_and_outside_graphs_are_refused(endpoint, query, word):
    status, _, body = http(endpoint + "/sparql?" + urllib.parse.urlencode({"query": query}))
    assert status == 403 and word in body


def test_protocol_errors_are_4xx(endpoint):
    status, _, body = http(endpoint + "/sparql?" + urllib.parse.urlencode({"query": "SELECT * {"}))
    assert status == 400 and "syntax" in body.lower()
    status, _, _ = http(endpoint + "/sparql?" + urllib.parse.urlencode(
        {"query": SEGMENTS, "default-graph-uri": "http://example.org/g"}))
    assert status == 400
    status, _, _ = http(endpoint + "/sparql", data=b"x", headers={"Content-Type": "image/png"})
    assert status == 415


def test_result_size_limit(endpoint):
    status, _, body = http(endpoint + "/sparql?" + urllib.parse.urlencode(
        {"query": "SELECT * WHERE { ?s ?p ?o }"}))
    assert status == 413 and "100 rows" in body


def test_runaway_query_times_out_while_another_succeeds(endpoint):
    with ThreadPoolExecutor(max_workers=2) as pool:
        t0 = time.monotonic()
        slow = pool.submit(http, endpoint + "/sparql?" + urllib.parse.urlencode({"query": RUNAWAY}))
        time.sleep(0.3)  # the runaway is running now
        fast = client(endpoint, SEGMENTS, JSON)
        fast_done = time.monotonic() - t0
        status, _, body = slow.result(timeout=30)
        slow_done = time.monotonic() - t0
    assert len(fast["results"]["bindings"]) == 2 and fast_done < 2.0
    assert status == 503 and "time limit" in body
    assert 2.0 <= slow_done < 10
    assert client(endpoint, SEGMENTS, JSON)["results"]["bindings"]  # still answering


def test_home_page_lists_library_and_runs_a_query(endpoint):
    status, headers, body = http(endpoint + "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "<textarea" in body and all(name in body for name in library())
    status, _, body = http(endpoint + "/?" + urllib.parse.urlencode({"query": SEGMENTS}))
    assert "2 row(s)" in body and "关岳西路(周康路-梓年街)" in body  # labels, not IRIs
    status, _, body = http(endpoint + "/?" + urllib.parse.urlencode({"query": "DROP ALL"}))
    assert status == 200 and "read-only" in body


def test_entity_iri_resolves_to_page_and_turtle(endpoint):
    status, _, body = http(endpoint + "/id/zhou-pu-zhen/seg1")
    assert status == 200 and "<h1>关岳西路(周康路-梓年街)</h1>" in body
    assert "完成关岳西路(周康路-梓年街)等道路竣工清算。" in body  # the sentence it comes from
    status, headers, ttl = http(endpoint + "/id/zhou-pu-zhen/seg1", headers={"Accept": "text/turtle"})
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    g = Graph().parse(data=ttl, format="turtle")
    assert (URIRef(E + "seg1"), URIRef(KG + "segmentOf"), URIRef(E + "guanyuexi")) in g
    assert http(endpoint + "/id/zhou-pu-zhen/nothing-here")[0] == 404


def test_no_cors_unless_asked(endpoint, tmp_path):
    _, headers, _ = http(endpoint + "/sparql?" + urllib.parse.urlencode({"query": SEGMENTS}))
    assert "Access-Control-Allow-Origin" not in headers
    server, thread, url = _start(CASE, cors="https://example.org")
    try:
        _, headers, _ = http(url + "/sparql?" + urllib.parse.urlencode({"query": SEGMENTS}))
        assert headers["Access-Control-Allow-Origin"] == "https://example.org"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_report_text_is_escaped_in_html(tmp_path):
    data = tmp_path / "evil.ttl"
    data.write_text(f'<{E}evil> <http://www.w3.org/2000/01/rdf-schema#label> '
                    f'"<script>alert(1)</script>"@zh ; <{KG}key> "x" .\n', encoding="utf-8")
    server, thread, url = _start(data)
    try:
        _, _, page = http(url + "/id/zhou-pu-zhen/evil")
        _, _, table = http(url + "/?" + urllib.parse.urlencode(
            {"query": "SELECT ?l WHERE { ?s ?p ?l }"}))
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
    for body in (page, table):
        assert "<script>alert" not in body and "&lt;script&gt;alert(1)" in body


def test_catastrophic_regex_is_killed_on_rdflib():
    """Python's re backtracks exponentially on (a+)+$; rdflib evaluates REGEX with it."""
    server, thread, url = _start(CASE, engine="rdflib", timeout=1.5)
    try:
        q = 'SELECT ?x WHERE { BIND(REGEX("' + "a" * 40 + '!", "^(a+)+$") AS ?x) }'
        t0 = time.monotonic()
        status, _, body = http(url + "/sparql?" + urllib.parse.urlencode({"query": q}))
        assert status == 503 and "time limit" in body and time.monotonic() - t0 < 10
        assert client(url, SEGMENTS, JSON)["results"]["bindings"]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_fact_pages_are_served(endpoint):
    from urllib.parse import quote
    status, _, page = http(endpoint + "/indicator?name=" + quote("规上工业产值"))
    assert status == 200 and "规模以上工业总产值" in page and "<svg" in page and "120.5" in page
    status, _, body = http(endpoint + "/promises?report=" + quote("周浦镇2022年上半年政府工作报告"))
    assert status == 200 and 'class="partly"' in body
    status, _, _ = http(endpoint + "/indicator")
    assert status == 400


def test_a_report_iri_is_answered_with_its_reader_page(endpoint):
    status, _, page = http(endpoint + "/report/t-000001")
    assert status == 200 and 'class="st ' in page and '<a class="m"' in page
    assert 'href="/id/zhou-pu-zhen/' in page  # mentions link to their entities' pages
    status, _, ttl = http(endpoint + "/report/t-000001?format=turtle")
    assert status == 200 and ("ontology#Report" in ttl or "kg:Report" in ttl)


# -- the page's library forms, downloads, the Service Description (issue 13, wall 6) ------

def _get(url, path, **params):
    return http(url + path + ("?" + urllib.parse.urlencode(params) if params else ""))


def test_service_description_parses_as_rdf_in_each_format(endpoint):
    from rdflib.namespace import Namespace
    sd = Namespace("http://www.w3.org/ns/sparql-service-description#")
    me = URIRef(endpoint + "/sparql")
    graphs = {}
    for accept, fmt in [(None, "turtle"), ("application/rdf+xml", "xml"),
                        ("application/ld+json", "json-ld"), ("application/n-triples", "nt")]:
        status, headers, body = http(endpoint + "/sparql", headers={"Accept": accept} if accept else {})
        assert status == 200 and headers["Content-Type"].split(";")[0] == {
            "turtle": "text/turtle", "xml": "application/rdf+xml", "json-ld": "application/ld+json",
            "nt": "application/n-triples"}[fmt]
        g = graphs[fmt] = Graph().parse(data=body, format=fmt)
        assert (me, sd.endpoint, me) in g
        assert (me, sd.supportedLanguage, sd.SPARQL11Query) in g
        formats = {str(o) for o in g.objects(me, sd.resultFormat)}
        assert "http://www.w3.org/ns/formats/SPARQL_Results_JSON" in formats and len(formats) == 8
        dataset = g.value(me, sd.defaultDataset)
        default = g.value(dataset, sd.defaultGraph)
        assert int(g.value(default, URIRef("http://rdfs.org/ns/void#triples"))) == len(Graph().parse(CASE))
    assert all(len(g) == len(graphs["turtle"]) for g in graphs.values())
    status, headers, page = http(endpoint + "/sparql", headers={"Accept": "text/html,*/*;q=0.8"})
    assert headers["Content-Type"].startswith("text/html") and "sd:SPARQL11Query" in page
    assert status == 200 and "default-src 'none'" in headers["Content-Security-Policy"]
    assert http(endpoint + "/sparql", data=b"")[0] == 400  # POST without a query is still an error


def test_library_query_with_parameters_is_bound_by_the_server(endpoint):
    from kg.query import run_query
    status, _, body = _get(endpoint, "/sparql", library="road-segments", **{"param.road_name": "关岳西路"},
                           format="json")
    assert status == 200
    import json
    got = json.loads(body)
    assert [b["segment"]["value"] for b in got["results"]["bindings"]] == [E + "seg1"]
    assert json.loads(run_query("road-segments", CASE, {"road_name": "关岳西路"}, fmt="json")) == got
    # an empty field is left unbound: every segment
    _, _, body = _get(endpoint, "/sparql", library="road-segments", **{"param.road_name": ""}, format="json")
    assert len(json.loads(body)["results"]["bindings"]) == 2
    status, _, body = _get(endpoint, "/sparql", library="road-segmnts")
    assert status == 400 and "did you mean road-segments" in body
    status, _, body = _get(endpoint, "/sparql", library="road-segments", **{"param.colour": "red"})
    assert status == 400 and "unknown parameter 'colour'" in body
    status, _, body = _get(endpoint, "/sparql", library="road-segments", **{"param.status": "done"})
    assert status == 400 and "unknown status" in body
    status, _, _ = _get(endpoint, "/sparql", library="../../kg/queries/counts.rq")
    assert status == 400  # a name is looked up, never opened as a file


def test_downloads_are_what_kg_query_writes(endpoint):
    from click.testing import CliRunner
    from kg.cli import main
    for fmt in ("csv", "json"):
        status, headers, body = _get(endpoint, "/sparql", library="road-segments",
                                     **{"param.status": "completed"}, format=fmt, labels="1", download="1")
        cli = CliRunner().invoke(main, ["query", "road-segments", "--data", str(CASE), "--param",
                                        "status=completed", "--format", fmt])
        assert status == 200 and cli.exit_code == 0 and body == cli.stdout_bytes.decode("utf-8")
        assert headers["Content-Disposition"] == f'attachment; filename="road-segments.{fmt}"'
    assert body.lstrip().startswith("[") and "关岳西路(周康路-梓年街)" in body
    _, headers, csv_body = _get(endpoint, "/sparql", query=SEGMENTS, format="csv", labels="1")
    assert csv_body.startswith("\ufeffs,s_iri,road,road_iri\r\n") and "关岳西路(周康路-梓年街)," in csv_body
    assert headers["Content-Type"].startswith("text/csv")
    _, _, plain = _get(endpoint, "/sparql", query=SEGMENTS, format="csv")  # the protocol's CSV is untouched
    assert plain.startswith("s,road\r\n")


def test_home_page_form_runs_a_library_query_with_downloads(endpoint):
    import html
    import re
    status, headers, page = _get(endpoint, "/", library="road-segments")
    assert status == 200 and 'name="param.status"' in page and 'name="param.road_name"' in page
    assert "<option>completed</option>" in page and "Road segments with their road" in page
    assert '<section id="result"></section>' in page  # shown, not run
    assert "nif-core#anchorOf" in page  # the editor completes what the graph uses too
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-eval" not in csp and "connect-src 'none'" in csp
    _, _, page = _get(endpoint, "/", library="road-segments", **{"param.road_name": "关岳西路"})
    assert "1 row(s)" in page and 'href="/id/zhou-pu-zhen/seg1"' in page
    assert 'value="关岳西路"' in page
    assert ('href="/sparql?library=road-segments&amp;param.road_name=%E5%85%B3%E5%B2%B3%E8%A5%BF%E8%B7%AF'
            '&amp;format=csv&amp;labels=1&amp;download=1"') in page
    q = f"CONSTRUCT {{ ?a <{KG}intersects> ?b }} WHERE {{ ?a <{KG}intersects> ?b }}"
    _, _, page = _get(endpoint, "/", query=q)
    link = re.search(r'<a class="dl" data-format="turtle" href="([^"]+)"', page).group(1)
    status, headers, ttl = http(endpoint + html.unescape(link))
    assert status == 200 and headers["Content-Disposition"] == 'attachment; filename="query.ttl"'
    assert len(Graph().parse(data=ttl, format="turtle")) == 8
    _, _, page = _get(endpoint, "/", library="counts", run="1")
    assert "row(s)" in page and 'class="err"' not in page and "kg:RoadSegment" in page


@pytest.mark.parametrize("value", ['"><script>alert(1)</script>', 'x" } ?s ?p ?o . FILTER(true) } #',
                                   "关岳西路\" ; DROP ALL", "<b>&amp;</b>"])
def test_hostile_parameter_values_are_escaped_and_bound(endpoint, value):
    # road_name is a name looked up in the graph (kg/lookup.py): a value no entity has is
    # one escaped message, never text in the query
    status, _, page = _get(endpoint, "/", library="road-segments", **{"param.road_name": value})
    assert status == 200 and "no entity among Road, Waterway has this name" in page
    assert "<script>alert" not in page and "<b>&amp;" not in page
    assert 'value="' + __import__("html").escape(value) + '"' in page
    status, headers, body = _get(endpoint, "/sparql", library="road-segments", **{"param.road_name": value},
                                 format="json")
    assert status == 400 and "no entity among Road, Waterway has this name" in body
    assert headers.get("Content-Type", "").startswith("text/plain")


def test_page_assets_are_the_vendored_files_and_nothing_else(endpoint):
    import hashlib
    import re
    root = Path(__file__).resolve().parent.parent / "viz" / "vendor" / "yasqe"
    recorded = dict(re.findall(r"(yasqe\.min\.\w+)\s+sha256 ([0-9a-f]{64})", (root / "VENDORED").read_text()))
    assert set(recorded) == {"yasqe.min.js", "yasqe.min.css"}
    for name, digest in recorded.items():
        assert hashlib.sha256((root / name).read_bytes()).hexdigest() == digest
        req = urllib.request.Request(endpoint + "/assets/" + name)
        with urllib.request.urlopen(req, timeout=30) as resp:
            assert hashlib.sha256(resp.read()).hexdigest() == digest
    for name in ("endpoint.js", "../kg.ttl", "%2e%2e/pyproject.toml", "VENDORED"):
        status = http(endpoint + "/assets/" + name)[0]
        assert status == (200 if name == "endpoint.js" else 404), name


def test_the_page_completes_the_ontology_terms():
    import html as html_mod
    import json
    import re
    from kg.endpoint_page import completions, home_page
    words = completions(["urn:x:Used"], [])
    page = home_page(library(), query="SELECT 1 {}", words=words).decode("utf-8")
    data = json.loads(re.search(r'id="kg-completions">(.*?)</script>', page).group(1))
    classes = dict(data["classes"])
    assert classes[KG + "Road"] == "道路" and "urn:x:Used" in classes
    assert "https://schema.org/Report" in classes  # what the ontology refines
    assert dict(data["properties"])[KG + "segmentOf"] and data["prefixes"]["kg"] == KG
    assert html_mod.escape("SELECT 1 {}") in page
