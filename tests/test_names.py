"""Names (issue 10): the annotated corpus and its formats, the guide's examples, fold
scoring, training and tagging determinism, the shipped model and its errors."""
from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ROOT, SEED, SHARED
from kg.cli import main
from kg.errors import InputError, ResourceError
from kg.names.corpus import (TYPES, Unit, bio_tags, bioes_tags, from_marked, read_corpus, read_jsonl,
                             read_marked, spans_from_bio, to_conll, to_marked, units)
from kg.names.evaluate import score

ANNOTATIONS = ROOT / "data" / "annotations"
GUIDE = ANNOTATIONS / "GUIDE.md"


@pytest.fixture(scope="module")
def corpus():
    return read_corpus(ANNOTATIONS)


def _report_file(name: str) -> Path:
    return (SHARED / "seed" if name.startswith("2022") else SHARED / "corpus") / f"{name}.txt"


def test_corpus_size(corpus):
    sentences = sum(u.kind == "sentence" for us in corpus.values() for u in us)
    assert len(corpus) >= 13 and sentences >= 6000
    spans = [t for us in corpus.values() for u in us for _, _, t in u.spans]
    assert len(spans) > 4000 and set(spans) <= set(TYPES)


def test_every_span_is_exact_text_and_units_match_the_report(corpus):
    for name, us in corpus.items():
        for u in us:
            for s, e, t in u.spans:
                assert 0 <= s < e <= len(u.text) and u.text[s:e].strip() == u.text[s:e]
        path = _report_file(name)
        if not path.is_file():
            continue  # a fresh clone without ../shared: the spans are still checked
        from kg.ingest import read_report
        report = read_report(path)
        assert [(u.id, u.start, u.end, u.text) for u in units(report)] == \
               [(u.id, u.start, u.end, u.text) for u in us]
        assert all(report.text[u.start:u.end] == u.text for u in us)


def test_sources_record_every_report(corpus):
    rows = [ln.split("\t") for ln in (ANNOTATIONS / "sources.tsv").read_text(encoding="utf-8").splitlines()
            if ln and not ln.startswith("#")][1:]
    assert sorted(r[0] for r in rows) == sorted(corpus)
    for name, _, source, sha, n_units, *_ in rows:
        assert source.startswith("http") and int(n_units) == len(corpus[name])
        path = _report_file(name)
        if path.is_file():
            assert hashlib.sha256(path.read_bytes()).hexdigest() == sha


def test_marks_and_bio_round_trip(corpus):
    for us in corpus.values():
        for u in us:
            assert from_marked(to_marked(u.text, u.spans)) == (u.text, sorted(u.spans))
            assert spans_from_bio(bio_tags(u)) == sorted(u.spans)
            assert spans_from_bio(bioes_tags(u)) == sorted(u.spans)
    conll = to_conll(corpus["2022h1_zhoupu"][:3])
    assert conll.count("\n\n") == 3 and all(len(ln.split("\t")) == 2 for ln in conll.splitlines() if ln)


def test_bad_marks_and_records_are_one_line_errors(tmp_path):
    with pytest.raises(InputError, match="unknown type"):
        from_marked("建成[[长江|River]]")
    f = tmp_path / "bad.jsonl"
    f.write_text('{"id": "r/0", "report": "r", "kind": "sentence", "start": 0, "end": 2, '
                 '"text": "长江", "spans": [[0, 5, "Waterway"]]}\n', encoding="utf-8")
    with pytest.raises(InputError, match="outside"):
        read_jsonl(f)
    f.write_text("not json\n", encoding="utf-8")
    with pytest.raises(InputError, match="bad.jsonl:1"):
        read_jsonl(f)


def test_a_working_file_must_keep_the_text(tmp_path, seed_report):
    us = units(seed_report)
    f = tmp_path / "w.txt"
    line = to_marked(us[5].text, [])
    f.write_text(f"0005\t{line[:-1]}X\n", encoding="utf-8")
    with pytest.raises(InputError, match="text differs"):
        read_marked(f, us)
    f.write_text(f"0005\t{line}\n", encoding="utf-8")
    assert read_marked(f, us)[0].text == us[5].text


def guide_examples() -> list[tuple[str, list]]:
    out = []
    for line in GUIDE.read_text(encoding="utf-8").splitlines():
        if line.startswith("example: "):
            out.append(from_marked(line[len("example: "):]))
    return out


def test_guide_examples_are_well_formed():
    ex = guide_examples()
    assert len(ex) >= 10
    assert {t for _, spans in ex for *_, t in spans} >= {"Program", "Organization", "Road", "Zone",
                                                         "Region", "Facility", "Waterway", "Document"}


