"""Read a built graph: into an embedded SPARQL store, pyoxigraph (default) or rdflib
(:func:`load_store`), or into an rdflib Dataset for the views, statistics and exports
(:func:`load_data`), with the same checks on hostile files.

One interface for both engines: ``store.query(text)`` returns a :class:`QueryResult`
whose terms are rdflib terms (``URIRef``, ``Literal``, ``BNode``), so formatting and
comparisons do not depend on the engine. pyoxigraph is the default because it loads
and answers much faster (see README, "SPARQL"); rdflib stays selectable.

Neither engine is given a way to reach the network or the disk from a query: callers
pass queries through :func:`kg.guard.check_read_only` first (``SERVICE`` would make
both engines send HTTP requests, and rdflib would fetch ``FROM`` graphs).

>>> s = load_store(data='<http://e/a> <http://e/p> "x" .', fmt="nt")
>>> s.query("SELECT ?o WHERE { ?s ?p ?o }").rows[0][0]
rdflib.term.Literal('x')
"""
from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import XSD

from kg.errors import InputError, QueryError
from kg.resources import load_toml

ENGINES = ("oxigraph", "rdflib")
DEFAULT_ENGINE = "oxigraph"
DEFAULT_DATA = Path("build/kg.ttl")

_FORMATS = {".ttl": "turtle", ".turtle": "turtle", ".trig": "trig", ".nt": "nt",
            ".nq": "nquads"}
_OX_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "trig": ox.RdfFormat.TRIG,
               "nt": ox.RdfFormat.N_TRIPLES, "nquads": ox.RdfFormat.N_QUADS}
_RDFLIB_FORMATS = {"turtle": "turtle", "trig": "trig", "nt": "nt", "nquads": "nquads"}


class ResultTooLarge(QueryError):
    """A result with more rows (or triples) than the caller allows."""


@dataclass
class QueryResult:
    """Engine-independent result: SELECT rows, an ASK boolean, or CONSTRUCT triples."""

    kind: str                                   # "select" | "ask" | "graph"
    vars: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)     # rdflib terms or None (unbound)
    boolean: bool | None = None
    triples: list[tuple] = field(default_factory=list)

    def graph(self) -> Graph:
        """The CONSTRUCT/DESCRIBE triples as an rdflib Graph (prefixes bound)."""
        from kg.build import bind_prefixes
        g = Graph()
        bind_prefixes(g)
        for t in self.triples:
            g.add(t)
        return g


def data_format(path: Path) -> str:
    """The RDF syntax of a graph file, from its suffix."""
    fmt = _FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise InputError(f"{path}: unknown graph format (expected .ttl, .trig, .nt or .nq)")
    return fmt


def load_store(path: str | Path | None = None, engine: str | None = None, *,
               data: str | bytes | None = None, fmt: str | None = None):
    """Load a graph file (default ``build/kg.ttl``) or ``data`` text into an engine; a
    ``http(s)://`` string is a SPARQL endpoint (:class:`kg.remote.RemoteStore`).

    Named graphs (TriG, N-Quads) are queried as one union default graph.
    """
    if isinstance(path, str) and path.startswith(("http://", "https://")):
        from kg.remote import RemoteStore
        return RemoteStore(path)  # an endpoint: its own engine answers
    engine = engine or os.environ.get("KG_ENGINE") or DEFAULT_ENGINE
    if engine not in ENGINES:
        raise QueryError(f"unknown engine {engine!r} (choose {' or '.join(ENGINES)})")
    cls = OxigraphStore if engine == "oxigraph" else RdflibStore
    if data is not None:
        return cls(data.encode("utf-8") if isinstance(data, str) else data, fmt or "turtle",
                   "<data>")
    path = Path(path or DEFAULT_DATA)
    if engine == "oxigraph" and fmt is None:
        folder = store_of(path)
        if folder is not None:
            return OxigraphStore.on_disk(folder, str(path))
    if not path.is_file():
        hint = " (run `kg build` first)" if path == DEFAULT_DATA else ""
        raise InputError(f"{path}: no such graph file{hint}")
    store = cls(path.read_bytes(), fmt or data_format(path), str(path))
    if len(store) == 0:
        raise InputError(f"{path}: empty graph (no triples)")
    return store


