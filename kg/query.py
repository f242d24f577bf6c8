"""The query library: ready-made SPARQL questions in ``kg/queries/*.rq``, run safely.

Each ``.rq`` file starts with comment lines: the first is a one-line description, the
others explain what it answers, and ``# @param NAME TYPE text`` declares a parameter.
A parameter is a placeholder ``VALUES ?NAME { UNDEF }`` in the query (valid SPARQL:
left unbound it matches everything). Binding replaces ``UNDEF`` with one RDF term
written by :func:`sparql_term`, which checks and escapes the value: text from the
command line or the web never becomes SPARQL syntax.

Parameter types: ``string`` (plain literal), ``key`` (a name, normalized like
``kg:key``), ``lang`` (an ``@zh`` literal), ``iri`` (``<…>`` or a known prefixed name),
``integer``, ``decimal``, ``status`` (completed | started | in_progress | planned, mapped
to schema.org as in ``data/rules/rdf.toml``), and ``name:VAR`` or ``name:VAR:Class,…``:
a name looked up in the graph by :mod:`kg.lookup` (label, alias, code, key, pinyin,
prefix, substring; only the classes given), whose entity IRIs fill the placeholder
``VALUES ?VAR { UNDEF }``. A name that matches nothing is a ``QueryError`` with close
names.

>>> spec = library()["counts"]
>>> spec.description.startswith("How many")
True
>>> bind_params("SELECT * { VALUES ?n { UNDEF } ?s ?p ?n }", {"n": 'a" } #'}, None)
'SELECT * { VALUES ?n { "a\\\\" } #" } ?s ?p ?n }'
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from kg.errors import QueryError, ResourceError
from kg.guard import check_read_only, inspect_query, looks_like_sparql
from kg.resources import QUERIES, load_toml
from kg.results import render
from kg.store import QueryResult, load_store
from kg.vocab import PREFIXES

PARAM_TYPES = ("string", "key", "lang", "iri", "integer", "decimal", "status", "modality", "name")
_IRI_OK = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^<>\"{}|^`\\\x00-\x20]*")
_LANG_OK = re.compile(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*")
_CODEPOINT = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})")


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    help: str = ""
    binds: str = ""                  # type name: the variable its entities fill
    classes: tuple[str, ...] = ()    # type name: only entities of these classes

    @property
    def target(self) -> str:
        """The variable whose placeholder this parameter fills."""
        return self.binds or self.name


def _param(parts: list[str]) -> Param | None:
    """A ``@param`` line's parts as a :class:`Param`; None if the type is unknown."""
    name, type_, help_ = parts[1].lstrip("?"), parts[2], parts[3] if len(parts) > 3 else ""
    if type_ in PARAM_TYPES and type_ != "name":
        return Param(name, type_, help_)
    kind, _, rest = type_.partition(":")
    var, _, classes = rest.partition(":")
    if kind != "name" or not re.fullmatch(r"\w+", var):
        return None
    return Param(name, "name", help_, var, tuple(c for c in classes.split(",") if c))


@dataclass(frozen=True)
class QuerySpec:
    """One library query: its name (file stem), description, parameters and text."""

    name: str
    description: str
    text: str
    details: str = ""
    params: tuple[Param, ...] = field(default_factory=tuple)
    path: str = ""
    examples: tuple[tuple[str, str], ...] = ()   # from ``# @example name=value``


