"""Pages of facts: one indicator across areas and periods (a table and a small chart), and
one report's promises with what answered them. Both are plain HTML with an inline SVG
chart (no script, nothing fetched), written by ``kg viz --indicator/--promises`` and served
by ``kg serve`` at ``/indicator?name=…`` and ``/promises?report=…``. Report text is
escaped everywhere.
"""
from __future__ import annotations

import html
import functools
from decimal import Decimal, InvalidOperation

from kg.htmlpage import page
from kg.query import library_rows
from kg.resources import VIZ
from kg.results import literal_text

KIND_COLOURS = {"actual": "#4e79a7", "change": "#59a14f", "target": "#f28e2b", "baseline": "#9c9c9c"}


@functools.cache
def _style() -> str:
    return (VIZ / "facts.css").read_text(encoding="utf-8")


def _rows(store, name: str, params: dict[str, str]) -> tuple[list[str], list[dict[str, str]]]:
    vars_, rows = library_rows(store, name, params)
    return vars_, [{v: literal_text(t) for v, t in r.items()} for r in rows]


def _page(title: str, body: str) -> str:
    return page(title, _style(), body)


def _num(s: str) -> Decimal | None:
    try:
        return Decimal(s)
    except (InvalidOperation, TypeError):
        return None


def chart(rows: list[dict[str, str]], width: int = 640) -> str:
    """Horizontal bars, one per observation of one unit (the unit most rows have), coloured
    by kind; a range (5%—5.5%) is drawn from its lower to its upper bound."""
    units: dict[str, int] = {}
    for r in rows:
        if _num(r["value"]) is not None:
            units[r["unit"]] = units.get(r["unit"], 0) + 1
    if not units:
        return ""
    unit = max(sorted(units), key=lambda u: units[u])
    bars = [r for r in rows if r["unit"] == unit and _num(r["value"]) is not None]
    top = max(max(_num(r["value"]), _num(r["value_max"]) or Decimal(0)) for r in bars) or Decimal(1)
    label_w, bar_h = 260, 18
    h = bar_h * len(bars) + 30
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{h}" role="img" '
           f'aria-label="{html.escape(unit)}">']
    for i, r in enumerate(bars):
        y = 10 + i * bar_h
        v, vmax = _num(r["value"]), _num(r["value_max"])
        scale = (width - label_w - 60) / float(top)
        x0 = label_w
        w = max(1.0, float(v) * scale)
        colour = KIND_COLOURS.get(r["kind"], "#888")
        label = f"{r['area']} {r['period']} {r['kind']}"
        out.append(f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end">{html.escape(label)}</text>')
        out.append(f'<rect x="{x0}" y="{y + 2}" width="{w:.1f}" height="{bar_h - 5}" fill="{colour}"/>')
        if vmax is not None and vmax > v:
            out.append(f'<rect x="{x0 + w:.1f}" y="{y + 2}" width="{float(vmax - v) * scale:.1f}" '
                       f'height="{bar_h - 5}" fill="{colour}" fill-opacity="0.35"/>')
        shown = f"{r['value']}" + (f"–{r['value_max']}" if r["value_max"] else "") + unit
        end = x0 + float(vmax if vmax is not None and vmax > v else v) * scale
        out.append(f'<text x="{end + 4:.1f}" y="{y + 13}">{html.escape(shown)}</text>')
    out.append("</svg>")
    return "".join(out)


def _table(vars_: list[str], rows: list[dict[str, str]], classes: str = "") -> str:
    head = "".join(f"<th>{html.escape(v)}</th>" for v in vars_)
    body = []
    for r in rows:
        cells = []
        for v in vars_:
            cls = f' class="{html.escape(r[v])}"' if v == classes else ""
            cells.append(f"<td{cls}>{html.escape(r[v])}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def indicator_page(store, name: str) -> str:
    """One indicator (by name, synonym or id): every observation, as a chart and a table."""
    vars_, rows = _rows(store, "indicators", {"name": name})
    if not rows:
        return _page(name, f"<h1>{html.escape(name)}</h1><p>No observations of this indicator "
                           "(try its standard name, a synonym, or its id).</p>")
    title = rows[0]["indicator"]
    parts = [f"<h1>{html.escape(title)}</h1>",
             f'<p class="s">{len(rows)} observation(s) in {len({r["report"] for r in rows})} '
             "report(s). Kinds: " + " ".join(
                 f'<span style="color:{c}">■ {k}</span>' for k, c in KIND_COLOURS.items()) + "</p>"]
    for measure, head in (("change", "Growth and change"), ("level", "Levels")):
        sub = [r for r in rows if r["measure"] == measure]
        if sub:
            parts.append(f"<h2>{head}</h2>" + chart(sub))
    parts.append("<h2>Observations</h2>" + _table(vars_, rows))
    return _page(title, "".join(parts))


def promises_page(store, report: str) -> str:
    """One report's promises (by its title or file name) with what answered them."""
    vars_, rows = _rows(store, "commitments", {"report": report})
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["answer"]] = counts.get(r["answer"], 0) + 1
    summary = ", ".join(f"{html.escape(k)} {v}" for k, v in sorted(counts.items())) or "none"
    body = (f"<h1>{html.escape(report)}: promises and answers</h1><p class=\"s\">{len(rows)} "
            f"row(s): {summary}.</p>" + _table(vars_, rows, classes="answer"))
    return _page(report, body)


__all__ = ["indicator_page", "promises_page", "chart"]