STORE_DIR = "store"


def store_of(path: Path) -> Path | None:
    """The on-disk store to open for ``path``: ``path`` itself when it is a store folder
    (``build/store``), or the store beside a build output of the same build (``kg.ttl``
    and ``store`` both linked into one ``.current`` version), else None (parse the file)."""
    from kg.output import CURRENT
    if path.is_dir():
        if (path / "CURRENT").is_file() or any(path.glob("*.sst")) or (path / "IDENTITY").exists():
            return path
        raise InputError(f"{path}: a folder, not a graph file or a store")
    beside = path.parent / STORE_DIR
    if not path.exists() and not path.is_symlink() and path.name in ("kg.ttl", "kg.trig"):
        # a build made with --no-exports: its store is the graph
        try:
            built = beside.is_symlink() and os.readlink(beside) == f"{CURRENT}/{STORE_DIR}"
        except OSError:
            built = False
        return beside if built and beside.is_dir() else None
    try:
        same = (path.is_symlink() and beside.is_symlink()
                and os.readlink(path).startswith(f"{CURRENT}/")
                and os.readlink(beside) == f"{CURRENT}/{STORE_DIR}")
    except OSError:
        return None
    return beside if same and beside.is_dir() else None


def write_store(folder: Path, payload: bytes, fmt: str = "trig") -> None:
    """Bulk-load a graph into a new on-disk pyoxigraph store in ``folder``."""
    store = ox.Store(str(folder))
    store.bulk_load(payload, _OX_FORMATS[fmt])
    store.flush()
    del store


# -- graph files as an rdflib Dataset (viz, stats, export, validate) -------------------

def inline_contexts_only(path: Path) -> None:
    """Refuse a JSON-LD file whose ``@context`` names a remote or local document
    (a URL, a path, ``@import``): reading a graph file never fetches or opens what it names.

    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "g.jsonld"
    >>> _ = f.write_text('{"@context": "http://127.0.0.1:9/c", "@id": "urn:a"}', encoding="utf-8")
    >>> inline_contexts_only(f)
    Traceback (most recent call last):
    ...
    kg.errors.InputError: g.jsonld: refused: the JSON-LD @context names another document (http://127.0.0.1:9/c); only inline contexts are read
    """
    import json
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"{path}: not valid JSON-LD: {str(exc).splitlines()[0][:200]}") from None
    except RecursionError:  # json nests by recursion: 100,000 "[" is not a graph
        raise InputError(f"{path}: not valid JSON-LD: nested too deeply") from None
    stack = [doc]
    terms = 0
    while stack:
        x = stack.pop()
        if isinstance(x, list):
            stack.extend(x)
        elif isinstance(x, dict):
            for key, value in x.items():
                if key == "@context":
                    for c in value if isinstance(value, list) else [value]:
                        terms += len(c) if isinstance(c, dict) else 0
                    _too_many_prefixes(path, terms)
                if key in ("@context", "@import"):
                    refs = value if isinstance(value, list) else [value]
                    for ref in refs:
                        if isinstance(ref, str) or key == "@import":
                            raise InputError(f"{path.name}: refused: the JSON-LD {key} names another "
                                             f"document ({str(ref)[:80]}); only inline contexts are read")
                stack.append(value)


# an unescaped \\u or \\U escape of a UTF-16 surrogate (D800-DFFF): no character, which
# rdflib decodes into a string that cannot be written back (pyoxigraph refuses it)
_SURROGATE_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\(?:u|U0000)[dD][89a-fA-F][0-9a-fA-F]{2}")


