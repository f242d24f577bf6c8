"""`kg push` and `--endpoint` against real triplestores started on loopback
(tests/servers.py): the Oxigraph server (the PyPI `oxigraph` package's binary) and
Virtuoso 7 (Debian's `virtuoso-opensource`, pushed to through its Graph Store endpoint
that asks HTTP Digest). The library answers the same from each server as from the build;
a push sends only what changed, replaces a changed graph and deletes what went; the
credentials are sent and never shown. A server that is not installed is skipped."""
from __future__ import annotations

import base64
import http.server
import re
import threading
import time
import urllib.request

import pytest
from click.testing import CliRunner

import servers
from conftest import serving
from kg.cli import main
from kg.push import push
from kg.query import library, library_rows
from kg.remote import RemoteStore
from kg.store import load_store


@pytest.fixture(params=servers.ENGINES)
def server(request, tmp_path, monkeypatch):
    """A fresh server of each engine, its push credentials (if any) in the environment."""
    why = servers.missing(request.param)
    if why:
        pytest.skip(why)
    with servers.start(request.param, tmp_path) as s:
        for name, value in s.env().items():
            monkeypatch.setenv(name, value)
        yield s


_CONCAT = re.compile(r'GROUP_CONCAT\(.*?separator\s*=\s*"([^"]*)"\s*\)\s*AS\s+\?(\w+)', re.I | re.S)


def _values(rows, text: str):
    """Rows as comparable text, told apart only by what the engines may not agree on:
    numbers by value (Oxigraph stores xsd:nonNegativeInteger as xsd:integer, Virtuoso
    keeps it; Virtuoso has no computed booleans, EXISTS gives 1 where Oxigraph gives
    true), and the parts of a GROUP_CONCAT as a set (SPARQL leaves their order open)."""
    joined = {var: sep for sep, var in _CONCAT.findall(text)}

    def norm(k, v):
        if v is None:
            return ""
        if k in joined:
            return joined[k].join(sorted(str(v).split(joined[k])))
        try:
            return repr(float(v.toPython())) if hasattr(v, "datatype") and v.datatype else str(v)
        except (TypeError, ValueError):
            return str(v)
    return sorted(tuple(sorted((k, norm(k, v)) for k, v in r.items())) for r in rows)


def _built_graphs(store, names) -> int:
    """Triples in the named graphs ``names`` (a Virtuoso's union also holds its own)."""
    values = " ".join(f"<{n}>" for n in names)
    rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}").rows
    return int(rows[0][0])


def test_the_library_answers_the_same_from_the_server_as_from_the_build(seed_build, server):
    r = push(seed_build / "kg.trig", server.query)
    assert r.sent and not r.unchanged
    remote, local = RemoteStore(server.query), load_store(seed_build / "kg.ttl")
    assert _built_graphs(remote, r.sent) == len(local)
    if server.engine == "oxigraph":
        assert len(remote) == len(local)
    answered = 0
    for name, spec in sorted(library().items()):
        got, want = library_rows(remote, name), library_rows(local, name)
        assert got[0] == want[0], name
        assert _values(got[1], spec.text) == _values(want[1], spec.text), name
        answered += bool(want[1])
    assert answered >= 25


def _graph_rows(store):
    q = 'SELECT ?g ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), "urn:g:")) } ORDER BY ?g ?o'
    return [(str(a), str(b)) for a, b in store.query(q).rows]


