"""Benchmark of the graph page: time to write the HTML, and to load and stabilise it in
headless Chromium, for the seed report and for the whole shared corpus.

    python3 tests/bench/bench_viz.py            # seed + ../shared/corpus (when present)
    python3 tests/bench/bench_viz.py --runs 5

Prints a Markdown table (the README's "Viewing and exporting" figures come from it).
Not a test: timings depend on the machine; tests never assert on speed.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def html_timing(paths: list[Path], out: Path, runs: int) -> dict:
    from kg.build import build_dataset
    from kg.graphview import entity_graph
    from kg.ingest import read_report
    from kg.output import write_atomic
    from kg.viz import render, report_title

    t0 = time.perf_counter()
    ds = build_dataset([read_report(p) for p in paths])
    build_s = time.perf_counter() - t0
    times, page = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        view = entity_graph(ds)
        page = render(view, title=report_title(ds), src=ds)  # with the details panel's text
        write_atomic(out, page.html)
        times.append(time.perf_counter() - t0)
    return {"reports": len(paths), "build_s": build_s, "html_s": statistics.median(times),
            "total": page.total, "shown": page.shown, "edges": page.edges,
            "bytes": out.stat().st_size, "note": page.note, "ds": ds}


def export_timing(ds, out: Path) -> dict[str, tuple[float, int]]:
    """Seconds and bytes of every export format."""
    from kg.export import FORMATS, export

    res = {}
    for fmt in FORMATS:
        t0 = time.perf_counter()
        files = export(ds, fmt, out / f"export_{fmt}" / FORMATS[fmt])
        res[fmt] = (time.perf_counter() - t0, sum(f.stat().st_size for f in files))
    return res


def browser_timing(path: Path, runs: int) -> dict:
    from playwright.sync_api import sync_playwright

    walls, drawn, settled, errors, requests = [], [], [], [], []
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for _ in range(runs):
            ctx = b.new_context(viewport={"width": 1400, "height": 900}, offline=True)
            page = ctx.new_page()
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:")
                       else (requests.append(r.request.url), r.abort()))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            t0 = time.perf_counter()
            page.goto(path.resolve().as_uri())
            page.wait_for_selector("body[data-stabilized]", state="attached", timeout=300_000)
            walls.append(time.perf_counter() - t0)
            t = page.evaluate("window.kgTiming")
            drawn.append(t["drawn"] / 1000)
            settled.append(t["stabilized"] / 1000)
            ctx.close()
        b.close()
    return {"load_s": statistics.median(walls), "drawn_s": statistics.median(drawn),
            "stabilised_s": statistics.median(settled), "errors": len(errors), "requests": len(requests)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", type=Path, default=None, help="folder for the pages (default: a temp folder)")
    args = ap.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="bench_viz_"))
    out.mkdir(parents=True, exist_ok=True)
    sets = [("seed", sorted((ROOT / "data" / "reports").glob("*.txt")))]
    corpus = sorted((SHARED / "corpus").glob("*.txt"))
    if corpus:
        sets.append(("shared corpus", corpus))
    else:
        print(f"({SHARED / 'corpus'} absent: seed only)", file=sys.stderr)
    rows = []
    for name, paths in sets:
        page = out / f"{name.replace(' ', '_')}.html"
        h = html_timing(paths, page, args.runs)
        b = browser_timing(page, args.runs) if Path(CHROMIUM).exists() else {}
        h["exports"] = export_timing(h.pop("ds"), out / name.replace(" ", "_"))
        rows.append((name, h, b))
        print(f"{name}: {h} {b}", file=sys.stderr)
    print("| graph | reports | entities (drawn) | edges drawn | HTML size | write HTML | "
          "browser: load to drawn | to stabilised (physics stops) | console errors / requests |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, h, b in rows:
        br = (f"{b['drawn_s']:.2f} s | {b['stabilised_s']:.2f} s (wall {b['load_s']:.2f} s) | "
              f"{b['errors']} / {b['requests']}") if b else "n/a | n/a | n/a"
        print(f"| {name} | {h['reports']} | {h['total']} ({h['shown']}) | {h['edges']} | "
              f"{h['bytes'] / 1e6:.2f} MB | {h['html_s']:.2f} s | {br} |")
    print()
    fmts = list(rows[0][1]["exports"])
    print("| export | " + " | ".join(fmts) + " |")
    print("| --- | " + " | ".join("---:" for _ in fmts) + " |")
    for name, h, _ in rows:
        print(f"| {name} | " + " | ".join(f"{h['exports'][f][1] / 1e6:.2f} MB, {h['exports'][f][0]:.1f} s"
                                         for f in fmts) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
