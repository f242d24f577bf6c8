"""The page of ``kg serve`` at ``/``: the query library as forms, a SPARQL editor, the
result table with download links.

- Choosing a library query shows a form with its parameters (name, type, the help text
  of its ``# @param`` line); the server binds the values (:func:`kg.query.execute`), the
  page never splices them into SPARQL.
- The editor is YASQE (``viz/vendor/yasqe``, see its ``VENDORED``) over the form's
  textarea (``viz/endpoint.js``); it completes the project's prefixes and the terms of
  the ontology and of the graph from a JSON block inside the page, so it fetches nothing.
  Without JavaScript the textarea stays and the page works the same.
- Every text from the graph or the request is HTML-escaped here.

The page's scripts come from the server itself (``/assets/…``), under :data:`CSP`.

>>> "script-src 'self'" in CSP and "unsafe-eval" not in CSP
True
"""
from __future__ import annotations

import html
import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from urllib.parse import quote, urlencode

from kg.query import Param, QuerySpec
from kg.resources import ONTOLOGY, VIZ
from kg.vocab import PREFIXES

# Scripts and styles from this server only; no eval, no fetch, forms only to itself.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src data:; connect-src 'none'; form-action 'self'; base-uri 'none'; "
       "frame-ancestors 'none'")

# /assets/NAME -> (file, media type): the only files the server hands out
ASSETS = {
    "yasqe.min.js": (VIZ / "vendor" / "yasqe" / "yasqe.min.js", "text/javascript"),
    "yasqe.min.css": (VIZ / "vendor" / "yasqe" / "yasqe.min.css", "text/css"),
    "endpoint.js": (VIZ / "endpoint.js", "text/javascript"),
    "endpoint.css": (VIZ / "endpoint.css", "text/css"),
}

PARAM_PREFIX = "param."   # form fields and /sparql parameters: param.NAME=value


@cache
def asset(name: str) -> tuple[bytes, str] | None:
    """(bytes, media type) of one of :data:`ASSETS`, or None for any other name."""
    if name not in ASSETS:
        return None
    path, media = ASSETS[name]
    return Path(path).read_bytes(), media


@cache
def ontology_terms() -> tuple[dict[str, str], dict[str, str]]:
    """(classes, properties) of ``ontology/kg.ttl``, IRI -> label (``@zh``, else ``@en``),
    with the standard terms its classes and properties refine."""
    from rdflib import OWL, RDF, RDFS, Graph, URIRef
    g = Graph().parse(ONTOLOGY / "kg.ttl", format="turtle")

    def label(t) -> str:
        labels = {getattr(lab, "language", None): str(lab) for lab in g.objects(t, RDFS.label)}
        return labels.get("zh") or labels.get("en") or ""

    classes = set(g.subjects(RDF.type, OWL.Class))
    classes |= {o for o in g.objects(None, RDFS.subClassOf) if isinstance(o, URIRef)}
    props: set = set()
    for kind in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty,
                 RDF.Property, OWL.SymmetricProperty, OWL.TransitiveProperty):
        props |= set(g.subjects(RDF.type, kind))
    props |= {o for o in g.objects(None, RDFS.subPropertyOf) if isinstance(o, URIRef)}
    return ({str(c): label(c) for c in classes if isinstance(c, URIRef)},
            {str(p): label(p) for p in props if isinstance(p, URIRef)})


def completions(used_classes: list[str] = (), used_properties: list[str] = ()) -> dict:
    """What the editor completes: the project's prefixes, and classes and properties (the
    ontology's, with labels, and those the graph uses) as ``[iri, label]`` pairs."""
    classes, props = ontology_terms()
    classes = {**{c: "" for c in used_classes}, **classes}
    props = {**{p: "" for p in used_properties}, **props}
    return {"prefixes": dict(sorted(PREFIXES.items())),
            "classes": sorted(classes.items()), "properties": sorted(props.items())}


