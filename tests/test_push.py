"""`kg push` and `--endpoint` against a real Oxigraph server (the PyPI `oxigraph`
package's binary) started on a loopback port: the library answers the same from the
server as from the build; a push sends only what changed and deletes what went; the
credentials are sent and never shown. Skipped where the `oxigraph` binary is absent."""
from __future__ import annotations

import base64
import http.server
import shutil
import socket
import subprocess
import threading
import time
import urllib.request

import pytest
from click.testing import CliRunner

from conftest import serving
from kg.cli import main
from kg.push import push
from kg.query import library, library_rows
from kg.remote import RemoteStore
from kg.store import load_store

OXIGRAPH = shutil.which("oxigraph")
needs_server = pytest.mark.skipif(OXIGRAPH is None, reason="the oxigraph server binary is absent")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def oxigraph_server(tmp_path):
    port = _free_port()
    proc = subprocess.Popen([OXIGRAPH, "serve", "--location", str(tmp_path / "ox"),
                             "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/query?query=ASK%7B%7D", timeout=1).read()
            break
        except OSError:
            time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


def _values(rows):
    """Rows as comparable text (numbers canonical: engines print 35.0 or 35)."""
    def norm(v):
        if v is None:
            return ""
        try:
            return repr(float(v.toPython())) if hasattr(v, "datatype") and v.datatype else str(v)
        except (TypeError, ValueError):
            return str(v)
    return sorted(tuple(sorted((k, norm(v)) for k, v in r.items())) for r in rows)


@needs_server
def test_the_library_answers_the_same_from_the_server_as_from_the_build(seed_build, oxigraph_server):
    r = push(seed_build / "kg.trig", oxigraph_server + "/query")
    assert r.sent and not r.unchanged
    remote, local = RemoteStore(oxigraph_server + "/query"), load_store(seed_build / "kg.ttl")
    assert len(remote) == len(local)
    answered = 0
    for name in sorted(library()):
        got, want = library_rows(remote, name), library_rows(local, name)
        assert got[0] == want[0], name
        assert _values(got[1]) == _values(want[1]), name
        answered += bool(want[1])
    assert answered >= 25


@needs_server
def test_a_push_sends_only_what_changed_and_deletes_what_went(tmp_path, oxigraph_server):
    trig = tmp_path / "kg.trig"
    g = lambda name, body: f"<urn:g:{name}> {{ {body} }}\n"  # noqa: E731
    trig.write_text(g("a", '<urn:x> <urn:p> "1" .') + g("b", '<urn:y> <urn:p> "2" .'), encoding="utf-8")
    first = push(trig, oxigraph_server + "/query")
    assert first.sent == ["urn:g:a", "urn:g:b"]
    again = push(trig, oxigraph_server + "/query")
    assert again.sent == [] and again.unchanged == ["urn:g:a", "urn:g:b"]
    trig.write_text(g("a", '<urn:x> <urn:p> "changed" .') + g("c", '<urn:z> <urn:p> "3" .'), encoding="utf-8")
    third = push(trig, oxigraph_server + "/query")
    assert third.sent == ["urn:g:a", "urn:g:c"] and third.deleted == ["urn:g:b"]
    store = RemoteStore(oxigraph_server + "/query")
    rows = store.query("SELECT ?g ?o WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g").rows
    assert [(str(a), str(b)) for a, b in rows] == [("urn:g:a", "changed"), ("urn:g:c", "3")]


@needs_server
def test_cli_push_then_query_and_serve_against_the_endpoint(seed_build, oxigraph_server):
    url = oxigraph_server + "/query"
    r = CliRunner().invoke(main, ["push", url, "--data", str(seed_build / "kg.trig")])
    assert r.exit_code == 0 and "graphs sent" in r.output, r.output
    r = CliRunner().invoke(main, ["push", url, "--data", str(seed_build / "kg.trig")])
    assert "0 graphs sent" in r.output and "unchanged" in r.output
    r = CliRunner().invoke(main, ["query", "road-segments", "--endpoint", url, "--format", "csv"])
    assert r.exit_code == 0 and "韵涛路(周东南路-周园路)" in r.output, r.output
    r = CliRunner().invoke(main, ["query", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
                                  "--endpoint", url])
    assert r.exit_code == 1 and "SERVICE" in r.output
    with serving(url, timeout=10.0, max_rows=1000, workers=2) as served:
        q = "ASK { ?s a <https://w3id.org/gwr-kg/ontology#RoadSegment> }"
        with urllib.request.urlopen(f"{served}/sparql?query=" + urllib.request.quote(q), timeout=30) as resp:
            assert b"true" in resp.read()


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


@needs_server
def test_a_graph_already_gone_from_the_store_counts_as_deleted(tmp_path, oxigraph_server):
    from kg.remote import request
    trig = tmp_path / "kg.trig"
    trig.write_text('<urn:g:a> { <urn:x> <urn:p> "1" . }\n', encoding="utf-8")
    push(trig, oxigraph_server + "/query")
    request(oxigraph_server + "/store?graph=urn%3Ag%3Aa", "DELETE")   # someone else removed it
    trig.write_text('<urn:g:b> { <urn:y> <urn:p> "2" . }\n', encoding="utf-8")
    r = push(trig, oxigraph_server + "/query")                         # its DELETE answers 404
    assert r.sent == ["urn:g:b"] and r.deleted == ["urn:g:a"]
