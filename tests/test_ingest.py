"""Reading reports: metadata, section tree, modality, paragraphs and sentence offsets."""
from __future__ import annotations

import codecs

import pytest

from conftest import CORPUS, SEED, needs_corpus
from kg.errors import InputError
from kg.ingest import decode, parse_text, read_report, split_sentences

# The seed's section tree, read off the report by hand: (level, number, title, modality).
SEED_TREE = [
    (0, "", "上半年工作回顾", "review"),
    (1, "一、", "众志成城,在大上海保卫战中体现周浦担当", "review"),
    (2, "(一)", "迎难而上,凝聚同心抗疫磅礴力量", "review"),
    (2, "(二)", "精准施策,遏制疫情蔓延势头", "review"),
    (2, "(三)", "科学防控,守牢常态化疫情防控底线", "review"),
    (1, "二、", "统筹发展,经济社会发展复苏中奋起直追", "review"),
    (2, "(一)", "应对冲击,经济形势企稳回升", "review"),
    (2, "(二)", "持续发力,城乡建管品质提升", "review"),
    (2, "(三)", "精细管理,城市运行安全有序", "review"),
    (2, "(四)", "以民为本,民生保障做实做细", "review"),
    (1, "三、", "久久为功,在推进政府自身建设中持续发力", "review"),
    (0, "", "下半年工作要点", "plan"),
    (1, "一、", "慎终如始,抓好常态化疫情防控", "plan"),
    (1, "二、", "抢抓进度,全面提振经济发展信心", "plan"),
    (1, "三、", "扩容提质,持续激发城乡发展活力", "plan"),
    (1, "四、", "多措并举,提高城市治理现代化水平", "plan"),
    (1, "五、", "用心用情,推动民生事业长足发展", "plan"),
    (1, "六、", "做强品牌,深入推进文化魅力建设", "plan"),
    (1, "七、", "强化担当,不断加强政府自身建设", "plan"),
    (0, "", "名词解释", "glossary"),
]


def test_seed_section_tree(seed_report):
    got = [(s.level, s.number, s.title, s.modality) for s in seed_report.sections]
    assert got == SEED_TREE


def test_seed_section_nesting(seed_report):
    by_path = {s.path: s for s in seed_report.sections}
    assert by_path["1.2.3"].title.startswith("精细管理")
    assert by_path["1.2.3"].parent == "1.2"
    assert by_path["2.3"].parent == "2"
    for s in seed_report.sections:
        if s.parent:
            p = by_path[s.parent]
            assert p.start <= s.start and s.end <= p.end
        assert seed_report.text[s.title_start:s.title_end] == s.title


def test_seed_metadata(seed_report):
    m = seed_report.meta
    assert m["title"] == "周浦镇2022年上半年政府工作报告"
    assert m["index_no"] == "SY0024695230202200094"
    assert m["date"] == "2022-08-10"
    assert m["source"].startswith("https://www.pudong.gov.cn/")
    assert m["speaker"] == "赵辉茂"
    assert m["place"] == "周浦镇"
    assert (m["year"], m["period"]) == ("2022", "上半年")
    # characters lost in the source stay lost: parse what is there, never invent
    assert m["meeting"] == "202289日在周浦镇第人民代表大会第次会议上"


def test_front_matter_without_sidecar(tmp_path):
    p = tmp_path / "r.txt"
    p.write_bytes(SEED.read_bytes())
    m = read_report(p).meta
    assert m["publisher"] == "周浦镇"          # 发布机构 from the text itself
    assert m["date"] == "2022-08-10"
    assert "source" not in m


def test_every_sentence_is_an_exact_slice(seed_report):
    text = seed_report.text
    assert len(seed_report.sentences) > 200
    prev_end = 0
    for s in seed_report.sentences:
        piece = text[s.start:s.end]
        assert piece and piece == piece.strip() and "\n" not in piece
        assert s.start >= prev_end
        prev_end = s.end
        para = seed_report.paragraphs[s.paragraph]
        assert para.start <= s.start and s.end <= para.end