def test_a_push_sends_only_what_changed_and_deletes_what_went(tmp_path, server):
    trig = tmp_path / "kg.trig"
    g = lambda name, body: f"<urn:g:{name}> {{ {body} }}\n"  # noqa: E731
    trig.write_text(g("a", '<urn:x> <urn:p> "1", "一"@zh .') + g("b", '<urn:y> <urn:p> "2" .'), encoding="utf-8")
    first = push(trig, server.query)
    assert first.sent == ["urn:g:a", "urn:g:b"]
    store = RemoteStore(server.query)
    assert _graph_rows(store) == [("urn:g:a", "1"), ("urn:g:a", "一"), ("urn:g:b", "2")]
    again = push(trig, server.query)
    assert again.sent == [] and again.unchanged == ["urn:g:a", "urn:g:b"]
    trig.write_text(g("a", '<urn:x> <urn:p> "changed" .') + g("b", '<urn:y> <urn:p> "2" .')
                    + g("c", '<urn:z> <urn:p> "3" .'), encoding="utf-8")
    third = push(trig, server.query)
    assert third.sent == ["urn:g:a", "urn:g:c"] and third.unchanged == ["urn:g:b"]
    assert _graph_rows(store) == [("urn:g:a", "changed"), ("urn:g:b", "2"), ("urn:g:c", "3")]
    trig.write_text(g("a", '<urn:x> <urn:p> "changed" .') + g("c", '<urn:z> <urn:p> "3" .'), encoding="utf-8")
    fourth = push(trig, server.query)
    assert fourth.sent == [] and fourth.deleted == ["urn:g:b"]
    assert _graph_rows(store) == [("urn:g:a", "changed"), ("urn:g:c", "3")]


def test_cli_push_then_query_and_serve_against_the_endpoint(seed_build, server):
    url = server.query
    r = CliRunner().invoke(main, ["push", url, "--data", str(seed_build / "kg.trig")])
    assert r.exit_code == 0 and "graphs sent" in r.output, r.output
    r = CliRunner().invoke(main, ["push", url, "--data", str(seed_build / "kg.trig")])
    assert "0 graphs sent" in r.output and "unchanged" in r.output
    r = CliRunner().invoke(main, ["query", "road-segments", "--endpoint", url, "--format", "csv"])
    assert r.exit_code == 0 and "韵涛路(周东南路-周园路)" in r.output, r.output
    r = CliRunner().invoke(main, ["query", "ASK { ?s a <https://w3id.org/gwr-kg/ontology#Road> }",
                                  "--endpoint", url, "--format", "json"])
    assert r.exit_code == 0 and '"boolean": true' in r.output, r.output
    r = CliRunner().invoke(main, ["query", "ASK { ?s a <https://w3id.org/gwr-kg/ontology#NoSuchClass> }",
                                  "--endpoint", url, "--format", "json"])
    assert r.exit_code == 0 and '"boolean": false' in r.output, r.output
    r = CliRunner().invoke(main, ["query", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
                                  "--endpoint", url])
    assert r.exit_code == 1 and "SERVICE" in r.output
    with serving(url, timeout=10.0, max_rows=1000, workers=2) as served:
        q = "ASK { ?s a <https://w3id.org/gwr-kg/ontology#RoadSegment> }"
        with urllib.request.urlopen(f"{served}/sparql?query=" + urllib.request.quote(q), timeout=30) as resp:
            assert b"true" in resp.read()


