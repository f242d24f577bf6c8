"""Hostile report files (tests/cases/hostile/reports.toml): each gives its expected outcome
and never a traceback; a successful build is Turtle a strict parser reads back. Properties
(hypothesis): any text either fails with a KgError or builds, every span equals the
report's slice, and IRI minting is injective over distinct names."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.cli import main
from kg.errors import KgError

CASES = tomllib.loads((Path(__file__).resolve().parent / "cases" / "hostile" / "reports.toml")
                      .read_text(encoding="utf-8"))["case"]


def case_bytes(case: dict, times: int | None = None) -> bytes:
    if "hex" in case:
        return bytes.fromhex(case["hex"])
    if "unit" in case:
        text = case.get("head", "") + case["unit"] * (times or case["times"]) + case.get("tail", "")
    else:
        text = case["text"]
    return text.encode(case.get("encoding", "utf-8"), "replace")


def test_the_case_file_covers_the_shapes():
    names = {c["name"] for c in CASES}
    assert len(CASES) >= 20 and {"big5-mojibake", "many-road-segments", "nested-book-marks",
                                 "html-and-script-in-names", "one-line-without-punctuation"} <= names


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["name"])
def test_hostile_report(tmp_path, case):
    path = tmp_path / f"{case['name']}.txt"
    path.write_bytes(case_bytes(case))
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["build", str(path), "-o", str(out)] + ([] if case.get("html") else ["--no-html"]))
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exc_info
    if case["expect"] == "error":
        assert r.exit_code == 1
        lines = r.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("kg: error:") and case["message"] in lines[0]
        assert not (out / "kg.ttl").exists()
        return
    assert r.exit_code == 0, r.output
    store = ox.Store()
    store.bulk_load(path=str(out / "kg.ttl"), format=ox.RdfFormat.TURTLE)  # strict parser
    assert len(store) > 0
    trig = ox.Store()
    trig.bulk_load(path=str(out / "kg.trig"), format=ox.RdfFormat.TRIG)


TEXT = st.text(alphabet=st.sampled_from(list("上半年工作回顾一二、（）()一.。，,；：“”《》路河村镇园区项目工程行动地块街坊丘单元-0123456789亿元%\n <>\"'\\&#{}|^`@")),
               min_size=0, max_size=200)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT)
def test_any_text_fails_cleanly_or_builds_sound_rdf(text):
    from kg.build import analyse, build_dataset
    from kg.ingest import parse_text
    from kg.serialize import to_turtle
    try:
        report = parse_text(text, name="prop")
        res = analyse(report)
    except KgError:
        return
    for m in res.mentions:
        assert report.text[m.start:m.end] == m.text
    ds = build_dataset([report])
    triples = {t for g in ds.graphs() for t in g}
    store = ox.Store()
    store.bulk_load(to_turtle(triples).encode("utf-8"), ox.RdfFormat.TURTLE)
    assert len(store) == len(triples)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=12), min_size=2, max_size=30, unique=True))
def test_iri_minting_is_injective(names):
    from kg.ids import entity_iri, normalize
    keys = {normalize(n) for n in names}
    iris = {entity_iri("Road", k, "周浦镇") for k in keys}
    assert len(iris) == len(keys)
