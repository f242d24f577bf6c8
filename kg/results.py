"""Write a :class:`kg.store.QueryResult` in a SPARQL 1.1 results format or as a table.

SELECT and ASK: ``json`` (SPARQL 1.1 Query Results JSON), ``xml`` (Results XML),
``csv`` and ``tsv`` (SPARQL 1.1 Results CSV/TSV), ``table`` (a terminal table showing
labels instead of IRIs). CONSTRUCT and DESCRIBE: ``ttl`` (Turtle), ``nt``, ``xml``
(RDF/XML) and ``jsonld``. Every value is escaped by the format's own rules.

>>> from rdflib import Literal
>>> from kg.store import QueryResult
>>> to_csv(QueryResult("select", vars=["a"], rows=[(Literal("x,y"),)]))
'a\\r\\n"x,y"\\r\\n'
"""
from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from xml.sax.saxutils import escape, quoteattr

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from kg.errors import QueryError
from kg.store import QueryResult
from kg.vocab import compact

SELECT_FORMATS = ("table", "csv", "tsv", "json", "xml")
GRAPH_FORMATS = ("ttl", "nt", "xml", "jsonld", "table")
MEDIA_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "rdfxml": "application/rdf+xml",
    "jsonld": "application/ld+json",
    "table": "text/plain",
    "html": "text/html",
}
_XSD_STRING = str(XSD.string)


def _json_term(t) -> dict:
    if isinstance(t, URIRef):
        return {"type": "uri", "value": str(t)}
    if isinstance(t, BNode):
        return {"type": "bnode", "value": str(t)}
    d = {"type": "literal", "value": str(t)}
    if t.language:
        d["xml:lang"] = t.language
    elif t.datatype is not None and str(t.datatype) != _XSD_STRING:
        d["datatype"] = str(t.datatype)
    return d


def to_json(res: QueryResult) -> str:
    """SPARQL 1.1 Query Results JSON."""
    if res.kind == "ask":
        return json.dumps({"head": {}, "boolean": res.boolean})
    bindings = [{v: _json_term(t) for v, t in zip(res.vars, row) if t is not None}
                for row in res.rows]
    return json.dumps({"head": {"vars": res.vars}, "results": {"bindings": bindings}},
                      ensure_ascii=False)


def _xml_term(t) -> str:
    if isinstance(t, URIRef):
        return f"<uri>{escape(str(t))}</uri>"
    if isinstance(t, BNode):
        return f"<bnode>{escape(str(t))}</bnode>"
    attr = ""
    if t.language:
        attr = f" xml:lang={quoteattr(t.language)}"
    elif t.datatype is not None and str(t.datatype) != _XSD_STRING:
        attr = f" datatype={quoteattr(str(t.datatype))}"
    return f"<literal{attr}>{escape(_xml_safe(str(t)))}</literal>"


def _xml_safe(s: str) -> str:
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "\ufffd", s)


def to_xml(res: QueryResult) -> str:
    """SPARQL Query Results XML."""
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', "<head>"]
    if res.kind == "ask":
        out += ["</head>", f"<boolean>{'true' if res.boolean else 'false'}</boolean>",
                "</sparql>"]
        return "\n".join(out) + "\n"
    out += [f"<variable name={quoteattr(v)}/>" for v in res.vars]
    out += ["</head>", "<results>"]
    for row in res.rows:
        out.append("<result>")
        for v, t in zip(res.vars, row):
            if t is not None:
                out.append(f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>")
        out.append("</result>")
    out += ["</results>", "</sparql>"]
    return "\n".join(out) + "\n"


def to_csv(res: QueryResult) -> str:
    """SPARQL 1.1 Results CSV: plain values, CRLF rows (ASK: one ``_askResult`` cell)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    if res.kind == "ask":
        w.writerows([["_askResult"], ["true" if res.boolean else "false"]])
        return buf.getvalue()
    w.writerow(res.vars)
    for row in res.rows:
        w.writerow(["" if t is None else str(t) for t in row])
    return buf.getvalue()


def _tsv_term(t) -> str:
    if t is None:
        return ""
    if isinstance(t, Literal) and t.datatype is not None and str(t.datatype) in (
            str(XSD.integer), str(XSD.decimal), str(XSD.double), str(XSD.boolean)):
        return t.n3()  # rdflib writes these in short form where it round-trips
    if isinstance(t, Literal):
        s = str(t).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") \
            .replace("\r", "\\r").replace("\t", "\\t")
        if t.language:
            return f'"{s}"@{t.language}'
        if t.datatype is not None and str(t.datatype) != _XSD_STRING:
            return f'"{s}"^^<{t.datatype}>'
        return f'"{s}"'
    return t.n3()


def to_tsv(res: QueryResult) -> str:
    """SPARQL 1.1 Results TSV: terms in Turtle syntax, ``?var`` header."""
    if res.kind == "ask":
        return "?_askResult\n" + ("true" if res.boolean else "false") + "\n"
    lines = ["\t".join("?" + v for v in res.vars)]
    lines += ["\t".join(_tsv_term(t) for t in row) for row in res.rows]
    return "\n".join(lines) + "\n"


def to_graph(res: QueryResult, fmt: str = "ttl") -> str:
    """CONSTRUCT/DESCRIBE triples as Turtle, N-Triples, RDF/XML or JSON-LD."""
    from kg.export import to_jsonld, to_ntriples
    from kg.serialize import to_turtle

    g = res.graph()
    writers = {"ttl": to_turtle, "nt": to_ntriples, "jsonld": to_jsonld}
    if fmt in writers:  # stable output: sorted, the same bytes for the same result
        return writers[fmt](g)
    rdflib_fmt = {"xml": "xml", "rdfxml": "xml"}[fmt]
    return g.serialize(format=rdflib_fmt)


_NUMERIC = {str(XSD.decimal), str(XSD.double), str(XSD.float), str(XSD.integer)}


def literal_text(t) -> str:
    """A term's text for people: numbers as :func:`kg.numbers.shown` (7284, not 7284.0,
    whichever engine wrote them), other terms as they are.

    >>> literal_text(Literal("7284.0", datatype=XSD.decimal)), literal_text(Literal("3.0版"))
    ('7284', '3.0版')
    """
    if t is None:
        return ""
    if isinstance(t, Literal) and t.datatype is not None and str(t.datatype) in _NUMERIC:
        from kg.numbers import shown
        return shown(str(t))
    return str(t)


def cell_text(t, labels: dict[str, str], width: int = 60) -> str:
    """A table cell: the label of an IRI (or its prefixed name), a literal's text."""
    if t is None:
        return ""
    if isinstance(t, URIRef):
        s = labels.get(str(t)) or compact(str(t))
    else:
        s = literal_text(t)
    s = " ".join(s.split())
    return s if len(s) <= width else s[: width - 1] + "…"


