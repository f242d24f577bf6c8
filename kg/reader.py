"""The report reader: a report's text, section by section, with every mention highlighted
by type (the way displaCy shows entities) and linked to its entity.

Made from the graph alone (the library queries ``report-text`` and ``report-mentions``),
so ``kg build`` writes it as a static page per report (``build/reports/NAME.html``) and
``kg serve`` answers it at the report's IRI. Colours are the graph page's
(``viz/style.toml``); the page's style is ``viz/reader.css``. Every text is escaped.
"""
from __future__ import annotations

import bisect
import functools
import html
from pathlib import Path
from urllib.parse import quote

from kg import ids
from kg.extract.matcher import drop_overlaps
from kg.htmlpage import page
from kg.query import library_rows
from kg.resources import VIZ, load_toml


@functools.cache
def _style() -> tuple[str, dict]:
    return (VIZ / "reader.css").read_text(encoding="utf-8"), load_toml("style.toml", base=VIZ)


def _outermost(mentions: list[dict]) -> list[dict]:
    """Mentions that no chosen longer one overlaps, in text order (nested names stay in the
    title of the outer one)."""
    return drop_overlaps(mentions, bounds=lambda m: (m["begin"], m["end"]))


def _link(iri: str, served: bool) -> str:
    base = ids.base()
    if served and iri.startswith(base):
        return "/" + quote(iri[len(base):], safe="/:-._~%")
    return iri


def report_page(store, report_iri: str, title: str = "", served: bool = False) -> str:
    """The reader page of one report (``served``: links to ``kg serve``'s entity pages)."""
    css, style = _style()
    classes = style.get("classes", {})
    default = style.get("default_class", {})
    _, sentences = library_rows(store, "report-text", {"report": report_iri})
    mentions = [{"begin": int(r["begin"]), "end": int(r["end"]), "type": str(r["type"]),
                 "entity": str(r["entity"]), "label": str(r["label"] or "")}
                for r in library_rows(store, "report-mentions", {"report": report_iri})[1]]
    mentions.sort(key=lambda m: m["begin"])
    out = [f"<h1>{html.escape(title or report_iri)}</h1>",
           f'<p class="s"><code>{html.escape(report_iri)}</code> · {len(sentences)} sentences, '
           f"{len(mentions)} mentions</p>"]
    used = sorted({m["type"] for m in mentions})
    out.append('<p class="legend">' + " ".join(
        f'<mark style="background:{html.escape(classes.get(t, default).get("color", "#ddd"))}">'
        f'{html.escape(classes.get(t, default).get("zh", t))} <b>{html.escape(t)}</b></mark>'
        for t in used) + "</p>")
    heading = None
    k = 0
    for s in sentences:
        begin, end, text = int(s["begin"]), int(s["end"]), str(s["text"])
        h = str(s["heading"] or "")
        if h != heading:
            if heading is not None:
                out.append("</div>")
            out.append(f'<h2>{html.escape(h)}</h2><div class="sec">' if h else '<div class="sec">')
            heading = h
        while k < len(mentions) and mentions[k]["begin"] < begin:  # sorted by begin
            k += 1
        j = k
        while j < len(mentions) and mentions[j]["begin"] < end:
            j += 1
        inside = [m for m in mentions[k:j] if m["end"] <= end]  # sorted by begin
        starts = [m["begin"] for m in inside]
        parts, pos = [], begin
        for m in _outermost(inside):
            parts.append(html.escape(text[pos - begin:m["begin"] - begin]))
            colour = classes.get(m["type"], default).get("color", "#ddd")
            within = inside[bisect.bisect_left(starts, m["begin"]):bisect.bisect_left(starts, m["end"])]
            inner = [f'{x["type"]}: {x["label"]}' for x in within if x["end"] <= m["end"] and x is not m]
            tip = f'{m["type"]}: {m["label"]} [{m["begin"]}, {m["end"]})' + \
                  ("".join("\n⊃ " + t for t in inner) if inner else "")
            parts.append(f'<a class="m" style="background:{html.escape(colour)}" '
                         f'href="{html.escape(_link(m["entity"], served))}" '
                         f'title="{html.escape(tip)}">{html.escape(text[m["begin"] - begin:m["end"] - begin])}'
                         f'<span class="t">{html.escape(m["type"])}</span></a>')
            pos = m["end"]
        parts.append(html.escape(text[pos - begin:]))
        modality = str(s["modality"] or "").rsplit("#", 1)[-1]
        out.append(f'<span class="st {html.escape(modality.lower())}" id="s{begin}" '
                   f'title="[{begin}, {end}) {html.escape(modality)}">{"".join(parts)}</span>')
    if heading is not None:
        out.append("</div>")
    return page(title or report_iri, css, "".join(out))


def reports_of(store) -> list[tuple[str, str, str]]:
    """(IRI, label, file name) of every report in the store."""
    q = ("SELECT ?r ?l ?n WHERE { ?r a <https://w3id.org/gwr-kg/ontology#Report> ; "
         "<http://www.w3.org/2000/01/rdf-schema#label> ?l ; "
         "<http://purl.org/dc/terms/identifier> ?n } ORDER BY ?n")
    return [(str(r), str(lab), str(n)) for r, lab, n in store.query(q).rows]


def page_name(name: str) -> str:
    """The file name (without ``.html``) of a report's reader page: its identifier with
    anything but letters, digits and ``-_.`` replaced (the graph page links to it).

    >>> page_name("2022h1_zhoupu"), page_name("../周浦 x/")
    ('2022h1_zhoupu', '.._周浦_x_')
    """
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name) or "report"


def write_pages(store, folder: Path) -> list[Path]:
    """One reader page per report of ``store`` into ``folder`` (``NAME.html``)."""
    written = []
    for iri, label, name in reports_of(store):
        path = folder / f"{page_name(name)}.html"
        path.write_text(report_page(store, iri, label), encoding="utf-8")
        written.append(path)
    return written


__all__ = ["report_page", "write_pages", "reports_of", "page_name"]
