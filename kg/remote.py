"""A SPARQL endpoint somewhere else, behind the same interface as the embedded stores.

``RemoteStore(url).query(text)`` sends the query by the SPARQL 1.1 Protocol (POST, form
encoded) and turns the answer (SPARQL JSON results, or N-Triples for CONSTRUCT and
DESCRIBE) into a :class:`kg.store.QueryResult` of rdflib terms, so the library queries,
the formats of ``kg query`` and ``kg serve`` work the same on any endpoint: the Oxigraph
server, Fuseki, GraphDB, Virtuoso.

Credentials come from the environment (``KG_ENDPOINT_USER``, ``KG_ENDPOINT_PASSWORD``), sent
as HTTP Basic or, where the endpoint's challenge asks it, HTTP Digest (Virtuoso's
``/sparql-graph-crud-auth``), and never appear in a message; user names and passwords
written into the URL itself are refused for that reason. Redirects are not followed (a
redirect could carry the credentials to another host). Only ``http`` and ``https`` URLs
are accepted.
"""
from __future__ import annotations

import base64
import json
import os
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import NamedTuple

from rdflib import BNode, Literal, URIRef

from kg import httpauth
from kg.errors import InputError, QueryError

USER_VAR, PASSWORD_VAR = "KG_ENDPOINT_USER", "KG_ENDPOINT_PASSWORD"
_ACCEPT = ("application/sparql-results+json, application/n-triples;q=0.9, "
           "text/plain;q=0.5")


