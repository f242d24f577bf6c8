"""The report reader (kg/reader.py): the text of a report with its mentions highlighted and
linked, as the static page kg build writes and as kg serve's page at the report's IRI."""
from __future__ import annotations

import html
import re

from kg.build import build_dataset
from kg.ingest import parse_text
from kg.reader import report_page, reports_of
from kg.serialize import to_trig
from kg.store import load_store


def test_build_writes_a_reader_page_per_report(seed_build, seed_store):
    page = (seed_build / "reports" / "2022h1_zhoupu.html").read_text(encoding="utf-8")
    # every sentence of the report is on the page, in order
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/gwr-kg/ontology#Sentence> }"
    n = int(next(iter(seed_store.query(q)))[0].value)
    assert page.count('class="st ') == n
    # the parcel is highlighted as a LandParcel and linked to its entity
    m = re.search(r'<a class="m"[^>]*href="([^"]+)"[^>]*>28街坊71丘<span class="t">LandParcel</span></a>', page)
    assert m and "/land-parcel/" in m.group(1)
    assert "上半年工作回顾" in page and "<script" not in page


def test_report_text_is_escaped_in_the_reader(tmp_path):
    text = '上半年工作回顾\n完成<script>alert(1)</script>韵涛路"><img src=x onerror=alert(1)>建设。\n'
    r = parse_text(text, name="evil", meta={"place": "周浦镇", "year": "2022", "period": "上半年"})
    out = tmp_path / "kg.trig"
    out.write_text(to_trig(build_dataset([r], with_ontology=False, tagger=False)), encoding="utf-8")
    store = load_store(out)
    (iri, label, _), = reports_of(store)
    page = report_page(store, iri, label)
    assert "<script>" not in page and "<img" not in page
    assert html.escape("<script>alert(1)</script>") in page


def test_the_index_lists_every_report_with_its_size_and_a_working_link(seed_build, seed_store):
    from kg.indexpage import index_page
    page = (seed_build / "reports" / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'<a href="([^"]+)">', page)
    assert links and all((seed_build / "reports" / link).is_file() for link in links)
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/gwr-kg/ontology#Sentence> }"
    n = int(next(iter(seed_store.query(q)))[0].value)
    assert f"<td>{n}</td>" in page and "周浦镇2022年上半年政府工作报告" in page
    assert "<td>周浦镇</td>" in page            # the place by its label, not its IRI
    assert re.search(r"项目 \d+</mark>", page)   # names per class
    text = '上半年工作回顾\n完成韵涛路建设。\n'
    r = parse_text(text, name="evil", meta={"place": "周浦镇", "year": "2022", "period": "上半年",
                                             "title": "<script>alert(1)</script>报告"})
    store = load_store(data=to_trig(build_dataset([r], with_ontology=False, tagger=False)), fmt="trig")
    hostile = index_page(store)
    assert "<script>alert" not in hostile and html.escape("<script>alert(1)</script>") in hostile


def test_a_corpus_build_writes_a_graph_page_per_report_linked_from_the_index(tmp_path):
    from kg.pipeline import build
    from conftest import SEED
    other = tmp_path / "2023_other.txt"
    other.write_text("某镇2023年政府工作报告\n上半年工作回顾\n完成韵涛路(周东南路-周园路)建设，推进国际医学园区建设。\n",
                     encoding="utf-8")
    out = tmp_path / "out"
    build([SEED, other], out, tagger=False)
    pages = sorted(p.name for p in (out / "graphs").iterdir())
    assert pages == ["2022h1_zhoupu.html", "2023_other.html"]
    seed_page = (out / "graphs" / "2022h1_zhoupu.html").read_text(encoding="utf-8")
    assert "韵涛路" in seed_page and "../reports/" in seed_page   # its panel links the readers
    index = (out / "reports" / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'<a href="([^"]+)">', index)
    assert "../graphs/2023_other.html" in links and "2023_other.html" in links
    assert all((out / "reports" / link).resolve().is_file() for link in links)
    again = tmp_path / "again"
    build([SEED, other], again, tagger=False, jobs=2)   # pages drawn by two processes
    for name in pages:
        assert (again / "graphs" / name).read_bytes() == (out / "graphs" / name).read_bytes()
