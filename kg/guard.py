"""Read-only guard for SPARQL text: what form a query has, and whether to refuse it.

A small tokenizer skips comments, strings, IRIs, variables and prefixed names, so a
keyword is only seen where SPARQL reads it as one (``"SERVICE"`` in a string or
``ex:load`` as a name are not keywords). Refused: updates (INSERT, DELETE, LOAD,
CLEAR, DROP, CREATE, COPY, MOVE, ADD), SERVICE, and FROM / FROM NAMED of a graph the
store does not hold. Nothing here fetches or reads anything.

>>> inspect_query("PREFIX ex: <http://e/> SELECT * FROM <http://g> { ?s ex:from ?o }").form
'SELECT'
>>> check_read_only("SELECT * { SERVICE <http://x/> { ?s ?p ?o } }", set())
Traceback (most recent call last):
...
kg.errors.QueryError: refused: SERVICE (federated queries) is not allowed here
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.errors import QueryError

_TOKEN = re.compile(r"""
  (?P<ws>\s+)
| (?P<comment>\#[^\n]*)
| (?P<lstring>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\")
| (?P<string>'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
| (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
| (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
| (?P<pname>(?:[^\W\d][\w.\-]*)?:(?:[\w\-.:%\\]|%[0-9A-Fa-f]{2})*)
| (?P<word>[^\W\d]\w*)
| (?P<other>.)
""", re.VERBOSE | re.DOTALL)

UPDATE_WORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "COPY",
                          "MOVE", "ADD", "WITH", "USING"})
FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})


@dataclass
class QueryInfo:
    """What the guard read from a query's text."""

    form: str | None = None                 # SELECT | ASK | CONSTRUCT | DESCRIBE
    from_graphs: list[str] = field(default_factory=list)   # IRIs or prefixed names
    update_words: list[str] = field(default_factory=list)
    service: bool = False
    prefixes: dict[str, str] = field(default_factory=dict)


def tokens(text: str) -> list[tuple[str, str]]:
    """(kind, text) pairs, whitespace and comments dropped.

    >>> tokens('ASK { ?s <http://e/p> "FROM" }')
    [('word', 'ASK'), ('other', '{'), ('var', '?s'), ('iri', '<http://e/p>'), ('string', '"FROM"'), ('other', '}')]
    """
    out = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind in ("ws", "comment"):
            continue
        if kind == "lstring":
            kind = "string"
        out.append((kind, m.group(0)))
    return out


def inspect_query(text: str) -> QueryInfo:
    """Read the form, FROM graphs, update keywords and SERVICE use of a query."""
    info = QueryInfo()
    toks = tokens(text)
    for i, (kind, tok) in enumerate(toks):
        if kind == "pname" and i >= 1 and toks[i - 1][0] == "word" \
                and toks[i - 1][1].upper() == "PREFIX" and i + 1 < len(toks) \
                and toks[i + 1][0] == "iri":
            info.prefixes[tok[:-1] if tok.endswith(":") else tok] = toks[i + 1][1][1:-1]
        if kind != "word":
            continue
        word = tok.upper()
        if word in FORMS and info.form is None:
            info.form = word
        elif word in UPDATE_WORDS:
            info.update_words.append(word)
        elif word == "SERVICE":
            info.service = True
        elif word == "FROM":
            j = i + 1
            if j < len(toks) and toks[j][0] == "word" and toks[j][1].upper() == "NAMED":
                j += 1
            if j < len(toks):
                info.from_graphs.append(toks[j][1])
    return info


def _expand(name: str, prefixes: dict[str, str]) -> str:
    if name.startswith("<") and name.endswith(">"):
        return name[1:-1]
    prefix, _, local = name.partition(":")
    if prefix in prefixes:
        return prefixes[prefix] + local
    return name


_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def decode_codepoints(text: str) -> str:
    """Apply SPARQL's codepoint escapes (§19.2), which engines such as rdflib decode
    before parsing: ``\\u0053ERVICE`` is the keyword SERVICE.

    >>> decode_codepoints("\\u0053ERVICE")
    'SERVICE'
    """
    def one(m: re.Match[str]) -> str:
        cp = int(m.group(1) or m.group(2), 16)
        return chr(cp) if cp <= 0x10FFFF else m.group(0)
    return _CODEPOINT.sub(one, text)


def check_read_only(text: str, graphs: set[str]) -> QueryInfo:
    """Refuse (``QueryError``) updates, SERVICE, and FROM graphs not in ``graphs``.

    The text is checked as engines read it, codepoint escapes decoded:

    >>> check_read_only("SELECT * { \\u0053ERVICE <http://x/> { ?s ?p ?o } }", set())
    Traceback (most recent call last):
    ...
    kg.errors.QueryError: refused: SERVICE (federated queries) is not allowed here
    """
    info = inspect_query(decode_codepoints(text))
    if info.update_words:
        raise QueryError(f"refused: this endpoint is read-only ({info.update_words[0]} is an update)")
    if info.service:
        raise QueryError("refused: SERVICE (federated queries) is not allowed here")
    for g in info.from_graphs:
        iri = _expand(g, info.prefixes)
        if iri not in graphs:
            raise QueryError(f"refused: FROM {g} is not a graph of this store")
    if info.form is None:
        raise QueryError("not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE")
    return info


__all__ = ["QueryInfo", "tokens", "inspect_query", "check_read_only"]
