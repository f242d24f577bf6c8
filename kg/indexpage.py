"""The index of a build's reports (``build/reports/index.html``): one row per report with
its place, period, date and size, the names it mentions per class, and links to its
reader page (and to its own graph page where the build made one).

Made from the store, like the reader; every text is escaped.
"""
from __future__ import annotations

import html
from pathlib import Path

from kg.htmlpage import page
from kg.query import library_rows
from kg.reader import _style, page_name, reports_of

_CLASSES = """
PREFIX kg: <https://w3id.org/gwr-kg/ontology#>
SELECT ?report ?type (COUNT(DISTINCT ?entity) AS ?n) WHERE {
  ?mention a kg:Mention ; kg:report ?report ; kg:mentionType ?type ; kg:mentionOf ?entity .
} GROUP BY ?report ?type"""
_PLACES = """
PREFIX kg: <https://w3id.org/gwr-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?report ?label WHERE { ?report a kg:Report ; kg:place ?place .
  ?place rdfs:label ?label . FILTER(LANG(?label) = "zh") }"""


def _text(term) -> str:
    return "" if term is None else str(term)


_HEAD = ("<tr><th>报告 report</th><th>地区 place</th><th>时期 period</th><th>发布 issued</th>"
         "<th>章节 sections</th><th>句子 sentences</th><th>提及 mentions</th>"
         "<th>名称 names by class</th></tr>")


def index_rows(store, graphs: dict[str, str] | None = None, prefix: str = "") -> list[tuple[str, str, int]]:
    """(report file name, table row, sentences) of each report in ``store``: a build makes
    the rows of each report on its own and joins them with :func:`assemble`. ``graphs``:
    report file name → link to its own graph page; ``prefix``: before reader page links."""
    css, style = _style()
    classes, default = style.get("classes", {}), style.get("default_class", {})
    names = {iri: (label, page_name(name) + ".html", name) for iri, label, name in reports_of(store)}
    per_class: dict[str, list[tuple[int, str]]] = {}
    for report, type_, n in store.query(_CLASSES).rows:
        per_class.setdefault(str(report), []).append((int(n), str(type_)))
    places = {str(r): str(label) for r, label in store.query(_PLACES).rows}
    _, rows = library_rows(store, "reports")
    out = []
    for r in rows:
        iri = str(r["report"])
        label, file_name, ident = names.get(iri, (_text(r["title"]) or iri, None, None))
        title = html.escape(_text(r["title"]) or label)
        link = f'<a href="{html.escape(prefix + file_name)}">{title}</a>' if file_name else title
        if graphs and ident in graphs:
            link += f' · <a href="{html.escape(graphs[ident])}">图 graph</a>'
        counts = sorted(per_class.get(iri, []), key=lambda x: (-x[0], x[1]))
        chips = " ".join(
            f'<mark style="background:{html.escape(classes.get(t, default).get("color", "#ddd"))}">'
            f'{html.escape(classes.get(t, default).get("zh", t))} {n}</mark>' for n, t in counts)
        out.append((ident or iri,
                    f"<tr><td>{link}</td><td>{html.escape(places.get(iri, _text(r['place'])))}</td>"
                    f"<td>{html.escape(_text(r['period']))}</td><td>{html.escape(_text(r['issued']))}</td>"
                    f"<td>{html.escape(_text(r['sections']))}</td><td>{html.escape(_text(r['sentences']))}</td>"
                    f"<td>{html.escape(_text(r['mentions']))}</td><td class=\"legend\">{chips}</td></tr>",
                    int(_text(r["sentences"]) or 0)))
    return out


def assemble(rows: list[tuple[str, str, int]]) -> str:
    """The index page of ``index_rows`` (of one store or of many), in report name order."""
    css, _ = _style()
    rows = sorted(rows)
    total = sum(n for _, _, n in rows)
    content = (f"<h1>报告 Reports</h1><p class=\"s\">{len(rows)} reports, {total} sentences. "
               "Each title opens the report's text with its names marked.</p>"
               f"<table class=\"index\">{_HEAD}{''.join(r for _, r, _ in rows)}</table>")
    return page("报告 Reports", css, content)


def index_page(store, graphs: dict[str, str] | None = None) -> str:
    """The index page; ``graphs``: report file name → link to its own graph page."""
    return assemble(index_rows(store, graphs))


def write_index(store, folder: Path, graphs: dict[str, str] | None = None) -> Path:
    path = Path(folder) / "index.html"
    path.write_text(index_page(store, graphs), encoding="utf-8")
    return path


__all__ = ["index_page", "write_index"]