def to_table(res: QueryResult, labels: dict[str, str] | None = None,
             width: int | None = None) -> str:
    """A terminal table, IRIs shown by label, long cells shortened; as records, one block
    per row, when the columns do not fit the width (:func:`kg.tables.print_table`)."""
    from rich.console import Console

    from kg.tables import print_table

    labels = labels or {}
    if res.kind == "ask":
        return ("true" if res.boolean else "false") + "\n"
    if res.kind == "graph":
        res = QueryResult("select", vars=["subject", "predicate", "object"],
                          rows=[tuple(t) for t in res.triples])
    buf = io.StringIO()
    console = Console(file=buf, width=width or _terminal_width(), force_terminal=False,
                      color_system=None, soft_wrap=False)
    print_table(console, res.vars, [[cell_text(t, labels) for t in row] for row in res.rows],
                title=f"{len(res.rows)} row(s)")
    return buf.getvalue()


def labelled_rows(res: QueryResult, labels: dict[str, str]) -> tuple[list[str], list[list[str]]]:
    """Columns for people: each variable as its label (IRIs without one as a prefixed name),
    and beside a variable that holds IRIs a ``<var>_iri`` column with the IRIs themselves.

    >>> from rdflib import URIRef
    >>> r = QueryResult("select", vars=["x"], rows=[(URIRef("urn:a"),)])
    >>> labelled_rows(r, {"urn:a": "甲"})
    (['x', 'x_iri'], [['甲', 'urn:a']])
    """
    iri_vars = {i for i, _ in enumerate(res.vars)
                if any(isinstance(row[i], URIRef) for row in res.rows)}
    head: list[str] = []
    for i, v in enumerate(res.vars):
        head.append(v)
        if i in iri_vars:
            head.append(f"{v}_iri")
    rows = []
    for row in res.rows:
        cells: list[str] = []
        for i, t in enumerate(row):
            if isinstance(t, URIRef):
                cells.append(labels.get(str(t)) or compact(str(t)))
            else:
                cells.append(literal_text(t))
            if i in iri_vars:
                cells.append(str(t) if isinstance(t, URIRef) else "")
        rows.append(cells)
    return head, rows


def to_labelled(res: QueryResult, fmt: str, labels: dict[str, str]) -> str:
    """``kg query``'s csv, tsv and json for people: labels, ``_iri`` columns; csv with a
    BOM so that spreadsheet programs read it as UTF-8."""
    if res.kind == "ask":
        value = "true" if res.boolean else "false"
        return json.dumps({"boolean": res.boolean}) + "\n" if fmt == "json" else f"ask\n{value}\n"
    head, rows = labelled_rows(res, labels)
    if fmt == "json":
        return json.dumps([dict(zip(head, r)) for r in rows], ensure_ascii=False, indent=1) + "\n"
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n", delimiter="," if fmt == "csv" else "\t")
    w.writerow(head)
    w.writerows(rows)
    return ("\ufeff" if fmt == "csv" else "") + buf.getvalue()


def _terminal_width() -> int:
    import shutil
    return max(30, min(shutil.get_terminal_size((120, 24)).columns, 200))


WRITERS: dict[str, Callable[[QueryResult], str]] = {
    "json": to_json, "xml": to_xml, "csv": to_csv, "tsv": to_tsv}


def render(res: QueryResult, fmt: str, labels: dict[str, str] | None = None,
           people: bool = False) -> str:
    """``res`` in format ``fmt``; ``QueryError`` when the format does not fit the form.
    ``people``: csv, tsv and json with labels (:func:`to_labelled`) instead of the SPARQL
    results formats."""
    if fmt == "table":
        return to_table(res, labels)
    if people and fmt in ("csv", "tsv", "json") and res.kind != "graph":
        return to_labelled(res, fmt, labels or {})
    if res.kind == "graph":
        if fmt not in ("ttl", "nt", "xml", "rdfxml", "jsonld"):
            raise QueryError(f"--format {fmt} is for SELECT/ASK; use ttl for CONSTRUCT/DESCRIBE")
        return to_graph(res, fmt)
    if fmt not in WRITERS:
        raise QueryError(f"--format {fmt} is for CONSTRUCT/DESCRIBE; use table, csv, tsv, "
                         "json or xml for SELECT/ASK")
    return WRITERS[fmt](res)


__all__ = ["render", "to_labelled", "labelled_rows", "to_json", "to_xml", "to_csv", "to_tsv", "to_graph", "to_table",
           "compact", "cell_text", "literal_text", "MEDIA_TYPES", "SELECT_FORMATS", "GRAPH_FORMATS"]
