"""A read-only SPARQL 1.1 Protocol endpoint over the built graph (stdlib http.server).

- ``/sparql``: GET ``?query=``, POST urlencoded ``query=`` or ``application/sparql-query``;
  results by content negotiation (Accept, or ``format=``/``output=``): SPARQL JSON, XML,
  CSV, TSV for SELECT/ASK; Turtle, N-Triples, RDF/XML, JSON-LD for CONSTRUCT/DESCRIBE.
- Refused with 403: updates (``update=``, ``application/sparql-update``, or update
  keywords), ``SERVICE``, ``FROM``/``FROM NAMED`` of graphs outside the store; 400 for
  malformed queries and for ``default-graph-uri``/``named-graph-uri``.
- Limits: every query runs in one of ``workers`` long-lived processes forked from the
  loaded store and cut off the network (:mod:`kg.pool`); one that overruns ``timeout``
  seconds is killed and replaced (503), results have at most ``max_rows`` rows (413) and
  bounded size and memory; a request waits for a free worker within the timeout.
- ``GET /sparql`` without a query: the SPARQL 1.1 Service Description (:mod:`kg.service`),
  Turtle by default, RDF/XML, N-Triples or JSON-LD by Accept.
- ``/sparql?library=NAME&param.KEY=VALUE``: a library query with its parameters bound by
  the server (never spliced); ``labels=1`` gives csv/tsv/json with labels and ``_iri``
  columns (csv with a BOM) as ``kg query`` does; ``download=1`` asks the browser to save it.
- ``/``: the page (:mod:`kg.endpoint_page`): the library as forms, a SPARQL editor, the
  result as a table with download links; its scripts are served from ``/assets/``.
- ``/lookup?name=…``: the entities a name stands for (:mod:`kg.lookup`: label, alias,
  code, key, pinyin, prefix, substring), best first, linked to their pages, or close
  names when none (404); JSON for ``Accept: application/json`` or ``format=json``.
- Entity IRIs under the graph's base (``…/id/…``, ``…/report/…``) resolve here to a page
  with the entity's facts and the sentences it comes from, or Turtle for ``text/turtle``.

Binds 127.0.0.1 by default; no CORS header unless ``cors`` names an origin. Stdlib
``ThreadingHTTPServer`` is enough for a local endpoint and adds no dependency.
"""
from __future__ import annotations

import html
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

from rdflib import Literal, URIRef

from kg import ids
from kg.errors import KgError, QueryError
from kg.endpoint_page import CSP as PAGE_CSP
from kg.endpoint_page import PARAM_PREFIX, asset, completions, downloads_html, home_page
from kg.query import QuerySpec, execute, labels_for, library, param_term, sparql_term
from kg.results import MEDIA_TYPES, cell_text, render
from kg.pool import TASKS, WorkerPool
from kg.sandbox import LimitExceeded
from kg.store import QueryResult, ResultTooLarge, load_store

SELECT_TYPES = {  # media type -> format name, for SELECT/ASK
    "application/sparql-results+json": "json", "application/json": "json",
    "application/sparql-results+xml": "xml", "application/xml": "xml", "text/xml": "xml",
    "text/csv": "csv", "text/tab-separated-values": "tsv", "text/plain": "table",
    "text/html": "html",
}
GRAPH_TYPES = {  # media type -> format name, for CONSTRUCT/DESCRIBE
    "text/turtle": "ttl", "application/turtle": "ttl", "application/x-turtle": "ttl",
    "text/n3": "ttl", "application/n-triples": "nt", "application/rdf+xml": "rdfxml",
    "application/xml": "rdfxml", "application/ld+json": "jsonld", "application/json": "jsonld",
    "text/plain": "nt", "text/html": "html",
}
FORMAT_PARAM = {  # format=/output= values (SPARQLWrapper sends these too)
    "json": ("json", "jsonld"), "xml": ("xml", "rdfxml"), "csv": ("csv", None),
    "tsv": ("tsv", None), "turtle": (None, "ttl"), "ttl": (None, "ttl"), "n3": (None, "ttl"),
    "rdf+xml": (None, "rdfxml"), "rdf": (None, "rdfxml"), "json-ld": (None, "jsonld"),
    "jsonld": (None, "jsonld"), "nt": (None, "nt"), "html": ("html", "html"),
    "table": ("table", None),
}
GRAPH_MEDIA = {"ttl": "text/turtle", "nt": "application/n-triples",
               "rdfxml": "application/rdf+xml", "jsonld": "application/ld+json"}
