"""Time per MB of extraction for real text and for each generated hostile shape
(tests/cases/hostile/reports.toml), at growing sizes: flat means linear.

    python3 tests/bench/bench_hostile.py [--sizes 0.1,0.3,1] [--real-sizes 0.1,1,10]

Prints a Markdown table (seconds per MB of file, CPU time of one process).
"""
from __future__ import annotations

import argparse
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from kg.extract import extract  # noqa: E402
from kg.ingest import decode, parse_text  # noqa: E402


def grown(case: dict, mb: float) -> bytes:
    unit = case["unit"].encode(case.get("encoding", "utf-8"), "replace")
    times = max(1, int(mb * 1e6 / len(unit)))
    text = case.get("head", "") + case["unit"] * times + case.get("tail", "")
    return text.encode(case.get("encoding", "utf-8"), "replace")


def seconds(data: bytes) -> float:
    t0 = time.process_time()
    try:
        extract(parse_text(decode(data, "bench"), name="bench"))
    except Exception as exc:  # a KgError is a result too (refused input)
        if type(exc).__module__ != "kg.errors":
            raise
    return time.process_time() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="0.1,0.3,1")
    ap.add_argument("--real-sizes", default="0.1,1,10")
    args = ap.parse_args()
    sizes = [float(x) for x in args.sizes.split(",")]
    real_sizes = [float(x) for x in args.real_sizes.split(",")]
    cases = tomllib.loads((ROOT / "tests" / "cases" / "hostile" / "reports.toml").read_text("utf-8"))["case"]
    seed = (ROOT / "data" / "reports" / "2022h1_zhoupu.txt").read_bytes()
    extract(parse_text(decode(seed, "warm"), name="warm"))  # load lexicons, gazetteer, model
    rows = []
    cells = []
    for mb in real_sizes:
        data = seed * max(1, int(mb * 1e6 / len(seed)))
        cells.append(f"{seconds(data) / (len(data) / 1e6):.1f}")
    print("real text done", file=sys.stderr, flush=True)
    rows.append(f"| real text (the seed repeated) | {' / '.join(f'{s:g}' for s in real_sizes)} | {' / '.join(cells)} |")
    for case in cases:
        if "unit" not in case or case.get("encoding"):
            continue
        cells = []
        for mb in sizes:
            data = grown(case, mb)
            cells.append(f"{seconds(data) / (len(data) / 1e6):.1f}")
        rows.append(f"| {case['name']} | {' / '.join(f'{s:g}' for s in sizes)} | {' / '.join(cells)} |")
        print(rows[-1], file=sys.stderr, flush=True)
    print("| input | MB | CPU seconds per MB |\n| --- | --- | --- |\n" + "\n".join(rows))


if __name__ == "__main__":
    main()
