"""A build's outputs change together or not at all: kills at random moments, a failing
rename, debris cleaned by the next run, and outputs that refuse to replace non-files."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import SEED
from kg import output
from kg.cli import main
from kg.errors import OutputError
from kg.pipeline import build


def _two_reports(tmp_path: Path) -> tuple[Path, Path]:
    a = tmp_path / "a" / "2022h1_zhoupu.txt"
    a.parent.mkdir()
    a.write_bytes(SEED.read_bytes())
    b = tmp_path / "b" / "other.txt"
    b.parent.mkdir()
    b.write_text("乙镇2023年政府工作报告\n一、2022年工作回顾\n完成周秀路(沪南公路-周园路)大修。\n", encoding="utf-8")
    return a, b


def _consistent(out: Path) -> str:
    """Which build the outputs are from ('a' or 'b'), asserting kg.ttl and kg.trig agree."""
    ttl = (out / "kg.ttl").read_text(encoding="utf-8")
    trig = (out / "kg.trig").read_text(encoding="utf-8")
    marks = {"a": "周浦镇", "b": "乙镇"}
    in_ttl = {k for k, w in marks.items() if w in ttl}
    in_trig = {k for k, w in marks.items() if w in trig}
    assert in_ttl == in_trig and len(in_ttl) == 1, (in_ttl, in_trig)
    return in_ttl.pop()


def killed_builds(a: Path, b: Path, out: Path, runs: int, rng: random.Random,
                  wait: tuple[float, float]):
    """``kg build`` of ``b`` then ``a`` (alternating) into ``out``, each killed (SIGKILL)
    after a random wait in ``wait`` seconds; yields the run's number after each kill."""
    for i in range(runs):
        src = b if i % 2 == 0 else a
        p = subprocess.Popen([sys.executable, "-m", "kg.cli", "build", str(src), "-o", str(out)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(*wait))
        p.send_signal(signal.SIGKILL)
        p.wait()
        yield i


def test_kills_leave_one_whole_build(tmp_path):
    a, b = _two_reports(tmp_path)
    out = tmp_path / "out"
    build([a], out, html=True)
    seen = set()
    for _ in killed_builds(a, b, out, runs=8, rng=random.Random(14), wait=(0.5, 4.0)):
        seen.add(_consistent(out))
        assert (out / "graph.html").exists()
    build([a], out, html=True)  # the next run cleans what the kills left
    assert _consistent(out) == "a"
    assert len(list((out / ".versions").iterdir())) == 1
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_a_failing_rename_changes_nothing(tmp_path, monkeypatch):
    a, b = _two_reports(tmp_path)
    out = tmp_path / "out"
    build([a], out, html=False)
    calls = {"n": 0}
    real = os.replace

    def failing(src, dst):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(5, "Input/output error")
        return real(src, dst)

    monkeypatch.setattr(output.os, "replace", failing)
    with pytest.raises(OutputError):
        build([b], out, html=False)
    monkeypatch.undo()
    assert _consistent(out) == "a"
    assert len(list((out / ".versions").iterdir())) == 1


@pytest.mark.parametrize("target", ["fifo", "/dev/null"])
def test_outputs_replace_only_regular_files(tmp_path, target):
    if target == "fifo":
        path = tmp_path / "pipe"
        os.mkfifo(path)
    else:
        path = Path(target)
    before = os.stat(path)
    with pytest.raises(OutputError, match="not a regular file"):
        output.write_atomic(path, "x")
    r = CliRunner().invoke(main, ["export", "--data", str(tmp_path / "missing.ttl"), "--format", "nt",
                                  "-o", str(path)])
    assert r.exit_code == 1
    after = os.stat(path)
    assert (before.st_mode, before.st_ino) == (after.st_mode, after.st_ino)


def test_an_older_build_of_plain_files_is_adopted(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "kg.ttl").write_text("old", encoding="utf-8")
    (out / "graph.html").write_text("old page", encoding="utf-8")
    build([SEED], out, html=False)
    assert (out / "kg.ttl").is_symlink() and "周浦镇" in (out / "kg.ttl").read_text(encoding="utf-8")
    assert not (out / "graph.html").exists()  # not made by this build: not left stale


def test_temporary_files_of_killed_runs_are_removed_by_the_next_and_others_kept(tmp_path):
    """A killed `kg train` (or a build with a private cache) leaves its temporary file;
    the next run removes it when its process is gone, and leaves a live process's."""
    import subprocess
    import sys
    from kg.output import owned_temp
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    left = tmp_path / f".names.crfsuite.{dead}.x1.tmp"
    left.write_bytes(b"half a model")
    folder = tmp_path / f".kg-build.{dead}.x2.cache"
    folder.mkdir()
    (folder / "entry").write_text("x")
    live = tmp_path / f".names.crfsuite.{os.getppid()}.x3.tmp"
    live.write_bytes(b"another training")
    mine = owned_temp(tmp_path, "names.crfsuite")
    assert not left.exists() and live.exists() and mine.exists()
    assert mine.name.startswith(f".names.crfsuite.{os.getpid()}.")
    cache = owned_temp(tmp_path, "kg-build", suffix=".cache", directory=True)
    assert not folder.exists() and cache.is_dir()
