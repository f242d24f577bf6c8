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