def parse_spec(name: str, text: str, path: str = "") -> QuerySpec:
    """Read the header comments of a ``.rq`` file.

    >>> s = parse_spec("x", "# Roads.\\n# @param road key a road name\\nSELECT * { VALUES ?road { UNDEF } }")
    >>> (s.description, s.params[0].type)
    ('Roads.', 'key')
    """
    desc, details, params, examples = "", [], [], []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.startswith("#"):
            break
        body = line[1:].strip()
        if body.startswith("@param"):
            parts = body.split(None, 3)
            param = _param(parts) if len(parts) >= 3 else None
            if param is None:
                raise ResourceError(f"{path or name}:{lineno}: expected "
                                    f"'# @param NAME TYPE text' with TYPE in {', '.join(PARAM_TYPES[:-1])} "
                                    "or name:VAR[:Class,…]")
            params.append(param)
        elif body.startswith("@example"):
            key, eq, value = body[len("@example"):].strip().partition("=")
            if not eq:
                raise ResourceError(f"{path or name}:{lineno}: expected '# @example NAME=VALUE'")
            examples.append((key.strip(), value.strip()))
        elif not desc:
            desc = body
        elif body:
            details.append(body)
    for p in params:
        if not _placeholder(p.target).search(text):
            raise ResourceError(f"{path or name}: @param {p.name} has no placeholder "
                                f"VALUES ?{p.target} {{ UNDEF }}")
    return QuerySpec(name, desc, text, " ".join(details), tuple(params), path, tuple(examples))


def library(folder: Path = QUERIES) -> dict[str, QuerySpec]:
    """Every query of the library by name, sorted."""
    out = {}
    for path in sorted(Path(folder).glob("*.rq")):
        out[path.stem] = parse_spec(path.stem, path.read_text(encoding="utf-8"), str(path))
    return out


def resolve_query(arg: str) -> tuple[str, QuerySpec | None]:
    """(SPARQL text, spec) for a library NAME, a ``.rq`` file, or SPARQL text itself."""
    lib = library()
    if arg in lib:
        return lib[arg].text, lib[arg]
    if arg.endswith((".rq", ".sparql")):
        path = Path(arg)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise QueryError(f"{arg}: cannot read query file ({exc.strerror})") from None
        return text, parse_spec(path.stem, text, arg)
    if looks_like_sparql(arg):
        return arg, None  # an update is refused later, with a clear message
    import difflib
    close = difflib.get_close_matches(arg, list(lib), n=3, cutoff=0.5)
    hint = f"; did you mean {' or '.join(close)}?" if close else " (see `kg query --list`)"
    raise QueryError(f"{arg}: not a library query, a .rq/.sparql file or SPARQL text{hint}")


def _placeholder(name: str) -> re.Pattern:
    return re.compile(r"VALUES\s+\?" + re.escape(name) + r"\s*\{\s*UNDEF\s*\}", re.IGNORECASE)


def _escape(s: str) -> str:
    return (s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            .replace("\r", "\\r").replace("\t", "\\t"))


def _status_iris() -> dict[str, str]:
    out = {}
    for name, spec in load_toml("rules/rdf.toml")["status"].items():
        prefix, _, local = spec["iri"].partition(":")
        out[name] = PREFIXES[prefix] + local
    return out


def param_term(value: str, type_: str):
    """The rdflib term a parameter value stands for, checked; ``QueryError`` if invalid.

    >>> param_term("3", "integer")
    rdflib.term.Literal('3', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer'))
    """
    from rdflib import Literal, URIRef
    from rdflib.namespace import XSD
    if type_ in ("string", "key", "lang"):
        escape = _CODEPOINT.search(value)
        if escape:  # it would be decoded before parsing, whatever quotes are around it
            raise QueryError(f"parameter value contains {escape.group(0)!r}, a SPARQL codepoint "
                             "escape, which cannot be bound as text")
        if type_ == "key":
            from kg.ids import normalize
            value = normalize(value)
        return Literal(value, lang="zh") if type_ == "lang" else Literal(value)
    if type_ == "iri":
        iri = value[1:-1] if value.startswith("<") and value.endswith(">") else value
        prefix, colon, local = iri.partition(":")
        if colon and prefix in PREFIXES and not local.startswith("//"):
            iri = PREFIXES[prefix] + local
        if not _IRI_OK.fullmatch(iri):
            raise QueryError(f"not an absolute IRI: {value!r}")
        return URIRef(iri)
    if type_ == "integer":
        if not re.fullmatch(r"[+-]?\d+", value.strip()):
            raise QueryError(f"not an integer: {value!r}")
        try:
            number = int(value)
        except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
            raise QueryError(f"not an integer: {value[:40]!r}… ({len(value):,} characters)") from None
        return Literal(str(number), datatype=XSD.integer)
    if type_ == "decimal":
        try:
            d = Decimal(value.strip())
        except InvalidOperation:
            raise QueryError(f"not a number: {value!r}") from None
        if not d.is_finite():
            raise QueryError(f"not a number: {value!r}")
        return Literal(str(d), datatype=XSD.decimal)
    if type_ == "modality":
        from kg.build import MODALITY_IRI
        if value not in MODALITY_IRI:
            raise QueryError(f"unknown modality {value!r} (choose {', '.join(MODALITY_IRI)})")
        return MODALITY_IRI[value]
    if type_ == "status":
        iris = _status_iris()
        if value not in iris:
            raise QueryError(f"unknown status {value!r} (choose {', '.join(iris)})")
        return URIRef(iris[value])
    raise QueryError(f"unknown parameter type {type_!r}")


