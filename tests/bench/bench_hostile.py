"""Time per MB of extraction for real text and for each generated hostile shape
(tests/cases/hostile/reports.toml), at growing sizes: flat means linear. The size limits
of data/rules/ingest.toml are lifted for this table, which measures how work grows.

    python3 tests/bench/bench_hostile.py [--sizes 0.1,0.3,1] [--real-sizes 0.1,1,10]
    python3 tests/bench/bench_hostile.py --builds

Prints a Markdown table (seconds per MB of file, CPU time of one process). ``--builds``
instead runs the whole ``kg build`` (a fresh process, wall time, the limits as shipped) on
each shape grown to just under the first limit it meets, the largest input that is
accepted, and grown to 10 MB, which must be refused at once.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from kg.build import analyse  # noqa: E402
from kg.extract import extract  # noqa: E402
from kg.ingest import decode, limit, parse_text  # noqa: E402

LIFTED = {"KG_MAX_BYTES": str(10**12), "KG_MAX_UNITS": str(10**12), "KG_MAX_MENTIONS": str(10**12)}


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


def counts(data: bytes) -> tuple[int, int, int]:
    """(bytes, sentences and headings, names and numbers) of one input, limits lifted."""
    saved = {k: os.environ.get(k) for k in LIFTED}
    os.environ.update(LIFTED)
    try:
        report = parse_text(decode(data, "bench"), name="bench")
        return len(data), len(report.sentences) + len(report.sections), len(analyse(report).mentions)
    finally:
        for k, v in saved.items():
            os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)


def build_seconds(data: bytes, folder: Path) -> tuple[float, str]:
    """Wall time of ``kg build FILE`` in a fresh process, and its outcome."""
    path = folder / "input.txt"
    path.write_bytes(data)
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "kg.cli", "build", str(path), "-o", str(folder / "out"),
                        "--no-cache"], capture_output=True, text=True, cwd=folder)
    took = time.perf_counter() - t0
    return took, "built" if r.returncode == 0 else "refused: " + r.stderr.strip().splitlines()[-1][:60]


def at_the_limits(shapes: list[tuple[str, callable]]) -> None:
    """For each shape: the largest accepted input (grown to 97% of the first limit it
    meets, from the growth between two small samples) and a 10 MB one, through
    ``kg build``."""
    most = (limit("bytes"), limit("units"), limit("mentions"))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, make in shapes:
            small, large = counts(make(20)), counts(make(220))
            per = [(b - a) / 200 for a, b in zip(small, large)]  # growth per unit, head aside
            times = int(min((0.97 * m - a + 20 * p) / p for m, a, p in zip(most, small, per) if p > 0))
            data = make(times)
            b, u, n = counts(data)
            took, outcome = build_seconds(data, folder)
            big = make(int(10.05e6 * 1000 / len(make(1000))))
            took_big, outcome_big = build_seconds(big, folder)
            rows.append(f"| {name} | {b / 1e6:.2f} MB, {u:,} units, {n:,} names | {took:.1f} s {outcome} "
                        f"| {len(big) / 1e6:.1f} MB: {took_big:.1f} s {outcome_big.split(':')[0]} |")
            print(rows[-1], file=sys.stderr, flush=True)
    print("| input | largest accepted | `kg build` of it | `kg build` of 10 MB |\n"
          "| --- | --- | --- | --- |\n" + "\n".join(rows))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="0.1,0.3,1")
    ap.add_argument("--real-sizes", default="0.1,1,10")
    ap.add_argument("--builds", action="store_true", help="kg build at the limits and at 10 MB")
    args = ap.parse_args()
    cases = tomllib.loads((ROOT / "tests" / "cases" / "hostile" / "reports.toml").read_text("utf-8"))["case"]
    seed = (ROOT / "data" / "reports" / "2022h1_zhoupu.txt").read_bytes()
    if args.builds:
        shapes = [("real text (the seed repeated)", lambda n: seed * max(1, n // 20))]
        shapes += [(c["name"], lambda n, c=c: grown(c, n * len(c["unit"].encode("utf-8")) / 1e6))
                   for c in cases if "unit" in c and not c.get("encoding") and not c["name"].startswith("over-")]
        at_the_limits(shapes)
        return
    os.environ.update(LIFTED)
    sizes = [float(x) for x in args.sizes.split(",")]
    real_sizes = [float(x) for x in args.real_sizes.split(",")]
    extract(parse_text(decode(seed, "warm"), name="warm"))  # load lexicons, gazetteer, model
    rows = []
    cells = []
    for mb in real_sizes:
        data = seed * max(1, int(mb * 1e6 / len(seed)))
        cells.append(f"{seconds(data) / (len(data) / 1e6):.1f}")
    print("real text done", file=sys.stderr, flush=True)
    rows.append(f"| real text (the seed repeated) | {' / '.join(f'{s:g}' for s in real_sizes)} | {' / '.join(cells)} |")
    for case in cases:
        if "unit" not in case or case.get("encoding") or case["name"].startswith("over-"):
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
