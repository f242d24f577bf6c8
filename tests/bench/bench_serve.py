"""Benchmark: `kg serve` against the Oxigraph server on the same store, concurrency 1, 4, 16.

    python3 tests/bench/bench_serve.py --make /tmp/serve_data     # once: build ~1M triples
    python3 tests/bench/bench_serve.py --store /tmp/serve_data/store [--passes 2]

Data (``--make DIR``): the 23 shared-corpus reports copied (tests/bench/bench_corpus.py,
distinct titles and places) to 55 reports, plus the seed report (so that the library's
``# @example`` parameters name something), built with ``kg build --no-exports -j 2``:
about 1M triples in one named graph per report, in ``DIR/store``.

Servers: ``kg serve --data STORE`` (this tree's code, default options) and
``oxigraph serve --location COPY --union-default-graph`` (COPY: a copy of the store
folder, since the Oxigraph server opens it for writing). The Oxigraph server compacts a
store when it opens it, and a compacted store answers 1.4-1.8x faster than the store as
``kg build`` leaves it, so both get copies of one compacted store (``--as-built``: not).
Both start on free loopback ports, are warmed up with one pass of the mix, and take
turns at each concurrency.

The mix: the library queries (kg/queries/*.rq) of :data:`MIX` (``--all``: every one whose
answer has at most ``--max-rows`` rows within ``--cap`` seconds in-process), with their
``# @example`` parameters, bound as ``kg query`` binds them (name parameters looked up in
the store); both servers get the same SPARQL text by POST (``query=``), asking for SPARQL
JSON. Each of C client threads (one keep-alive connection each) walks the mix from its
own offset; a row is ``max(--passes, C)`` passes of the mix in all; queries per second
counts answered requests (200) only, latency covers every request; "cheap half" is the
latency of the faster half of the mix (by in-process time). Peak memory: the sum over
the server's process tree (the server and every descendant, read from /proc ten times a
second) of RSS, and of PSS (shared pages divided among the processes that share them,
which RSS counts once per process). Prints Markdown.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "data" / "reports" / "2022h1_zhoupu.txt"
OXIGRAPH = shutil.which("oxigraph")


def make_data(dest: Path, reports: int = 55) -> Path:
    """Build the benchmark's store in ``dest`` (see the module docstring)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_corpus import make_corpus
    corpus = dest.parent / (dest.name + "_corpus")
    make_corpus(reports, corpus)
    shutil.copy(SEED, corpus / SEED.name)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    subprocess.run([sys.executable, "-m", "kg.cli", "build", str(corpus), "-o", str(dest),
                    "--no-html", "--no-exports", "-j", "2"], check=True, env=env)
    return dest / "store"


# the library queries whose answer on the benchmark's store has at most 10,000 rows and
# that take under 3 s in-process (the others: actions, commitments, indicators, metrics,
# targets over 3 s, plan-vs-review 12,464 rows)
MIX = ("co-mentioned", "counts", "documents", "entity-mentions", "glossary", "intersecting-roads",
       "neighbourhood", "organizations", "parcels", "people", "places", "programs", "projects",
       "relations", "report-mentions", "report-text", "reports", "road-segments", "search",
       "section-mentions", "sections", "shared-entities", "status-statements")


def the_mix(store_path: Path, max_rows: int, cap: float,
            names: tuple[str, ...] = MIX) -> list[tuple[str, str, float, int]]:
    """(name, SPARQL text, in-process seconds, rows) of the library queries ``names``
    (all of them if empty) whose answer has at most ``max_rows`` rows within ``cap``."""
    from kg.guard import check_read_only
    from kg.query import _bind, library, prefix_head
    from kg.sandbox import LimitExceeded, run_limited
    from kg.store import load_store
    store = load_store(store_path)
    out = []
    for name, spec in library().items():
        if names and name not in names:
            continue
        text, _ = _bind(spec.text, dict(spec.examples), spec, store)
        text = prefix_head(text) + text
        text = check_read_only(text, store.graphs()).text

        def timed(text=text):
            t0 = time.perf_counter()
            res = store.query(text)
            return time.perf_counter() - t0, res.kind, len(res.rows or res.triples)

        try:  # in a forked child, killed at the cap (as kg serve would)
            dt, kind, n = run_limited(timed, timeout=cap, memory=None)
        except LimitExceeded:
            dt, kind, n = cap, "timeout", 0
        ok = kind == "select" and n <= max_rows and (dt < cap or bool(names))
        print(f"  {name:20s} {dt * 1000:8.1f} ms {n:7d} rows {'' if ok else '(left out)'}",
              file=sys.stderr)
        if ok:
            out.append((name, text, dt, n))
    return out


