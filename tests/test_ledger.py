"""The ledger on disk (kg/corpus/ledger.py): what ties reports together, linked group by
group from SQLite, is what linking every report's facts in memory gives; it holds the
reports of the last build and no other; a damaged ledger is made again from the cache."""
from __future__ import annotations

import json

from rdflib import Graph

from conftest import SEED
from kg import ids
from kg.build import add_report, analyse
from kg.corpus.ledger import Facts, Ledger
from kg.corpus.workstate import FOLDER
from kg.facts.commitments import link, placed
from kg.ingest import read_report
from kg.pipeline import build


def _ledgers(tmp_path):
    """Two reports of one place (the seed, and the seed again under another name):
    each's targets are answered by its own outcomes and by the other's."""
    copy = tmp_path / "2022h1_zhoupu_again.txt"
    copy.write_bytes(SEED.read_bytes())
    out = {}
    for path in (SEED, copy):
        report = read_report(path)
        out[report.name] = add_report(Graph(), analyse(report, tagger=False))
    return out


def test_linking_group_by_group_gives_what_linking_all_at_once_gives(tmp_path):
    ledgers = _ledgers(tmp_path)
    ledger = Ledger(tmp_path)
    for name, entries in ledgers.items():
        ledger.add(name, Facts(entries))
    graph_of = {ids.report_iri(n): ids.graph_iri(n) for n in ledgers}
    ledger.link(graph_of)
    own, linked = placed(link([e for entries in ledgers.values() for e in entries]))
    assert linked and all(own.values())  # both kinds are there to compare
    assert list(ledger.linked()) == linked
    for report, commitments in own.items():
        assert ledger.own(graph_of[report]) == commitments
    assert set(ledger.own_digests()) == {graph_of[r] for r in own}
    # values come back as they went in: decimals as decimals
    assert any(c.progress is not None for c in linked)


def test_the_ledger_holds_the_reports_of_the_last_build(tmp_path):
    a = tmp_path / "reports" / "2022h1_zhoupu.txt"
    a.parent.mkdir()
    a.write_bytes(SEED.read_bytes())
    b = a.with_name("2022h1_xinchang.txt")
    b.write_text(SEED.read_text(encoding="utf-8").replace("周浦", "新场"), encoding="utf-8")
    out = tmp_path / "out"
    both = build([a, b], out, html=False, tagger=False)
    assert both.entities == build([a, b], tmp_path / "fresh", html=False, tagger=False).entities
    one = build([a], out, html=False, tagger=False)
    assert one.entities == build([a], tmp_path / "alone", html=False, tagger=False).entities
    assert one.entities != both.entities
    ledger = Ledger(out / FOLDER)
    assert len(ledger.known) == 1
    names = {r[0] for r in ledger.db.execute("SELECT DISTINCT key FROM names")}
    assert names == ledger.known


def test_a_damaged_ledger_is_made_again_from_the_cache(tmp_path):
    a = tmp_path / "reports" / "2022h1_zhoupu.txt"
    a.parent.mkdir()
    a.write_bytes(SEED.read_bytes())
    b = a.with_name("2022h1_zhoupu_again.txt")
    b.write_bytes(SEED.read_bytes())
    out = tmp_path / "out"
    first = build([a, b], out, html=False, tagger=False)
    trig = first.files["kg.trig"].read_bytes()
    manifest = json.loads((out / FOLDER / "manifest.json").read_text(encoding="utf-8"))
    assert ids.base() + "graph/links" in manifest["graphs"]  # the copies answer each other
    for p in (out / FOLDER).glob("ledger.sqlite*"):
        p.write_bytes(b"not a database" * 100)
    again = build([a, b], out, html=False, tagger=False)
    assert again.cached == 2 and again.loaded == 0
    assert again.files["kg.trig"].read_bytes() == trig


def test_a_rebuild_links_only_the_changed_reports_groups_and_gives_a_fresh_builds_bytes(
        tmp_path, monkeypatch):
    import kg.corpus.ledger
    a = tmp_path / "reports" / "2022h1_zhoupu.txt"
    a.parent.mkdir()
    a.write_bytes(SEED.read_bytes())
    b = a.with_name("2022h1_zhoupu_again.txt")
    b.write_bytes(SEED.read_bytes())
    c = a.with_name("2022h1_xinchang.txt")  # another place: its groups are its own
    c.write_text(SEED.read_text(encoding="utf-8").replace("周浦", "新场"), encoding="utf-8")
    out = tmp_path / "out"
    build([a, b, c], out, html=False, tagger=False)
    text = SEED.read_text(encoding="utf-8")
    b.write_text(text[: len(text) // 2], encoding="utf-8")  # half its outcomes and targets gone
    linked = []
    real = kg.corpus.ledger.link
    monkeypatch.setattr(kg.corpus.ledger, "link", lambda es: linked.append(len(es)) or real(es))
    again = build([a, b, c], out, html=False, tagger=False)
    groups = Ledger(out / FOLDER).db.execute(
        "SELECT COUNT(DISTINCT gkey) FROM entries WHERE promise").fetchone()[0]
    assert 0 < len(linked) < groups
    fresh = build([a, b, c], tmp_path / "fresh", html=False, tagger=False, cache=False)
    assert again.files["kg.trig"].read_bytes() == fresh.files["kg.trig"].read_bytes()