def test_sentences_cut_at_enders_and_run_ons(seed_report):
    texts = [seed_report.text[s.start:s.end] for s in seed_report.sentences]
    assert "上下齐心,尽锐出战。" in texts
    # ASCII semicolons end sentences in the seed
    assert "领导班子第一时间包干到位、靠前指挥;" in texts
    # a run-on stretch that lost its 。 is cut, never longer than the limit
    assert max(len(t) for t in texts) <= 160


def test_split_keeps_closing_quotes():
    t = "实现“社会面清零。”随后推进。"
    assert [t[a:b] for a, b in split_sentences(t, 0, len(t))] == ["实现“社会面清零。”", "随后推进。"]


def test_modality_of_sentences(seed_report):
    def modality_of(fragment):
        pos = seed_report.text.index(fragment)
        return seed_report.sentence_at(pos).modality
    assert modality_of("财政总收入7亿元") == "review"
    assert modality_of("年内完成35台加梯任务") == "plan"
    assert modality_of("招商资源清单、项目清单、政策清单") == "glossary"
    assert modality_of("现在,我代表周浦镇人民政府") == "other"


def test_glossary_items_are_paragraphs_not_headings(seed_report):
    gloss = [s for s in seed_report.sections if s.modality == "glossary"]
    assert len(gloss) == 1
    paras = [p for p in seed_report.paragraphs if p.section == gloss[0].path]
    starts = [seed_report.text[p.start:p.start + 2] for p in paras]
    assert starts[:7] == ["1.", "2.", "3.", "4.", "5.", "6.", "7."]


def test_fullwidth_inline_headings():
    text = ("2025年某省政府工作报告\n各位代表：\n一、2025年工作回顾\n"
            "（一）着力稳住经济。全年增长5%。\n二、2026年重点工作\n"
            "（一）扩大内需。推进消费。\n1．提振消费\n（1）以旧换新。补贴到位。\n")
    r = parse_text(text, name="t")
    got = [(s.level, s.title, s.modality) for s in r.sections]
    assert got == [(1, "2025年工作回顾", "review"), (2, "着力稳住经济", "review"),
                   (1, "2026年重点工作", "plan"), (2, "扩大内需", "plan"),
                   (3, "提振消费", "plan"), (4, "以旧换新", "plan")]
    sents = [r.text[s.start:s.end] for s in r.sentences]
    assert "全年增长5%。" in sents and "补贴到位。" in sents


# -- the shared corpus (full-width punctuation, provincial reports) -------------------

@needs_corpus
def test_corpus_beijing_section_tree():
    r = read_report(CORPUS / "2026_beijing.txt")
    assert r.meta["place"] == "北京市" and r.meta["date"] == "2026-02-02"
    assert r.meta["speaker"] == "殷勇"
    top = [(s.number, s.title, s.modality) for s in r.sections if s.level == 1]
    assert [t[0] for t in top] == ["一、", "二、", "三、"]
    assert top[0][1:] == ("2025年工作回顾", "review")
    assert top[2][1:] == ("2026年重点工作", "plan")
    under_three = [s for s in r.sections if s.parent == "3"]
    assert len(under_three) == 10
    assert under_three[0].title == "深入落实城市总体规划，推动京津冀协同发展走深走实"
    assert all(s.modality == "plan" for s in under_three)


@needs_corpus
def test_corpus_shanghai_section_tree():
    r = read_report(CORPUS / "2026_shanghai.txt")
    assert r.meta["speaker"] == "龚正"
    top = [s for s in r.sections if s.level == 1]
    assert [s.number for s in top] == ["一、", "二、", "三、", "四、"]
    counts = [len([c for c in r.sections if c.parent == s.path]) for s in top]
    assert counts == [5, 4, 10, 4]
    assert [s.modality for s in top] == ["review", "plan", "plan", "plan"]
    # an inline heading: the title stops at the first 。 and the rest is body text
    s = next(s for s in r.sections if s.parent == "2")
    assert s.title == "坚定不移加快“五个中心”建设"