def term_text(term) -> str:
    """A checked rdflib term in SPARQL syntax (IRIs were checked by :func:`param_term`)."""
    from rdflib import URIRef
    if isinstance(term, URIRef):
        return f"<{term}>"
    lex = f'"{_escape(str(term))}"'
    if term.language:
        return lex + "@" + term.language
    if term.datatype is not None:
        return lex + f"^^<{term.datatype}>"
    return lex


def sparql_term(value: str, type_: str) -> str:
    """One RDF term in SPARQL syntax, checked and escaped; ``QueryError`` if invalid.

    >>> sparql_term("kg:Road", "iri")
    '<https://w3id.org/gwr-kg/ontology#Road>'
    >>> sparql_term("周浦镇", "lang")
    '"周浦镇"@zh'
    """
    return term_text(param_term(value, type_))


def _guess_type(value: str) -> str:
    if value.startswith("<") and value.endswith(">"):
        return "iri"
    if re.fullmatch(r"[+-]?\d+", value):
        return "integer"
    prefix, colon, _ = value.partition(":")
    if colon and prefix in PREFIXES:
        return "iri"
    return "string"


def parse_params(pairs: Iterable[str]) -> dict[str, str]:
    """``["road=韵涛路"]`` -> ``{"road": "韵涛路"}``."""
    out = {}
    for pair in pairs:
        key, eq, value = pair.partition("=")
        if not eq or not key.strip():
            raise QueryError(f"--param {pair!r}: expected key=value")
        out[key.strip().lstrip("?")] = value
    return out


def bind_params(text: str, params: Mapping[str, str], spec: QuerySpec | None,
                store=None) -> str:
    """Fill the ``VALUES ?name { UNDEF }`` placeholders of ``text`` with checked terms
    (``store``: the graph that ``name`` parameters are looked up in)."""
    return _bind(text, params, spec, store)[0]


def _bind(text: str, params: Mapping[str, str], spec: QuerySpec | None,
          store=None) -> tuple[str, dict]:
    declared = {p.name: p for p in spec.params} if spec else {}
    terms = {}
    filled: dict[str, str] = {}
    for name, value in params.items():
        if spec is not None and spec.params and name not in declared:
            known = ", ".join(declared) or "none"
            raise QueryError(f"{spec.name}: unknown parameter {name!r} (parameters: {known})")
        p = declared.get(name) or Param(name, _guess_type(value))
        if p.type == "name":
            found = entity_terms(store, value, p)
            if len(found) == 1:
                terms[p.target] = found[0]
            term = " ".join(term_text(t) for t in found)
        else:
            terms[name] = param_term(value, p.type)
            term = term_text(terms[name])
        if p.target in filled:
            raise QueryError(f"parameters {filled[p.target]!r} and {name!r} both choose "
                             f"?{p.target}: give one of them")
        pattern = _placeholder(p.target)
        if not pattern.search(text):
            raise QueryError(f"parameter {name!r}: the query has no placeholder "
                             f"VALUES ?{p.target} {{ UNDEF }}")
        filled[p.target] = name
        text = pattern.sub(lambda _m, n=p.target, t=term: f"VALUES ?{n} {{ {t} }}", text)
    return text, terms


