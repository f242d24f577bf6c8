"""Send a build's named graphs to a triplestore by the SPARQL 1.1 Graph Store HTTP
Protocol, only what changed since the last push to the same store.

Each named graph of ``kg.trig`` (one per report, the ontology, the links across reports)
is written as canonical N-Triples (sorted lines) and hashed; a graph whose hash the last
push recorded is skipped, a changed one is replaced (``PUT ?graph=IRI``), and a graph the
last push sent that the build no longer has is deleted (``DELETE ?graph=IRI``). The record
is ``DIR/.push/<hash of the store URL>.json`` beside the build, rewritten atomically after
every graph, so a push that fails or is killed is resumed by running it again. It also
keeps the digests the build's manifest gives its published graphs: pushing the same build
again to the same store then reads nothing (at 1,000 reports, 86 s of reading kg.trig).

>>> graph_store_url("http://localhost:7878/query")
'http://localhost:7878/store'
>>> graph_store_url("http://localhost:8890/sparql")
'http://localhost:8890/sparql-graph-crud-auth'
"""
from __future__ import annotations

import hashlib
import json
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.errors import InputError
from kg.output import ensure_dir, write_atomic
from kg.remote import EndpointError, check_url, request

STATE_DIR = ".push"


def graph_store_url(endpoint: str) -> str:
    """The Graph Store endpoint that goes with a query endpoint, where the server's naming
    tells it (Oxigraph ``/query`` → ``/store``, Fuseki ``/ds/sparql`` or ``/ds/query`` →
    ``/ds/data``, Virtuoso ``/sparql`` → ``/sparql-graph-crud-auth``, the one that asks for
    credentials); elsewhere ``--graph-store`` must name it."""
    check_url(endpoint)
    parts = urllib.parse.urlsplit(endpoint)
    path = parts.path.rstrip("/")
    head, _, last = path.rpartition("/")
    if last == "query" and not head:
        new = "/store"
    elif last == "sparql" and not head:
        new = "/sparql-graph-crud-auth"
    elif last in ("query", "sparql") and head:
        new = head + "/data"
    else:
        raise InputError(f"{endpoint}: cannot tell its Graph Store endpoint; "
                         "name it with --graph-store URL")
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, new, "", ""))


def graphs_of(trig: Path) -> Iterator[tuple[str, bytes]]:
    """Canonical N-Triples of each named graph of a TriG file (``""``: the default graph),
    in name order. A build's ``kg.trig`` writes each graph in one block, so graphs are
    read one at a time (a corpus's file need not fit in memory); a file that names a graph
    in two blocks is read whole."""
    if not trig.is_file():
        raise InputError(f"{trig}: no such file (run `kg build` first, or pass --data)")
    try:
        names = _block_names(trig)
        if names is None:
            yield from _whole(trig)
            return
        current, lines = None, []
        for q in ox.parse(path=str(trig), format=ox.RdfFormat.TRIG):
            name = "" if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value
            if name != current:
                if current is not None:
                    yield current, _canonical(lines)
                current, lines = name, []
            lines.append(f"{q.subject} {q.predicate} {q.object} .\n")
        if current is not None:
            yield current, _canonical(lines)
    except (SyntaxError, ValueError, OSError) as exc:
        raise InputError(f"{trig}: not a TriG graph the push can read ({exc})") from None


def _canonical(lines: list[str]) -> bytes:
    return "".join(sorted(set(lines))).encode("utf-8")


def _block_names(trig: Path) -> list[str] | None:
    """The graph names of a TriG file in the order their quads come, when each graph's
    quads come together and in name order (as ``kg build`` writes); else None."""
    seen: list[str] = []
    for q in ox.parse(path=str(trig), format=ox.RdfFormat.TRIG):
        name = "" if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value
        if not seen or seen[-1] != name:
            if seen and name <= seen[-1]:
                return None
            seen.append(name)
    return seen