LABELLED_MEDIA = {"csv": "text/csv", "tsv": "text/tab-separated-values", "json": "application/json"}
# HTML the server writes (entity pages, result pages) runs no script and fetches nothing
HTML_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
            "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


class HttpError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def _accept(header: str | None) -> list[str]:
    """Media types of an Accept header, best first (q-values honoured)."""
    items = []
    for i, part in enumerate((header or "").split(",")):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        if q > 0:
            items.append((-q, i, fields[0].lower()))
    return [m for _, _, m in sorted(items)]


def negotiate(kind: str, accept: str | None, fmt_param: str | None) -> str:
    """The output format for a result ``kind`` (select/ask/graph).

    >>> negotiate("select", "application/sparql-results+xml", None)
    'xml'
    >>> negotiate("graph", "*/*", None)
    'ttl'
    """
    graph = kind == "graph"
    table = GRAPH_TYPES if graph else SELECT_TYPES
    if fmt_param:
        pair = FORMAT_PARAM.get(fmt_param.lower())
        if pair and pair[1 if graph else 0]:
            return pair[1 if graph else 0]
        if fmt_param in table:
            return table[fmt_param]
    for media in _accept(accept):
        if media in table:
            return table[media]
        if media in ("*/*", "application/*", "text/*"):
            break
    return "ttl" if graph else "json"


def _format_param(params: dict[str, list[str]]) -> str | None:
    """The first known ``format``/``output``/``results`` value (SPARQLWrapper sends several,
    short names and media types)."""
    for key in ("format", "output", "results"):
        for value in params.get(key, []):
            v = value.lower().strip()
            if v in FORMAT_PARAM:
                return v
            media = v.split(";")[0].strip()
            if media in SELECT_TYPES or media in GRAPH_TYPES:
                return media
    return None


class Endpoint:
    """The query side of the server: a loaded store, its limits, and the query workers
    (:class:`kg.pool.WorkerPool`) that run everything that queries the store."""

    def __init__(self, store, timeout: float = 10.0, max_rows: int = 10000,
                 memory: int | None = 1 << 30, workers: int = 4):
        self.store = store
        self.timeout = timeout
        self.max_rows = max_rows
        self.memory = memory
        self.graphs = store.graphs()
        self._words: dict | None = None
        _warm_up()
        # cut off the network, unless the store is an endpoint the user named
        self.pool = WorkerPool(self, size=workers, memory=memory,
                               offline=not getattr(store, "remote", False))

    def _limited(self, task: str, *args):
        """Run ``task`` (of :data:`kg.pool.TASKS`) in a query worker; time waiting for one
        counts against the limit, so every request is answered within ``timeout``."""
        return self.pool.run(task, args, self.timeout)

    def close(self) -> None:
        """Stop the query workers."""
        self.pool.close()

    def answer(self, text: str, accept: str | None, fmt_param: str | None,
               params: dict[str, str] | None = None, spec: QuerySpec | None = None,
               people: bool = False) -> tuple[str, bytes]:
        """(content type, body) for a SPARQL query (a library query ``spec`` with its
        ``params`` bound by :func:`kg.query.execute`); QueryError when refused or failed.
        ``people``: csv, tsv and json with labels, as ``kg query`` writes them."""
        return self._limited("answer", text, accept, fmt_param, params, spec, people)

    def result_fragment(self, text: str, params: dict[str, str] | None = None,
                        spec: QuerySpec | None = None) -> tuple[str, str]:
        """(result kind, HTML table with labels and links) for the page at ``/``."""
        return self._limited("fragment", text, params, spec)

    def words(self) -> dict:
        """What the page's editor completes: the ontology's terms and the classes and
        properties the graph uses (asked once, in a query worker; the ontology's alone if
        that fails)."""
        if self._words is None:
            try:
                classes, props = self._limited("words")
            except QueryError:
                classes, props = [], []
            self._words = completions(classes, props)
        return self._words

    def entity(self, iri: str, accept: str | None) -> tuple[str, bytes] | None:
        """The page (or Turtle) of one node of the graph; None if the graph lacks it."""
        sparql_term(iri, "iri")  # checked here: a bad IRI is a 400, not a worker's error
        fmt = "html"
        for media in _accept(accept):
            if media in ("text/html", "application/xhtml+xml", "*/*"):
                break
            if media in GRAPH_TYPES:
                fmt = GRAPH_TYPES[media]
                break
        return self._limited("entity", iri, fmt)

    def lookup(self, name: str, limit: int = 50) -> dict:
        """The entities ``name`` matches (best first, at most ``limit``) and, when none,
        close names: ``{"name", "matches": [{"iri", "label", "class", "how", "best"}],
        "suggestions"}``. The index is made once, in the serving process."""
        from kg.lookup import index_of
        index = index_of(self.store)
        hits = index.find(name)
        first = hits[0].sort_key()[:2] if hits else None
        return {"name": name,
                "matches": [{"iri": h.entry.iri, "label": h.entry.label, "class": h.entry.cls,
                             "how": h.how, "best": h.sort_key()[:2] == first}
                            for h in hits[:limit]],
                "count": len(hits),
                "suggestions": [] if hits else index.suggest(name)}

    def facts_page(self, kind: str, value: str) -> bytes:
        """The page of one indicator (``kind`` "indicator") or one report's promises."""
        return self._limited("facts", kind, value)


