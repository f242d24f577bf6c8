"""Shared fixtures: the bundled seed report, the shared corpus (skipped where absent)."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "reports" / "2022h1_zhoupu.txt"
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"


def corpus_files() -> list[Path]:
    return sorted(CORPUS.glob("*.txt")) if CORPUS.is_dir() else []


needs_corpus = pytest.mark.skipif(not corpus_files(), reason="../shared/corpus is absent")


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
