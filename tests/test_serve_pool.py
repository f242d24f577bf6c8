"""kg serve's query workers (kg/pool.py): long-lived, cut off the network, killed at the
time limit and replaced, replaced when they die, gone when the server stops."""
from __future__ import annotations

import os
import signal
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from kg.serve import make_server

CASE = Path(__file__).resolve().parent / "cases" / "query_graph" / "graph.ttl"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
CHEAP = "SELECT ?s WHERE { ?s a <https://w3id.org/gwr-kg/ontology#Road> } ORDER BY ?s"


@pytest.fixture()
def serve():
    servers = []

    def start(**options):
        srv = make_server(CASE, host="127.0.0.1", port=0, **options)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
        return srv, f"http://127.0.0.1:{srv.server_address[1]}"

    yield start
    for srv in servers:
        srv.shutdown()
        srv.server_close()


def ask(url, query, timeout=30):
    t0 = time.monotonic()
    try:
        with urllib.request.urlopen(url + "/sparql?query=" + urllib.parse.quote(query),
                                    timeout=timeout) as resp:
            return resp.status, resp.read().decode("utf-8"), time.monotonic() - t0
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8"), time.monotonic() - t0


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as fh:  # a zombie is not alive
        return fh.read().rsplit(")", 1)[1].split()[0] != "Z"


def test_a_slow_query_is_cut_at_the_limit_and_the_next_is_answered(serve):
    srv, url = serve(timeout=1.5, workers=1)
    pool = srv.endpoint.pool
    before = pool.pids()
    code, body, took = ask(url, RUNAWAY)
    assert code == 503 and "time limit of 1.5 s" in body and len(body.strip().splitlines()) == 1
    assert 1.5 <= took < 3.0
    code, body, took = ask(url, CHEAP)
    assert code == 200 and "/road/" in body and took < 1.0
    after = pool.pids()
    assert len(after) == 1 and after != before and not alive(before[0])
    assert pool.replaced == 1


def test_a_killed_worker_is_replaced(serve):
    srv, url = serve(timeout=5.0, workers=2)
    pool = srv.endpoint.pool
    first = pool.pids()
    assert len(first) == 2
    for pid in first:
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.2)
    results = [ask(url, CHEAP) for _ in range(4)]
    assert all(code == 200 for code, _, _ in results), results
    now = pool.pids()
    assert len(now) == 2 and not set(now) & set(first)
    assert all(alive(p) for p in now)


def test_workers_stay_and_run_cut_off_the_network(serve):
    srv, url = serve(workers=2)
    pool = srv.endpoint.pool
    pids = pool.pids()
    for _ in range(6):
        assert ask(url, CHEAP)[0] == 200
    assert pool.pids() == pids and pool.replaced == 0  # the same two processes answered
    own = os.readlink("/proc/self/ns/net")
    if own == os.readlink(f"/proc/{pids[0]}/ns/net"):
        pytest.skip("no network namespaces here (the guard is the only wall)")
    assert all(os.readlink(f"/proc/{p}/ns/net") != own for p in pids)


def test_cheap_queries_are_not_blocked_behind_expensive_ones(serve):
    srv, url = serve(timeout=6.0, workers=2)
    with ThreadPoolExecutor(3) as pool:
        slow = [pool.submit(ask, url, RUNAWAY) for _ in range(3)]
        time.sleep(0.5)  # the expensive ones hold every regular worker
        cheap = [ask(url, CHEAP) for _ in range(3)]
        assert all(code == 200 for code, _, _ in cheap)
        # queued behind them, each would wait ~5.5 s (until the limit kills one)
        assert max(took for _, _, took in cheap) < 2.0, cheap
        assert all(f.result()[0] == 503 for f in slow)
    assert ask(url, CHEAP)[0] == 200


def test_stopping_the_server_stops_its_workers():
    srv = make_server(CASE, host="127.0.0.1", port=0, workers=2)
    pids = srv.endpoint.pool.pids()
    assert all(alive(p) for p in pids)
    srv.server_close()
    assert not any(alive(p) for p in pids)