def entity_terms(store, value: str, param: Param) -> list:
    """The IRIs of the entities a ``name`` parameter's value stands for (:mod:`kg.lookup`
    on ``store``); ``QueryError`` with close names when none.

    >>> from kg.store import load_store
    >>> st = load_store(data='<urn:r> <https://w3id.org/gwr-kg/ontology#key> "韵涛路" ; a '
    ...     '<https://w3id.org/gwr-kg/ontology#Road> ; <http://www.w3.org/2000/01/rdf-schema#label> '
    ...     '"yùn tāo lù"@zh-latn-pinyin, "韵涛路"@zh .', fmt="turtle")
    >>> entity_terms(st, "yuntaolu", Param("road", "name", binds="road"))
    [rdflib.term.URIRef('urn:r')]
    """
    from rdflib import URIRef

    from kg.lookup import index_of
    if store is None:
        raise QueryError(f"parameter {param.name!r} is a name looked up in the graph: "
                         "run the query on a graph")
    hits = index_of(store).resolve(value, f"--param {param.name}=", param.classes or None,
                                   error=QueryError)
    return [URIRef(h.entry.iri) for h in hits]


def prefix_head(text: str) -> str:
    """Declarations of the project's usual prefixes the query uses without declaring them,
    on one line with no line break, so that the user's lines keep their numbers."""
    declared = inspect_query(text).prefixes
    used = {m.group(1) for m in re.finditer(r"(?<![\w<?$])([A-Za-z][\w-]*):", text)}
    missing = [p for p in PREFIXES if p in used and p not in declared]
    return "".join(f"PREFIX {p}: <{PREFIXES[p]}> " for p in missing)


def with_prefixes(text: str) -> str:
    """The query with :func:`prefix_head` before it."""
    return prefix_head(text) + text


def execute(store, text: str, params: Mapping[str, str] | None = None,
            spec: QuerySpec | None = None, max_rows: int | None = None) -> QueryResult:
    """Check (read-only), bind and run one query on a loaded store.

    The values go into the query's VALUES placeholders; rdflib also gets them as
    ``initBindings``, which its engine needs to use them early (same answers, far faster).
    """
    text, terms = _bind(text, params or {}, spec, store)
    if spec is not None and spec.name == "search" and terms.get("text") is not None:
        found = _indexed_search(store, terms, max_rows)
        if found is not None:
            return found
    head = prefix_head(text)
    checked = check_read_only(head + text, store.graphs(), shift=len(head),
                              known_prefixes=tuple(PREFIXES))
    return store.query(checked.text, max_rows=max_rows, bindings=terms)


def _indexed_search(store, terms: dict, max_rows: int | None) -> QueryResult | None:
    """The ``search`` library query answered from the build's full-text index
    (:mod:`kg.textindex`) instead of a scan, where the store has one beside it."""
    from rdflib import Literal, URIRef

    from kg.store import _check_size
    from kg.textindex import TextIndex, index_beside
    path = index_beside(getattr(store, "on_disk_path", None))
    if path is None:
        return None
    modality = terms.get("modality")
    hits = TextIndex(path).sentences(str(terms["text"]), str(modality) if modality is not None else None)
    if hits is None:
        return None
    rows = [(URIRef(s), URIRef(m) if m else None, URIRef(sec) if sec else None, Literal(t))
            for s, m, sec, t in hits]
    _check_size(rows, max_rows)
    return QueryResult("select", vars=["sentence", "modality", "section", "sentence_text"], rows=rows)


def library_rows(store, name: str, params: Mapping[str, str] | None = None
                 ) -> tuple[list[str], list[dict]]:
    """(variables, rows as dicts of terms, None where unbound) of library query ``name``
    on a loaded store: for pages that lay out a query's answer themselves."""
    spec = library()[name]
    res = execute(store, spec.text, params, spec)
    return res.vars, [dict(zip(res.vars, row)) for row in res.rows]