def _whole(trig: Path) -> Iterator[tuple[str, bytes]]:
    lines: dict[str, list[str]] = {}
    for q in ox.parse(path=str(trig), format=ox.RdfFormat.TRIG):
        name = "" if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value
        lines.setdefault(name, []).append(f"{q.subject} {q.predicate} {q.object} .\n")
    for name, ls in sorted(lines.items()):
        yield name, _canonical(ls)


def graphs_of_store(folder: Path) -> Iterator[tuple[str, bytes]]:
    """Canonical N-Triples of each named graph of a build's on-disk store, one at a time
    (for a build made with ``--no-exports``; values as the store keeps them, such as
    ``xsd:integer`` for ``xsd:nonNegativeInteger``)."""
    try:
        store = ox.Store.read_only(str(folder))
    except OSError as exc:
        raise InputError(f"{folder}: cannot open the store ({exc})") from None
    for g in sorted(store.named_graphs(), key=lambda n: n.value):
        yield g.value, _canonical([f"{q.subject} {q.predicate} {q.object} .\n"
                                   for q in store.quads_for_pattern(None, None, None, g)])


@dataclass
class PushReport:
    sent: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    bytes_sent: int = 0


def _target(store: str, graph: str) -> str:
    query = "default" if graph == "" else urllib.parse.urlencode({"graph": graph})
    return f"{store}?{query}"


def push(trig: Path, endpoint: str, store: str | None = None, timeout: float = 300,
         progress=None) -> PushReport:
    """Push the named graphs of ``trig`` (a build's ``kg.trig``) to the Graph Store
    ``store`` (default: the one that goes with the query ``endpoint``)."""
    store = check_url(store) if store else graph_store_url(endpoint)
    trig = Path(trig)
    if trig.is_dir() or not trig.exists():  # a store folder, or a build without kg.trig
        from kg.store import store_of
        folder = store_of(trig) if trig.exists() or trig.name == "kg.trig" else None
        if folder is None:
            raise InputError(f"{trig}: no such file or store (run `kg build` first, or pass --data)")
        graphs = graphs_of_store(folder)
        trig = folder.parent / "kg.trig"  # the push record lives beside the build either way
    else:
        graphs = graphs_of(trig)
    state_path = trig.parent / STATE_DIR / (hashlib.sha256(store.encode("utf-8")).hexdigest()[:16] + ".json")
    try:
        record = json.loads(state_path.read_text(encoding="utf-8"))
        state, pushed_build = record.get("graphs", {}), record.get("built", {})
    except (OSError, ValueError, AttributeError):
        state, pushed_build = {}, {}
    report = PushReport()
    from kg.corpus.workstate import published_graphs
    built = published_graphs(trig.parent)  # what the build published, when it is known
    if built is not None and built == pushed_build and set(built) == set(state):
        report.unchanged = sorted(built)  # the graphs pushed last time: nothing to read
        return report
    pushed_build = {}  # until this push is whole (a killed one leaves it empty)

    def save() -> None:
        ensure_dir(state_path.parent)
        write_atomic(state_path, json.dumps({"store": store, "graphs": dict(sorted(state.items())),
                                             "built": dict(sorted(pushed_build.items()))},
                                            ensure_ascii=False, indent=1) + "\n")

    names: set[str] = set()
    for name, payload in graphs:
        names.add(name)
        digest = hashlib.sha256(payload).hexdigest()
        if state.get(name) == digest:
            report.unchanged.append(name)
            continue
        request(_target(store, name), "PUT", payload, {"Content-Type": "application/n-triples"},
                timeout=timeout)
        state[name] = digest
        save()
        report.sent.append(name)
        report.bytes_sent += len(payload)
        if progress:
            progress(name)
    for name in sorted(set(state) - names):
        try:
            request(_target(store, name), "DELETE", timeout=timeout)
        except EndpointError as exc:  # a graph already gone (404) is what we wanted
            if exc.status != 404:
                raise
        del state[name]
        save()
        report.deleted.append(name)
    # the build's own digests of what was just pushed: the next push of the same build
    # need not read it (None: not known, so the next push reads and compares again)
    pushed_build = built if built is not None and set(built) == set(state) else {}
    save()
    return report
