"""Benchmark: rdflib's SPARQL engine against pyoxigraph on the query library.

Run: python3 tests/bench/bench_sparql.py [--copies 11] [--rdflib-timeout 30]
     (prints Markdown tables for the README; about 15 minutes on 2 cores)

Graphs: the seed build, and a scaled graph of about 1 million triples: the build of the
seed plus ../shared/corpus, replicated under distinct IRIs (``…/gwr-kg/copyN/…``; the
ontology once, names and literals unchanged, as in a graph of many towns).
Each engine loads each graph in a fresh process (load time and peak RSS are its own);
every library query runs with its ``# @example`` parameters (queries about "a given
entity"), else unbound, in a forked child as ``kg serve`` runs it, timed inside the
child: median of 5 runs (rdflib on the scaled graph: 1 run, capped at --rdflib-timeout).
The ratio compares both engines run that way; pyoxigraph is also timed in-process (the
engine alone: a forked child first pays copy-on-write faults on the shared store).
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "data" / "reports" / "2022h1_zhoupu.txt"
CORPUS = ROOT.parent / "shared" / "corpus"
BASE = "https://w3id.org/gwr-kg/"
ONTOLOGY = BASE + "ontology"

CHILD = r"""
import json, resource, statistics, sys, time
from kg.query import execute, library, param_term
from kg.sandbox import LimitExceeded, run_limited
from kg.store import load_store
path, engine, repeat, cap = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
t0 = time.perf_counter()
store = load_store(path, engine)
load = time.perf_counter() - t0
out = {"load_s": load, "triples": len(store), "queries": {}}
param_term("x", "key")  # import the name normalizer once, before the forks (as kg serve does)
for name, spec in library().items():
    params = dict(spec.examples)
    def timed():
        t = time.perf_counter()
        res = execute(store, spec.text, params, spec)
        return time.perf_counter() - t, len(res.rows)
    times, rows = [], None
    for _ in range(repeat):
        try:
            dt, rows = run_limited(timed, timeout=cap, memory=None)
        except LimitExceeded:
            times = None
            break
        times.append(dt)
    inproc = None
    if engine == "oxigraph":  # the engine alone, without the fork kg serve adds
        inproc = statistics.median([timed()[0] for _ in range(repeat)])
    out["queries"][name] = {"median_s": statistics.median(times) if times else None, "rows": rows,
                            "inproc_s": inproc}
out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def build(paths: list[Path], out: Path) -> Path:
    subprocess.run([sys.executable, "-m", "kg.cli", "build", *map(str, paths), "-o", str(out)],
                   check=True, capture_output=True)
    return out / "kg.ttl"


def scale(ttl: Path, copies: int, out: Path) -> int:
    """Write ``copies`` of the graph under distinct IRIs as N-Triples; return triple count."""
    import pyoxigraph as ox

    triples = list(ox.parse(path=str(ttl), format=ox.RdfFormat.TURTLE))

    def rename(term, i):
        if isinstance(term, ox.NamedNode) and term.value.startswith(BASE) \
                and not term.value.startswith(ONTOLOGY):
            return ox.NamedNode(f"{BASE}copy{i}/{term.value[len(BASE):]}")
        return term

    n = 0
    with out.open("w", encoding="utf-8") as fh:
        ontology = [t for t in triples if isinstance(t.subject, ox.NamedNode)
                    and t.subject.value.startswith(ONTOLOGY)]
        data = [t for t in triples if not (isinstance(t.subject, ox.NamedNode)
                                           and t.subject.value.startswith(ONTOLOGY))]
        for t in ontology:
            fh.write(f"{t.subject} {t.predicate} {t.object} .\n")
            n += 1
        for i in range(copies):
            for t in data:
                fh.write(f"{rename(t.subject, i)} {t.predicate} {rename(t.object, i)} .\n")
                n += 1
    return n