def compact(folder: Path) -> None:
    """Compact a store in place (pyoxigraph ``optimize``), as the Oxigraph server does on
    opening one for writing: a read-only store answers as it is laid out, and the
    un-compacted store of a build is 1.4-1.8x slower to query."""
    import pyoxigraph as ox
    st = ox.Store(str(folder))
    st.optimize()
    st.flush()
    del st


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree(pid: int) -> list[int]:
    """``pid`` and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def memory(pid: int) -> tuple[int, int, int]:
    """(RSS, PSS, processes) of the tree of ``pid``, in bytes."""
    rss = pss = n = 0
    for p in tree(pid):
        try:
            with open(f"/proc/{p}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1]) * 1024
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1]) * 1024
            n += 1
        except OSError:
            continue
    return rss, pss, n


class Sampler(threading.Thread):
    """Peak memory of a process tree, sampled every 0.1 s until stopped."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak_rss, self.peak_pss, self.most = pid, 0, 0, 0
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            rss, pss, n = memory(self.pid)
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
            self.most = max(self.most, n)
            self.done.wait(0.1)


class Server:
    def __init__(self, kind: str, store: Path, workdir: Path, extra: list[str],
                 root: Path = ROOT):
        self.kind, self.port = kind, free_port()
        if kind == "kg":
            cmd = [sys.executable, "-m", "kg.cli", "serve", "--data", str(store),
                   "--port", str(self.port), *extra]
            self.path = "/sparql"
        else:
            copy = workdir / "oxigraph"
            shutil.copytree(store, copy)
            cmd = [OXIGRAPH, "serve", "--location", str(copy), "--bind",
                   f"127.0.0.1:{self.port}", "--union-default-graph", *extra]
            self.path = "/query"
        env = dict(os.environ, PYTHONPATH=str(root))
        # cwd: `python -m` puts the working folder first on sys.path, before PYTHONPATH
        self.proc = subprocess.Popen(cmd, env=env, cwd=str(root), stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        for _ in range(600):
            try:
                code, _ = request(http.client.HTTPConnection("127.0.0.1", self.port, timeout=5),
                                  self.path, "ASK { ?s ?p ?o }")
                if code == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise SystemExit(f"{kind} server did not start")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def request(conn: http.client.HTTPConnection, path: str, text: str) -> tuple[int, bytes]:
    body = urllib.parse.urlencode({"query": text}).encode("utf-8")
    conn.request("POST", path, body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/sparql-results+json"})
    resp = conn.getresponse()
    return resp.status, resp.read()


def load(server: Server, mix: list, clients: int, passes: int) -> dict:
    """C clients, each walking the mix from its own offset, ``max(passes, C)`` passes of
    the mix in all: qps, p50/p95, errors by status."""
    per_client = -(-max(passes, clients) * len(mix) // clients)
    results: list[tuple[int, float, str]] = []
    lock = threading.Lock()

    def client(i: int):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
        k = (i * len(mix)) // clients
        mine = []
        for _ in range(per_client):
            name, text = mix[k % len(mix)][:2]
            k += 1
            t0 = time.monotonic()
            try:
                code, _ = request(conn, server.path, text)
            except (OSError, http.client.HTTPException):
                code = -1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
            mine.append((code, time.monotonic() - t0, name))
        conn.close()
        with lock:
            results.extend(mine)

    t0 = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - t0
    lat = sorted(dt for _, dt, _ in results)
    ok = sum(1 for code, _, _ in results if code == 200)
    errors: dict[int, int] = {}
    for code, _, _ in results:
        if code != 200:
            errors[code] = errors.get(code, 0) + 1
    cheap = sorted(dt for code, dt, name in results if name in CHEAP)
    return {"qps": ok / wall, "n": len(results), "ok": ok, "errors": errors,
            "p50": statistics.median(lat) if lat else 0,
            "p95": lat[int(0.95 * (len(lat) - 1))] if lat else 0,
            "cheap_p50": statistics.median(cheap) if cheap else 0}


CHEAP: set[str] = set()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--make", type=Path, help="build the benchmark data in this folder and exit")
    ap.add_argument("--store", type=Path, default=Path("/tmp/serve_data/store"))
    ap.add_argument("--passes", type=int, default=2,
                    help="passes of the mix per row (at least one per client)")
    ap.add_argument("--clients", type=int, nargs="+", default=[1, 4, 16])
    ap.add_argument("--max-rows", type=int, default=10000)
    ap.add_argument("--cap", type=float, default=10.0,
                    help="time limit of each query when the mix is measured in-process")
    ap.add_argument("--as-built", action="store_true",
                    help="serve the store as the build left it (kg serve) and a copy the Oxigraph "
                         "server compacts on opening it, instead of one compacted copy for both")
    ap.add_argument("--all", action="store_true",
                    help="every library query that qualifies, not the fixed MIX")
    ap.add_argument("--servers", nargs="+", default=["oxigraph", "kg"])
    ap.add_argument("--kg-option", action="append", default=[], help="extra kg serve option")
    ap.add_argument("--kg-root", type=Path, default=ROOT,
                    help="the checkout whose kg serve runs (e.g. an export of the previous commit)")
    args = ap.parse_args()
    if args.make:
        print(make_data(args.make))
        return
    if OXIGRAPH is None and "oxigraph" in args.servers:
        raise SystemExit("the oxigraph binary is absent (pip install oxigraph)")
    print("in-process times of the library queries (pyoxigraph, this store):", file=sys.stderr)
    mix = the_mix(args.store, args.max_rows, args.cap, () if args.all else MIX)
    times = sorted(m[2] for m in mix)
    CHEAP.update(name for name, _, dt, _ in mix if dt <= times[len(times) // 2])
    from kg.store import load_store
    triples = len(load_store(args.store))
    table = {}
    with tempfile.TemporaryDirectory() as tmp:
        store = args.store
        if not args.as_built:  # the same compacted store for both servers
            store = Path(tmp) / "store"
            shutil.copytree(args.store, store)
            compact(store)
        servers, samplers = {}, {}
        try:
            for kind in args.servers:
                servers[kind] = Server(kind, store, Path(tmp),
                                       args.kg_option if kind == "kg" else [], args.kg_root)
            time.sleep(1)
            for kind, server in servers.items():
                table[(kind, "idle")] = memory(server.proc.pid)
                for _, text, _, _ in mix:  # warm up: one pass
                    request(http.client.HTTPConnection("127.0.0.1", server.port, timeout=120),
                            server.path, text)
                samplers[kind] = Sampler(server.proc.pid)
                samplers[kind].start()
            # the servers take turns at each concurrency (the order swapped each time), so
            # that a change in the machine's load falls on both
            for i, c in enumerate(args.clients):
                for kind in (args.servers if i % 2 == 0 else args.servers[::-1]):
                    table[(kind, c)] = load(servers[kind], mix, c, args.passes)
                    print(f"{kind} c={c}: {table[(kind, c)]} load {os.getloadavg()[0]:.1f}",
                          file=sys.stderr)
            for kind, sampler in samplers.items():
                sampler.done.set()
                sampler.join()
                table[(kind, "mem")] = (table[(kind, "idle")], sampler.peak_rss,
                                        sampler.peak_pss, sampler.most)
        finally:
            for server in servers.values():
                server.stop()
    loadavg = os.getloadavg()
    print(f"\n{triples:,} triples; mix of {len(mix)} library queries "
          f"({', '.join(m[0] for m in mix)}); max({args.passes}, clients) passes per row; "
          f"load average at the end {loadavg[0]:.2f} (2 cores)\n")
    print("| server | clients | queries/s | p50 ms | p95 ms | cheap half p50 ms | errors |")
    print("|---|---|---|---|---|---|---|")
    for c in args.clients:
        for kind in args.servers:
            r = table[(kind, c)]
            errs = ", ".join(f"{v}× {k if k > 0 else 'conn'}" for k, v in sorted(r["errors"].items())) or "0"
            ratio = ""
            if kind == "kg" and ("oxigraph", c) in table:
                ratio = f" ({r['qps'] / table[('oxigraph', c)]['qps']:.2f}×)"
            print(f"| {kind} | {c} | {r['qps']:.1f}{ratio} | {r['p50'] * 1000:.0f} | "
                  f"{r['p95'] * 1000:.0f} | {r['cheap_p50'] * 1000:.0f} | {errs} |")
    print("\n| server | idle RSS MB | peak RSS MB (tree) | peak PSS MB (tree) | processes |")
    print("|---|---|---|---|---|")
    for kind in args.servers:
        idle, rss, pss, n = table[(kind, "mem")]
        print(f"| {kind} | {idle[0] / 2**20:.0f} | {rss / 2**20:.0f} | {pss / 2**20:.0f} | {n} |")
    print("\n" + json.dumps({f"{k[0]}:{k[1]}": v for k, v in table.items()
                            if k[1] not in ("mem", "idle")}),
          file=sys.stderr)


if __name__ == "__main__":
    main()