def check_url(url: str) -> str:
    """``url`` if it is an http(s) URL without credentials in it, else a one-line error."""
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a port out of range)
    except ValueError as exc:
        raise InputError(f"{url!r}: not a valid URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"{url!r}: an endpoint is an http:// or https:// URL")
    if parts.username or parts.password:
        raise InputError(f"{parts.scheme}://{parts.hostname}…: put credentials in "
                         f"{USER_VAR} and {PASSWORD_VAR}, not in the URL")
    return url


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        raise urllib.error.HTTPError(req.full_url, code, f"redirect to {newurl} not followed",
                                     headers, fp)


_OPENER = urllib.request.build_opener(_NoRedirect)


MAX_ANSWER = 64 << 20  # bytes of one answer read at most (10,000 rows are far less)


class EndpointError(QueryError):
    """The endpoint answered with an HTTP error ``status``."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status

    def __reduce__(self):  # pickles through the query child with its status
        return type(self), (str(self), self.status)


class Answer(NamedTuple):
    status: int
    content_type: str
    body: bytes
    max_rows: int | None = None  # Virtuoso's X-SPARQL-MaxRows: it cut the answer there


def request(url: str, method: str = "GET", body: bytes | None = None,
            headers: dict[str, str] | None = None, timeout: float = 60) -> Answer:
    """One HTTP exchange with an endpoint: an :class:`Answer` (status, content type, body,
    and the row cap the endpoint says it applied, if it says so), whole within
    ``timeout`` seconds (an answer dripped a byte at a time is cut off) and at most
    :data:`MAX_ANSWER` bytes. Errors are one line (:class:`QueryError`) naming the URL,
    never the credentials, not even where the endpoint echoes them back."""
    headers = dict(headers or {})
    secrets: list[str] = []
    user, password = os.environ.get(USER_VAR), os.environ.get(PASSWORD_VAR)
    creds = None
    if user is not None:
        creds = (user, password or "")
        token = base64.b64encode(f"{user}:{password or ''}".encode("utf-8")).decode("ascii")
        secrets = sorted((s for s in (token, user, password) if s), key=len, reverse=True)
    box: dict = {}

    def exchange() -> None:
        try:
            box["answer"] = _exchange(url, method, body, headers, timeout, creds)
        except BaseException as exc:  # handed to the caller's thread
            box["error"] = exc

    worker = threading.Thread(target=exchange, daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise QueryError(f"{_shown(url)}: no complete answer from the endpoint within {timeout:g} s")
    if "error" in box:
        message = str(box["error"])
        for secret in secrets:
            message = message.replace(secret, "…")
        if isinstance(box["error"], EndpointError):
            raise EndpointError(message, box["error"].status) from None
        raise QueryError(message) from None
    return box["answer"]


def _exchange(url: str, method: str, body: bytes | None, headers: dict[str, str],
              timeout: float, creds: tuple[str, str] | None = None) -> Answer:
    """The exchange, with the credentials in the scheme the endpoint asks (see
    :func:`_probe`): HTTP Digest where it asks that (Virtuoso, which refuses Basic without
    a challenge), HTTP Basic otherwise. A Digest nonce is used again, counted, until the
    endpoint challenges anew (then the request is sent once more)."""
    parts = urllib.parse.urlsplit(url)
    space = parts.netloc + parts.path
    if creds and space not in _AUTH:
        _probe(url, space, timeout, creds)
    elif body and not creds and space not in _AUTH:  # a body to an endpoint that may ask
        _probe_open(url, space, timeout)               # credentials: told before it is sent
    for attempt in (1, 2):
        sent = dict(headers)
        if creds:
            sent["Authorization"] = _authorization(space, method, url, creds)
        try:
            return _exchange_once(url, method, body, sent, timeout)
        except _Unauthorized as exc:
            chal = _digest_challenge(exc.headers)
            if creds and chal and httpauth.supported(chal) and attempt == 1:
                with _AUTH_LOCK:
                    _AUTH[space] = [chal, 0]
                continue
            if chal and not httpauth.supported(chal):
                hint = _unanswerable(chal)
            elif creds:
                hint = _REFUSED
            else:
                hint = f" (set {USER_VAR} and {PASSWORD_VAR})"
            raise EndpointError(str(exc) + hint, 401) from None
    raise AssertionError("unreachable")


_REFUSED = f" (the credentials in {USER_VAR} and {PASSWORD_VAR} were refused)"


def _probe(url: str, space: str, timeout: float, creds: tuple[str, str]) -> None:
    """Before the first request with credentials to an endpoint (host and path): a ``HEAD``
    without them reads the scheme it asks; where it asks one, a ``HEAD`` with them checks
    they are taken, so refused credentials are told before any body is sent (Virtuoso
    resets the connection while a refused body is still coming: no 401 to read)."""
    asked, chal = False, None
    try:
        _exchange_once(url, "HEAD", None, {}, timeout)
    except _Unauthorized as exc:
        asked, chal = True, _digest_challenge(exc.headers)
        offered = [v.split(" ")[0].lower() for v in exc.headers.get_all("WWW-Authenticate") or []]
        if chal and not httpauth.supported(chal) and "basic" not in offered:
            raise EndpointError(str(exc) + _unanswerable(chal), 401) from None
    except EndpointError:  # HEAD not allowed, not found, …: nothing asked
        pass
    with _AUTH_LOCK:
        _AUTH[space] = [chal, 0] if chal and httpauth.supported(chal) else None
    if not asked:
        return
    try:
        check = {"Authorization": _authorization(space, "HEAD", url, creds)}
        _exchange_once(url, "HEAD", None, check, timeout)
    except _Unauthorized as exc:
        with _AUTH_LOCK:
            _AUTH.pop(space, None)
        raise EndpointError(str(exc) + _REFUSED, 401) from None
    except EndpointError:  # 501 (Virtuoso's answer to HEAD), 404, …: the credentials were taken
        pass


def _probe_open(url: str, space: str, timeout: float) -> None:
    """Before a body goes without credentials to an endpoint: a ``HEAD`` tells whether it
    asks some (Virtuoso resets the connection while a refused body is still coming, so
    its 401 could not be read after it)."""
    try:
        _exchange_once(url, "HEAD", None, {}, timeout)
    except _Unauthorized as exc:
        raise EndpointError(str(exc) + f" (set {USER_VAR} and {PASSWORD_VAR})", 401) from None
    except EndpointError:  # HEAD not allowed, not found, …: nothing asked
        pass
    with _AUTH_LOCK:
        _AUTH[space] = None


_AUTH: dict[str, list | None] = {}  # host:port/path -> None (Basic) or [Digest challenge, uses]
_AUTH_LOCK = threading.Lock()


def _authorization(space: str, method: str, url: str, creds: tuple[str, str]) -> str:
    with _AUTH_LOCK:
        known = _AUTH.get(space)
        if known is None:
            token = base64.b64encode(f"{creds[0]}:{creds[1]}".encode("utf-8")).decode("ascii")
            return f"Basic {token}"
        known[1] += 1
        chal, count = known
    target = urllib.request.Request(url).selector
    return httpauth.authorization(chal, method, target, creds[0], creds[1], count=count)


def _digest_challenge(headers) -> dict[str, str] | None:
    """The first Digest challenge kg can answer among an answer's, else the first one."""
    values = (headers.get_all("WWW-Authenticate") if headers is not None else None) or []
    found = [c for c in map(httpauth.challenge, values) if c]
    return next((c for c in found if httpauth.supported(c)), found[0] if found else None)


def _unanswerable(chal: dict[str, str]) -> str:
    return (f" (it asks HTTP Digest with algorithm {chal.get('algorithm', 'MD5')}"
            f" and qop {chal.get('qop', '-')}, which kg cannot answer)")


class _Unauthorized(EndpointError):
    """A 401, with the answer's headers (to read its challenge)."""

    def __init__(self, message: str, headers):
        super().__init__(message, 401)
        self.headers = headers


def _exchange_once(url: str, method: str, body: bytes | None, headers: dict[str, str],
                   timeout: float) -> Answer:
    import http.client
    req = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with _OPENER.open(req, timeout=timeout) as resp:
            chunks, size = [], 0
            while chunk := resp.read(1 << 16):
                size += len(chunk)
                if size > MAX_ANSWER:
                    raise QueryError(f"{_shown(url)}: the endpoint's answer exceeds "
                                     f"{MAX_ANSWER >> 20} MiB")
                chunks.append(chunk)
            if resp.length:  # the connection closed before the Content-Length it announced
                raise QueryError(f"{_shown(url)}: the endpoint's answer was cut short "
                                 f"({resp.length:,} bytes missing)")
            cap = resp.headers.get("X-SPARQL-MaxRows", "").strip()
            return Answer(resp.status, resp.headers.get("Content-Type", ""), b"".join(chunks),
                          int(cap) if cap.isdigit() else None)
    except urllib.error.HTTPError as exc:
        detail = ""
        try:
            detail = exc.read(300).decode("utf-8", "replace").strip().splitlines()[0]
        except (OSError, IndexError, AttributeError, http.client.HTTPException):
            pass
        message = (f"{_shown(url)}: the endpoint answered {exc.code} {exc.reason}"
                   + (f": {detail}" if detail else ""))
        if exc.code == 401:
            raise _Unauthorized(message, exc.headers) from None
        raise EndpointError(message, exc.code) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise QueryError(f"{_shown(url)}: cannot reach the endpoint ({reason})") from None
    except (http.client.HTTPException, ValueError) as exc:  # not HTTP: bad status line, …
        what = " ".join(f"{type(exc).__name__}: {exc}".split())[:200]
        raise QueryError(f"{_shown(url)}: the endpoint's answer is not valid HTTP ({what})") from None


def _shown(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def _term(cell: dict):
    kind, value = cell.get("type"), cell.get("value", "")
    if not isinstance(value, str):
        raise TypeError(f"a term's value is {type(value).__name__}, not text")
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if kind in ("literal", "typed-literal"):
        if cell.get("xml:lang"):
            return Literal(value, lang=cell["xml:lang"])
        if cell.get("datatype"):
            return Literal(value, datatype=URIRef(cell["datatype"]))
        return Literal(value)
    raise QueryError(f"the endpoint sent a term of an unknown kind {kind!r}")


def parse_results(content_type: str, body: bytes, ask: bool = False):
    """A :class:`QueryResult` from an endpoint's answer (``ask``: to an ASK query, which
    Virtuoso 7 answers as rows of one variable, ``__ASK_RETVAL``: one row of 1 for true,
    none for false)."""
    from kg.store import QueryResult
    kind = content_type.split(";")[0].strip().lower()
    if kind in ("application/sparql-results+json", "application/json"):
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            raise QueryError("the endpoint sent results that are not JSON") from None
        try:
            if "boolean" in data:
                if not isinstance(data["boolean"], bool):
                    raise TypeError("boolean")
                return QueryResult("ask", boolean=data["boolean"])
            names = [str(v) for v in data.get("head", {}).get("vars", [])]
            rows = [tuple(_term(b[v]) if v in b else None for v in names)
                    for b in data.get("results", {}).get("bindings", [])]
        except (TypeError, AttributeError, KeyError, ValueError) as exc:
            raise QueryError("the endpoint sent JSON that is not SPARQL results "
                             f"({' '.join(str(exc).split())[:120]})") from None
        if ask and len(names) == 1 and not rows:  # Virtuoso's false
            return QueryResult("ask", boolean=False)
        if ask and len(names) == 1 and len(rows) == 1:
            cell = rows[0][0]
            if not isinstance(cell, Literal) or cell.datatype is None:
                raise QueryError("the endpoint answered an ASK query with rows, not true or false")
            return QueryResult("ask", boolean=str(cell) not in ("0", "false"))
        return QueryResult("select", vars=names, rows=rows)
    if kind in ("application/n-triples", "text/plain", "text/turtle", "application/n-quads"):
        from rdflib import Graph
        g = Graph()
        try:
            g.parse(data=body.decode("utf-8"), format="turtle" if kind == "text/turtle" else "nt")
        except Exception as exc:  # rdflib raises several parser errors
            raise QueryError(f"the endpoint sent triples that do not parse ({exc})") from None
        return QueryResult("graph", triples=sorted(g))
    raise QueryError(f"the endpoint answered in {kind or 'no content type'}, which kg does not read")


class RemoteStore:
    """Queries answered by a SPARQL endpoint (read-only use: kg's guard still checks the
    text first, so no update or SERVICE is ever sent)."""

    remote = True  # queries go out to the network: not run in a network-free child

    def __init__(self, url: str, timeout: float = 60):
        self.url = check_url(url)
        self.name = _shown(url)
        self.timeout = timeout
        self._graphs: tuple[float, set[str]] | None = None

    def query(self, text: str, max_rows: int | None = None, timeout: float | None = None,
              bindings: dict | None = None):
        """Run ``text``; ``bindings`` are ignored (the text carries them as VALUES)."""
        from kg.store import _check_size
        body = urllib.parse.urlencode({"query": text}).encode("utf-8")
        answer = request(self.url, "POST", body, {
            "Content-Type": "application/x-www-form-urlencoded", "Accept": _ACCEPT},
            timeout=timeout or self.timeout)
        from kg.guard import inspect_query
        result = parse_results(answer.content_type, answer.body,
                               ask=inspect_query(text).form == "ASK")
        if answer.max_rows is not None:  # rows silently missing: refuse to show a part as all
            raise QueryError(f"{self.name}: the endpoint cut its answer at {answer.max_rows:,} "
                             "rows (Virtuoso: raise ResultSetMaxRows in the [SPARQL] section of "
                             "virtuoso.ini, or ask for fewer with LIMIT)")
        _check_size(result.rows or result.triples, max_rows)
        return result

    def __len__(self) -> int:
        """Triples of the default graph (which the library reads as the union of all)."""
        rows = self.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows
        try:
            return int(rows[0][0]) if rows and rows[0] else 0
        except (TypeError, ValueError):
            raise QueryError(f"{self.name}: the endpoint's triple count is not a number") from None

    def graphs(self) -> set[str]:
        """The endpoint's named graphs (asked again at most every 10 s)."""
        now = time.monotonic()
        if self._graphs is None or now - self._graphs[0] > 10:
            rows = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }").rows
            self._graphs = (now, {str(r[0]) for r in rows})
        return self._graphs[1]