_PREFIX_DECL = re.compile(rb"(?i)(?:@prefix|(?<![\w:])prefix)\s+[^\s:<>]*:")


def _max_prefixes() -> int:
    return load_toml("rules/ingest.toml")["limits"]["max_prefixes"]


def _too_many_prefixes(path: Path, count: int) -> None:
    most = _max_prefixes()
    if count > most:
        raise InputError(f"{path.name}: refused: {count:,} prefixes declared, over the limit of "
                         f"{most:,} (kg's graphs declare 15)")


def no_surrogate_escapes(path: Path) -> None:
    r"""Refuse a Turtle, TriG or N-Triples file that escapes a surrogate (``\uD800``), or
    that declares more prefixes than ``[limits] max_prefixes`` (``rules/ingest.toml``).

    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "g.nt"
    >>> _ = f.write_text('<urn:a> <urn:p> "\\\\uD800 is text, \\uD83D is not" .', encoding="utf-8")
    >>> no_surrogate_escapes(f)
    Traceback (most recent call last):
    ...
    kg.errors.InputError: g.nt: not valid RDF: the escape \uD83D at byte 34 names a surrogate, not a character
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    _too_many_prefixes(path, len(_PREFIX_DECL.findall(data)))
    m = _SURROGATE_ESCAPE.search(data)
    if m:
        esc = m.group(0).lstrip(b"\\").decode("ascii")
        at = m.end() - len(esc) - 1
        raise InputError(f"{path.name}: not valid RDF: the escape \\{esc} at byte {at} names a "
                         "surrogate, not a character")


@functools.cache
def _bcp47_case(tag: str) -> str:
    """A language tag in its usual case (RFC 5646 2.1.1), which pyoxigraph lowercases.

    >>> _bcp47_case("zh-latn-pinyin"), _bcp47_case("en-us"), _bcp47_case("de-x-abcd")
    ('zh-Latn-pinyin', 'en-US', 'de-x-abcd')
    """
    out = [tag.split("-")[0].lower()]
    private = False
    for sub in tag.split("-")[1:]:
        private = private or len(sub) == 1
        if not private and len(sub) == 4 and sub.isalpha():
            sub = sub.title()
        elif not private and len(sub) == 2 and sub.isalpha():
            sub = sub.upper()
        else:
            sub = sub.lower()
        out.append(sub)
    return "-".join(out)


def _parse_strict(path: Path, fmt: str, ds: Dataset) -> None:
    """Turtle, TriG, N-Triples or N-Quads read by pyoxigraph's parser (strict, and linear:
    rdflib's takes minutes on one literal of 2 million lines, and on a line of 9 MB) into
    ``ds``, with the file's prefixes bound."""
    import pyoxigraph as ox

    formats = {"turtle": ox.RdfFormat.TURTLE, "trig": ox.RdfFormat.TRIG,
               "nt": ox.RdfFormat.N_TRIPLES, "nquads": ox.RdfFormat.N_QUADS}
    parser = ox.parse(path=str(path), format=formats[fmt])
    _add_quads(ds, parser)
    for prefix, iri in sorted(parser.prefixes.items()):
        ds.bind(prefix, iri, override=False)


def _add_quads(ds: Dataset, parser) -> None:
    """pyoxigraph quads (of a parser or a store) into ``ds``."""
    import pyoxigraph as ox

    conv = _Converter()
    graphs: dict[str, Graph] = {}

    def quads():
        for q in parser:
            if isinstance(q.graph_name, ox.DefaultGraph):
                ctx = ds.default_graph
            else:
                ctx = graphs.get(q.graph_name.value)
                if ctx is None:
                    ctx = graphs[q.graph_name.value] = ds.graph(conv(q.graph_name))
            o = conv(q.object)
            if isinstance(o, Literal) and o.language and "-" in o.language:
                o = Literal(str(o), lang=_bcp47_case(o.language))
            yield conv(q.subject), conv(q.predicate), o, ctx

    ds.addN(quads())