def test_a_push_without_the_credentials_a_server_asks_is_one_line(seed_build, server, monkeypatch):
    """Virtuoso resets the connection while a large body it refuses is still coming: a
    wrong password was "cannot reach the endpoint (Connection reset by peer)"."""
    if server.user is None:
        pytest.skip(f"{server.engine} asks no credentials")
    trig = seed_build / "kg.trig"  # 2.5 MB of N-Triples in its report's graph
    monkeypatch.delenv("KG_ENDPOINT_USER")
    monkeypatch.delenv("KG_ENDPOINT_PASSWORD")
    r = CliRunner().invoke(main, ["push", server.query, "--data", str(trig)])
    assert r.exit_code == 1 and len(r.output.strip().splitlines()) == 1, r.output
    assert "401" in r.output and "KG_ENDPOINT_USER" in r.output
    monkeypatch.setenv("KG_ENDPOINT_USER", server.user)
    monkeypatch.setenv("KG_ENDPOINT_PASSWORD", "wrong-" + server.password)
    r = CliRunner().invoke(main, ["push", server.query, "--data", str(trig)])
    assert r.exit_code == 1 and len(r.output.strip().splitlines()) == 1, r.output
    assert "401" in r.output and "were refused" in r.output and server.password not in r.output
    monkeypatch.setenv("KG_ENDPOINT_PASSWORD", server.password)
    r = CliRunner().invoke(main, ["push", server.query, "--data", str(trig)])
    assert r.exit_code == 0 and "2 graphs sent" in r.output, r.output


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: list[str] = []

    def do_PUT(self):
        type(self).seen.append(self.headers.get("Authorization", ""))
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(401, "Unauthorized")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_credentials_come_from_the_environment_and_are_never_shown(tmp_path, monkeypatch):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    trig = tmp_path / "kg.trig"
    trig.write_text('<urn:g:a> { <urn:x> <urn:p> "1" . }\n', encoding="utf-8")
    monkeypatch.setenv("KG_ENDPOINT_USER", "reader")
    monkeypatch.setenv("KG_ENDPOINT_PASSWORD", "s3cret-pass")
    url = f"http://127.0.0.1:{server.server_address[1]}/query"
    try:
        r = CliRunner().invoke(main, ["push", url, "--data", str(trig)])
    finally:
        server.shutdown()
    assert r.exit_code == 1 and r.output.startswith("kg: error:") and "401" in r.output
    assert "s3cret" not in r.output and "reader" not in r.output
    assert _Recorder.seen == ["Basic " + base64.b64encode(b"reader:s3cret-pass").decode()]
    r = CliRunner().invoke(main, ["query", "counts", "--endpoint", "http://reader:s3cret@127.0.0.1:1/q"])
    assert r.exit_code == 1 and "s3cret" not in r.output and "KG_ENDPOINT_USER" in r.output
    r = CliRunner().invoke(main, ["push", "ftp://127.0.0.1/query", "--data", str(trig)])
    assert r.exit_code == 1 and "http:// or https://" in r.output


_HOSTILE = {  # path -> the raw answer of a hostile endpoint
    "/not-http/query": b"SSH-2.0-OpenSSH_9\r\n\r\n",
    "/bad-status/query": b"HTTP/1.1 abc OK\r\n\r\n",
    "/short-body/query": (b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                          b"Content-Length: 1000\r\n\r\n{\"boolean\""),
    "/long-header/query": b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * 70_000 + b"\r\n\r\n",
    "/list-json/query": b"[1, 2]",
    "/null-json/query": b"null",
    "/string-cells/query": b'{"head": {"vars": ["n"]}, "results": {"bindings": [{"n": "x"}]}}',
    "/number-value/query": b'{"head": {"vars": ["n"]}, "results": {"bindings": [{"n": {"type": "literal", "value": 5, "datatype": 7}}]}}',
    "/bad-lang/query": b'{"head": {"vars": ["n"]}, "results": {"bindings": [{"n": {"type": "literal", "value": "x", "xml:lang": "no lang!"}}]}}',
    "/deep-json/query": b"[" * 100_000 + b"]" * 100_000,
}


