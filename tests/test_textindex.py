"""The build's full-text index (kg/textindex.py): `kg query search` answers from it the
same rows as the library's scanning SPARQL, for Chinese of any length, ASCII, FTS syntax
in the text and the modality filter; names and aliases are found by substring."""
from __future__ import annotations

import shutil

import pytest

from kg.errors import InputError
from kg.query import library, execute
from kg.store import load_store
from kg.textindex import TextIndex, index_beside

TEXTS = ["道路", "路", "小沥港路(繁荣路-周祝公路)", "高铁", "15", "2022年", '"', 'NEAR(a b) OR *', "。", "不存在的词语"]


@pytest.fixture(scope="module")
def stores(seed_build, tmp_path_factory):
    copy = tmp_path_factory.mktemp("copy") / "kg.ttl"
    shutil.copyfile(seed_build / "kg.ttl", copy)   # parsed: no index beside it
    return load_store(seed_build / "kg.ttl"), load_store(copy)


def test_the_build_publishes_an_index_beside_its_store(stores):
    indexed, scanned = stores
    assert index_beside(indexed.on_disk_path) is not None
    assert index_beside(getattr(scanned, "on_disk_path", None)) is None


@pytest.mark.parametrize("text", TEXTS)
def test_search_from_the_index_equals_the_scan(stores, text):
    indexed, scanned = stores
    spec = library()["search"]
    for modality in (None, "review", "plan"):
        params = {"text": text, **({"modality": modality} if modality else {})}
        a = execute(indexed, spec.text, params, spec)
        b = execute(scanned, spec.text, params, spec)
        assert a.vars == b.vars
        assert [tuple(map(str, r)) for r in a.rows] == [tuple(map(str, r)) for r in b.rows], (text, modality)
    if text == "道路":
        assert len(a.rows) >= 1


def test_names_and_aliases_are_found_by_substring(seed_build):
    index = TextIndex(index_beside(seed_build / "store"))
    found = {name for _, name, _ in index.names("韵涛")}
    assert "韵涛路" in found
    kinds = {(name, kind) for _, name, kind in index.names("地块")}
    assert any(kind == "alias" for _, kind in kinds) or any("地块" in n for n, _ in kinds)
    assert index.names("") == [] and index.sentences("   ") is None


def test_a_corrupt_index_is_a_one_line_error(tmp_path):
    bad = tmp_path / "index.sqlite"
    bad.write_bytes(b"not a database at all" * 100)
    with pytest.raises(InputError, match="not a search index"):
        TextIndex(bad)


def test_forgetting_a_graph_removes_its_rows_and_only_its(tmp_path):
    """A graph's rows are forgotten by their rowid ranges; a graph an older index holds
    without ranges is forgotten by its name."""
    from kg.textindex import add_rows, drop_rows, open_index
    con = open_index(tmp_path / "index.sqlite")
    sentence = lambda g, text: ("r" + g, 0, "s" + g + text, "", "", text)  # noqa: E731
    for g in ("a", "b", "c"):
        add_rows(con, g, [sentence(g, f"建成{g}镇文化中心。"), sentence(g, f"修建{g}路。")],
                 [("e" + g, f"{g}镇文化中心", "label")])
    # a graph written by an older kg: rows, no range
    con.execute("INSERT INTO sentences(tokens, sentence, report, begin, modality, section, text, graph) "
                "VALUES ('建 成 d 镇', 'sd', 'rd', 0, '', '', '建成d镇。', 'd')")
    drop_rows(con, "b")
    drop_rows(con, "d")
    left = sorted(r for (r,) in con.execute("SELECT graph FROM sentences"))
    assert left == ["a", "a", "c", "c"]
    assert sorted(r for (r,) in con.execute("SELECT graph FROM names")) == ["a", "c"]
    add_rows(con, "b", [sentence("b", "建成b镇体育公园。")], [])
    con.commit()
    index = TextIndex(tmp_path / "index.sqlite")
    assert [r[3] for r in index.sentences("体育公园")] == ["建成b镇体育公园。"]
    assert [r[3] for r in index.sentences("文化中心")] == ["建成a镇文化中心。", "建成c镇文化中心。"]
