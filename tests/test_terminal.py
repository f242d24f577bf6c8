"""What the terminal shows: progress of ``kg extract`` on a terminal only, output that
stays whole in narrow terminals (COLUMNS=60), and whole numbers shown as whole numbers
(7284人次, not 7284.0人次) wherever a value is printed or labelled."""
from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

from rich.cells import cell_len

from kg.store import load_data
from kg.viz import render_page

SEED = Path(__file__).resolve().parent.parent / "data" / "reports" / "2022h1_zhoupu.txt"


def kg(*args, columns=None, **kw):
    env = dict(os.environ, **({"COLUMNS": str(columns)} if columns else {}))
    return subprocess.run([sys.executable, "-m", "kg.cli", *map(str, args)], capture_output=True,
                          text=True, env=env, **kw)


def test_extract_shows_its_steps_on_a_terminal_only(tmp_path):
    out = tmp_path / "out.json"
    master, slave = pty.openpty()
    with out.open("wb") as fh:
        p = subprocess.Popen([sys.executable, "-m", "kg.cli", "extract", str(SEED), "--format", "json"],
                             stdout=fh, stderr=slave, env=dict(os.environ, COLUMNS="100", TERM="xterm"))
        os.close(slave)
        chunks = []
        while True:
            try:
                b = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not b:
                break
            chunks.append(b)
        assert p.wait(timeout=120) == 0
    os.close(master)
    err = b"".join(chunks).decode("utf-8", "replace")
    steps = set(re.findall(r"kg extract 2022h1_zhoupu: ([a-z ]+?) \(", err))
    known = {"roads", "places", "parcels", "orgs", "projects", "programs", "names tagger",
             "glossary", "metrics", "entities", "facts"}
    assert "names tagger" in steps and len(steps) >= 3 and steps <= known, steps  # fast steps may not be drawn
    assert json.loads(out.read_text(encoding="utf-8"))["mentions"]  # stdout is the JSON alone
    quiet = kg("extract", SEED, "--format", "json")  # stderr a pipe: nothing on it
    assert quiet.returncode == 0 and quiet.stderr == ""
    assert json.loads(quiet.stdout) == json.loads(out.read_text(encoding="utf-8"))


def _whole_on_one_line(text: str, item: str) -> bool:
    return any(item in line for line in text.splitlines())


def test_build_summary_in_a_narrow_terminal(tmp_path):
    r = kg("build", SEED, "-o", tmp_path / "b", "--no-cache", columns=60)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    table = [ln for ln in lines if ln[:1] in "┏┃┡│└"]
    assert table and all(cell_len(ln) <= 60 for ln in table)
    assert any(re.fullmatch(r"│ Road +│ +22 │", ln) for ln in table)
    for line in lines:  # each count, path and command whole on its line, never cut
        if not line.startswith(("wrote ", "    ")):
            assert cell_len(line) <= 60, line
    for path in ("kg.ttl", "kg.trig", "graph.html"):
        assert _whole_on_one_line(r.stdout, f"wrote {tmp_path / 'b' / path}")
    assert _whole_on_one_line(r.stdout, f"open {tmp_path / 'b' / 'graph.html'}")
    assert _whole_on_one_line(r.stdout, f"open {tmp_path / 'b' / 'reports' / '2022h1_zhoupu.html'}")
    assert _whole_on_one_line(r.stdout, f"kg serve --data {tmp_path / 'b' / 'kg.ttl'}")
    assert _whole_on_one_line(r.stdout, "kg query --list")


def test_query_tables_in_a_narrow_terminal(seed_build):
    narrow = kg("query", "road-segments", "--data", seed_build / "kg.ttl", columns=60)
    assert narrow.returncode == 0, narrow.stderr
    assert all(cell_len(ln) <= 60 for ln in narrow.stdout.splitlines())
    # records: every segment and header whole on one line, not folded into a narrow column
    for name in ("韵涛路(周东南路-周园路)", "小沥港路(繁荣东路-祝家港路)", "bounded_by", "segment_status"):
        assert _whole_on_one_line(narrow.stdout, name), name
    assert narrow.stdout.count("── ") == 10
    wide = kg("query", "road-segments", "--data", seed_build / "kg.ttl", columns=120)
    assert "┃ segment " in wide.stdout and "│ 小沥港路(繁荣东路-祝家港路) │" in wide.stdout
    stats = kg("stats", "--data", seed_build / "kg.trig", columns=50)
    assert stats.returncode == 0 and all(cell_len(ln) <= 50 for ln in stats.stdout.splitlines())


def test_whole_numbers_are_shown_whole(seed_build):
    # rdflib keeps the lexical form 7284.0 that oxigraph canonicalizes: both show 7284
    for engine in ("rdflib", "oxigraph"):
        csv_text = kg("query", "metrics", "--data", seed_build / "kg.ttl", "--engine", engine,
                      "--format", "csv").stdout
        row = next(ln for ln in csv_text.splitlines() if ln.startswith("60周岁以上老年人接种,"))
        assert row.split(",")[1:5] == ["7284", "人次", "7284", "person-times"], engine
        assert "2.1,亿元,210000000," in csv_text
        table = kg("query", "metrics", "--data", seed_build / "kg.ttl", "--engine", engine,
                   columns=200).stdout
        assert re.search(r"│ 7284 +│ 人次", table) and "7284.0" not in table
    html = render_page(load_data(seed_build / "kg.trig")).html
    assert "数值: 7284人次" in html and not re.search(r"数值: \d+\.0\D", html)
    # the SPARQL results formats keep the literal as the engine gives it
    raw = kg("query", "metrics", "--data", seed_build / "kg.ttl", "--engine", "rdflib",
             "--format", "csv", "--iris").stdout
    assert "7284.0" in raw