def measure(path: Path, engine: str, repeat: int, cap: float) -> dict:
    r = subprocess.run([sys.executable, "-c", CHILD, str(path), engine, str(repeat), str(cap)],
                       capture_output=True, text=True, check=True)
    return json.loads(r.stdout.strip().splitlines()[-1])


def fmt_s(v) -> str:
    if v is None:
        return "timeout"
    return f"{v * 1000:.1f} ms" if v < 1 else f"{v:.2f} s"


def _ratio(x: float) -> str:
    return f"{x:.1f}×" if x < 10 else f"{x:.0f}×"


def table(title: str, results: dict[str, dict], cap: float) -> str:
    ox, rl = results["oxigraph"], results["rdflib"]
    lines = [f"**{title}** ({ox['triples']:,} triples)", "",
             "| query | rows | pyoxigraph median | rdflib median | rdflib / pyoxigraph "
             "| pyoxigraph in-process |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    ratios = []
    for name, q in ox["queries"].items():
        r = rl["queries"][name]
        a, b = q["median_s"], r["median_s"]
        ratio = _ratio(b / a) if a and b else (f"> {cap / a:.0f}×" if a and b is None else "")
        if a and b:
            ratios.append(b / a)
        lines.append(f"| {name} | {q['rows']} | {fmt_s(a)} | "
                     f"{fmt_s(b) if b is not None else f'> {cap:g} s'} | {ratio} | "
                     f"{fmt_s(q['inproc_s'])} |")
    if ratios:
        gm = statistics.geometric_mean(ratios)
        lines.append(f"| geometric mean (answered by both) | | | | {_ratio(gm)} | |")
    worst = max(q["median_s"] for q in ox["queries"].values())
    worst_in = max(q["inproc_s"] for q in ox["queries"].values())
    lines += ["", f"Load: pyoxigraph {fmt_s(ox['load_s'])}, peak RSS {ox['rss_mb']:.0f} MB; "
              f"rdflib {fmt_s(rl['load_s'])}, peak RSS {rl['rss_mb']:.0f} MB. "
              f"Slowest pyoxigraph query median: {fmt_s(worst)} as served (forked child), "
              f"{fmt_s(worst_in)} in-process.", ""]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copies", type=int, default=11)
    ap.add_argument("--rdflib-timeout", type=float, default=30.0)
    ap.add_argument("--json", type=Path, default=None, help="also write raw figures here")
    ap.add_argument("--tables-from", type=Path, default=None,
                    help="only print the tables of raw figures written by --json")
    args = ap.parse_args()
    if args.tables_from:
        raw = json.loads(args.tables_from.read_text(encoding="utf-8"))
        print(table("Seed graph", raw["seed"], 600.0))
        print(table(f"Scaled graph (seed + corpus × {args.copies})", raw["scaled"],
                    args.rdflib_timeout))
        return
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        seed = build([SEED], tmp / "seed")
        corpus = sorted(CORPUS.glob("*.txt")) if CORPUS.is_dir() else []
        both = build([SEED, *corpus], tmp / "all")
        big = tmp / "scaled.nt"
        t0 = time.perf_counter()
        n = scale(both, args.copies, big)
        print(f"scaled graph: {n:,} triples ({args.copies} copies of seed + "
              f"{len(corpus)} corpus reports) in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        raw = {}
        for label, path, reps in (("seed", seed, (5, 5)), ("scaled", big, (5, 1))):
            raw[label] = {}
            for engine, rep in zip(("oxigraph", "rdflib"), reps):
                t0 = time.perf_counter()
                raw[label][engine] = measure(path, engine, rep, 600.0 if label == "seed"
                                             else args.rdflib_timeout if engine == "rdflib"
                                             else 60.0)
                print(f"{label}/{engine}: {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(raw, indent=1), encoding="utf-8")
    print(table("Seed graph", raw["seed"], 600.0))
    print(table(f"Scaled graph (seed + corpus × {args.copies})", raw["scaled"],
                args.rdflib_timeout))


if __name__ == "__main__":
    main()
