"""Kill `kg build` at random moments N times (default 50) and check after each kill that
the outputs are one whole build (kg.ttl and kg.trig of the same input, the page present),
then that the next build leaves one version and no debris.

    python3 tests/bench/bench_kills.py [--kills 50]
"""
from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

from test_atomic import _consistent, _two_reports, killed_builds  # noqa: E402  (the test's own fixtures)


def which(out: Path) -> str:
    """'a' or 'b' (whose build the outputs are), or 'mixed'."""
    try:
        return _consistent(out)
    except AssertionError:
        return "mixed"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kills", type=int, default=50)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    a, b = _two_reports(tmp)
    out = tmp / "out"
    subprocess.run([sys.executable, "-m", "kg.cli", "build", str(a), "-o", str(out)], check=True,
                   capture_output=True)
    rng = random.Random(50)
    outcomes = {"a": 0, "b": 0, "mixed": 0, "no page": 0}
    for _ in killed_builds(a, b, out, runs=args.kills, rng=rng, wait=(0.3, 5.0)):
        outcomes[which(out)] += 1
        if not (out / "graph.html").exists():
            outcomes["no page"] += 1
    debris = len(list((out / ".versions").iterdir())) - 1 + len([p for p in out.iterdir() if p.name.endswith(".tmp")])
    subprocess.run([sys.executable, "-m", "kg.cli", "build", str(a), "-o", str(out)], check=True,
                   capture_output=True)
    left = len(list((out / ".versions").iterdir())) - 1 + len([p for p in out.iterdir() if p.name.endswith(".tmp")])
    print(f"{args.kills} kills: outputs of the old build {outcomes['a']}, of the new build {outcomes['b']}, "
          f"mixed {outcomes['mixed']}, page missing {outcomes['no page']}; debris after the kills "
          f"{debris} (unfinished versions and temporary files), after the next build {left}")


if __name__ == "__main__":
    main()
