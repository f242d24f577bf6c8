"""Read-only guard for SPARQL: decide on the parsed query, then run exactly what was checked.

A query text is made canonical before anything reads it: SPARQL codepoint escapes
(``\\u0053ERVICE``) are decoded and comments are blanked, with a tokenizer that follows
the SPARQL 1.1 grammar (a ``#`` comment ends at CR or LF; strings, IRIs, variables and
prefixed names are skipped). Prefixed names with ``PN_LOCAL_ESC`` escapes (``ex:a\\#``)
are refused: two parsers that read them differently could see different code. Then the
canonical text is parsed by rdflib's SPARQL parser and translated to its algebra; the
decision is taken on that tree: updates, ``SERVICE`` anywhere, and ``FROM``/``FROM NAMED``
of graphs outside the store are refused. The engine is given the canonical text, so it
runs what was checked, not the original. Nesting deeper than :data:`MAX_DEPTH` and texts
longer than :data:`MAX_CHARS` are refused before parsing (the parser recurses).

Nothing here fetches or reads anything. The second wall, that a query cannot open a
connection at all, is :func:`kg.netguard.network_off`.

>>> check_read_only("PREFIX ex: <http://e/> SELECT * FROM <http://g> { ?s ex:from ?o }", {"http://g"}).form
'SELECT'
>>> check_read_only("SELECT * { SERVICE <http://x/> { ?s ?p ?o } }", set())
Traceback (most recent call last):
...
kg.errors.QueryError: refused: SERVICE (federated queries) is not allowed here
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from kg.errors import QueryError

MAX_DEPTH = 64          # nesting of { ( [ in one query
MAX_CHARS = 1 << 20     # characters in one query text
CACHED_CHARS = 1 << 14  # longest text whose decision is remembered (512 of them at most)

_TOKEN = re.compile(r"""
  (?P<ws>[\x20\t\r\n]+)
