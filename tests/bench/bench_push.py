"""Benchmark: `kg push` of the shared corpus's build to the Oxigraph server and to Virtuoso 7.

Run: python3 tests/bench/bench_push.py [--build /tmp/virt_corpus] [--repeat 3]
     (builds ../shared/corpus there first if it has no kg.trig: about a minute on 2 cores;
     then about a minute per engine; prints a Markdown table for the README)

Each run starts a fresh server (tests/servers.py: its own folder, free loopback ports) and
pushes the build's named graphs three times: all of them into the empty store (the first
push), again with nothing changed (hashing only), and again after one report's graph
changed (one triple of the largest report's graph dropped: its whole graph is sent again,
as a real change would send it). Wall time of `kg.push.push` in this process, the servers
on the same 2 cores; the figures are medians of --repeat runs. After the first push the
triples in the server's named graphs are counted against the build's.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import servers  # noqa: E402
from kg.push import graphs_of, push  # noqa: E402
from kg.remote import RemoteStore  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
NL = b"\n"


def write_trig(path: Path, graphs: dict[str, bytes]) -> None:
    """A TriG file of these graphs (N-Triples lines inside each graph's block)."""
    with open(path, "wb") as out:
        for name, payload in graphs.items():
            if name == "":
                out.write(payload)
            else:
                out.write(b"<" + name.encode("utf-8") + b"> {\n" + payload + b"}\n")


def counted(store: RemoteStore, names) -> int:
    values = " ".join(f"<{n}>" for n in names if n)
    q = f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"
    return int(store.query(q, timeout=600).rows[0][0])


def one_run(engine: str, graphs: dict[str, bytes], changed: str, triples: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench_push_") as tmp:
        tmp = Path(tmp)
        trig = tmp / "build" / "kg.trig"
        trig.parent.mkdir()
        write_trig(trig, graphs)
        with servers.start(engine, tmp) as s:
            os.environ.pop("KG_ENDPOINT_USER", None)
            os.environ.pop("KG_ENDPOINT_PASSWORD", None)
            os.environ.update(s.env())
            t0 = time.perf_counter()
            first = push(trig, s.query, store=s.store, timeout=600)
            t_first = time.perf_counter() - t0
            got = counted(RemoteStore(s.query, timeout=600), graphs)
            if got != triples:
                raise SystemExit(f"{engine}: {got:,} triples in the server's graphs, "
                                 f"{triples:,} in the build")
            t0 = time.perf_counter()
            same = push(trig, s.query, store=s.store, timeout=600)
            t_same = time.perf_counter() - t0
            lines = graphs[changed].splitlines(keepends=True)
            write_trig(trig, {**graphs, changed: b"".join(lines[1:])})
            t0 = time.perf_counter()
            second = push(trig, s.query, store=s.store, timeout=600)
            t_second = time.perf_counter() - t0
            after = counted(RemoteStore(s.query, timeout=600), [changed])
            assert second.sent == [changed] and after == len(lines) - 1, (second, after)
            assert not same.sent
            return {"start": s.started_in, "first": t_first, "graphs": len(first.sent),
                    "bytes": first.bytes_sent, "same": t_same, "second": t_second,
                    "second_bytes": second.bytes_sent}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", type=Path, default=Path(tempfile.gettempdir()) / "virt_corpus")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    trig = args.build / "kg.trig"
    if not trig.exists():
        print(f"building {CORPUS} into {args.build} …", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "kg.cli", "build", str(CORPUS), "-o", str(args.build),
                        "--no-html", "-j", "2"], check=True, cwd=ROOT,
                       env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL)
    graphs = dict(graphs_of(trig))
    triples = sum(p.count(NL) for n, p in graphs.items() if n)
    reports = [n for n in graphs if "/graph/" in n and not n.endswith(("/ontology", "/links"))]
    changed = max(reports, key=lambda n: len(graphs[n]))
    print(f"{len(reports)} reports, {len(graphs)} graphs, {triples:,} triples, "
          f"{sum(map(len, graphs.values())) / 1e6:.1f} MB of N-Triples; "
          f"the changed report: {changed} ({graphs[changed].count(NL):,} triples)",
          file=sys.stderr)
    rows = []
    for engine in servers.ENGINES:
        why = servers.missing(engine)
        if why:
            print(f"{engine}: skipped ({why})", file=sys.stderr)
            continue
        runs = [one_run(engine, graphs, changed, triples) for _ in range(args.repeat)]
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        print(f"{engine}: {runs}", file=sys.stderr)
        rows.append((engine, med))
    print("| server | start | first push (all graphs) | triples/s | again, unchanged "
          "| after one report changed |")
    print("|---|---|---|---|---|---|")
    for engine, m in rows:
        name = {"oxigraph": "Oxigraph server 0.5", "virtuoso": "Virtuoso 7.2 (Debian)"}[engine]
        print(f"| {name} | {m['start']:.1f} s | {m['first']:.1f} s ({int(m['graphs'])} graphs, "
              f"{m['bytes'] / 1e6:.0f} MB) | {triples / m['first']:,.0f} | {m['same']:.1f} s "
              f"| {m['second']:.1f} s (1 graph, {m['second_bytes'] / 1e6:.1f} MB) |")


if __name__ == "__main__":
    main()