def test_the_system_gets_most_guide_examples_right():
    """The guide's examples, as a little report, through rules and tagger (strict match)."""
    from kg.ingest import parse_text
    from kg.extract import extract
    from kg.names.draft import as_units
    ex = guide_examples()
    text = "2026年工作安排\n" + "\n".join(t for t, _ in ex) + "\n"
    report = parse_text(text, name="guide")
    got = {u.text: u.spans for u in as_units(report, extract(report))}
    gold = [Unit(f"g/{i}", "g", "sentence", 0, len(t), t, spans) for i, (t, spans) in enumerate(ex)]
    pred = {f"g/{i}": got.get(t, []) for i, (t, _) in enumerate(ex)}
    s = score(gold, pred)["all"]
    assert s.precision >= 0.7 and s.recall >= 0.7, (s, pred)


def test_fold_scoring_on_a_small_fixture():
    gold = [Unit("a/0", "a", "sentence", 0, 10, "建设京雄高速和雄安新区", [(2, 6, "Road"), (7, 11, "Zone")]),
            Unit("a/1", "a", "sentence", 10, 16, "推进八八战略", [(2, 6, "Program")])]
    pred = {"a/0": [(2, 6, "Road"), (7, 11, "Region")], "a/1": [(2, 6, "Program"), (0, 2, "Project")]}
    s = score(gold, pred)
    assert (s["all"].tp, s["all"].fp, s["all"].fn) == (2, 2, 1)
    assert s["Road"].precision == 1.0 and s["Zone"].recall == 0.0 and s["Project"].precision == 0.0
    assert (s["places"].tp, s["places"].fp, s["places"].fn) == (0, 1, 1)  # Zone and Region


def test_training_is_deterministic(tmp_path, corpus):
    from kg.names.crf import Tagger, train
    small = corpus["2026_beijing"][:60] + corpus["2022h1_zhoupu"][:60]
    a = train(small, tmp_path / "a.crfsuite", settings={"max_iterations": 15})
    b = train(small, tmp_path / "b.crfsuite", settings={"max_iterations": 15})
    assert a.read_bytes() == b.read_bytes()
    assert oct(a.stat().st_mode & 0o777) == "0o644"
    tg = Tagger(a)
    text = corpus["2026_beijing"][3].text
    assert tg.tag(text) == Tagger(b).tag(text)


@pytest.mark.parametrize("labels", ["BIO", "BIOES"])
def test_beliefs_follow_the_label_scheme(tmp_path, corpus, labels):
    """The model's belief in a span reads the labels of its scheme: high for the spans it
    tags, low for a span of plain words."""
    from kg.names.crf import Tagger, train
    small = corpus["2026_beijing"][:80] + corpus["2026_zhejiang"][:80]
    model = train(small, tmp_path / "m.crfsuite", settings={"max_iterations": 30, "labels": labels})
    tg = Tagger(model)
    assert any(lab.startswith("E-") for lab in tg._tagger.labels()) == (labels == "BIOES")
    # (a text without quotes: mend_quotes may move a span off the labels the model gave)
    text = next(u.text for u in corpus["2026_zhejiang"][80:]
                if "“" not in u.text and len(tg.tag(u.text)) >= 2)
    spans = tg.tag(text)
    plain = [(i, i + 2, spans[0][2]) for i in range(len(text) - 2)
             if not any(s < i + 2 and i < e for s, e, _ in spans)][:5]
    got, beliefs = tg.tag_and_check(text, spans + plain)
    assert got == spans
    path = tg._tagger.tag(tg.features(text))      # the labels the model gave, one a character
    for (s, e, _), b in zip(spans, beliefs):
        assert b == pytest.approx(sum(tg._tagger.marginal(path[i], i) for i in range(s, e)) / (e - s))
    assert min(beliefs[:len(spans)]) > max(beliefs[len(spans):])


def test_shipped_model_was_trained_on_this_corpus():
    rec = json.loads((ROOT / "data" / "models" / "names.json").read_text(encoding="utf-8"))
    model = ROOT / "data" / "models" / rec["model"]
    assert hashlib.sha256(model.read_bytes()).hexdigest() == rec["sha256"]
    for name, info in rec["corpus"].items():
        f = ANNOTATIONS / f"{name}.jsonl"
        assert hashlib.sha256(f.read_bytes()).hexdigest() == info["sha256"], f"retrain: {name} changed"
    assert sorted(rec["corpus"]) == sorted(p.stem for p in ANNOTATIONS.glob("*.jsonl"))