def _json_block(data: dict) -> str:
    """JSON inside ``<script type="application/json">``: nothing in it can close the tag."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def param_choices(p: Param) -> tuple[str, ...]:
    """The closed set of values of a ``status`` or ``modality`` parameter, else ()."""
    if p.type == "status":
        from kg.query import _status_iris
        return tuple(_status_iris())
    if p.type == "modality":
        from kg.build import MODALITY_IRI
        return tuple(MODALITY_IRI)
    return ()


def run_link(spec: QuerySpec | None, query: str, values: Mapping[str, str], **extra) -> str:
    """``/sparql?…`` for the same question: the library query and its values, or the text."""
    if spec is not None:
        items = [("library", spec.name)]
        items += [(PARAM_PREFIX + k, v) for k, v in values.items() if v != ""]
    else:
        items = [("query", query)]
    items += list(extra.items())
    return "/sparql?" + urlencode(items, quote_via=quote)


def downloads_html(spec: QuerySpec | None, query: str, values: Mapping[str, str],
                   kind: str = "select") -> str:
    """Download links: for a table, CSV and JSON with labels (as ``kg query --format
    csv|json``) and the SPARQL results formats; for a graph, Turtle, N-Triples, JSON-LD."""
    if kind == "graph":
        links = [("Turtle", {"format": "turtle"}), ("N-Triples", {"format": "nt"}),
                 ("JSON-LD", {"format": "jsonld"})]
    else:
        links = [("CSV", {"format": "csv", "labels": "1"}),
                 ("JSON", {"format": "json", "labels": "1"}),
                 ("SPARQL JSON", {"format": "json"}), ("SPARQL CSV", {"format": "csv"})]
    out = [f'<a class="dl" data-format="{html.escape(fmt["format"] + ("-labels" if "labels" in fmt else ""))}" '
           f'href="{html.escape(run_link(spec, query, values, **fmt, download="1"))}">{name}</a>'
           for name, fmt in links]
    return '<p class="downloads">Download: ' + " · ".join(out) + "</p>"


def _library_list(lib: Mapping[str, QuerySpec], chosen: str | None) -> str:
    items = []
    for name, spec in lib.items():
        current = ' aria-current="page"' if name == chosen else ""
        params = "".join(f" <span class=\"p\">{html.escape(p.name)}</span>" for p in spec.params)
        items.append(f'<li><a href="/?library={html.escape(quote(name))}"{current}>'
                     f"{html.escape(name)}</a>{params}<br><small>{html.escape(spec.description)}"
                     "</small></li>")
    return f'<nav class="lib"><h2>Library</h2><ul>{"".join(items)}</ul></nav>'


def _param_field(p: Param, value: str, example: str | None) -> str:
    field = html.escape(PARAM_PREFIX + p.name)
    ident = html.escape("p-" + p.name)
    choices = param_choices(p)
    if choices:
        opts = ['<option value="">(any)</option>'] + [
            f'<option{" selected" if c == value else ""}>{html.escape(c)}</option>' for c in choices]
        control = f'<select id="{ident}" name="{field}">{"".join(opts)}</select>'
    else:
        hint = f' placeholder="{html.escape(example)}"' if example else ""
        mode = ' inputmode="numeric"' if p.type in ("integer", "decimal") else ""
        control = (f'<input id="{ident}" name="{field}" value="{html.escape(value)}"'
                   f"{hint}{mode}>")
    return (f'<div class="field"><label for="{ident}">{html.escape(p.name)}</label>{control}'
            f'<span class="help"><code>{html.escape(p.type)}</code> '
            f"{html.escape(p.help)}</span></div>")


def _library_form(spec: QuerySpec, values: Mapping[str, str]) -> str:
    examples = dict(spec.examples)
    fields = "".join(_param_field(p, values.get(p.name, ""), examples.get(p.name))
                     for p in spec.params)
    if not spec.params:
        fields = "<p>This query has no parameters.</p>"
    details = f'<p class="details">{html.escape(spec.details)}</p>' if spec.details else ""
    edit = "/?" + urlencode({"query": spec.text}, quote_via=quote)
    return (f'<section id="library-form"><h2>{html.escape(spec.name)}</h2>'
            f'<p class="desc">{html.escape(spec.description)}</p>{details}'
            f'<form method="get" action="/"><input type="hidden" name="library" '
            f'value="{html.escape(spec.name)}">{fields}<p><button type="submit" name="run" '
            f'value="1">Run</button> <a href="{html.escape(edit)}">open in the editor</a></p>'
            f'</form><details><summary>SPARQL</summary><pre class="sparql cm-s-default">'
            f"{html.escape(spec.text)}</pre></details></section>")


def _editor(query: str) -> str:
    return ('<form id="editor-form" method="get" action="/">'
            '<label for="query" class="sr">SPARQL query</label>'
            f'<textarea id="query" name="query" rows="14" spellcheck="false">{html.escape(query)}'
            '</textarea><p><button type="submit">Run</button> '
            '<small>Ctrl-Enter runs; Ctrl-Space completes prefixes (after PREFIX), classes '
            "(after <code>a</code>) and properties. Undeclared usual prefixes (kg:, rdfs:, "
            "skos: …) are declared for you.</small></p></form>")


def home_page(lib: Mapping[str, QuerySpec], *, query: str = "", spec: QuerySpec | None = None,
              values: Mapping[str, str] | None = None, result: str = "",
              words: dict | None = None) -> bytes:
    """The whole page. ``result`` is HTML made by the server (escaped already)."""
    values = values or {}
    main = _library_form(spec, values) if spec is not None else _editor(query)
    body = (
        '<header><h1>kg SPARQL endpoint</h1><p>Read-only SPARQL 1.1 at '
        '<a href="/sparql"><code>/sparql</code></a> (GET without a query: its service '
        "description). Pick a question from the library, or write SPARQL.</p>"
        f'<p class="nav"><a href="/">editor</a></p></header>'
        f'<div class="cols">{_library_list(lib, spec.name if spec else None)}'
        f'<main>{main}<section id="result">{result}</section>'
        "<h2>Pages</h2><p><code>/indicator?name=地区生产总值</code>: one indicator across "
        "areas and periods; <code>/promises?report=NAME</code>: a report's promises and what "
        "answered them.</p></main></div>"
        f'<script type="application/json" id="kg-completions">{_json_block(words or completions())}'
        "</script>"
        '<script src="/assets/yasqe.min.js"></script><script src="/assets/endpoint.js"></script>')
    return ('<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<title>kg SPARQL endpoint</title>"
            '<link rel="stylesheet" href="/assets/yasqe.min.css">'
            '<link rel="stylesheet" href="/assets/endpoint.css">'
            f"</head><body>{body}</body></html>").encode("utf-8")


__all__ = ["home_page", "completions", "downloads_html", "run_link", "asset", "CSP",
           "PARAM_PREFIX", "ASSETS"]