class _Hostile(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path = self.path.split("?")[0]
        if path == "/echo/query":  # an error page that repeats the Authorization header
            body = f"bad credentials {self.headers.get('Authorization')}".encode()
            self.send_response(401)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif path == "/drip/query":  # one byte a second, never done
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n")
            for _ in range(30):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(1)
        elif _HOSTILE[path].startswith((b"HTTP", b"SSH")):
            self.wfile.write(_HOSTILE[path])
        else:
            body = _HOSTILE[path]
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    do_PUT = do_POST

    def log_message(self, *args):
        pass


def test_a_hostile_endpoint_gets_one_line_errors_and_no_secrets(monkeypatch):
    """Answers that are not HTTP, not SPARQL results, or that echo the credentials back
    were tracebacks or printed the Basic token; a dripping answer held `kg query` for as
    long as the endpoint liked."""
    from kg.errors import QueryError
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hostile)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv("KG_ENDPOINT_USER", "reader")
    monkeypatch.setenv("KG_ENDPOINT_PASSWORD", "s3cret-pass")
    token = base64.b64encode(b"reader:s3cret-pass").decode()
    try:
        for path in [*_HOSTILE, "/echo/query"]:
            r = CliRunner().invoke(main, ["query", "ASK { ?s ?p ?o }", "--endpoint", base + path])
            assert r.exception is None or isinstance(r.exception, SystemExit), (path, r.exc_info)
            lines = r.output.strip().splitlines()
            assert r.exit_code == 1 and len(lines) == 1 and lines[0].startswith("kg: error:"), path
            assert token not in r.output and "s3cret" not in r.output, path
        assert "cut short (990 bytes missing)" in CliRunner().invoke(
            main, ["query", "ASK {}", "--endpoint", base + "/short-body/query"]).output
        t0 = time.monotonic()
        with pytest.raises(QueryError, match="no complete answer .* within 2 s"):
            RemoteStore(base + "/drip/query", timeout=2).query("ASK {}")
        assert time.monotonic() - t0 < 3.5
    finally:
        server.shutdown()
        server.server_close()


def test_a_graph_already_gone_from_the_store_counts_as_deleted(tmp_path, server):
    from kg.remote import request
    trig = tmp_path / "kg.trig"
    trig.write_text('<urn:g:a> { <urn:x> <urn:p> "1" . }\n', encoding="utf-8")
    push(trig, server.query)
    request(server.store + "?graph=urn%3Ag%3Aa", "DELETE")   # someone else removed it
    trig.write_text('<urn:g:b> { <urn:y> <urn:p> "2" . }\n', encoding="utf-8")
    r = push(trig, server.query)                              # its DELETE answers 404
    assert r.sent == ["urn:g:b"] and r.deleted == ["urn:g:a"]


