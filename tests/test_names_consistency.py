"""The corpus's consistency review: kg annotate consistency and revise (issue 10)."""
from __future__ import annotations

import re
import shutil

import pytest
from click.testing import CliRunner

from conftest import ROOT
from kg.cli import main
from kg.errors import InputError
from kg.names.consistency import Decision, apply, read_decisions, review, write_review
from kg.names.corpus import Unit, read_corpus

ANNOTATIONS = ROOT / "data" / "annotations"


def _u(uid: str, text: str, spans=()) -> Unit:
    report = uid.split("/")[0]
    return Unit(uid, report, "sentence", 0, len(text), text, list(spans))


def _fixture() -> dict[str, list[Unit]]:
    return {
        "a": [_u("a/0000", "实施乡村振兴战略，建设长江大桥。", [(2, 8, "Program"), (11, 15, "Facility")]),
              _u("a/0001", "深化乡村振兴战略。", [(2, 8, "Program")])],
        "b": [_u("b/0000", "推进乡村振兴战略落地。"),                               # unmarked
              _u("b/0001", "乡村振兴战略规划", [(0, 8, "Document")]),              # inside a longer name
              _u("b/0002", "建设长江大桥南段。", [(2, 8, "RoadSegment")]),          # inside
              _u("b/0003", "保护长江大桥。", [(2, 4, "Waterway")]),                # other bounds
              _u("b/0004", "实施乡村振兴战略。", [(2, 8, "Project")])],            # other type
    }


def test_review_finds_each_kind_of_odd_reading_and_skips_nested_names():
    groups = {g.name: g for g in review(_fixture())}
    odd = {(o.unit, o.status) for o in groups["乡村振兴战略"].odd}
    assert odd == {("b/0000", "unmarked"), ("b/0004", "type")}
    assert groups["乡村振兴战略"].usual == "Program" and groups["乡村振兴战略"].marked == 2
    assert {(o.unit, o.status) for o in groups["长江大桥"].odd} == {("b/0003", "bounds")}
    # 长江's other occurrences are inside longer names (长江大桥, 长江大桥南段): nothing odd
    assert "长江" not in groups and all(o.unit != "b/0002" for g in groups.values() for o in g.odd)
    sheet = write_review(list(groups.values()))
    assert "b/0000\t2\t8\tunmarked\t推进⟦乡村振兴战略⟧落地。" in sheet
    assert "保护[[⟦长江|Waterway]]大桥⟧。" in sheet        # the unit's own marks are shown


def test_decisions_mark_replace_and_remove():
    corpus = _fixture()
    ds = read_decisions("# a comment\nb/0000\t2\t8\tProgram\tas elsewhere\n"
                        "b/0003\t2\t6\tFacility\nb/0004\t2\t8\tnone\n")
    assert apply(corpus, ds) == 3
    b = {u.id: u.spans for u in corpus["b"]}
    assert b["b/0000"] == [(2, 8, "Program")]
    assert b["b/0003"] == [(2, 6, "Facility")]        # the overlapping Waterway is gone
    assert b["b/0004"] == []
    left = {g.name: g for g in review(corpus)}["乡村振兴战略"]
    assert [(o.unit, o.status) for o in left.odd] == [("b/0004", "unmarked")]
    assert apply(corpus, ds) == 0                      # applying twice changes nothing more


@pytest.mark.parametrize("lines, message", [
    ("b/0000\t2\t8\n", "expected unit"),
    ("b/0000\tx\t8\tProgram\n", "must be numbers"),
    ("b/0000\t2\t8\tThing\n", "unknown type"),
])
def test_bad_decision_lines_are_one_line_errors(lines, message):
    with pytest.raises(InputError, match=message):
        read_decisions(lines, "d.tsv")


def test_decisions_that_cannot_apply_are_errors():
    with pytest.raises(InputError, match="no unit"):
        apply(_fixture(), [Decision("z/0000", 0, 2, "Program")])
    with pytest.raises(InputError, match="outside"):
        apply(_fixture(), [Decision("b/0000", 5, 99, "Program")])
    with pytest.raises(InputError, match="overlap"):
        apply(_fixture(), [Decision("b/0000", 2, 8, "Program"), Decision("b/0000", 4, 10, "Project")])


def test_revise_writes_only_the_decided_units(tmp_path):
    folder = tmp_path / "ann"
    folder.mkdir()
    for name in ("2022h1_zhoupu", "2026_beijing"):
        shutil.copy(ANNOTATIONS / f"{name}.jsonl", folder)
    before = {f.name: f.read_text(encoding="utf-8") for f in folder.glob("*.jsonl")}
    unit = read_corpus(folder)["2022h1_zhoupu"][5]
    start = next(i for i, ch in enumerate(unit.text) if "\u4e00" <= ch <= "\u9fff")
    d = tmp_path / "d.tsv"
    d.write_text(f"{unit.id}\t{start}\t{start + 2}\tProgram\ttest\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["annotate", "revise", str(d), "--corpus", str(folder)])
    assert r.exit_code == 0, r.output
    assert "1 units changed" in r.output
    after = read_corpus(folder)
    assert (start, start + 2, "Program") in after["2022h1_zhoupu"][5].spans
    assert (folder / "2026_beijing.jsonl").read_text(encoding="utf-8") == before["2026_beijing.jsonl"]
    old = before["2022h1_zhoupu.jsonl"].splitlines()
    new = (folder / "2022h1_zhoupu.jsonl").read_text(encoding="utf-8").splitlines()
    assert [i for i, (x, y) in enumerate(zip(old, new)) if x != y] == [5]
    d.write_text("2022h1_zhoupu/9999\t0\t2\tProgram\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["annotate", "revise", str(d), "--corpus", str(folder)])
    assert r.exit_code == 1 and r.output.strip().count("\n") == 0 and "no unit" in r.output


def test_consistency_sheet_of_the_corpus(tmp_path):
    out = tmp_path / "sheet.txt"
    r = CliRunner().invoke(main, ["annotate", "consistency", "-o", str(out)])
    assert r.exit_code == 0, r.output
    lines = [ln for ln in out.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith(("#", "##"))]
    corpus = read_corpus(ANNOTATIONS)
    units = {u.id: u for us in corpus.values() for u in us}
    for ln in lines[:300]:
        uid, s, e, status, context = ln.split("\t")
        plain = re.sub(r"\|[A-Za-z]+\]\]|\[\[", "", context)
        assert f"⟦{units[uid].text[int(s):int(e)]}⟧" in plain
        assert status in ("marked", "unmarked", "bounds", "type")
