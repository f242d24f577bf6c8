"""Search at corpus scale: a substring over N labels (default 1,000,000), by the SPARQL
filter the library would otherwise run (pyoxigraph, in memory) and by the build's
full-text index (kg/textindex.py, SQLite FTS5 over characters).

    python3 tests/bench/bench_search.py [--labels 1000000]

The labels are the seed's entity labels and sentence texts, each repeated with a distinct
number until there are N; the queries are 2, 3 and 5 characters long; both ways give the
same matches (checked). Prints a Markdown table (median of 3 runs, wall time, one
process) for the README.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import pyoxigraph as ox  # noqa: E402

from kg.textindex import TextIndex, to_tokens  # noqa: E402

QUERIES = ["韵涛", "周浦镇", "沈梅路以北"]
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


def texts() -> list[str]:
    from kg.build import analyse
    from kg.ingest import read_report
    res = analyse(read_report(ROOT / "data" / "reports" / "2022h1_zhoupu.txt"))
    text = res.report.text
    return sorted({e.label for e in res.entities} | {text[s.start:s.end] for s in res.report.sentences})


def timed(fn) -> float:
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--labels", type=int, default=1_000_000)
    args = ap.parse_args()
    base = texts()
    labels = [f"{base[i % len(base)]}{i}" for i in range(args.labels)]
    store = ox.Store()
    store.bulk_extend(ox.Quad(ox.NamedNode(f"urn:e:{i}"), LABEL, ox.Literal(t)) for i, t in enumerate(labels))
    with tempfile.TemporaryDirectory() as tmp:
        import sqlite3
        path = Path(tmp) / "index.sqlite"
        con = sqlite3.connect(path)
        con.executescript("""
            CREATE VIRTUAL TABLE sentences USING fts5(tokens, sentence UNINDEXED, report UNINDEXED,
                begin UNINDEXED, modality UNINDEXED, section UNINDEXED, text UNINDEXED);
            CREATE VIRTUAL TABLE names USING fts5(tokens, entity UNINDEXED, name UNINDEXED, kind UNINDEXED);""")
        t0 = time.perf_counter()
        con.executemany("INSERT INTO names VALUES (?, ?, ?, 'label')",
                        ((to_tokens(t), f"urn:e:{i}", t) for i, t in enumerate(labels)))
        con.execute("INSERT INTO names(names) VALUES ('optimize')")
        con.commit()
        con.close()
        built = time.perf_counter() - t0
        index = TextIndex(path)
        rows = []
        for q in QUERIES:
            sparql = ('SELECT ?e ?l WHERE { ?e <http://www.w3.org/2000/01/rdf-schema#label> ?l '
                      f'FILTER(CONTAINS(?l, "{q}")) }}')  # q is one of QUERIES above, not user text
            n_scan = len(list(store.query(sparql)))
            n_fts = len(index.names(q, limit=10**9))
            assert n_scan == n_fts, (q, n_scan, n_fts)
            scan = timed(lambda: list(store.query(sparql)))
            fts = timed(lambda: index.names(q, limit=10**9))
            rows.append(f"| {q} | {n_scan:,} | {scan:.2f} s | {fts:.3f} s |")
        size = path.stat().st_size / 1e6
    print(f"{args.labels:,} labels; index built in {built:.0f} s, {size:.0f} MB\n")
    print("| query | matches | SPARQL CONTAINS (pyoxigraph, in memory) | the index |\n"
          "| --- | --- | --- | --- |\n" + "\n".join(rows))


if __name__ == "__main__":
    main()