def labels_for(store, res: QueryResult, limit: int = 2000) -> dict[str, str]:
    """Labels (``@zh`` first) of the IRIs in a result, for tables."""
    from rdflib import URIRef
    iris: list[str] = []
    seen: set[str] = set()
    cells = res.rows if res.kind == "select" else res.triples
    for row in cells:
        for t in row:
            if isinstance(t, URIRef) and str(t) not in seen and _IRI_OK.fullmatch(str(t)):
                seen.add(str(t))
                iris.append(str(t))
    if not iris:
        return {}
    labels: dict[str, str] = {}
    for i in range(0, min(len(iris), limit), 500):
        values = " ".join(f"<{x}>" for x in iris[i:i + 500])
        q = ("SELECT ?s ?l WHERE { VALUES ?s { " + values + " } "
             "?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }")
        for s, lab in store.query(q).rows:
            lang = getattr(lab, "language", None)
            if str(s) not in labels or lang == "zh":
                labels[str(s)] = str(lab)
    return labels


def run_query(query: str, data=None, params: Mapping[str, str] | None = None,
              fmt: str | None = None, engine: str | None = None, offline: bool = False,
              people: bool = False):
    """Run a library NAME, a ``.rq`` file or SPARQL text with ``params`` on ``data`` (a
    graph file, default ``build/kg.ttl``, or a store from :func:`kg.load_store`), and
    return its rows (:class:`kg.rows.Rows`: a list of dicts of Python values, with
    ``to_pandas()`` and ``to_networkx()``), or with ``fmt`` the result as text in that
    format (table, csv, tsv, json, xml, ttl, nt, jsonld), as ``kg query`` prints it.

    ``offline``: run the query in a forked child cut off the network
    (:func:`kg.sandbox.run_offline`), as ``kg query`` does; ``people``: csv, tsv and json
    with labels and ``_iri`` columns (csv with a BOM), as ``kg query`` gives them unless
    ``--iris``.

    >>> st = load_store(data='@prefix kg: <https://w3id.org/gwr-kg/ontology#> . '
    ...     '<urn:a> a kg:Road ; kg:key "关岳西路" ; kg:intersects <urn:b> . '
    ...     '<urn:b> a kg:Road ; kg:key "周康路" ; <http://www.w3.org/2000/01/rdf-schema#label> "周康路"@zh .',
    ...     fmt="turtle")
    >>> rows = run_query("intersecting-roads", st, {"road_name": "guan yue xi lu"})
    >>> [(r["road"], rows.labels[r["crossing"]]) for r in rows]
    [('urn:a', '周康路')]
    """
    text, spec = resolve_query(query)
    store = data if hasattr(data, "query") and hasattr(data, "graphs") else load_store(data, engine)

    def work():
        res = execute(store, text, params, spec)
        if fmt is None:
            from kg.rows import Rows
            return Rows.of(res, labels_for(store, res))
        labels = labels_for(store, res) if fmt == "table" or people else None
        return render(res, fmt, labels, people=people)

    if offline and not getattr(store, "remote", False):
        from kg.sandbox import run_offline
        return run_offline(work)
    return work()


def list_text() -> str:
    """``kg query --list``: one line per library query, with its parameters."""
    lines = []
    lib = library()
    width = max(len(n) for n in lib) if lib else 0
    for name, spec in lib.items():
        params = " ".join(f"[{p.name}={p.type}]" for p in spec.params)
        lines.append(f"{name.ljust(width)}  {spec.description}" + (f"  {params}" if params else ""))
    return "\n".join(lines) + "\n"


__all__ = ["QuerySpec", "Param", "library", "parse_spec", "resolve_query", "bind_params",
           "sparql_term", "param_term", "term_text", "parse_params", "entity_terms", "execute", "run_query", "list_text", "labels_for",
           "with_prefixes"]
