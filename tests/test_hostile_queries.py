"""No query text makes kg reach the network: kg serve (every way a query arrives) and kg query,
against a canary HTTP server on loopback. The cases are data (tests/cases/hostile/queries.txt);
a property test sends random texts built from dangerous fragments."""
from __future__ import annotations

import http.server
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.cli import main
from kg.errors import QueryError
from kg.guard import check_read_only
from kg.netguard import network_off
from kg.sandbox import run_limited
from kg.serve import make_server
from kg.store import load_store

CASES = Path(__file__).resolve().parent / "cases"
GRAPH = CASES / "query_graph" / "graph.ttl"


class Canary:
    """A loopback HTTP server that counts every request it gets."""

    def __init__(self):
        hits = self.hits = []

        class H(http.server.BaseHTTPRequestHandler):
            def _hit(self):
                hits.append((self.command, self.path))
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                body = b'{"head":{"vars":[]},"results":{"bindings":[{}]}}'
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _hit

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def canary():
    c = Canary()
    yield c
    c.server.shutdown()


def queries() -> list[tuple[str, bool]]:
    """(query text, expected to be answered) for each block of the case file."""
    text = (CASES / "hostile" / "queries.txt").read_text(encoding="utf-8")
    text = "\n".join(line for line in text.splitlines() if not line.startswith("# "))
    out = []
    for block in text.split("\n----\n"):
        lines = block.strip("\n").split("\n")
        flags = set()
        while lines and lines[0].startswith("@"):
            flags.add(lines.pop(0))
        q = "\n".join(lines)
        if "@decode" in flags:
            q = q.replace("\\r", "\r")
        out.append((q, "@answered" in flags))
    return out


QUERIES = queries()


@pytest.fixture(scope="module")
def endpoint():
    server = make_server(GRAPH, host="127.0.0.1", port=0, timeout=5.0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _request(url, data=None, headers=None, method=None):
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def test_the_case_file_has_the_known_bypasses():
    assert len(QUERIES) >= 25
    assert any("\r" in q for q, _ in QUERIES) and any("ex:a\\#" in q for q, _ in QUERIES)


@pytest.mark.parametrize("i", range(len(QUERIES)))
def test_serve_reaches_no_canary(endpoint, canary, i):
    q, answered = QUERIES[i]
    q = q.replace("CANARY", canary.url)
    before = len(canary.hits)
    enc = urllib.parse.quote(q)
    statuses = [
        _request(f"{endpoint}/sparql?query={enc}")[0],
        _request(f"{endpoint}/sparql", data=f"query={enc}".encode(),
                 headers={"Content-Type": "application/x-www-form-urlencoded"})[0],
        _request(f"{endpoint}/sparql", data=q.encode("utf-8"),
                 headers={"Content-Type": "application/sparql-query"})[0],
    ]
    home, page = _request(f"{endpoint}/?query={enc}")  # the page shows refusals in a 200 page
    assert home == 200 and ('class="err"' not in page) == answered
    assert len(canary.hits) == before, canary.hits
    expected = {200} if answered else {400, 403}
    assert set(statuses) <= expected, statuses


@pytest.mark.parametrize("i", range(len(QUERIES)))
def test_library_parameters_are_values_not_syntax(endpoint, canary, i):
    """Each hostile text given as a library query's parameter, through /sparql and the page's
    form: bound as one literal (no rows, nothing run), never reaching the canary; and as a
    name parameter: looked up, not found, one message, nothing run."""
    q = QUERIES[i][0].replace("CANARY", canary.url)
    before = len(canary.hits)
    enc = urllib.parse.quote(q)
    status_name, body_name = _request(f"{endpoint}/sparql?library=road-segments&param.road_name={enc}")
    assert status_name == 400 and ("has this name" in body_name or "codepoint escape" in body_name)
    status, body = _request(f"{endpoint}/sparql?library=search&param.text={enc}&format=json")
    status_page, page = _request(f"{endpoint}/?library=search&param.text={enc}")
    if re.search(r"\\[uU][0-9A-Fa-f]{4}", q):  # a codepoint escape cannot be a value: refused
        assert status == 400 and "codepoint escape" in body
        assert status_page == 200 and 'class="err"' in page and "codepoint escape" in page
    else:
        assert status == 200 and '"bindings": []' in body
        assert status_page == 200 and "0 row(s)" in page and 'class="err"' not in page
    assert len(canary.hits) == before, canary.hits


@pytest.mark.parametrize("i", range(len(QUERIES)))
def test_kg_query_reaches_no_canary(canary, i):
    q, answered = QUERIES[i]
    q = q.replace("CANARY", canary.url)
    before = len(canary.hits)
    r = CliRunner().invoke(main, ["query", q, "--data", str(GRAPH), "--format", "json"])
    assert len(canary.hits) == before
    assert r.exit_code == (0 if answered else 1), r.output
    if r.exit_code == 1:
        assert r.output.startswith("kg: error:") and len(r.output.strip().splitlines()) == 1


@pytest.mark.skipif(not run_limited(network_off, timeout=10), reason="no network namespaces here")
def test_second_wall_holds_without_the_guard(canary):
    """A SERVICE query given straight to the engine, in the query child, reaches nothing."""
    store = load_store(GRAPH)
    q = f"SELECT * WHERE {{ SERVICE <{canary.url}> {{ ?s ?p ?o }} }}"
    before = len(canary.hits)
    with pytest.raises(QueryError):
        run_limited(lambda: store.query(q).rows, timeout=10)
    assert len(canary.hits) == before


FRAGMENTS = ["SELECT * WHERE {", "ASK {", "}", "{", "SERVICE", "service", "\\u0053ERVICE",
             "<CANARY>", "?s ?p ?o", "#", "\r", "\n", "ex:a\\#", "ex:a\\'", "'", '"', "'''",
             "PREFIX ex: <http://e/>", "SILENT", "OPTIONAL", "FILTER EXISTS", "LOAD", "FROM",
             "GRAPH ?g", ".", " ", "\\"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=14))