def load_data(path: str | Path) -> Dataset:
    """Read a built graph (``.trig``/``.nq`` keep their named graphs; ``.ttl``/``.nt``/
    ``.jsonld`` go into the default graph; a build's store folder keeps its named graphs)
    into a Dataset.

    Raises :class:`InputError` when the file is missing or not valid RDF.

    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "g.nt"
    >>> _ = f.write_text('<urn:a> <urn:p> "x" .', encoding="utf-8")
    >>> len(load_data(f).default_graph)
    1
    """
    path = Path(path)
    folder = store_of(path)
    if folder is not None:  # a build's on-disk store (or the file a build did not export)
        import pyoxigraph as ox
        try:
            store = ox.Store.read_only(str(folder))
        except OSError as exc:
            raise InputError(f"{folder}: cannot open the store ({exc})") from None
        ds = Dataset()
        _add_quads(ds, store.quads_for_pattern(None, None, None, None))
        from kg.build import bind_prefixes
        bind_prefixes(ds)
        if not any(len(g) for g in ds.graphs()):
            raise InputError(f"{folder}: empty store (no triples)")
        return ds
    if not path.is_file():
        raise InputError(f"{path}: no such file (run `kg build` first, or pass --data)")
    fmt = {".trig": "trig", ".nq": "nquads", ".ttl": "turtle", ".nt": "nt",
           ".jsonld": "json-ld", ".json": "json-ld"}.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"{path}: unknown RDF format (use .trig, .nq, .ttl, .nt or .jsonld)")
    if fmt == "json-ld":
        inline_contexts_only(path)
    else:
        no_surrogate_escapes(path)
    ds = Dataset()
    try:
        if fmt == "json-ld":
            ds.default_graph.parse(path, format=fmt)
        else:
            _parse_strict(path, fmt, ds)
    except Exception as exc:  # rdflib raises many parser-specific exceptions
        raise InputError(f"{path}: not valid {fmt}: {str(exc).splitlines()[0][:200]}") from None
    if not any(len(g) for g in ds.graphs()):
        raise InputError(f"{path}: empty graph (no triples)")
    return ds



# -- pyoxigraph -----------------------------------------------------------------------

def _from_ox(term):
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        if dt == str(XSD.string):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(dt))
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    raise QueryError(f"unsupported term in result: {term!r}")


class _Converter(dict):
    """pyoxigraph term -> rdflib term, memoized: results repeat IRIs and values a lot."""

    def __call__(self, term):
        if term is None:
            return None
        try:
            return self[term]
        except KeyError:
            out = self[term] = _from_ox(term)
            return out


