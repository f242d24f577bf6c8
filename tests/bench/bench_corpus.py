"""Benchmark: `kg build` of a synthetic corpus of many reports (copies of the shared
corpus under distinct titles and places), from scratch, unchanged, and after touching one
report; and the speed-up from one process to two.

    python3 tests/bench/bench_corpus.py [--reports 300 1000] [--speedup 60] [--jobs 2]

Each build runs in a fresh process; CPU time is that of the build and its workers, peak
RSS the largest of the main process and of any one worker. Prints Markdown tables for
the README. Needs ../shared/corpus/.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"

CHILD = r"""
import json, resource, sys, time
from kg.pipeline import build
out, jobs, exports, listing = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4]
paths = open(listing, encoding="utf-8").read().split("\n")
t0 = time.perf_counter()
s = build(paths, out, html=True, jobs=jobs, exports=exports)
dt = time.perf_counter() - t0
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": dt, "cpu": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime,
                  "rss_mb": me.ru_maxrss / 1024, "worker_rss_mb": kids.ru_maxrss / 1024,
                  "triples": s.triples, "cached": s.cached, "loaded": s.loaded,
                  "timings": s.timings}))
"""


EXTRACT = r"""
import json, sys, time
from pathlib import Path
from kg.build import analyse
from kg.ingest import read_report
from kg.names.tagger import tagger
tagger()
paths = sorted(Path(sys.argv[1]).glob("*.txt"))
reports = [read_report(p) for p in paths]
t0 = time.process_time()
for r in reports:
    analyse(r)
print(json.dumps({"cpu": time.process_time() - t0, "kb": sum(p.stat().st_size for p in paths) / 1e3}))
"""


def extraction_speed() -> dict:
    """The extractors' own speed: read reports once, then analyse each (extraction, names,
    facts, resolution) in one process, CPU time."""
    r = subprocess.run([sys.executable, "-c", EXTRACT, str(CORPUS)], capture_output=True, text=True,
                       check=True)
    return json.loads(r.stdout.strip().splitlines()[-1])


def make_corpus(n: int, dest: Path) -> list[Path]:
    """``n`` reports: copy k of each shared-corpus report, under its own file name, title
    and place (so that its entities and graph are its own)."""
    sources = sorted(CORPUS.glob("*.txt"))
    dest.mkdir(parents=True, exist_ok=True)
    out = []
    for k in range(n):
        src = sources[k % len(sources)]
        copy = k // len(sources)
        text = src.read_text(encoding="utf-8")
        text = re.sub(r"^# title: (\S+?) \((\S+?), published",
                      lambda m: f"# title: {m.group(1)}·副本{copy:04d} ({m.group(2)}副本{copy:04d}, published",
                      text, count=1, flags=re.M)
        path = dest / f"c{copy:04d}_{src.stem}.txt"
        path.write_text(text, encoding="utf-8")
        out.append(path)
    return out


def run(paths: list[Path], out: Path, jobs: int, exports: bool = True) -> dict:
    listing = out.parent / f"{out.name}.list"
    listing.write_text("\n".join(map(str, paths)), encoding="utf-8")
    r = subprocess.run([sys.executable, "-c", CHILD, str(out), str(jobs), "1" if exports else "0",
                        str(listing)], capture_output=True, text=True)
    if r.returncode:
        sys.exit(f"build failed: {r.stderr.strip().splitlines()[-1:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def du(path: Path) -> float:
    r = subprocess.run(["du", "-sbL", str(path)], capture_output=True, text=True, check=True)
    return int(r.stdout.split()[0]) / 1e6


def touch(path: Path, n: int) -> None:
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(f"\n全年新建道路{n + 1}条。\n")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reports", type=int, nargs="*", default=[300, 1000])
    ap.add_argument("--speedup", type=int, default=60, help="reports for the 1-vs-2-job runs (0: skip)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--keep", type=Path, default=None, help="build the largest corpus into this folder and keep it")
    ap.add_argument("--extraction", action="store_true", help="also the extractors' own speed")
    args = ap.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"{CORPUS}: not found")
    tmp = Path(tempfile.mkdtemp(prefix="kg-bench-corpus-"))
    rows, incr = [], []
    if args.extraction:
        e = extraction_speed()
        print(f"extraction alone (23 reports, one process): {e['kb']:.0f} KB in {e['cpu']:.1f} CPU-s: "
              f"{e['kb'] / e['cpu']:.0f} KB/s per core", flush=True)
    try:
        if args.speedup:
            paths = make_corpus(args.speedup, tmp / "speedup")
            one = run(paths, tmp / "s1", 1)
            two = run(paths, tmp / "s2", 2)
            same = all((tmp / "s1" / f).read_bytes() == (tmp / "s2" / f).read_bytes()
                       for f in ("kg.ttl", "kg.trig"))
            print(f"speed-up on {args.speedup} reports: 1 job {one['seconds']:.1f} s, 2 jobs "
                  f"{two['seconds']:.1f} s: x{one['seconds'] / two['seconds']:.2f} "
                  f"(outputs byte-identical: {same})", flush=True)
            shutil.rmtree(tmp / "s1")
            shutil.rmtree(tmp / "s2")
        for n in args.reports:
            paths = make_corpus(n, tmp / f"corpus{n}")
            kb = sum(p.stat().st_size for p in paths) / 1e3
            out = args.keep if (args.keep and n == max(args.reports)) else tmp / f"out{n}"
            full = run(paths, out, args.jobs)
            t = full["timings"]
            after = t["links"] + t["store"] + t["outputs"]
            rows.append((n, kb, full, after, du(out / "store"), du(out / ".cache"),
                         du(out / "kg.ttl") + du(out / "kg.trig")))
            print(json.dumps({"n": n, **full}), flush=True)
            same = run(paths, out, args.jobs)
            touch(paths[0], 0)
            one = run(paths, out, args.jobs)
            touch(paths[0], 1)
            noexp = run(paths, out, args.jobs, exports=False)
            incr.append((n, same, one, noexp))
            print(json.dumps({"n": n, "unchanged": same, "one": one, "one_no_exports": noexp}), flush=True)
            if out != args.keep:
                shutil.rmtree(out)
            shutil.rmtree(tmp / f"corpus{n}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print()
    print("| reports | text | wall | CPU | KB/s per core (all) | per-report stage | after it | "
          "after it: MB/s | peak RSS main / worker | triples | store | cache | kg.ttl + kg.trig |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for n, kb, f, after, store, cache, exp in rows:
        t = f["timings"]
        print(f"| {n:,} | {kb / 1e3:.1f} MB | {f['seconds']:.0f} s | {f['cpu']:.0f} s | "
              f"{kb / f['cpu']:.0f} | {t['reports']:.0f} s | {after:.1f} s | {kb / 1e3 / after:.1f} | "
              f"{f['rss_mb']:.0f} / {f['worker_rss_mb']:.0f} MB | {f['triples']:,} | {store:.0f} MB | "
              f"{cache:.0f} MB | {exp:.0f} MB |")
    print()
    print("| reports | rebuild, nothing changed | one report changed | one changed, `--no-exports` |")
    print("| --- | --- | --- | --- |")
    for n, same, one, noexp in incr:
        print(f"| {n:,} | {same['seconds']:.1f} s | {one['seconds']:.1f} s ({one['loaded']} graphs loaded) | "
              f"{noexp['seconds']:.1f} s |")


if __name__ == "__main__":
    main()
