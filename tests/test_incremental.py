"""A build into the same folder replaces only what changed: the named graph of a changed
report, nothing of the unchanged ones, and the graph of a report no longer built is
gone from the store and the search index; a build killed at any moment is resumed by
running it again, to the same store a build from scratch makes."""
from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox

from conftest import SEED
from kg import ids
from kg.pipeline import build
from kg.textindex import INDEX_DIR, INDEX_FILE, TextIndex
from kg.corpus.workstate import FOLDER, MANIFEST


def _reports(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "reports"
    folder.mkdir()
    a = folder / "2022h1_zhoupu.txt"
    a.write_bytes(SEED.read_bytes())
    b = folder / "b.txt"
    b.write_text("乙镇2023年政府工作报告\n一、2022年工作回顾\n完成周秀路(沪南公路-周园路)大修。\n", encoding="utf-8")
    c = folder / "c.txt"
    c.write_text("丙镇2023年政府工作报告\n一、2022年工作回顾\n建成丙镇文化中心。\n", encoding="utf-8")
    return [a, b, c]


def _quads(store_dir: Path) -> set[str]:
    store = ox.Store.read_only(str(store_dir))
    return {str(q) for q in store.quads_for_pattern(None, None, None, None)}


def _graph(store_dir: Path, name: str) -> set[str]:
    store = ox.Store.read_only(str(store_dir))
    g = ox.NamedNode(ids.graph_iri(name))
    return {str(q) for q in store.quads_for_pattern(None, None, None, g)}


def _manifest(out: Path) -> dict[str, str]:
    return json.loads((out / FOLDER / MANIFEST).read_text(encoding="utf-8"))["graphs"]


def test_a_changed_report_replaces_only_its_graph(tmp_path):
    a, b, c = _reports(tmp_path)
    out = tmp_path / "out"
    first = build([a, b, c], out, html=False)
    assert first.loaded == 4  # three reports and the ontology (no name is shared by two places)
    before = _manifest(out)
    kept = _graph(out / "store", "2022h1_zhoupu")
    b.write_text(b.read_text(encoding="utf-8").replace("大修", "大修，建成乙镇体育公园"), encoding="utf-8")
    again = build([a, b, c], out, html=False)
    after = _manifest(out)
    changed = {g for g in after if after[g] != before.get(g)}
    assert changed == {ids.graph_iri("b")}
    assert again.loaded == 1 and again.cached == 2
    assert again.triples == len(ox.Store.read_only(str(out / "store"))) > 10000
    assert _graph(out / "store", "2022h1_zhoupu") == kept
    assert any("体育公园" in q for q in _graph(out / "store", "b"))
    index = TextIndex(out / INDEX_DIR / INDEX_FILE)
    assert [r[3] for r in index.sentences("体育公园")] == ["完成周秀路(沪南公路-周园路)大修，建成乙镇体育公园。"]
    # the store the increments made is the store a build from scratch makes
    fresh = build([a, b, c], tmp_path / "fresh", html=False, cache=False)
    assert fresh.loaded == 4 and _quads(out / "store") == _quads(tmp_path / "fresh" / "store")


def test_a_report_no_longer_built_is_gone(tmp_path):
    a, b, c = _reports(tmp_path)
    out = tmp_path / "out"
    build([a, b, c], out, html=False)
    assert TextIndex(out / INDEX_DIR / INDEX_FILE).sentences("丙镇文化中心")
    build([a, b], out, html=False)
    graphs = {str(g.value) for g in ox.Store.read_only(str(out / "store")).named_graphs()}
    assert ids.graph_iri("c") not in graphs and ids.graph_iri("b") in graphs
    assert ids.graph_iri("c") not in _manifest(out)
    assert TextIndex(out / INDEX_DIR / INDEX_FILE).sentences("丙镇文化中心") == []
    assert not any("丙镇" in q for q in _quads(out / "store"))
    assert "丙镇" not in (out / "kg.trig").read_text(encoding="utf-8")


def test_a_killed_build_is_resumed_by_running_it_again(tmp_path):
    """SIGKILL at random moments of builds that change one report each time; after each
    kill the next complete build gives the store a build from scratch gives."""
    a, b, c = _reports(tmp_path)
    out = tmp_path / "out"
    build([a, b, c], out, html=False)
    rng = random.Random(11)
    texts = ["建成乙镇体育公园。", "完成乙镇污水管网改造。", "新建乙镇幼儿园。"]
    for i, extra in enumerate(texts):
        b.write_text(b.read_text(encoding="utf-8") + extra + "\n", encoding="utf-8")
        p = subprocess.Popen([sys.executable, "-m", "kg.cli", "build", str(a), str(b), str(c),
                              "-o", str(out), "--no-html", "-j", "1"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.5, 4.0))
        p.send_signal(signal.SIGKILL)
        p.wait()
        json.loads((out / FOLDER / MANIFEST).read_text(encoding="utf-8"))  # never half written
        if i % 2:  # resume now, or after the next kill
            build([a, b, c], out, html=False)
    done = build([a, b, c], out, html=False)
    fresh = build([a, b, c], tmp_path / "fresh", html=False, cache=False)
    assert _quads(out / "store") == _quads(tmp_path / "fresh" / "store")
    assert set(_manifest(out).values()) == set(_manifest(tmp_path / "fresh").values())
    assert done.files["kg.trig"].read_bytes() == fresh.files["kg.trig"].read_bytes()
    assert TextIndex(out / INDEX_DIR / INDEX_FILE).sentences("幼儿园")


def test_a_working_store_that_cannot_be_read_is_made_again(tmp_path):
    a, b, _ = _reports(tmp_path)
    out = tmp_path / "out"
    build([a, b], out, html=False)
    (out / FOLDER / MANIFEST).write_text("{not json", encoding="utf-8")
    again = build([a, b], out, html=False)
    assert again.loaded == 3 and again.cached == 2
    assert _quads(out / "store") == _quads(Path(again.files["store"]))
    assert ids.graph_iri("b") in _manifest(out)


def test_a_build_without_exports_exports_from_its_store(tmp_path):
    """``--no-exports``: no kg.ttl or kg.trig; ``kg export --data DIR/store`` streams them
    from the store, the same quads as a build with exports, the same bytes every time."""
    from click.testing import CliRunner

    from kg.cli import main
    a, b, _ = _reports(tmp_path)
    full = build([a, b], tmp_path / "full", html=False)
    bare = build([a, b], tmp_path / "bare", html=False, exports=False)
    assert "kg.ttl" not in bare.files and not (tmp_path / "bare" / "kg.ttl").exists()
    runner = CliRunner()
    outs = []
    for i in range(2):
        out = tmp_path / f"x{i}.trig"
        r = runner.invoke(main, ["export", "--data", str(tmp_path / "bare" / "store"), "--format", "trig",
                                 "-o", str(out)])
        assert r.exit_code == 0, r.output
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    got, want = ox.Store(), ox.Store()  # the store keeps values canonical (xsd:integer for
    got.load(outs[0], ox.RdfFormat.TRIG)  # xsd:nonNegativeInteger): compare as stores
    want.load(path=str(full.files["kg.trig"]), format=ox.RdfFormat.TRIG)
    assert {str(q) for q in got} == {str(q) for q in want} and len(got) > 10000
    r = runner.invoke(main, ["query", "counts", "--data", str(tmp_path / "bare" / "kg.ttl"), "--format", "csv"])
    assert r.exit_code == 0 and "ontology#Report,2" in r.output, r.output


def test_pages_of_a_corpus_are_the_same_bytes_every_build(tmp_path):
    """Each report's graph page is drawn with its report and kept: two builds from
    scratch give the same bytes, and a rebuild after one report changed keeps the other
    report's page as it was (the same file, not drawn again)."""
    a, b, c = _reports(tmp_path)
    one = build([a, b, c], tmp_path / "one", jobs=2)
    two = build([a, b, c], tmp_path / "two", jobs=1, cache=False)
    pages = sorted(p.name for p in Path(one.files["graphs"]).iterdir())
    assert pages == ["2022h1_zhoupu.html", "b.html", "c.html"]
    for name in pages + ["../graph.html", "../reports/index.html", "../reports/b.html"]:
        assert (Path(one.files["graphs"]) / name).read_bytes() == (Path(two.files["graphs"]) / name).read_bytes(), name
    before = (Path(one.files["graphs"]) / "2022h1_zhoupu.html").stat().st_ino
    page_b = (Path(one.files["graphs"]) / "b.html").read_bytes()
    b.write_text(b.read_text(encoding="utf-8") + "完成沪南公路(周园路-康沈路)大修，建成乙镇体育公园。\n",
                 encoding="utf-8")
    again = build([a, b, c], tmp_path / "one", jobs=1)
    assert (Path(again.files["graphs"]) / "2022h1_zhoupu.html").stat().st_ino == before
    assert (Path(again.files["graphs"]) / "b.html").read_bytes() != page_b
    assert "体育公园" in (Path(again.files["reports"]) / "b.html").read_text(encoding="utf-8")


def test_two_builds_into_one_folder_do_not_share_the_working_store(tmp_path):
    import pytest

    from kg.corpus.workstate import WorkState
    from kg.errors import OutputError
    a, b, _ = _reports(tmp_path)
    out = tmp_path / "out"
    build([a], out, html=False)
    held = WorkState(out)  # another build, in the middle of its store stage
    try:
        with pytest.raises(OutputError, match="another build is writing here"):
            build([a, b], out, html=False)
    finally:
        held.close()
    build([a, b], out, html=False)  # once the other is done
    assert ids.graph_iri("b") in _manifest(out)


def test_a_folder_of_reports_builds_its_txt_files(tmp_path):
    from click.testing import CliRunner

    from kg.cli import main
    _reports(tmp_path)
    (tmp_path / "reports" / "notes.md").write_text("不是报告", encoding="utf-8")
    r = CliRunner().invoke(main, ["build", str(tmp_path / "reports"), "-o", str(tmp_path / "out"), "--no-html"])
    assert r.exit_code == 0, r.output
    assert "kg build: 3 report(s)" in r.output
    (tmp_path / "empty").mkdir()
    r = CliRunner().invoke(main, ["build", str(tmp_path / "empty"), "-o", str(tmp_path / "out2")])
    assert r.exit_code == 1 and r.output.strip().endswith("a folder without report files (*.txt)"), r.output


def test_the_published_index_is_copied_only_when_the_store_changed(tmp_path, monkeypatch):
    """A rebuild with nothing changed publishes the same index file again (a hard link,
    no copy of a corpus's index); after a change, a new file that finds the new text; a
    build killed between the store's change and its publication does not leave the old
    index published as if it were the new one."""
    a, b, c = _reports(tmp_path)
    out = tmp_path / "out"
    one = build([a, b, c], out, html=False, exports=False)
    index = Path(one.files[INDEX_DIR]) / INDEX_FILE
    inode = index.stat().st_ino
    same = build([a, b, c], out, html=False, exports=False)
    assert (Path(same.files[INDEX_DIR]) / INDEX_FILE).stat().st_ino == inode
    b.write_text(b.read_text(encoding="utf-8") + "建成乙镇体育公园。\n", encoding="utf-8")
    import pytest
    import kg.pipeline

    def killed(*args, **kw):  # the store took the change; the build dies before publishing
        raise KeyboardInterrupt
    with monkeypatch.context() as m:
        m.setattr(kg.pipeline, "publish", killed)
        with pytest.raises(KeyboardInterrupt):
            build([a, b, c], out, html=False, exports=False)
    again = build([a, b, c], out, html=False, exports=False)
    fresh = Path(again.files[INDEX_DIR]) / INDEX_FILE
    assert fresh.stat().st_ino != inode
    assert [r[3] for r in TextIndex(fresh).sentences("体育公园")] == ["建成乙镇体育公园。"]


def test_exports_are_written_again_only_when_the_graph_changed(tmp_path):
    a, b, c = _reports(tmp_path)
    out = tmp_path / "out"
    one = build([a, b, c], out, html=False)
    inodes = {n: one.files[n].stat().st_ino for n in ("kg.ttl", "kg.trig")}
    same = build([a, b, c], out, html=False)
    assert {n: same.files[n].stat().st_ino for n in inodes} == inodes
    build([a, b, c], out, html=False, exports=False)  # no exports: none are kept
    assert not (out / "kg.ttl").exists()
    again = build([a, b, c], out, html=False)
    assert again.files["kg.ttl"].read_bytes() == one.files["kg.ttl"].read_bytes()
    b.write_text(b.read_text(encoding="utf-8") + "建成乙镇体育公园。\n", encoding="utf-8")
    changed = build([a, b, c], out, html=False)
    assert "体育公园" in changed.files["kg.ttl"].read_text(encoding="utf-8")
    assert "体育公园" in changed.files["kg.trig"].read_text(encoding="utf-8")


def test_a_first_build_loads_each_report_as_it_arrives_to_the_same_store(tmp_path, monkeypatch):
    """A first build streams each report's graph into the store while the others are
    analysed, and adds the commitments and links once every report is in: the same
    store, manifest, index and exports as loading graph by graph after the last report.
    The seed and its copy in another town share names (a links graph) and each answers
    its own targets (commitments added to a streamed graph)."""
    from kg.corpus.workstate import WorkState
    a = tmp_path / "reports" / "2022h1_zhoupu.txt"
    a.parent.mkdir()
    a.write_bytes(SEED.read_bytes())
    b = a.with_name("2022h1_xinchang.txt")
    b.write_text(SEED.read_text(encoding="utf-8").replace("周浦", "新场"), encoding="utf-8")
    streamed = []
    stream = WorkState.stream
    monkeypatch.setattr(WorkState, "stream", lambda self, g, *rest: (streamed.append(g), stream(self, g, *rest)))
    first = build([a, b], tmp_path / "streamed", html=False, tagger=False)
    assert streamed == [ids.graph_iri("2022h1_zhoupu"), ids.graph_iri("2022h1_xinchang")]
    monkeypatch.setattr(WorkState, "begin_stream", lambda self, graphs: False)
    after = build([a, b], tmp_path / "after", html=False, tagger=False)
    assert len(streamed) == 2 and first.loaded == after.loaded == 4  # two reports, ontology, links
    assert _quads(tmp_path / "streamed" / "store") == _quads(tmp_path / "after" / "store")
    for name in ("2022h1_zhoupu", "2022h1_xinchang"):  # own commitments went into the graph
        assert any("Commitment" in q for q in _graph(tmp_path / "streamed" / "store", name))
    manifest = json.loads((tmp_path / "streamed" / FOLDER / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["graphs"] == _manifest(tmp_path / "after")
    assert sum(manifest["triples"].values()) == first.triples == after.triples
    for f in ("kg.trig", "kg.ttl"):
        assert first.files[f].read_bytes() == after.files[f].read_bytes()
    hits = [TextIndex(tmp_path / d / INDEX_DIR / INDEX_FILE).sentences("新场") for d in ("streamed", "after")]
    assert hits[0] and hits[0] == hits[1]
    # a rebuild of the streamed folder changes nothing
    assert build([a, b], tmp_path / "streamed", html=False, tagger=False).loaded == 0


def test_a_build_with_other_code_streams_the_store_again(tmp_path, monkeypatch):
    """Other code than the store's (every report analysed again): the rebuild streams
    each graph again instead of replacing them one by one after the last report, to the
    same store; the same code again streams nothing."""
    from kg.corpus import workstate
    a, b, c = _reports(tmp_path)
    out = tmp_path / "out"
    build([a, b, c], out, html=False)
    before = _quads(out / "store")
    streamed = []
    stream = workstate.WorkState.stream
    monkeypatch.setattr(workstate.WorkState, "stream", lambda self, g, *rest: (streamed.append(g), stream(self, g, *rest)))
    build([a, b, c], out, html=False)
    assert streamed == []
    monkeypatch.setattr(workstate, "pipeline_hash", lambda: "other code")
    build([a, b, c], out, html=False)
    assert len(streamed) == 3 and _quads(out / "store") == before
    build([a, b, c], out, html=False)
    assert len(streamed) == 3


def test_a_rebuild_copies_the_exports_blocks_of_unchanged_reports(tmp_path, monkeypatch):
    """The exports of a rebuild are copied block by block from the report cache: the
    commitments of an unchanged report and an unchanged links graph are not made again
    (their blocks are cached with the reports'), and the files are those a build from
    scratch writes."""
    from kg.corpus.links import Corpus
    a = tmp_path / "reports" / "2022h1_zhoupu.txt"
    a.parent.mkdir()
    a.write_bytes(SEED.read_bytes())
    b = a.with_name("2022h1_xinchang.txt")
    b.write_text(SEED.read_text(encoding="utf-8").replace("周浦", "新场"), encoding="utf-8")
    c = a.with_name("c.txt")
    c.write_text("丙镇2023年政府工作报告\n一、2022年工作回顾\n建成丙镇文化中心。\n", encoding="utf-8")
    out = tmp_path / "out"
    build([a, b, c], out, html=False, tagger=False)
    c.write_text(c.read_text(encoding="utf-8") + "建成丙镇体育公园。\n", encoding="utf-8")
    made = []
    own = Corpus.own_triples
    monkeypatch.setattr(Corpus, "own_triples", lambda self, iri: (made.append(iri), own(self, iri))[1])
    chunks = Corpus.chunks
    monkeypatch.setattr(Corpus, "chunks", lambda self, iri: (made.append(iri), chunks(self, iri))[1])
    again = build([a, b, c], out, html=False, tagger=False)
    assert again.loaded == 1 and made == []
    fresh = build([a, b, c], tmp_path / "fresh", html=False, tagger=False, cache=False)
    # a build that reads no cache makes each block once, for the store and both exports
    assert sorted(made) == sorted([ids.graph_iri("2022h1_zhoupu"), ids.graph_iri("2022h1_xinchang"),
                                   ids.base() + "graph/links", ids.base() + "graph/ontology"])
    for f in ("kg.trig", "kg.ttl"):
        text = again.files[f].read_bytes()
        assert text == fresh.files[f].read_bytes() and "体育公园".encode() in text
    assert text.count(b"Commitment") >= 2


def test_exports_are_the_same_where_the_kernel_cannot_copy_files(tmp_path, monkeypatch):
    """Where copy_file_range is refused (another file system, an old kernel), the cached
    blocks are copied through Python, to the same bytes."""
    import errno
    import os
    a, b, c = _reports(tmp_path)
    one = build([a, b, c], tmp_path / "one", html=False, tagger=False)

    def refused(*args):
        raise OSError(errno.EXDEV, "Invalid cross-device link")
    monkeypatch.setattr(os, "copy_file_range", refused)
    two = build([a, b, c], tmp_path / "two", html=False, tagger=False)
    for f in ("kg.trig", "kg.ttl"):
        assert two.files[f].read_bytes() == one.files[f].read_bytes()
        assert len(two.files[f].read_bytes()) > 100_000


def test_a_rebuild_never_writes_the_index_file_it_published(tmp_path):
    """The working index is published as a hard link; the next build that changes it
    writes a copy, so the file a reader of the earlier outputs holds stays as it was."""
    a, b, c = _reports(tmp_path)
    out = tmp_path / "out"
    one = build([a, b, c], out, html=False, exports=False)
    published = (Path(one.files[INDEX_DIR]) / INDEX_FILE).resolve()
    working = out / FOLDER / INDEX_FILE
    assert published.stat().st_ino == working.stat().st_ino  # shared, not copied
    held = tmp_path / "held.sqlite"
    held.hardlink_to(published)  # what a reader of the first outputs has open
    before = held.read_bytes()
    b.write_text(b.read_text(encoding="utf-8") + "建成乙镇体育公园。\n", encoding="utf-8")
    again = build([a, b, c], out, html=False, exports=False)
    assert held.read_bytes() == before
    assert TextIndex(held).sentences("体育公园") == []
    fresh = Path(again.files[INDEX_DIR]) / INDEX_FILE
    assert [r[3] for r in TextIndex(fresh).sentences("体育公园")] == ["建成乙镇体育公园。"]
    assert fresh.stat().st_ino == working.stat().st_ino != held.stat().st_ino
    assert not list((out / FOLDER).glob("*.tmp"))


def test_reports_the_cache_holds_need_no_worker(tmp_path, monkeypatch):
    """An unchanged rebuild takes every report from the cache in the build's own process
    (no pool is started); with one report changed, the workers analyse that one, and the
    outputs are those of one job."""
    import kg.corpus.schedule as schedule
    a, b, c = _reports(tmp_path)
    out = tmp_path / "out"
    first = build([a, b, c], out, html=True, jobs=2, tagger=False).files["kg.ttl"].read_bytes()
    pools = []
    real = schedule._pool
    monkeypatch.setattr(schedule, "_pool", lambda jobs, tagger: pools.append(jobs) or real(jobs, tagger))
    same = build([a, b, c], out, html=True, jobs=2, tagger=False)
    assert pools == [] and same.cached == 3
    c.write_text(c.read_text(encoding="utf-8") + "建成丙镇体育公园。\n", encoding="utf-8")
    again = build([a, b, c], out, html=True, jobs=2, tagger=False)
    assert pools == [2] and again.cached == 2 and again.loaded == 1
    one = build([a, b, c], tmp_path / "one", html=True, jobs=1, tagger=False)
    for f in ("kg.ttl", "kg.trig", "graph.html"):
        assert again.files[f].read_bytes() == one.files[f].read_bytes()
    assert first != again.files["kg.ttl"].read_bytes()
