"""Benchmark: the places-and-land extractors (roads, places, parcels) on the seed and on
each shared-corpus report: time (first run, with the gazetteer load, and warm), and
entities per class.

Run: python3 tests/bench/bench_places.py   (prints a Markdown table)
"""
from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from kg.extract import parcels, places, roads
from kg.ingest import read_report

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "data" / "reports" / "2022h1_zhoupu.txt"
CORPUS = ROOT.parent / "shared" / "corpus"
CLASSES = ("AdministrativeArea", "Village", "Community", "Zone", "Facility", "LandParcel",
           "PlanningUnit", "Road", "RoadSegment", "Waterway", "WaterwaySegment")


def run(report):
    found = roads.extract(report, ())
    found += places.extract(report, tuple(found))
    found += parcels.extract(report, tuple(found))
    return found


def main() -> None:
    paths = [SEED] + (sorted(CORPUS.glob("*.txt")) if CORPUS.is_dir() else [])
    t0 = time.perf_counter()
    run(read_report(SEED))
    cold = time.perf_counter() - t0
    print(f"first run (loads lexicons and the gazetteer): {cold:.2f} s\n")
    print("| report | chars | s (warm) | " + " | ".join(CLASSES) + " |")
    print("| --- | ---: | ---: | " + " | ".join("---:" for _ in CLASSES) + " |")
    for p in paths:
        r = read_report(p)
        t0 = time.perf_counter()
        ms = run(r)
        dt = time.perf_counter() - t0
        ents = Counter(cls for cls, _ in {(m.attrs.get("class") or m.type, m.key) for m in ms})
        print(f"| {p.stem} | {len(r.text)} | {dt:.2f} | "
              + " | ".join(str(ents.get(c, 0)) for c in CLASSES) + " |")


if __name__ == "__main__":
    main()
