"""Glossary: the seed's 名词解释 against a hand-made gold annotation, other layouts
(full-width punctuation, 注： notes), body mentions, and the SKOS graph."""
from __future__ import annotations

import pyoxigraph as ox
import pytest
from gold import locate, read

from kg.extract import extract, glossary
from kg.ingest import parse_text

GOLD = read("glossary.tsv")
GOLD_MENTIONS = read("glossary_mentions.tsv")
PREFIXES = """PREFIX kg: <https://w3id.org/gwr-kg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


def _split(cell: str) -> list[str]:
    return [x for x in cell.split("|") if x]


def test_seed_entries_exact(seed_report):
    got = [(e.label, seed_report.text[e.def_start:e.def_end], [c[2] for c in e.components])
           for e in glossary.entries(seed_report)]
    want = [(g["label"], g["definition"], _split(g["components"])) for g in GOLD]
    assert got == want


def test_seed_entry_mentions_carry_definition_and_narrower(seed_report):
    ms = [m for m in extract(seed_report) if m.type == "GlossaryTerm"
          and m.attrs.get("role") == "entry"]
    assert [m.text for m in ms] == [g["as_written"] for g in GOLD]
    for m, g in zip(ms, GOLD):
        assert m.attrs["definition"] == g["definition"]
        assert [r.key for r in m.rels if r.predicate == "narrower"] == _split(g["components"])


def test_seed_body_mentions(seed_report):
    text = seed_report.text
    ms = [m for m in extract(seed_report) if m.type == "GlossaryTerm"
          and m.attrs.get("role") == "mention"]
    want = {(locate(text, g["context"], g["text"]), g["label"]) for g in GOLD_MENTIONS}
    got = {((m.start, m.end), m.key) for m in ms}
    assert got == want


def _full_width(text: str) -> str:
    return text.translate(str.maketrans({",": "，", ":": "：", "(": "（", ")": "）"}))


def test_full_width_punctuation(seed_report):
    """The seed with full-width punctuation (as the provincial reports write it)."""
    r = parse_text(_full_width(seed_report.text), name="fw")
    got = [(e.label, r.text[e.def_start:e.def_end], [c[2] for c in e.components])
           for e in glossary.entries(r)]
    want = [(_full_width(g["label"]), _full_width(g["definition"]), _split(g["components"]))
            for g in GOLD]
    assert got == want


def test_notes_after_zhu_at_the_end_of_a_report():
    """Numbered notes after 注： at the end of the text, not under a 名词解释 heading."""
    body = "一、加强作风建设\n推进“四责协同”机制向基层延伸。抓好“三份清单”全过程管理。\n"
    notes = ("注：1.“四责协同”机制：党委主体责任、纪委监督责任、党委书记第一责任人责任和班子成员"
             "“一岗双责”组成有机整体。\n2.“三份清单”：问题清单、任务清单、责任清单。\n")
    r = parse_text("下半年工作要点\n" + body + notes, name="notes")
    es = glossary.entries(r)
    assert [(e.label, [c[2] for c in e.components]) for e in es] == [
        ("四责协同机制", ["党委主体责任", "纪委监督责任", "党委书记第一责任人责任", "班子成员一岗双责"]),
        ("三份清单", ["问题清单", "任务清单", "责任清单"])]
    assert r.text[es[1].def_start:es[1].def_end] == "问题清单、任务清单、责任清单。"
    body_mentions = [m.key for m in glossary.extract(r, ()) if m.attrs.get("role") == "mention"]
    assert body_mentions == ["四责协同机制", "三份清单"]


def test_no_glossary_no_terms():
    r = parse_text("上半年工作回顾\n一、发展\n落实“三份清单”,完成任务。\n", name="t")
    assert glossary.extract(r, ()) == []


@pytest.fixture(scope="module")
def store(seed_store):
    return seed_store


def test_graph_lists_the_glossary_with_definitions(store):
    rows = store.query(PREFIXES + """
        SELECT ?label ?definition WHERE {
          ?report kg:glossary ?scheme .
          ?c skos:inScheme ?scheme ; skos:prefLabel ?label ; skos:definition ?definition .
        } ORDER BY ?label""")
    got = {(r["label"].value, r["definition"].value) for r in rows}
    assert got == {(g["label"], g["definition"]) for g in GOLD}


def test_graph_alt_labels_and_narrower(store):
    for g in GOLD:
        rows = store.query(PREFIXES + """
            SELECT ?l ?alt WHERE { ?c skos:prefLabel ?l ; skos:definition ?d . ?c skos:altLabel ?alt }""",
                           substitutions={ox.Variable("l"): ox.Literal(g["label"], language="zh")})
        assert {r["alt"].value for r in rows} == set(_split(g["alt_labels"])), g["label"]
        rows = store.query(PREFIXES + """
            SELECT ?l ?part WHERE { ?c skos:prefLabel ?l ; skos:definition ?d ; skos:narrower ?n .
                                 ?n skos:prefLabel ?part ; skos:broader ?c }""",
                           substitutions={ox.Variable("l"): ox.Literal(g["label"], language="zh")})
        assert {r["part"].value for r in rows} == set(_split(g["components"])), g["label"]


def test_graph_sentence_to_definition(store, seed_report):
    """From a sentence of the body that uses a term, to the term's definition."""
    s, e = locate(seed_report.text, "抓好“三份清单”全过程", "三份清单")
    rows = list(store.query(PREFIXES + """
        SELECT ?s ?t ?sentence ?definition WHERE {
          ?sentence a kg:Sentence ; nif:beginIndex ?b ; nif:endIndex ?e .
          FILTER (?b <= ?s && ?e >= ?t)
          ?mention kg:inSentence ?sentence ; kg:mentionOf ?concept .
          ?concept a kg:GlossaryTerm ; skos:definition ?definition .
        }""", substitutions={ox.Variable("s"): ox.Literal(s), ox.Variable("t"): ox.Literal(e)}))
    assert [r["definition"].value for r in rows] == ["问题清单、任务清单、责任清单"]