# -- what the query workers do (kg/pool.py): each task gets the Endpoint as it was forked

def _task_answer(ep: Endpoint, text, accept, fmt_param, params, spec, people):
    store = ep.store
    res = execute(store, text, params, spec, max_rows=ep.max_rows)
    fmt = negotiate(res.kind, accept, fmt_param)
    if fmt == "html":
        return "text/html; charset=utf-8", _result_html(res, labels_for(store, res))
    if people and fmt in LABELLED_MEDIA and res.kind != "graph":
        body = render(res, fmt, labels_for(store, res), people=True)
        return f"{LABELLED_MEDIA[fmt]}; charset=utf-8", body.encode("utf-8")
    labels = labels_for(store, res) if fmt == "table" else None
    body = render(res, fmt, labels)
    media = GRAPH_MEDIA[fmt] if res.kind == "graph" else MEDIA_TYPES[fmt]
    return f"{media}; charset=utf-8", body.encode("utf-8")


def _task_fragment(ep: Endpoint, text, params, spec):
    res = execute(ep.store, text, params, spec, max_rows=ep.max_rows)
    return res.kind, _result_fragment(res, labels_for(ep.store, res))


def _task_words(ep: Endpoint):
    q = ("SELECT DISTINCT ?t ?k WHERE { { ?s a ?t BIND(0 AS ?k) } UNION "
         "{ ?s ?t ?o BIND(1 AS ?k) } FILTER(isIRI(?t)) } LIMIT 5000")
    rows = ep.store.query(q).rows
    return ([str(t) for t, k in rows if int(k) == 0], [str(t) for t, k in rows if int(k) == 1])


def _task_entity(ep: Endpoint, iri: str, fmt: str):
    store = ep.store
    term = sparql_term(iri, "iri")
    if fmt == "html":
        page = _reader(store, iri, term)
        if page is not None:
            return "text/html; charset=utf-8", page
    q = ("CONSTRUCT { ?x ?p ?o . ?s ?q ?x } WHERE { VALUES ?x { " + term + " } "
         "{ ?x ?p ?o } UNION { ?s ?q ?x } }")
    res = store.query(q, max_rows=20000)
    if not res.triples:
        return None
    if fmt != "html":
        return f"{GRAPH_MEDIA[fmt]}; charset=utf-8", render(res, fmt).encode("utf-8")
    sq = ("SELECT DISTINCT ?text ?begin ?sentence WHERE { VALUES ?x { " + term + " } "
          "{ ?x <http://www.w3.org/ns/prov#wasDerivedFrom> ?m } UNION "
          "{ ?m <https://w3id.org/gwr-kg/ontology#mentionOf> ?x } "
          "?m <https://w3id.org/gwr-kg/ontology#inSentence> ?sentence . "
          "?sentence <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#anchorOf> ?text ; "
          "<http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#beginIndex> ?begin "
          "} ORDER BY ?begin LIMIT 200")
    sentences = store.query(sq).rows
    return "text/html; charset=utf-8", _entity_html(iri, res, sentences, labels_for(store, res))