def test_tagging_is_byte_identical_across_hash_seeds(tmp_path):
    outs = []
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        r = subprocess.run([sys.executable, "-m", "kg.cli", "extract", str(SEED), "--format", "json"],
                           capture_output=True, env=env, cwd=tmp_path, timeout=300)
        assert r.returncode == 0, r.stderr.decode()
        outs.append(r.stdout)
    assert outs[0] == outs[1]
    mentions = json.loads(outs[0])["mentions"]
    sources = {m["source"] for m in mentions}
    assert {"tagger", "rule", "gazetteer"} <= sources | {"rule+tagger"} and "tagger" in sources
    assert all("source" not in m["attrs"] for m in mentions)


@pytest.mark.parametrize("content", [None, b"", b"not a model at all, just some bytes" * 4])
def test_missing_or_corrupt_model_is_one_line_error(tmp_path, monkeypatch, content):
    from kg.names import tagger
    bad = tmp_path / "names.crfsuite"
    if content is not None:
        bad.write_bytes(content)
    monkeypatch.setenv("KG_NAMES_MODEL", str(bad))
    tagger._tagger.cache_clear()
    try:
        r = CliRunner().invoke(main, ["extract", str(SEED), "--format", "json"])
    finally:
        tagger._tagger.cache_clear()
    assert r.exit_code == 1
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kg: error:") and "names.crfsuite" in lines[0]
    assert re.search("missing model|not a CRF model|cannot load", lines[0])


def test_features_stay_linear_on_one_long_word():
    """A run of digits is one segmenter word; its word feature on each of its characters
    made features (and tagging) n² in the run's length: 20,000 digits took 40 s."""
    from kg.names.features import char_features
    short, long_ = ("投资" + "9" * n + "亿元。" for n in (2000, 20000))
    size = [sum(len(f) for feats in char_features(t) for f in feats) for t in (short, long_)]
    assert size[1] < 12 * size[0]  # ten times the text, about ten times the features
    assert "w=2022" in char_features("2022年")[0]  # short words keep their feature


def test_segmenter_dictionary_names_are_a_gazetteer_of_the_settings(monkeypatch):
    """jieba's dictionary words tagged nt/ns/nz (3+ characters) are marked as gazetteer
    hits where the settings list the "segmenter" gazetteer, and only then."""
    from kg.names import features
    text = "支持三峡总公司和万国邮政联盟发展"
    def marks(kinds):
        cfg = {**features.config(), "features": {**features.config()["features"], "gazetteers": kinds}}
        monkeypatch.setattr(features, "config", lambda: cfg)
        for f in (features._gazetteer, features._first_chars):
            f.cache_clear()
        try:
            return [[f for f in feats if f.startswith("gz")] for feats in features.char_features(text)]
        finally:
            for f in (features._gazetteer, features._first_chars):
                f.cache_clear()
    with_it = marks(["admin", "segmenter"])
    assert with_it[2] == ["gzB=nt"] and with_it[6] == ["gzE=nt"]      # 三峡总公司
    assert with_it[8] == ["gzB=nt"] and with_it[13] == ["gzE=nt"]     # 万国邮政联盟
    assert not any(f.endswith("=nt") for fs in marks(["admin"]) for f in fs)


def test_the_segmenter_gets_bounded_pieces_that_cut_where_it_cuts_anyway():
    """jieba's HMM is n² in a run it does not know (80,000 路: 24 s); pieces of at most
    400 characters end after punctuation, so a long sentence with punctuation gives the
    same words as one call."""
    import time
    from kg.names.features import _cut, _jieba
    tok, _ = _jieba()
    long_sentence = "完成周秀路大修，推进国际医学园区建设，新增就业岗位300个；" * 40
    assert list(_cut(tok, long_sentence, 400)) == list(tok.cut(long_sentence, HMM=True))
    t0 = time.process_time()
    words = list(_cut(tok, "路" * 40_000, 400))
    assert "".join(words) == "路" * 40_000 and time.process_time() - t0 < 5


def test_tagged_names_keep_quotes_whole(corpus):
    """The guide's quote rules hold for what the shipped model tags: a name never holds one
    quote of a pair, and a name quoted whole is given without its quotes."""
    from kg.names.tagger import tagger
    tg = tagger()
    seen = 0
    for u in corpus["2026_chongqing"] + corpus["2026_beijing"]:
        if "“" not in u.text:
            continue
        for s, e, _ in tg.tag(u.text):
            name = u.text[s:e]
            assert name.count("“") == name.count("”"), (u.id, name)
            assert not (name.startswith("“") and name.endswith("”") and name.count("“") == 1), (u.id, name)
            seen += "“" in name
    assert seen >= 5      # quoted names with their head (“渝车出海”行动计划) are found