def test_any_text_is_refused_or_reaches_nothing(canary, parts):
    q = " ".join(parts).replace("CANARY", canary.url)
    before = len(canary.hits)
    store = load_store(GRAPH)
    try:
        checked = check_read_only(q, store.graphs())
    except QueryError:
        return
    try:
        run_limited(lambda: store.query(checked.text).rows, timeout=10)
    except QueryError:
        pass
    assert len(canary.hits) == before


def test_host_must_name_the_server(endpoint):
    q = urllib.parse.quote("ASK { ?s ?p ?o }")
    assert _request(f"{endpoint}/sparql?query={q}", headers={"Host": "evil.example"})[0] == 403
    assert _request(f"{endpoint}/sparql?query={q}", headers={"Host": "localhost:1"})[0] == 200


def test_cross_origin_requests_are_refused(endpoint):
    q = urllib.parse.quote("ASK { ?s ?p ?o }")
    for headers in ({"Origin": "http://evil.example"}, {"Origin": "null"},
                    {"Sec-Fetch-Site": "cross-site"}):
        status, body = _request(f"{endpoint}/sparql?query={q}", headers=headers)
        assert status == 403 and "cross" in body or "origin" in body
    status, _ = _request(f"{endpoint}/sparql?query={q}",
                         headers={"Origin": endpoint, "Sec-Fetch-Site": "same-origin"})
    assert status == 200


def test_cors_origin_is_allowed_when_given():
    server = make_server(GRAPH, host="127.0.0.1", port=0, cors="http://yasgui.example")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        q = urllib.parse.quote("ASK { ?s ?p ?o }")
        assert _request(f"{url}/sparql?query={q}", headers={"Origin": "http://yasgui.example"})[0] == 200
        assert _request(f"{url}/sparql?query={q}", headers={"Origin": "http://evil.example"})[0] == 403
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("context", ["CANARY", "file:///etc/passwd", ["CANARY"],
                                     {"@import": "CANARY"}])
@pytest.mark.parametrize("command", ["stats", "viz", "export", "validate"])
def test_graph_files_fetch_nothing(tmp_path, canary, context, command):
    import json
    ctx = json.loads(json.dumps(context).replace("CANARY", canary.url))
    f = tmp_path / "evil.jsonld"
    f.write_text(json.dumps({"@context": ctx, "@id": "urn:a", "urn:p": "x"}), encoding="utf-8")
    before = len(canary.hits)
    args = {"stats": ["stats", "--data", str(f)],
            "viz": ["viz", "--data", str(f), "-o", str(tmp_path / "g.html")],
            "export": ["export", "--data", str(f), "--format", "nt", "-o", str(tmp_path / "g.nt")],
            "validate": ["validate", str(f)]}[command]
    r = CliRunner().invoke(main, args)
    assert len(canary.hits) == before
    assert r.exit_code == 1 and "refused" in r.output