def test_appended_glossary_with_circled_numbers_and_definition_cues():
    """"附：名词解释" as a plain line, entries ①②, 指/是指 leading into the definition,
    and a definition made of clauses (no parts) next to a term with a numeral."""
    text = ("下半年工作要点\n一、发展\n培育“专精特新”企业,落实“三个区分开来”。\n附：名词解释\n"
            "①“专精特新”企业：指具有专业化、精细化、特色化、新颖化特征的中小企业。\n"
            "②“三个区分开来”是指把干部在推进改革中因缺乏经验、先行先试出现的失误错误，"
            "同明知故犯的违纪违法行为区分开来。\n")
    r = parse_text(text, name="t")
    got = [(e.label, r.text[e.def_start:e.def_end], e.components) for e in glossary.entries(r)]
    assert got == [
        ("专精特新企业", "具有专业化、精细化、特色化、新颖化特征的中小企业。", []),
        ("三个区分开来", "把干部在推进改革中因缺乏经验、先行先试出现的失误错误，同明知故犯的违纪违法行为区分开来。", [])]
    uses = [(m.text, m.key) for m in glossary.extract(r, ()) if m.attrs.get("role") == "mention"]
    assert uses == [("“专精特新”企业", "专精特新企业"), ("三个区分开来", "三个区分开来")]


def test_space_separated_terms_and_lenticular_brackets():
    text = ("下半年工作要点\n一、发展\n推动规上工业企业和【两新】工作,两新组织党建。\n名词解释\n"
            "1、规上工业企业　指年主营业务收入2000万元及以上的工业法人单位。\n"
            "2、【两新】：大规模设备更新和消费品以旧换新。\n")
    r = parse_text(text, name="t")
    got = [(e.label, r.text[e.def_start:e.def_end], [c[2] for c in e.components])
           for e in glossary.entries(r)]
    assert got == [("规上工业企业", "年主营业务收入2000万元及以上的工业法人单位。", []),
                   ("两新", "大规模设备更新和消费品以旧换新。", ["大规模设备更新", "消费品以旧换新"])]
    uses = [(m.text, m.key) for m in glossary.extract(r, ()) if m.attrs.get("role") == "mention"]
    assert uses == [("规上工业企业", "规上工业企业"), ("两新", "两新")]  # not 两新组织