| (?P<comment>\#[^\r\n]*)
| (?P<lstring>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\")
| (?P<string>'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
| (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
| (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
| (?P<pname>(?:[^\W\d][\w.\-]*)?:(?:[\w\-.:%]|\\[_~.\-!$&'()*+,;=/?\#@%])*)
| (?P<word>[^\W\d]\w*)
| (?P<other>.)
""", re.VERBOSE | re.DOTALL)

FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_WORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "COPY",
                          "MOVE", "ADD"})
OPEN, CLOSE = "{([", "})]"


@dataclass
class QueryInfo:
    """What the guard read from a query, and the canonical text to run."""

    form: str | None = None                 # SELECT | ASK | CONSTRUCT | DESCRIBE
    from_graphs: list[str] = field(default_factory=list)   # IRIs of FROM / FROM NAMED
    prefixes: dict[str, str] = field(default_factory=dict)
    text: str = ""                          # what the engine must run


def tokens(text: str) -> list[tuple[str, str]]:
    """(kind, text) pairs, whitespace and comments dropped.

    >>> tokens('ASK { ?s <http://e/p> "FROM" } # SERVICE\\r}')
    [('word', 'ASK'), ('other', '{'), ('var', '?s'), ('iri', '<http://e/p>'), ('string', '"FROM"'), ('other', '}'), ('other', '}')]
    """
    return [(k, t) for k, t, _ in _scan(text) if k not in ("ws", "comment")]


def _scan(text: str) -> list[tuple[str, str, int]]:
    out = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        out.append(("string" if kind == "lstring" else kind, m.group(0), m.start()))
    return out


_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def decode_codepoints(text: str) -> str:
    """Apply SPARQL's codepoint escapes (§19.2), which come before the grammar:
    ``\\u0053ERVICE`` is the keyword SERVICE.

    >>> decode_codepoints("\\u0053ERVICE")
    'SERVICE'
    """
    def one(m: re.Match[str]) -> str:
        cp = int(m.group(1) or m.group(2), 16)
        return chr(cp) if cp <= 0x10FFFF and not 0xD800 <= cp <= 0xDFFF else m.group(0)
    return _CODEPOINT.sub(one, text)


def canonical(text: str) -> str:
    """The text an engine is given: escapes decoded, comments blanked, checked for
    nesting and escaped prefixed names.

    >>> canonical("SELECT * { ?s ?p ?o } # x\\r")
    'SELECT * { ?s ?p ?o }    \\n'
    """
    if len(text) > MAX_CHARS:
        raise QueryError(f"query is too long ({len(text)} characters; the limit is {MAX_CHARS})")
    text = decode_codepoints(text)
    out: list[str] = []
    depth = 0
    for kind, tok, _ in _scan(text):
        if kind == "comment":
            out.append(" " * len(tok))
            continue
        if kind == "ws":
            out.append(tok.replace("\r", "\n"))
            continue
        if kind == "pname" and "\\" in tok:
            raise QueryError(f"refused: escaped characters in the prefixed name {tok} "
                             "(write the IRI in <…> instead)")
        if kind == "other":
            if tok in OPEN:
                depth += 1
                if depth > MAX_DEPTH:
                    raise QueryError(f"query nests deeper than {MAX_DEPTH} levels")
            elif tok in CLOSE:
                depth -= 1
        out.append(tok)
    return "".join(out)


def inspect_query(text: str) -> QueryInfo:
    """The form and declared prefixes of a query, read from its tokens (no decision).

    >>> inspect_query("PREFIX ex: <http://e/> ASK { ?s ex:p ?o }").prefixes
    {'ex': 'http://e/'}
    """
    info = QueryInfo(text=text)
    toks = tokens(text)
    for i, (kind, tok) in enumerate(toks):
        if kind == "pname" and i >= 1 and toks[i - 1][0] == "word" \
                and toks[i - 1][1].upper() == "PREFIX" and i + 1 < len(toks) \
                and toks[i + 1][0] == "iri":
            info.prefixes[tok[:-1] if tok.endswith(":") else tok] = toks[i + 1][1][1:-1]
        if kind == "word" and tok.upper() in FORMS and info.form is None:
            info.form = tok.upper()
    return info


def looks_like_sparql(text: str) -> bool:
    """Whether a command-line argument is SPARQL text (a query form or an update word),
    not a library name: an update is then refused with a clear message.

    >>> looks_like_sparql("DROP ALL"), looks_like_sparql("parcels")
    (True, False)
    """
    return any(k == "word" and t.upper() in FORMS + tuple(UPDATE_WORDS) for k, t in tokens(text))


def _walk(node, seen: set[int]):
    """Every CompValue in a parse or algebra tree."""
    from rdflib.plugins.sparql.parserutils import CompValue
    stack = [node]
    while stack:
        x = stack.pop()
        if id(x) in seen:
            continue
        seen.add(id(x))
        if isinstance(x, CompValue):
            yield x
            stack.extend(x.values())
        elif isinstance(x, dict):
            stack.extend(x.values())
        elif isinstance(x, (list, tuple)) or type(x).__name__ == "ParseResults":
            stack.extend(list(x))


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())[:300]


def _position(exc, shift: int) -> str:
    """``line L, column C`` of a parse error in the user's own text (``shift``: characters
    of prefix declarations put before it on its first line)."""
    line, col = getattr(exc, "lineno", 1), getattr(exc, "col", 1)
    if line == 1:
        col = max(1, col - shift)
    return f"line {line}, column {col}"


def _syntax_message(exc, canon: str, shift: int) -> str:
    loc = getattr(exc, "loc", 0)
    found = canon[loc:loc + 12].split("\n")[0].strip()
    near = f"near {found!r}" if found else "at the end of the query"
    return f"SPARQL syntax error at {_position(exc, shift)}, {near}"


def check_read_only(text: str, graphs: set[str], shift: int = 0,
                    known_prefixes: tuple[str, ...] = ()) -> QueryInfo:
    """:func:`decide`, remembered: the same text for the same graphs gets the same answer
    without parsing it again (a long-lived query worker of ``kg serve`` sees the library's
    texts over and over; parsing one takes rdflib 30-100 ms). Refusals are not kept, nor
    texts longer than :data:`CACHED_CHARS`."""
    if len(text) > CACHED_CHARS:
        return decide(text, graphs, shift, tuple(known_prefixes))
    info = _decided(text, frozenset(graphs), shift, tuple(known_prefixes))
    return QueryInfo(info.form, list(info.from_graphs), dict(info.prefixes), info.text)


@functools.lru_cache(maxsize=512)
def _decided(text: str, graphs: frozenset, shift: int, known_prefixes: tuple) -> QueryInfo:
    return decide(text, graphs, shift, known_prefixes)


def decide(text: str, graphs: set[str] | frozenset, shift: int = 0,
           known_prefixes: tuple[str, ...] = ()) -> QueryInfo:
    """Refuse (``QueryError``) updates, SERVICE, and FROM graphs not in ``graphs``,
    deciding on rdflib's parse of the canonical text; return what to run.

    >>> check_read_only("SELECT * { ?s ?p ?o # \\r SERVICE <http://x/> { ?a ?b ?c } }", set())
    Traceback (most recent call last):
    ...
    kg.errors.QueryError: refused: SERVICE (federated queries) is not allowed here

    ``shift``: characters the caller put before the user's text on its first line (its
    prefix declarations), so that positions in messages are the user's own;
    ``known_prefixes``: the prefixes the caller would declare, named in the message for an
    unknown one.
    """
    from pyparsing import ParseException
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    canon = canonical(text)
    info = inspect_query(canon)
    try:
        parsed = parseQuery(canon)
    except ParseException as exc:
        try:
            parseUpdate(canon)
        except Exception:
            pass
        else:
            raise QueryError("refused: this endpoint is read-only (the text is an update)") from None
        raise QueryError(_syntax_message(exc, canon, shift)) from None
    except RecursionError:
        raise QueryError(f"query nests too deeply to parse") from None
    seen: set[int] = set()
    if any(cv.name == "ServiceGraphPattern" for cv in _walk(parsed, seen)):
        raise QueryError("refused: SERVICE (federated queries) is not allowed here")
    try:
        algebra = translateQuery(parsed)
    except Exception as exc:  # rdflib raises plain Exceptions for unknown prefixes and the like
        m = re.search(r"Unknown namespace prefix : (\S+)", str(exc))
        if m:
            declared = sorted(set(info.prefixes) | set(known_prefixes))
            raise QueryError(f"unknown prefix {m.group(1)}: (declare it with PREFIX {m.group(1)}: <…>; "
                             f"known: {', '.join(p + ':' for p in declared) or 'none'})") from None
        raise QueryError(f"SPARQL error: {_one_line(exc)}") from None
    nodes = list(_walk(algebra.algebra, set()))
    if any(cv.name in ("ServiceGraphPattern", "Service") for cv in nodes):
        raise QueryError("refused: SERVICE (federated queries) is not allowed here")
    for cv in nodes:
        if cv.name == "DatasetClause":
            iri = cv.get("default") or cv.get("named")
            if iri is not None:
                info.from_graphs.append(str(iri))
    for iri in info.from_graphs:
        if iri not in graphs:
            raise QueryError(f"refused: FROM <{iri}> is not a graph of this store")
    form = algebra.algebra.name.replace("Query", "").upper()
    info.form = form if form in FORMS else info.form
    if info.form is None:
        raise QueryError("not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE")
    return info


__all__ = ["QueryInfo", "tokens", "inspect_query", "looks_like_sparql", "canonical", "check_read_only", "decide",
           "MAX_DEPTH", "MAX_CHARS"]