@needs_corpus
def test_all_corpus_reports_parse_with_exact_offsets():
    for path in sorted(CORPUS.glob("*.txt")):
        r = read_report(path)
        assert r.body_start > 0, path  # "# source:" header lines
        assert len([s for s in r.sections if s.level == 1]) >= 3, path
        assert {s.modality for s in r.sections} >= {"review", "plan"}, path
        for s in r.sentences:
            assert r.text[s.start:s.end].strip() == r.text[s.start:s.end]


# -- encodings and bad input ----------------------------------------------------------

def test_encodings_give_the_same_text(tmp_path):
    text = SEED.read_text(encoding="utf-8")
    base = parse_text(text, name="x")
    variants = {
        "bom.txt": codecs.BOM_UTF8 + text.encode("utf-8"),
        "gb.txt": text.encode("gb18030"),
        "crlf.txt": text.replace("\n", "\r\n").encode("utf-8"),
    }
    for name, data in variants.items():
        p = tmp_path / name
        p.write_bytes(data)
        r = read_report(p)
        assert r.text == base.text, name
        assert [(s.start, s.end) for s in r.sentences] == [(s.start, s.end) for s in base.sentences]


def test_explicit_encoding(tmp_path):
    p = tmp_path / "gbk.txt"
    p.write_bytes("一、工作回顾\n完成道路建设。\n".encode("gbk"))
    assert "完成道路建设。" in read_report(p, encoding="gbk").text
    with pytest.raises(InputError, match="unknown encoding"):
        read_report(p, encoding="no-such-codec")


@pytest.mark.parametrize("data, message", [
    (b"", "empty file"),
    (b"  \n\n ", "empty file"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", r"binary file \(NUL byte at byte offset 8\)"),
    ("工作报告".encode("utf-8") + b"\xff\xfe\xfa", r"cannot decode .*byte offset 12"),
    (b"abc\x01\x02def", r"binary file \(control character at byte offset 3\)"),
])
def test_bad_input_is_one_clear_error(tmp_path, data, message):
    p = tmp_path / "bad.txt"
    p.write_bytes(data)
    with pytest.raises(InputError, match=message) as info:
        read_report(p)
    assert str(p) in str(info.value) and "\n" not in str(info.value)


def test_missing_and_directory(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_report(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="is a directory"):
        read_report(tmp_path)


def test_decode_prefers_utf8():
    assert decode("周浦".encode("utf-8"), "x") == "周浦"


# -- size limits (data/rules/ingest.toml [limits]) --------------------------------------

def test_a_limit_refuses_in_one_line_and_names_its_variable(monkeypatch):
    from kg.build import analyse
    text = SEED.read_text(encoding="utf-8")
    monkeypatch.setenv("KG_MAX_UNITS", "100")
    with pytest.raises(InputError, match=r"sentences and headings, over the limit of 100 .*KG_MAX_UNITS"):
        parse_text(text, name="seed")
    monkeypatch.delenv("KG_MAX_UNITS")
    report = parse_text(text, name="seed")
    monkeypatch.setenv("KG_MAX_MENTIONS", "50")
    with pytest.raises(InputError, match=r"names and numbers, over the limit of 50 .*KG_MAX_MENTIONS"):
        analyse(report, tagger=False)
    monkeypatch.setenv("KG_MAX_MENTIONS", "many")
    with pytest.raises(InputError, match="KG_MAX_MENTIONS='many': not a whole number"):
        analyse(report, tagger=False)


def test_a_file_over_the_byte_limit_is_refused_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "big.txt"
    path.write_bytes(SEED.read_bytes())
    monkeypatch.setenv("KG_MAX_BYTES", "1000")
    with pytest.raises(InputError, match=r"big.txt: [\d,]+ bytes, over the limit of 1,000 .*KG_MAX_BYTES"):
        read_report(path)


@needs_corpus
def test_no_report_of_the_corpus_comes_near_the_limits():
    """The limits are for inputs no report reaches: every corpus report stays under a
    third of each."""
    from kg.build import analyse
    from kg.ingest import limit
    for path in sorted(CORPUS.glob("*.txt")):
        report = read_report(path)
        assert path.stat().st_size * 3 < limit("bytes"), path.name
        assert (len(report.sentences) + len(report.sections)) * 3 < limit("units"), path.name
        assert len(analyse(report).mentions) * 3 < limit("mentions"), path.name
