"""A plain `pip install .` (not editable) into a fresh virtual environment, then every
command run from an empty directory: the data, ontology and page files ship inside the
package (issue 13)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.skipif(os.environ.get("KG_SKIP_INSTALL_TEST") == "1",
                                reason="KG_SKIP_INSTALL_TEST=1")


@pytest.fixture(scope="module")
def venv(tmp_path_factory):
    base = tmp_path_factory.mktemp("venv")
    src = base / "src"  # a copy, so that the build never writes into the checkout
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".git", "build", "*.egg-info",
                                                             "__pycache__", ".pytest_cache"))
    env_dir = base / "env"
    subprocess.run([sys.executable, "-m", "venv", str(env_dir)], check=True)
    r = subprocess.run([str(env_dir / "bin" / "pip"), "install", "-q", str(src)],
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-2000:]
    return env_dir / "bin" / "kg"


def run(kg: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(kg), *args], cwd=cwd, capture_output=True, text=True, timeout=600)


def test_every_command_works_from_an_empty_directory(venv, tmp_path):
    work = tmp_path / "empty"
    work.mkdir()
    r = run(venv, work, "build")
    assert r.returncode == 0, r.stderr
    assert (work / "build" / "kg.ttl").is_file() and (work / "build" / "graph.html").is_file()
    assert "wrote build/kg.ttl" in r.stdout
    for args in (["validate"], ["stats"], ["query", "counts"], ["query", "--list"],
                 ["export", "--format", "csv"], ["viz", "-o", "g.html"],
                 ["extract", str(ROOT / "data" / "reports" / "2022h1_zhoupu.txt"), "--format", "json"]):
        r = run(venv, work, *args)
        assert r.returncode == 0, (args, r.stderr)
        assert "Traceback" not in r.stderr
    r = subprocess.run([str(venv.parent / "python"), "-c", "from kg.endpoint_page import ASSETS, "
                        "asset, ontology_terms; assert all(asset(n) for n in ASSETS); "
                        "assert ontology_terms()[0]"], cwd=work, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr  # the endpoint page's scripts and the editor ship too
    r = run(venv, work, "query", "nonexistent-query")
    assert r.returncode == 1 and r.stderr.startswith("kg: error:")
    assert (work / "build" / "search" / "index.sqlite").is_file() and (work / "build" / "reports" / "index.html").is_file()
    r = run(venv, work, "query", "search", "--param", "text=道路", "--format", "csv")
    assert r.returncode == 0 and "道路" in r.stdout, r.stderr
    r = run(venv, work, "push", "http://127.0.0.1:9/query")  # nothing listens there
    assert r.returncode == 1 and r.stderr.startswith("kg: error:") and "cannot reach" in r.stderr