class OxigraphStore:
    """A pyoxigraph store: in memory (loaded from a file), or the on-disk store of a build."""

    engine = "oxigraph"

    on_disk_path: Path | None = None

    def __init__(self, payload: bytes | None, fmt: str, name: str):
        self.name = name
        self._store = ox.Store()
        try:
            self._store.bulk_load(payload or b"", _OX_FORMATS[fmt])
        except (SyntaxError, ValueError, OSError) as exc:
            raise InputError(f"{name}: cannot load graph ({exc})") from None
        self._named = fmt in ("trig", "nquads")

    @classmethod
    def on_disk(cls, folder: Path, name: str) -> "OxigraphStore":
        """The store a build wrote (``build/store``), opened read-only: no parsing."""
        self = cls.__new__(cls)
        self.name = name
        try:
            self._store = ox.Store.read_only(str(folder))
        except OSError as exc:
            raise InputError(f"{folder}: cannot open the store ({exc})") from None
        self._named = True
        self.on_disk_path = folder
        if len(self._store) == 0:
            raise InputError(f"{folder}: empty store (no triples)")
        return self

    def __len__(self) -> int:
        return len(self._store)

    def graphs(self) -> set[str]:
        """IRIs of the named graphs in the store."""
        return {g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode)}

    def query(self, text: str, max_rows: int | None = None,
              bindings: dict | None = None) -> QueryResult:
        """Run ``text``; ``bindings`` are ignored (the text carries them as VALUES)."""
        try:
            res = self._store.query(text, use_default_graph_as_union=self._named)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc}") from None
        except (OSError, RuntimeError, ValueError) as exc:
            raise QueryError(f"query failed: {exc}") from None
        try:
            if isinstance(res, ox.QueryBoolean):
                return QueryResult("ask", boolean=bool(res))
            if isinstance(res, ox.QuerySolutions):
                names = [v.value for v in res.variables]
                rows = []
                conv = _Converter()
                for sol in res:
                    rows.append(tuple(map(conv, sol)))
                    if max_rows is not None and len(rows) > max_rows:
                        _check_size(rows, max_rows)
                return QueryResult("select", vars=names, rows=rows)
            triples = []
            conv = _Converter()
            for t in res:
                triples.append((conv(t.subject), conv(t.predicate), conv(t.object)))
                _check_size(triples, max_rows)
            return QueryResult("graph", triples=triples)
        except (OSError, RuntimeError, ValueError) as exc:
            raise QueryError(f"query failed: {exc}") from None


def _check_size(items: list, max_rows: int | None) -> None:
    if max_rows is not None and len(items) > max_rows:
        raise ResultTooLarge(f"result exceeds the limit of {max_rows} rows (add a LIMIT)")


# -- rdflib ---------------------------------------------------------------------------

class RdflibStore:
    """rdflib's own SPARQL engine over an in-memory graph or dataset."""

    engine = "rdflib"

    def __init__(self, payload: bytes, fmt: str, name: str):
        import rdflib.plugins.sparql as rsparql
        rsparql.SPARQL_LOAD_GRAPHS = False  # never fetch FROM graphs from the web
        self.name = name
        self._named = fmt in ("trig", "nquads")
        self._graph = Dataset(default_union=True) if self._named else Graph()
        try:
            self._graph.parse(data=payload, format=_RDFLIB_FORMATS[fmt])
        except Exception as exc:  # rdflib raises many parser-specific types
            raise InputError(f"{name}: cannot load graph ({exc})") from None

    def __len__(self) -> int:
        return len(self._graph)

    def graphs(self) -> set[str]:
        if not self._named:
            return set()
        return {str(g.identifier) for g in self._graph.graphs()
                if isinstance(g.identifier, URIRef) and g.identifier != DATASET_DEFAULT_GRAPH_ID}

    def query(self, text: str, max_rows: int | None = None,
              bindings: dict | None = None) -> QueryResult:
        """Run ``text``; ``bindings`` (the values already in its VALUES) go in as
        ``initBindings`` so that rdflib's engine uses them from the start."""
        try:
            res = self._graph.query(text, initBindings=bindings or None)
            if res.type == "ASK":
                return QueryResult("ask", boolean=bool(res.askAnswer))
            if res.type == "SELECT":
                names = [str(v) for v in res.vars]
                rows = []
                for row in res:
                    rows.append(tuple(row))
                    _check_size(rows, max_rows)
                return QueryResult("select", vars=names, rows=rows)
            triples = []
            for t in res:
                triples.append(tuple(t))
                _check_size(triples, max_rows)
            return QueryResult("graph", triples=triples)
        except QueryError:
            raise
        except Exception as exc:  # pyparsing and evaluation errors have no common base
            raise QueryError(f"query failed: {type(exc).__name__}: {exc}") from None


__all__ = ["ENGINES", "DEFAULT_ENGINE", "DEFAULT_DATA", "QueryResult", "ResultTooLarge", "load_store", "load_data",
           "OxigraphStore", "RdflibStore", "data_format"]
