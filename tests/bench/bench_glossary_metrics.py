"""Benchmark: time of the glossary and metrics extractors, and what they find, per report.

Run: python3 tests/bench/bench_glossary_metrics.py   (prints a Markdown table)
The other extractors run first (their mentions are the ``found`` the metrics use) but are
not timed; the time is the best of three runs.
"""
from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "data" / "reports" / "2022h1_zhoupu.txt"
CORPUS = ROOT.parent / "shared" / "corpus"


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from kg.extract import EXTRACTORS, glossary, metrics
    from kg.ingest import read_report

    paths = [SEED] + (sorted(CORPUS.glob("*.txt")) if CORPUS.is_dir() else [])
    print("| report | chars | glossary entries | glossary mentions | metrics | actual / target / change"
          " | with measures | glossary ms | metrics ms |")
    print("| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |")
    for path in paths:
        report = read_report(path)
        found: list = []
        for module in EXTRACTORS:
            if module in (glossary, metrics):
                break
            found.extend(module.extract(report, tuple(found)))
        times = {}
        for name, module in (("glossary", glossary), ("metrics", metrics)):
            best = None
            for _ in range(3):
                t0 = time.perf_counter()
                out = module.extract(report, tuple(found))
                dt = time.perf_counter() - t0
                best = dt if best is None else min(best, dt)
            times[name] = best
            found.extend(out)
            if name == "glossary":
                terms = out
            else:
                ms = out
        kinds = Counter(m.attrs["kind"] for m in ms)
        entries = sum(m.attrs.get("role") == "entry" for m in terms)
        uses = sum(m.attrs.get("role") == "mention" for m in terms)
        print(f"| {path.stem} | {len(report.text)} | {entries} | {uses} | {len(ms)} | "
              f"{kinds['actual']} / {kinds['target']} / {kinds['change']} | "
              f"{sum(bool(m.rels) for m in ms)} | {times['glossary'] * 1000:.1f} | "
              f"{times['metrics'] * 1000:.1f} |")


if __name__ == "__main__":
    main()
