"""Shared fixtures: the bundled seed report, the shared corpus (skipped where absent)."""
from __future__ import annotations

import contextlib
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "reports" / "2022h1_zhoupu.txt"
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"


def corpus_files() -> list[Path]:
    return sorted(CORPUS.glob("*.txt")) if CORPUS.is_dir() else []


needs_corpus = pytest.mark.skipif(not corpus_files(), reason="../shared/corpus is absent")

# Headless Chromium (Debian's, which .ci/run installs) driven by Playwright, offline.
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    """One Chromium for a test module; skipped where Chromium or Playwright is absent."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@contextlib.contextmanager
def serving(data, **options):
    """`kg serve` (:func:`kg.serve.make_server`) for ``data`` on a free loopback port, in a
    thread; yields its base URL and shuts it down after."""
    from kg.serve import make_server
    server = make_server(data, host="127.0.0.1", port=0, **options)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def seed_path() -> Path:
    return SEED


@pytest.fixture(scope="session")
def seed_report():
    from kg.ingest import read_report
    return read_report(SEED)


@pytest.fixture(scope="session")
def seed_result(seed_report):
    from kg.build import analyse
    return analyse(seed_report)


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory):
    """One build of the seed into a temp folder, shared by graph-level tests."""
    from kg.pipeline import build
    out = tmp_path_factory.mktemp("build")
    build([SEED], out)
    return out


@pytest.fixture(scope="session")
def seed_store(seed_build):
    """The seed build loaded into pyoxigraph, for SPARQL assertions."""
    import pyoxigraph as ox
    s = ox.Store()
    s.load(path=str(seed_build / "kg.ttl"), format=ox.RdfFormat.TURTLE)
    return s