class _Digest(http.server.BaseHTTPRequestHandler):
    """A Graph Store that asks HTTP Digest the way Virtuoso does (Basic refused without a
    challenge, nonces reused with a count), checked by RFC 7616's formula written out here;
    ``nonces`` it still accepts, ``seen`` the (method, scheme) of each request."""
    user, password, algorithm = "dba", "pässword", "MD5"
    nonces: set[str] = set()
    seen: list[tuple[str, str]] = []

    def _challenge(self):
        nonce = f"n{len(self.seen)}"
        type(self).nonces = {nonce}  # older nonces go stale
        self.send_response(401)
        self.send_header("WWW-Authenticate", f'Digest realm="SPARQL", nonce="{nonce}", '
                                             f'qop="auth", algorithm="{self.algorithm}"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _answer(self):
        import hashlib
        from urllib.request import parse_http_list, parse_keqv_list
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        auth = self.headers.get("Authorization", "")
        type(self).seen.append((self.command, auth.split(" ")[0]))
        if not auth.startswith("Digest "):
            if auth:  # Basic: refused, no challenge
                self.send_response(401)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            return self._challenge()
        f = parse_keqv_list(parse_http_list(auth[7:]))
        h = lambda s: hashlib.md5(s.encode("utf-8")).hexdigest()  # noqa: E731
        want = h(f"{h(f'{self.user}:SPARQL:{self.password}')}:{f['nonce']}:{f['nc']}:{f['cnonce']}:auth:"
                 f"{h(f'{self.command}:{self.path}')}")
        if f["nonce"] not in self.nonces or f["response"] != want or f["uri"] != self.path:
            return self._challenge()
        self.send_response(201 if self.command == "PUT" else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_HEAD = do_PUT = do_DELETE = do_POST = _answer

    def log_message(self, *args):
        pass


@pytest.fixture()
def digest_store(monkeypatch):
    _Digest.seen, _Digest.nonces, _Digest.algorithm = [], set(), "MD5"
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Digest)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("KG_ENDPOINT_USER", _Digest.user)
    monkeypatch.setenv("KG_ENDPOINT_PASSWORD", _Digest.password)
    yield f"http://127.0.0.1:{server.server_address[1]}/crud"
    server.shutdown()
    server.server_close()


def test_a_digest_store_is_answered_after_one_probe_and_a_stale_nonce_once_more(tmp_path, digest_store):
    trig = tmp_path / "kg.trig"
    trig.write_text('<urn:g:a> { <urn:x> <urn:p> "1" . }\n<urn:g:b> { <urn:y> <urn:p> "2" . }\n',
                    encoding="utf-8")
    assert push(trig, "http://127.0.0.1:1/query", store=digest_store).sent == ["urn:g:a", "urn:g:b"]
    # a HEAD without credentials reads the challenge, one with them checks they are taken;
    # then each PUT carries Digest at once
    assert _Digest.seen == [("HEAD", ""), ("HEAD", "Digest"), ("PUT", "Digest"), ("PUT", "Digest")]
    _Digest.nonces = set()  # the server forgets its nonce: one 401, one new try
    trig.write_text('<urn:g:a> { <urn:x> <urn:p> "1" . }\n', encoding="utf-8")
    assert push(trig, "http://127.0.0.1:1/query", store=digest_store).deleted == ["urn:g:b"]
    assert _Digest.seen[4:] == [("DELETE", "Digest"), ("DELETE", "Digest")]


def test_a_digest_store_refusing_the_password_or_asking_an_unknown_algorithm_is_one_line(
        tmp_path, digest_store, monkeypatch):
    import kg.remote
    trig = tmp_path / "kg.trig"
    trig.write_text('<urn:g:a> { <urn:x> <urn:p> "1" . }\n', encoding="utf-8")
    monkeypatch.setenv("KG_ENDPOINT_PASSWORD", "wrong-secret")
    r = CliRunner().invoke(main, ["push", "http://127.0.0.1:1/query", "--graph-store", digest_store,
                                  "--data", str(trig)])
    assert r.exit_code == 1 and len(r.output.strip().splitlines()) == 1 and "401" in r.output
    assert "were refused" in r.output and not any(m == "PUT" for m, _ in _Digest.seen)
    assert "wrong-secret" not in r.output and "dba" not in r.output, r.output
    kg.remote._AUTH.clear()
    _Digest.algorithm = "SHA-512-256"
    r = CliRunner().invoke(main, ["push", "http://127.0.0.1:1/query", "--graph-store", digest_store,
                                  "--data", str(trig)])
    assert r.exit_code == 1 and "SHA-512-256" in r.output and "cannot answer" in r.output, r.output


def test_an_answer_virtuoso_cut_at_its_row_cap_is_refused_not_shown_as_whole(seed_build, tmp_path, monkeypatch):
    """Virtuoso cuts every answer at ResultSetMaxRows (10,000 unless virtuoso.ini says
    otherwise) and says so only in an X-SPARQL-MaxRows header: the rows that came were
    shown as if they were all."""
    why = servers.missing("virtuoso")
    if why:
        pytest.skip(why)
    with servers.virtuoso(tmp_path, max_rows=50) as s:
        for name, value in s.env().items():
            monkeypatch.setenv(name, value)
        push(seed_build / "kg.trig", s.query)
        r = CliRunner().invoke(main, ["query", "co-mentioned", "--endpoint", s.query, "--format", "csv"])
        assert r.exit_code == 1 and len(r.output.strip().splitlines()) == 1, r.output
        assert "cut its answer at 50 rows" in r.output and "ResultSetMaxRows" in r.output
        r = CliRunner().invoke(main, ["query", "SELECT ?s WHERE { ?s a <https://w3id.org/gwr-kg/ontology#Road> } LIMIT 20",
                                      "--endpoint", s.query, "--format", "csv"])
        assert r.exit_code == 0 and len(r.output.strip().splitlines()) == 21, r.output


def test_graphs_of_a_build_are_read_one_at_a_time(tmp_path):
    """A build's kg.trig gives its graphs one by one, each the same N-Triples as a whole
    read gives; a file naming a graph in two blocks is read whole, with the same result;
    a build without kg.trig pushes from its store."""
    from kg.pipeline import build
    from kg.push import _whole, graphs_of, graphs_of_store
    a = tmp_path / "a.txt"
    a.write_text("甲镇2023年政府工作报告\n一、2022年工作回顾\n完成周秀路(沪南公路-周园路)大修。\n", encoding="utf-8")
    b = tmp_path / "b.txt"
    b.write_text("乙镇2023年政府工作报告\n一、2022年工作回顾\n建成乙镇文化中心。\n", encoding="utf-8")
    out = build([a, b], tmp_path / "out", html=False)
    trig = out.files["kg.trig"]
    streamed = list(graphs_of(trig))
    assert [n for n, _ in streamed] == sorted(n for n, _ in streamed) and len(streamed) == 3
    assert streamed == list(_whole(trig))
    text = trig.read_text(encoding="utf-8")
    split = tmp_path / "split.trig"  # the first graph's block again at the end, with one more triple
    first = streamed[0][0]
    split.write_text(text + f'\n<{first}> {{ <urn:x> <urn:p> "再一" . }}\n', encoding="utf-8")
    again = dict(graphs_of(split))
    assert again[first].count(b"\n") == streamed[0][1].count(b"\n") + 1
    bare = build([a, b], tmp_path / "bare", html=False, exports=False)
    from_store = dict(graphs_of_store(bare.files["store"]))
    assert set(from_store) == {n for n, _ in streamed}
    assert {n: p.count(b"\n") for n, p in from_store.items()} == {n: p.count(b"\n") for n, p in streamed}


def test_pushing_the_same_build_again_reads_nothing(tmp_path, server, monkeypatch):
    """The build's manifest gives the digests of the graphs it published: pushed once, the
    same build pushed again to the same store reads nothing (not kg.trig, not the store);
    after a rebuild that changed one report, the push reads and sends that graph alone."""
    import kg.push
    from conftest import SEED
    from kg.pipeline import build
    report = tmp_path / "reports" / SEED.name
    report.parent.mkdir()
    report.write_bytes(SEED.read_bytes())
    out = tmp_path / "out"
    build([report], out, html=False, tagger=False)
    first = push(out / "kg.trig", server.query)
    assert len(first.sent) == 2  # the report's graph and the ontology's

    def no_reading(*_):  # a generator, as they are: reading starts at the first graph
        raise AssertionError("read the build again")
        yield
    with monkeypatch.context() as m:
        m.setattr(kg.push, "graphs_of", no_reading)
        m.setattr(kg.push, "graphs_of_store", no_reading)
        again = push(out / "kg.trig", server.query)
    assert again.sent == [] and sorted(again.unchanged) == sorted(first.sent)
    report.write_text(SEED.read_text(encoding="utf-8") + "\n全年新建道路3条。\n", encoding="utf-8")
    build([report], out, html=False, tagger=False)
    third = push(out / "kg.trig", server.query)
    assert len(third.sent) == 1 and len(third.unchanged) == 1
    q = "SELECT ?t WHERE { GRAPH ?g { ?s ?p ?t FILTER(CONTAINS(STR(?t), '新建道路3条')) } } LIMIT 1"
    rows = RemoteStore(server.query).query(q).rows  # the changed text is on the server
    assert len(rows) == 1 and str(rows[0][0]).endswith("全年新建道路3条。")
