"""Benchmark: build time and peak memory for the seed and for the shared corpus (with one
and two processes analysing reports).

Run: python3 tests/bench/bench_build.py   (prints a Markdown table for the README)
Each case runs in a fresh process so peak memory is its own.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "data" / "reports" / "2022h1_zhoupu.txt"
CORPUS = ROOT.parent / "shared" / "corpus"

CHILD = r"""
import json, resource, sys, time
from kg.pipeline import build
jobs = int(sys.argv[2])
paths = sys.argv[3:]
t0 = time.perf_counter()
s = build(paths, sys.argv[1], html=True, jobs=jobs)
dt = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"seconds": dt, "rss_mb": rss, "worker_rss_mb": kids, "triples": s.triples,
                  "entities": sum(s.entities.values()), "sentences": s.sentences}))
"""


def run(paths: list[Path], repeat: int = 3, jobs: int = 1) -> dict:
    best = None
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as out:
            r = subprocess.run([sys.executable, "-c", CHILD, out, str(jobs), *map(str, paths)],
                               capture_output=True, text=True, check=True)
            res = json.loads(r.stdout.strip().splitlines()[-1])
            if best is None or res["seconds"] < best["seconds"]:
                best = res
    return best


def main() -> None:
    cases = [("seed (1 report)", [SEED])]
    corpus = sorted(CORPUS.glob("*.txt")) if CORPUS.is_dir() else []
    if corpus:
        cases.append((f"shared corpus ({len(corpus)} reports)", corpus))
    print("| input | jobs | build time (best of 3) | peak RSS (main / a worker) | triples | entities | sentences |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name, paths in cases:
        for jobs in (1, 2) if len(paths) > 1 else (1,):
            r = run(paths, jobs=jobs)
            workers = f" / {r['worker_rss_mb']:.0f} MB" if jobs > 1 else ""
            print(f"| {name} | {jobs} | {r['seconds']:.2f} s | {r['rss_mb']:.0f} MB{workers} | "
                  f"{r['triples']:,} | {r['entities']:,} | {r['sentences']:,} |")


if __name__ == "__main__":
    main()