def _task_facts(ep: Endpoint, kind: str, value: str):
    from kg.facts.page import indicator_page, promises_page
    page = indicator_page if kind == "indicator" else promises_page
    return page(ep.store, value).encode("utf-8")


TASKS.update(answer=_task_answer, fragment=_task_fragment, words=_task_words,
             entity=_task_entity, facts=_task_facts)


def _reader(store, iri: str, term: str) -> bytes | None:
    """The report reader (kg/reader.py) when ``iri`` is a report, else None."""
    q = ("SELECT ?l WHERE { VALUES ?x { " + term + " } ?x a <https://w3id.org/gwr-kg/ontology#Report> ; "
         "<http://www.w3.org/2000/01/rdf-schema#label> ?l } LIMIT 1")
    rows = store.query(q).rows
    if not rows:
        return None
    from kg.reader import report_page
    return report_page(store, iri, str(rows[0][0]), served=True).encode("utf-8")


def _warm_up() -> None:
    """Import what is lazily loaded (rdflib serializers, the name normalizer) before any
    fork: each forked query would pay for it again, and an import lock held by another
    thread at fork time would hang the child."""
    param_term("x", "key")
    res = QueryResult("graph", triples=[(URIRef("urn:x:a"), URIRef("urn:x:b"), Literal("c"))])
    for fmt in ("ttl", "nt", "rdfxml", "jsonld"):
        render(res, fmt)


# -- HTML ----------------------------------------------------------------------------

_STYLE = """body{font-family:sans-serif;margin:1.5em;max-width:80em}
textarea{width:100%;font-family:monospace}table{border-collapse:collapse;margin-top:1em}
td,th{border:1px solid #ccc;padding:.25em .5em;vertical-align:top;text-align:left}
th{background:#f3f3f3}.err{color:#a00}code{background:#f6f6f6}pre{white-space:pre-wrap}"""


def _page(title: str, body: str) -> bytes:
    return (f"<!DOCTYPE html><html lang=\"zh\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
            f"<body>{body}</body></html>").encode("utf-8")


def _local_link(iri: str) -> str | None:
    base = ids.base()
    if iri.startswith(base):
        return "/" + iri[len(base):]
    return None


def _cell_html(t, labels: dict[str, str]) -> str:
    text = html.escape(cell_text(t, labels, width=200))
    if isinstance(t, URIRef):
        link = _local_link(str(t))
        if link:
            return f'<a href="{html.escape(quote(link, safe="/:-._~%"))}" title="{html.escape(str(t))}">{text}</a>'
        return f'<span title="{html.escape(str(t))}">{text}</span>'
    return text


