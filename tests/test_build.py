"""Building the graph: provenance spans, IRIs, determinism, atomic outputs, validation."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF

from conftest import SEED, corpus_files, needs_corpus
from kg import output
from kg.errors import OutputError
from kg.ingest import read_report
from kg.pipeline import build
from kg.validate import validate_file
from kg.vocab import KG, NIF


def _graph(out: Path) -> Graph:
    return Graph().parse(out / "kg.ttl", format="turtle")


def test_outputs_exist_and_parse_strictly(seed_build):
    ttl = seed_build / "kg.ttl"
    g = _graph(seed_build)
    store = pyoxigraph.Store()
    store.load(path=str(ttl), format=pyoxigraph.RdfFormat.TURTLE)
    assert len(store) == len(g) > 3000
    ds = Dataset()
    ds.parse(seed_build / "kg.trig", format="trig")
    names = {str(c.identifier) for c in ds.graphs() if len(c)}
    assert any("/graph/2022h1-zhoupu" in n for n in names)
    assert any(n.endswith("/graph/ontology") for n in names)


def test_every_span_text_equals_the_report_slice(seed_build):
    text = read_report(SEED).text
    g = _graph(seed_build)
    spans = list(g.subjects(NIF.anchorOf, None))
    assert len(spans) > 300
    for node in spans:
        b = int(g.value(node, NIF.beginIndex))
        e = int(g.value(node, NIF.endIndex))
        assert str(g.value(node, NIF.anchorOf)) == text[b:e], node


def test_sections_and_sentences_in_graph(seed_build):
    g = _graph(seed_build)
    sections = set(g.subjects(RDF.type, KG.Section))
    sentences = set(g.subjects(RDF.type, KG.Sentence))
    assert len(sections) == 20
    assert len(sentences) == len(read_report(SEED).sentences)
    plan = [s for s in sections if g.value(s, KG.modality) == KG.Plan]
    assert {str(g.value(s, KG.heading)) for s in plan} >= {"下半年工作要点", "用心用情,推动民生事业长足发展"}


def test_report_metadata_in_graph(seed_build):
    g = _graph(seed_build)
    rep = g.value(None, RDF.type, KG.Report, any=False)
    assert str(g.value(rep, URIRef("http://purl.org/dc/terms/issued"))) == "2022-08-10"
    speaker = g.value(rep, KG.speaker)
    assert Literal("赵辉茂", lang="zh") in set(g.objects(speaker, URIRef("http://www.w3.org/2000/01/rdf-schema#label")))


def test_no_blank_nodes_in_data(seed_build):
    g = _graph(seed_build)
    from rdflib import BNode
    assert not [t for t in g if any(isinstance(x, BNode) for x in t)]


def test_two_builds_are_byte_identical(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    env = dict(os.environ, PYTHONHASHSEED="1")
    env2 = dict(os.environ, PYTHONHASHSEED="2")
    for out, e in ((a, env), (b, env2)):  # separate processes, different hash seeds
        subprocess.run([sys.executable, "-m", "kg.cli", "build", str(SEED), "-o", str(out)],
                       check=True, env=e, capture_output=True)
    for name in ("kg.ttl", "kg.trig", "graph.html"):  # the page included
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_iris_are_minted_from_content(seed_build, tmp_path):
    # the same report under another file name gives the same entity IRIs
    p = tmp_path / "renamed.txt"
    p.write_bytes(SEED.read_bytes())
    build([p], tmp_path / "o", html=False)
    ents = lambda g: {s for s in g.subjects(KG.key, None)}
    assert ents(_graph(seed_build)) == ents(_graph(tmp_path / "o"))


def test_validate_passes_on_a_build(seed_build):
    ok, report = validate_file(seed_build / "kg.ttl")
    assert ok, report


def test_validate_reports_a_broken_span(seed_build, tmp_path):
    text = (seed_build / "kg.ttl").read_text(encoding="utf-8")
    broken = text.replace('"上下齐心,尽锐出战。"', '"上下齐心。"', 1)
    assert broken != text
    bad = tmp_path / "bad.ttl"
    bad.write_text(broken, encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "kg.cli", "validate", str(bad)],
                       capture_output=True, text=True)
    assert r.returncode == 1
    assert "exact text must be as long as its offsets say" in r.stdout


def test_failed_write_leaves_earlier_outputs(tmp_path, monkeypatch):
    out = tmp_path / "b"
    build([SEED], out, html=False)

    def state():
        files = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
        # the report cache may gain whole entries (a failed build's analyses are kept for
        # the next run) and the working store the new graphs (its manifest says which);
        # everything published must be as it was
        tree = sorted(str(p.relative_to(out)) for p in out.rglob("*")
                      if p.relative_to(out).parts[0] not in (".cache", ".work"))
        return files, tree

    before = state()
    assert set(before[0]) == {"kg.ttl", "kg.trig", ".lock"}
    calls = {"n": 0}
    real = os.fsync

    def failing_fsync(fd):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(28, "No space left on device")
        real(fd)

    monkeypatch.setattr(output.os, "fsync", failing_fsync)
    other = tmp_path / "other.txt"
    other.write_text("上半年工作回顾\n一、修路\n完成道路建设。\n", encoding="utf-8")
    with pytest.raises(OutputError, match="No space left"):
        build([other], out, html=False)
    assert state() == before  # old outputs intact, no temporary files or folders left behind
    cached = list((out / ".cache" / "reports").iterdir())
    assert cached and not [p for p in cached if p.name.endswith(".tmp")]  # whole entries, no debris
    assert {p.name.split(".", 1)[1] for p in cached} >= {"pickle", "nt", "ttl", "trig"}


def test_several_reports_one_named_graph_each(tmp_path):
    a = tmp_path / "a.txt"
    a.write_text("甲镇2021年政府工作报告\n上半年工作回顾\n完成道路建设。\n", encoding="utf-8")
    summary = build([SEED, a], tmp_path / "o", html=False)
    ds = Dataset()
    ds.parse(tmp_path / "o" / "kg.trig", format="trig")
    reports = {str(c.identifier) for c in ds.graphs() if (None, RDF.type, KG.Report) in c}
    assert len(reports) == 2
    assert summary.reports == ["2022h1_zhoupu", "a"]


@needs_corpus
def test_corpus_builds_and_validates(tmp_path):
    files = corpus_files()[:2]
    build(files, tmp_path, html=False)
    ok, report = validate_file(tmp_path / "kg.ttl")
    assert ok, report[:2000]


# -- the command line: one-line errors, exit codes ------------------------------------

def _kg(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], capture_output=True,
                          text=True, cwd=cwd)


@pytest.mark.parametrize("content, message", [
    (None, "no such file"),
    (b"", "empty file"),
    (b"\x00\x01\x02\x03binary", "binary file"),
    (b"abc\xff\xfa\xff", "cannot decode"),
])
def test_cli_bad_input(tmp_path, content, message):
    p = tmp_path / "in.txt"
    if content is not None:
        p.write_bytes(content)
    for cmd in (["build", str(p), "-o", str(tmp_path / "o")], ["extract", str(p)]):
        r = _kg(*cmd)
        assert r.returncode == 1, r.stderr
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("kg: error:") and message in lines[0]
        assert "Traceback" not in r.stderr


def test_cli_unwritable_output(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = _kg("build", str(SEED), "-o", str(blocker))
    assert r.returncode == 1
    assert re.fullmatch(r"kg: error: .*output folder is a file\n", r.stderr)
    assert blocker.read_text() == "x"


def test_cli_usage_error_exits_2():
    assert _kg("build", "--no-such-option").returncode == 2


def test_cli_extract_json_offsets(tmp_path):
    import json
    r = _kg("extract", str(SEED), "--format", "json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    text = read_report(SEED).text
    assert data["report"]["title"] == "周浦镇2022年上半年政府工作报告"
    assert data["mentions"]
    for m in data["mentions"]:
        assert text[m["start"]:m["end"]] == m["text"]


def test_outputs_are_readable_like_normal_files(tmp_path):
    old = os.umask(0o022)
    try:
        build([SEED], tmp_path, html=False)
    finally:
        os.umask(old)
    assert (tmp_path / "kg.ttl").stat().st_mode & 0o777 == 0o644


def test_a_directory_in_the_way_writes_nothing(tmp_path):
    build([SEED], tmp_path, html=False)
    before = (tmp_path / "kg.ttl").read_bytes()
    (tmp_path / "kg.trig").unlink()
    (tmp_path / "kg.trig").mkdir()
    other = tmp_path / "other.txt"
    other.write_text("上半年工作回顾\n完成道路建设。\n", encoding="utf-8")
    with pytest.raises(OutputError, match="is a directory"):
        build([other], tmp_path, html=False)
    assert (tmp_path / "kg.ttl").read_bytes() == before


def test_cli_refuses_unknown_types_and_empty_graphs(tmp_path):
    r = _kg("extract", str(SEED), "--types", "road")
    assert r.returncode == 1 and "unknown type" in r.stderr and "RoadSegment" in r.stderr
    empty = tmp_path / "empty.ttl"
    empty.write_text("")
    for cmd in (["validate", str(empty)], ["query", "counts", "--data", str(empty)],
                ["stats", "--data", str(empty)]):
        r = _kg(*cmd)
        assert r.returncode == 1, cmd
        assert r.stderr.strip() == f"kg: error: {empty}: empty graph (no triples)", cmd


def test_outputs_are_the_same_whatever_the_number_of_jobs(tmp_path, seed_path):
    """Reports analysed on two processes give byte-identical kg.ttl and kg.trig."""
    from kg.pipeline import build
    other = tmp_path / "reports" / "2022h1_other.txt"
    other.parent.mkdir()
    other.write_text(seed_path.read_text(encoding="utf-8").replace("周浦", "新场"), encoding="utf-8")
    one = build([seed_path, other], tmp_path / "one", html=False, jobs=1)
    two = build([seed_path, other], tmp_path / "two", html=False, jobs=2)
    for name in ("kg.ttl", "kg.trig"):
        assert one.files[name].read_bytes() == two.files[name].read_bytes()
    assert one.triples == two.triples > 10000


def test_unchanged_reports_are_not_analysed_again(tmp_path, seed_path, monkeypatch):
    """The second build into a folder reuses the analyses of unchanged reports and gives the
    same bytes; a changed report, or changed code and data, is analysed again."""
    import kg.build
    import kg.corpus.cache
    from kg.pipeline import build
    other = tmp_path / "reports" / "2022h1_other.txt"
    other.parent.mkdir()
    other.write_text(seed_path.read_text(encoding="utf-8").replace("周浦", "新场"), encoding="utf-8")
    first = build([seed_path, other], tmp_path / "out", html=False)
    ttl = first.files["kg.ttl"].read_bytes()
    calls = []
    real = kg.build.analyse
    monkeypatch.setattr(kg.build, "analyse", lambda r, tagger=True: calls.append(r.name) or real(r, tagger))
    again = build([seed_path, other], tmp_path / "out", html=False)
    assert calls == [] and again.cached == 2
    assert again.files["kg.ttl"].read_bytes() == ttl
    other.write_text(other.read_text(encoding="utf-8").replace("新场", "航头"), encoding="utf-8")
    build([seed_path, other], tmp_path / "out", html=False)
    assert calls == ["2022h1_other"]
    # entries no build uses any more are gone: the two reports', and the blocks of their
    # own commitments and of the ontology's and links' graphs, made for the exports
    keys = {p.name.split(".")[0] for p in (tmp_path / "out" / ".cache" / "reports").iterdir()}
    assert sorted(k.split("-")[0] for k in keys if "-" in k) == ["graph", "graph", "own", "own"]
    assert len(keys) == 6
    monkeypatch.setattr(kg.corpus.cache, "pipeline_hash", lambda: "other code")
    build([seed_path], tmp_path / "out", html=False)
    assert calls[-1] == "2022h1_zhoupu"


def test_a_cache_others_can_write_is_not_read(tmp_path, seed_path):
    from kg.corpus.cache import Cache
    from kg.pipeline import build
    build([seed_path], tmp_path / "out", html=False)
    (tmp_path / "out" / ".cache" / "reports").chmod(0o777)
    assert not Cache(tmp_path / "out").enabled
    assert build([seed_path], tmp_path / "out", html=False).cached == 0