def test_deep_nesting_is_one_line_error():
    r = CliRunner().invoke(main, ["query", "SELECT * WHERE " + "{" * 3000 + "}" * 3000,
                                  "--data", str(GRAPH)])
    assert r.exit_code == 1 and "nests deeper" in r.output


@pytest.mark.parametrize("name, text, message", [
    ("deep.jsonld", '{"@id": "urn:a", "urn:p": ' + "[" * 100_000 + '"x"' + "]" * 100_000 + "}",
     "nested too deeply"),
    ("surrogate.ttl", '<urn:a> <urn:p> "\\uD800x" .\n', "names a surrogate"),
    ("surrogate.nt", '<urn:a> <urn:p> "\\U0000DFFF" .\n', "names a surrogate")])
@pytest.mark.parametrize("command", ["stats", "export"])
def test_hostile_graph_files_are_one_line_errors(tmp_path, name, text, message, command):
    """A JSON-LD file nested past the recursion limit, and a Turtle escape of a lone
    surrogate (rdflib decodes it, then cannot write it back), were tracebacks."""
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    args = {"stats": ["stats", "--data", str(f)],
            "export": ["export", "--data", str(f), "--format", "ttl", "-o", str(tmp_path / "g.ttl")]}[command]
    r = CliRunner().invoke(main, args)
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exc_info
    assert r.exit_code == 1 and message in r.output and len(r.output.strip().splitlines()) == 1
    ok = tmp_path / "ok.ttl"  # an escaped backslash before uD800 is text, not an escape
    ok.write_text('<urn:a> <urn:p> "\\\\uD800" .\n', encoding="utf-8")
    assert CliRunner().invoke(main, ["stats", "--data", str(ok)]).exit_code == 0


@pytest.mark.parametrize("name", ["many.ttl", "many.jsonld"])
def test_graph_files_with_thousands_of_prefixes_are_refused_at_once(tmp_path, name):
    """rdflib binds each prefix in time that grows with those bound: 150,000 @prefix
    lines (6 MB) ran past 60 s; 8,000 JSON-LD context terms took 13 s."""
    import json
    import time
    n = 5000
    f = tmp_path / name
    if name.endswith(".ttl"):
        f.write_text("".join(f"@prefix p{i}: <http://ex.org/{i}/> .\n" for i in range(n))
                     + "p1:a p2:b p3:c .\n", encoding="utf-8")
    else:
        f.write_text(json.dumps({"@context": {f"p{i}": f"http://ex.org/{i}/" for i in range(n)},
                                 "@id": "p1:a", "p2:b": {"@id": "p3:c"}}), encoding="utf-8")
    t0 = time.process_time()
    r = CliRunner().invoke(main, ["stats", "--data", str(f)])
    assert r.exit_code == 1 and "5,000 prefixes declared, over the limit of 1,000" in r.output
    assert time.process_time() - t0 < 5


@pytest.mark.parametrize("name, text", [
    ("long-literal.ttl", '<urn:a> <urn:p> """' + "路\n" * 200_000 + '""" .\n'),
    ("long-line.nt", '<urn:a> <urn:p> "' + "路\\n" * 200_000 + '" .\n')])
def test_graph_files_are_read_in_linear_time(tmp_path, name, text):
    """rdflib's parsers are quadratic in one literal's lines (2 million took minutes):
    Turtle, TriG, N-Triples and N-Quads are read by pyoxigraph's parser."""
    import time
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    t0 = time.process_time()
    r = CliRunner().invoke(main, ["export", "--data", str(f), "--format", "nt", "-o", str(tmp_path / "o.nt")])
    assert r.exit_code == 0, r.output
    assert time.process_time() - t0 < 5
    assert (tmp_path / "o.nt").read_text(encoding="utf-8").count("路\\n") == 200_000