def _table_html(vars_: list[str], rows: list[tuple], labels: dict[str, str]) -> str:
    head = "".join(f"<th>{html.escape(v)}</th>" for v in vars_)
    body = "".join("<tr>" + "".join(f"<td>{_cell_html(t, labels)}</td>" for t in row) + "</tr>"
                   for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _result_html(res: QueryResult, labels: dict[str, str]) -> bytes:
    return _result_fragment(res, labels).encode("utf-8")


def _result_fragment(res: QueryResult, labels: dict[str, str]) -> str:
    if res.kind == "ask":
        return f"<p>ASK: <b>{'true' if res.boolean else 'false'}</b></p>"
    if res.kind == "graph":
        return (f"<p>{len(res.triples)} triple(s)</p>" +
                _table_html(["subject", "predicate", "object"], res.triples, labels))
    return f"<p>{len(res.rows)} row(s)</p>" + _table_html(res.vars, res.rows, labels)


def _entity_html(iri: str, res: QueryResult, sentences: list[tuple],
                 labels: dict[str, str]) -> bytes:
    title = labels.get(iri) or iri
    out = [f"<h1>{html.escape(title)}</h1><p><code>{html.escape(iri)}</code> · "
           f"<a href=\"?format=turtle\">Turtle</a> · <a href=\"/\">query</a></p>"]
    if sentences:
        out.append("<h2>Sentences</h2><ul>")
        out += [f"<li>{html.escape(str(s[0]))}</li>" for s in sentences]
        out.append("</ul>")
    facts = [t for t in res.triples if str(t[0]) == iri]
    back = [t for t in res.triples if str(t[0]) != iri]
    out.append("<h2>Facts</h2>" + _table_html(["predicate", "object"],
                                               [(p, o) for _, p, o in facts], labels))
    if back:
        out.append("<h2>Referred to by</h2>" + _table_html(["subject", "predicate"],
                                                          [(s, p) for s, p, _ in back], labels))
    return _page(title, "".join(out))


def _lookup_html(found: dict) -> bytes:
    """The ``/lookup`` page: matches linked to their entity pages, or close names."""
    name = html.escape(found["name"])
    rows = []
    for m in found["matches"]:
        link = _local_link(m["iri"])
        label = html.escape(m["label"] or m["iri"])
        cell = f'<a href="{html.escape(link)}">{label}</a>' if link else label
        rows.append(f"<tr><td>{cell}</td><td>{html.escape(m['class'])}</td>"
                    f"<td>{html.escape(m['how'])}</td></tr>")
    if rows:
        more = f" (showing {len(rows)})" if found["count"] > len(rows) else ""
        body = (f"<h1>{name}</h1><p>{found['count']} match(es){more}, best first</p>"
                "<table><tr><th>entity</th><th>class</th><th>matched by</th></tr>"
                + "".join(rows) + "</table>")
    else:
        close = ", ".join(f'<a href="/lookup?name={html.escape(quote(s))}">{html.escape(s)}</a>'
                          for s in found["suggestions"])
        body = (f"<h1>{name}</h1><p>No entity has this name, alias, code or pinyin."
                + (f" Did you mean {close}?" if close else "") + "</p>")
    return _page(f"kg lookup: {found['name']}", body)


def library_spec(name: str) -> QuerySpec:
    """The library query ``name`` (never a file: the name is looked up, not opened)."""
    lib = library()
    if name in lib:
        return lib[name]
    import difflib
    close = difflib.get_close_matches(name, list(lib), n=3, cutoff=0.5)
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    raise HttpError(400, f"{name}: not a library query{hint}")


def library_values(params: dict[str, list[str]]) -> dict[str, str]:
    """``param.KEY=VALUE`` request parameters as ``{KEY: VALUE}``; empty values are left
    unbound (a form sends its empty fields)."""
    out = {}
    for key, values in params.items():
        if key.startswith(PARAM_PREFIX):
            if len(values) > 1:
                raise HttpError(400, f"give one {key} parameter")
            if values[0] != "":
                out[key[len(PARAM_PREFIX):]] = values[0]
    return out


def _description_page(ttl: str, endpoint: str) -> bytes:
    return _page("kg SPARQL endpoint: service description",
                 f"<h1>Service description</h1><p><code>{html.escape(endpoint)}</code> · "
                 "Turtle (<code>Accept: text/turtle</code>), RDF/XML, N-Triples or JSON-LD · "
                 f'<a href="/">query page</a></p><pre>{html.escape(ttl)}</pre>')


# -- HTTP ----------------------------------------------------------------------------

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1", "[::1]")


def host_name(header: str | None) -> str | None:
    """The name part of a Host header (no port), lower-cased.

    >>> host_name("LocalHost:8000"), host_name("[::1]:80"), host_name(None)
    ('localhost', '[::1]', None)
    """
    if not header:
        return None
    header = header.strip().lower()
    if header.startswith("["):
        return header.split("]")[0] + "]"
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def make_handler(endpoint: Endpoint, cors: str | None = None, hosts: tuple[str, ...] = ()):
    """The request handler. ``hosts``: names the Host header may carry besides the
    loopback names (DNS rebinding is refused); ``cors``: the one other origin allowed."""
    allowed_hosts = {h.lower() for h in LOOPBACK_NAMES + tuple(hosts)}

    class Handler(BaseHTTPRequestHandler):
        server_version = "kg-sparql/0.1"
        protocol_version = "HTTP/1.1"
        timeout = 30  # seconds a connection may stay idle or stall mid-request
        # headers and body go out in two writes: with Nagle's algorithm the body waits for
        # the client's delayed ACK of the headers (40 ms per request on a kept-alive connection)
        disable_nagle_algorithm = True

        def log_message(self, format, *args):  # noqa: A002 (signature of the base class)
            sys.stderr.write("kg serve: %s %s\n" % (self.address_string(), format % args))

        def _send(self, status: int, ctype: str, body: bytes, extra: dict | None = None):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("X-Content-Type-Options", "nosniff")
            if ctype.startswith("text/html") and "Content-Security-Policy" not in (extra or {}):
                self.send_header("Content-Security-Policy", HTML_CSP)
            if cors:
                self.send_header("Access-Control-Allow-Origin", cors)
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _error(self, status: int, message: str, close: bool = False):
            if close:  # a body left unread must not be read as the next request
                self.close_connection = True
                self._send(status, "text/plain; charset=utf-8", (message + "\n").encode("utf-8"),
                           {"Connection": "close"})
                return
            self._send(status, "text/plain; charset=utf-8", (message + "\n").encode("utf-8"))

        def _refused(self) -> bool:
            """Refuse a request for another host name or from another site (403)."""
            host = host_name(self.headers.get("Host"))
            if host is None or host not in allowed_hosts:
                self._error(403, f"refused: Host {host or '(none)'} is not this server "
                            "(kg serve --allow-host NAME adds one)")
                return True
            origin = (self.headers.get("Origin") or "").strip().rstrip("/")
            if origin and origin != "null":
                own = host_name(urlsplit(origin).netloc) in allowed_hosts
                if not own and origin != (cors or "").rstrip("/") and cors != "*":
                    self._error(403, f"refused: cross-origin request from {origin} "
                                "(kg serve --cors ORIGIN allows one)")
                    return True
            elif origin == "null" and cors != "*":
                self._error(403, "refused: cross-origin request from an opaque origin")
                return True
            site = (self.headers.get("Sec-Fetch-Site") or "").lower()
            if site == "cross-site" and not cors:
                self._error(403, "refused: cross-site request (kg serve --cors ORIGIN allows one)")
                return True
            return False

        def do_HEAD(self):
            self.do_GET()

        def do_OPTIONS(self):
            if self._refused():
                return
            extra = {"Allow": "GET, POST, HEAD, OPTIONS"}
            if cors:
                extra.update({"Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                              "Access-Control-Allow-Headers": "Content-Type, Accept"})
            self._send(204, "text/plain", b"", extra)

        def do_GET(self):
            if self._refused():
                return
            self._dispatch(parse_qs(urlsplit(self.path).query, keep_blank_values=True))

        def do_POST(self):
            if self._refused():
                self.close_connection = True
                return
            values = self.headers.get_all("Content-Length") or []
            if len(values) > 1 or self.headers.get("Transfer-Encoding"):
                return self._error(400, "one Content-Length, no Transfer-Encoding", close=True)
            raw_len = (values[0] if values else "0").strip()
            if not (raw_len.isascii() and raw_len.isdigit()):  # not ² or ١: int() refuses them
                return self._error(400, "bad Content-Length", close=True)
            length = int(raw_len)
            if length > 1 << 20:
                return self._error(413, "request body too large (limit 1 MiB)", close=True)
            raw = self.rfile.read(length)
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            params = parse_qs(urlsplit(self.path).query, keep_blank_values=True)
            if ctype == "application/sparql-update":
                return self._error(403, "refused: this endpoint is read-only (no updates)")
            if ctype == "application/sparql-query":
                params["query"] = [raw.decode("utf-8", "replace")]
            elif ctype in ("application/x-www-form-urlencoded", ""):
                for k, v in parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True).items():
                    params.setdefault(k, []).extend(v)
            else:
                return self._error(415, f"unsupported Content-Type {ctype}")
            self._dispatch(params)

        def _dispatch(self, params: dict[str, list[str]]):
            path = urlsplit(self.path).path
            try:
                if path == "/sparql":
                    return self._sparql(params)
                if path == "/":
                    return self._home(params)
                if path in ("/indicator", "/promises") and self.command in ("GET", "HEAD"):
                    return self._facts(path[1:], params)
                if path.startswith("/assets/") and self.command in ("GET", "HEAD"):
                    return self._asset(path[len("/assets/"):])
                if path == "/lookup" and self.command in ("GET", "HEAD"):
                    return self._lookup(params)
                if path != "/" and self.command in ("GET", "HEAD"):
                    return self._entity(path, params)
                self._error(404, "not found")
            except HttpError as exc:
                self._error(exc.status, str(exc))

        def _one(self, params, name) -> str | None:
            values = params.get(name) or []
            if len(values) > 1:
                raise HttpError(400, f"give one {name} parameter")
            return values[0] if values else None

        def _sparql(self, params):
            if "update" in params:
                raise HttpError(403, "refused: this endpoint is read-only (no updates)")
            if params.get("default-graph-uri") or params.get("named-graph-uri"):
                raise HttpError(400, "default-graph-uri and named-graph-uri are not supported")
            text, name = self._one(params, "query"), self._one(params, "library")
            spec = values = None
            if name is not None and text is None:
                spec, values = library_spec(name), library_values(params)
                text = spec.text
            if text is None:
                if self.command in ("GET", "HEAD"):
                    return self._description()
                raise HttpError(400, "missing query parameter")
            fmt = _format_param(params)
            people = self._one(params, "labels") in ("1", "yes", "true")
            extra = {}
            if self._one(params, "download") in ("1", "yes", "true"):
                suffix = {"csv": "csv", "tsv": "tsv", "xml": "xml", "json": "json", "turtle": "ttl",
                          "nt": "nt", "jsonld": "jsonld"}.get(fmt or "", "txt")
                extra["Content-Disposition"] = (
                    f'attachment; filename="{spec.name if spec else "query"}.{suffix}"')
            try:
                ctype, body = endpoint.answer(text, self.headers.get("Accept"), fmt,
                                              values, spec, people)
            except ResultTooLarge as exc:
                raise HttpError(413, str(exc)) from None
            except LimitExceeded as exc:
                status = 413 if "exceeds" in str(exc) else 503
                raise HttpError(status, str(exc)) from None
            except QueryError as exc:
                refused = str(exc).startswith("refused")
                raise HttpError(403 if refused else 400, str(exc)) from None
            if ctype.startswith("text/html"):
                body = _page("kg SPARQL result", body.decode("utf-8"))
            self._send(200, ctype, body, extra)

        def _description(self):
            """The Service Description, at the endpoint's own address."""
            from kg.service import description
            name = host_name(self.headers.get("Host")) or "127.0.0.1"
            iri = f"http://{name}:{self.server.server_address[1]}/sparql"
            g = description(iri, endpoint.graphs, len(endpoint.store))
            fmt = negotiate("graph", self.headers.get("Accept"), _format_param(
                parse_qs(urlsplit(self.path).query)))
            if fmt == "html":
                return self._send(200, "text/html; charset=utf-8",
                                  _description_page(g.serialize(format="turtle"), iri))
            rdflib_fmt = {"ttl": "turtle", "nt": "nt", "rdfxml": "xml", "jsonld": "json-ld"}[fmt]
            self._send(200, f"{GRAPH_MEDIA[fmt]}; charset=utf-8",
                       g.serialize(format=rdflib_fmt).encode("utf-8"), {"Vary": "Accept"})

        def _asset(self, name):
            found = asset(name)
            if found is None:
                raise HttpError(404, "not found")
            body, media = found
            self._send(200, f"{media}; charset=utf-8", body, {"Cache-Control": "max-age=3600"})

        def _facts(self, kind, params):
            value = self._one(params, "name" if kind == "indicator" else "report")
            if not value:
                raise HttpError(400, f"give ?{'name' if kind == 'indicator' else 'report'}=…")
            try:
                body = endpoint.facts_page(kind, value)
            except LimitExceeded as exc:
                raise HttpError(503, str(exc)) from None
            except QueryError as exc:
                raise HttpError(400, str(exc)) from None
            self._send(200, "text/html; charset=utf-8", body)

        def _lookup(self, params):
            name = self._one(params, "name")
            if not name or not name.strip():
                raise HttpError(400, "give ?name=…")
            found = endpoint.lookup(name)
            status = 200 if found["matches"] else 404
            fmt = _format_param(params)
            wants_json = fmt == "json" or (
                fmt is None and (_accept(self.headers.get("Accept")) or [""])[0] == "application/json")
            if wants_json:
                import json
                body = json.dumps(found, ensure_ascii=False).encode("utf-8")
                return self._send(status, "application/json; charset=utf-8", body, {"Vary": "Accept"})
            self._send(status, "text/html; charset=utf-8", _lookup_html(found), {"Vary": "Accept"})

        def _home(self, params):
            lib = library()
            text = self._one(params, "query") or ""
            name = self._one(params, "library")
            spec, values, result = None, {}, ""
            if name is not None and not text:
                spec = library_spec(name)
                values = library_values(params)
            run = spec is not None and (values or self._one(params, "run"))
            if text.strip() or run:
                try:
                    kind, result = endpoint.result_fragment(spec.text if spec else text,
                                                            values, spec)
                    result = downloads_html(spec, text, values, kind) + result
                except KgError as exc:
                    result = f'<p class="err">{html.escape(str(exc))}</p>'
            if spec is None and not text:
                text = lib["counts"].text if "counts" in lib else ""
            page = home_page(lib, query=text, spec=spec, values=values, result=result,
                             words=endpoint.words())
            self._send(200, "text/html; charset=utf-8", page,
                       {"Content-Security-Policy": PAGE_CSP})

        def _entity(self, path, params):
            iri = ids.base() + unquote(path.lstrip("/"))
            fmt = _format_param(params)
            accept = "text/turtle" if fmt in ("turtle", "ttl") else self.headers.get("Accept")
            try:
                found = endpoint.entity(iri, accept)
            except QueryError as exc:
                raise HttpError(503 if isinstance(exc, LimitExceeded) else 400, str(exc)) from None
            if found is None:
                raise HttpError(404, f"not found: {iri}")
            self._send(200, *found, extra={"Vary": "Accept"})

    return Handler


class _Server(ThreadingHTTPServer):
    """The HTTP server; closing it stops the query workers too."""

    endpoint: Endpoint

    def server_close(self) -> None:
        super().server_close()
        self.endpoint.close()


def make_server(data: str | Path | None = None, host: str = "127.0.0.1", port: int = 8000,
                engine: str | None = None, timeout: float = 10.0, max_rows: int = 10000,
                cors: str | None = None, workers: int = 4,
                hosts: tuple[str, ...] = ()) -> ThreadingHTTPServer:
    """A ready, not yet serving, HTTP server for the graph in ``data``."""
    if timeout <= 0 or max_rows <= 0:
        raise QueryError("--timeout and --max-rows must be positive")
    endpoint = Endpoint(load_store(data, engine), timeout=timeout, max_rows=max_rows,
                        workers=workers)
    names = tuple(hosts) + ((host,) if host not in ("0.0.0.0", "::", "") else ())
    try:
        server = _Server((host, port), make_handler(endpoint, cors, names))
    except BaseException:
        endpoint.close()
        raise
    server.daemon_threads = True
    server.endpoint = endpoint
    return server


def serve_forever(data=None, host: str = "127.0.0.1", port: int = 8000, **options) -> None:
    """``kg serve``: serve until interrupted."""
    try:
        server = make_server(data, host, port, **options)
    except OSError as exc:
        raise QueryError(f"cannot listen on {host}:{port} ({exc.strerror})") from None
    url = f"http://{host}:{server.server_address[1]}"
    sys.stderr.write(f"kg serve: {url}/sparql ({server.endpoint.store.engine}, "
                     f"{len(server.endpoint.store)} triples); page at {url}/  Ctrl-C stops\n")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


__all__ = ["make_server", "serve_forever", "Endpoint", "negotiate"]
