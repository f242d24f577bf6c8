"""One lookup of names (kg/lookup.py) on the seed, and everywhere it is used: the index
of a store and of the entity view, ``kg viz --focus``, the library's name parameters,
``kg serve``'s ``/lookup`` and the graph page's search (headless Chromium)."""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from click.testing import CliRunner

from conftest import serving
from kg.cli import main
from kg.errors import InputError, QueryError
from kg.graphview import entity_graph
from kg.store import load_data
from kg.lookup import fold, store_index, view_index
from kg.query import execute, library
from kg.store import load_store



@pytest.fixture(scope="module")
def seed_index(seed_build):
    return store_index(load_store(seed_build / "kg.ttl"))


@pytest.fixture(scope="module")
def seed_view(seed_build):
    return entity_graph(load_data(seed_build / "kg.trig"))


def best(index, name):
    return [(h.entry.label, h.entry.cls, h.how) for h in index.best(name)]


@pytest.mark.parametrize("name, how", [("韵涛路", "exact"), ("yuntaolu", "pinyin"),
                                       ("yun tao lu", "pinyin"), ("yùn tāo lù", "pinyin"),
                                       ("YunTaoLu", "pinyin"), ("yuntao", "prefix")])
def test_a_road_by_its_name_and_its_pinyin(seed_index, name, how):
    assert best(seed_index, name) == [("韵涛路", "Road", how)]


def test_aliases_codes_and_alternative_labels(seed_index):
    # one parcel: label 08单元16-02, second code 28街坊71丘, alias 菲特莫古地块
    assert best(seed_index, "菲特莫古地块") == [("08单元16-02", "LandParcel", "exact")]
    assert best(seed_index, "28街坊71丘") == [("08单元16-02", "LandParcel", "exact")]
    assert best(seed_index, "２８街坊７１丘") == best(seed_index, "28街坊71丘")  # full-width
    # 四责协同 is the glossary term's skos:altLabel; its key is 四责协同机制
    assert best(seed_index, "四责协同") == [("四责协同机制", "GlossaryTerm", "exact")]
    # the whole name: the glossary term and the program it is the same as, both
    assert {c for _, c, _ in best(seed_index, "四责协同机制")} == {"GlossaryTerm", "Program"}


def test_ranks_are_ordered_and_deterministic(seed_index):
    hits = seed_index.find("韵涛路")
    ranks = [h.rank for h in hits]
    assert ranks == sorted(ranks) and hits[0].how == "exact"
    assert {h.entry.label for h in hits[1:]} >= {"韵涛路(周东南路-周园路)", "规划韵涛路"}
    assert [h.entry.iri for h in hits] == [h.entry.iri for h in seed_index.find("韵涛路")]
    # a substring: every entity whose name contains 涛路, shortest first
    sub = seed_index.find("涛路")
    assert sub[0].entry.label == "韵涛路" and all(h.how == "substring" for h in sub)


def test_a_typo_gets_close_names(seed_index):
    assert seed_index.best("yuntoalu") == []
    assert "韵涛路" in seed_index.suggest("yuntoalu")
    assert seed_index.suggest("韵滔路")[0] == "韵涛路"  # same sound comes first
    with pytest.raises(InputError, match=r"^--focus 'yuntoalu': no entity .*did you mean 韵涛路"):
        seed_index.resolve("yuntoalu", "--focus ")
    with pytest.raises(InputError, match="entities match"):
        seed_index.resolve("路", "--focus ")  # many partial matches: ask for more


def test_store_and_view_indexes_agree(seed_index, seed_view):
    view = view_index(seed_view)
    for name in ("yuntao", "菲特莫古地块", "28街坊71丘", "四责协同", "涛路", "zhoupu"):
        assert [h.entry.iri for h in view.find(name)] == [h.entry.iri for h in seed_index.find(name)], name


# -- the CLI -----------------------------------------------------------------------

@pytest.mark.parametrize("focus", ["yuntaolu", "yun tao lu", "yuntao", "韵涛路"])
def test_cli_viz_focus_by_pinyin(seed_build, tmp_path, focus):
    out = tmp_path / "focus.html"
    r = CliRunner().invoke(main, ["viz", "--data", str(seed_build / "kg.trig"), "-o", str(out),
                                  "--focus", focus])
    assert r.exit_code == 0, r.output
    assert "韵涛路(周东南路-周园路)" in out.read_text(encoding="utf-8")


def test_cli_viz_focus_unknown_name_one_line_with_suggestions(seed_build, tmp_path):
    r = CliRunner().invoke(main, ["viz", "--data", str(seed_build / "kg.trig"),
                                  "-o", str(tmp_path / "x.html"), "--focus", "yuntoalu"])
    assert r.exit_code == 1
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kg: error: --focus 'yuntoalu'")
    assert "did you mean 韵涛路" in lines[0]
    assert not (tmp_path / "x.html").exists()


def test_cli_query_name_parameter_finds_the_alias(seed_build):
    r = CliRunner().invoke(main, ["query", "entity-mentions", "--param", "name=四责协同",
                                  "--data", str(seed_build / "kg.ttl"), "--format", "json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)
    assert len(rows) == 3 and {x["entity"] for x in rows} == {"四责协同机制"}
    assert all(x["text"] == "“四责协同”机制" for x in rows)


def test_cli_query_unknown_name(seed_build):
    r = CliRunner().invoke(main, ["query", "intersecting-roads", "--param", "road_name=yuntoalu",
                                  "--data", str(seed_build / "kg.ttl")])
    assert r.exit_code == 1
    line, = r.output.strip().splitlines()
    assert line.startswith("kg: error: --param road_name='yuntoalu': no entity among Road, Waterway")
    assert "did you mean 韵涛路" in line


def test_library_name_parameters_bind_iris_not_text(seed_build):
    store = load_store(seed_build / "kg.ttl")
    lib = library()
    name_params = {(q, p.name) for q, s in lib.items() for p in s.params if p.type == "name"}
    assert {("entity-mentions", "name"), ("intersecting-roads", "road_name"),
            ("road-segments", "road_name"), ("actions", "name")} <= name_params
    spec = lib["intersecting-roads"]
    res = execute(store, spec.text, {"road_name": "yuntao"}, spec)
    assert len(res.rows) == 3  # 周东南路, 周园路, 姚渔港
    spec = lib["road-segments"]
    res = execute(store, spec.text, {"road_name": "yun tao lu"}, spec)
    assert [str(r[0]).rsplit("/", 1)[1].split("-")[:3] for r in res.rows] == [["yun", "tao", "lu"]]
    spec = lib["actions"]
    by_code = execute(store, spec.text, {"name": "28街坊71丘"}, spec).rows
    assert by_code and by_code == execute(store, spec.text, {"name": "菲特莫古地块"}, spec).rows
    spec = lib["entity-mentions"]
    with pytest.raises(QueryError, match="give one of them"):
        execute(store, spec.text, {"name": "韵涛路", "entity": "urn:x"}, spec)


# -- kg serve ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def served(seed_build):
    with serving(seed_build / "kg.ttl", timeout=5.0, workers=2) as url:
        yield url


def _get(url, accept=None):
    req = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


def test_serve_lookup(served):
    status, body = _get(served + "/lookup?name=" + urllib.parse.quote("yun tao lu"), "application/json")
    found = json.loads(body)
    assert status == 200 and found["matches"][0]["label"] == "韵涛路"
    assert found["matches"][0]["how"] == "pinyin" and found["matches"][0]["best"]
    status, page = _get(served + "/lookup?name=" + urllib.parse.quote("菲特莫古地块"))
    assert status == 200 and "08单元16-02" in page and 'href="/id/zhou-pu-zhen/land-parcel/' in page
    link = page.split('href="', 1)[1].split('"', 1)[0]
    assert _get(served + link)[0] == 200  # the match links to its entity page
    status, page = _get(served + "/lookup?name=yuntoalu")
    assert status == 404 and "Did you mean" in page and "韵涛路" in page
    status, body = _get(served + "/lookup?name=" + urllib.parse.quote("<b>x</b>") + "&format=json")
    assert status == 404 and json.loads(body)["matches"] == []
    assert "<b>x</b>" not in _get(served + "/lookup?name=" + urllib.parse.quote("<b>x</b>"))[1]


# -- the graph page ------------------------------------------------------------------

def test_page_embeds_folded_search_keys(seed_build):
    html = (seed_build / "graph.html").read_text(encoding="utf-8")
    nodes = json.loads(html.split('<script id="kg-nodes" type="application/json">', 1)[1]
                       .split("</script>", 1)[0])
    parcel = next(n for n in nodes if n["label_zh"] == "08单元16-02")
    assert {"菲特莫古地块", "28街坊71丘"} <= set(parcel["search"][0])
    road = next(n for n in nodes if n["label_zh"] == "韵涛路" and n["cls"] == "Road")
    assert road["search"] == [["韵涛路"], "韵涛路", ["yuntaolu"]]
    assert fold("Yùn Tāo Lù") == "yuntaolu"


@pytest.fixture(scope="module")
def page(seed_build, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, offline=True)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.goto((seed_build / "graph.html").resolve().as_uri())
    pg.wait_for_selector("body[data-stabilized]", state="attached", timeout=90_000)
    pg.errors = errors
    yield pg
    context.close()


@pytest.mark.browser
def test_page_search_ranks_like_the_library(page, seed_view):
    index = view_index(seed_view)
    for q in ("yuntao", "yuntaolu", "yun tao lu", "yùn tāo lù", "菲特莫古地块", "28街坊71丘",
              "四责协同", "涛路", "周浦", "feitemogu", "路"):
        js = page.evaluate("q => window.kgLookup(q)", q)
        py = [[h.entry.iri, h.rank] for h in index.find(q)]
        assert js == py, q
    assert page.errors == []


@pytest.mark.browser
def test_page_search_steps_through_every_match(page, seed_view):
    want = [h.entry.iri for h in view_index(seed_view).find("周浦")]
    assert len(want) > 5
    page.fill("#search", "周浦")
    page.press("#search", "Enter")
    msg = page.inner_text("#search-msg")
    assert msg.startswith(f"找到 {len(want)} 个 (1/{len(want)})")
    seen = [page.evaluate("window.kgNetwork.getSelectedNodes()")[0]]
    for i in range(1, len(want)):
        page.click("#search-next")
        assert f"({i + 1}/{len(want)})" in page.inner_text("#search-msg")
        seen.append(page.evaluate("window.kgNetwork.getSelectedNodes()")[0])
    assert seen == want  # every match, in the library's order
    page.click("#search-next")  # wraps round to the first
    assert page.evaluate("window.kgNetwork.getSelectedNodes()") == [want[0]]
    page.click("#search-prev")
    assert page.evaluate("window.kgNetwork.getSelectedNodes()") == [want[-1]]
    page.press("#search", "Enter")  # Enter again: the next one
    assert page.evaluate("window.kgNetwork.getSelectedNodes()") == [want[0]]
    # a match hidden by the legend is shown again
    page.uncheck('input[data-class="Road"]')
    page.fill("#search", "yuntaolu")
    page.press("#search", "Enter")
    assert "韵涛路" in page.inner_text("#search-msg")
    assert page.is_checked('input[data-class="Road"]')
    # nothing matches: close names, each a button that searches it
    page.fill("#search", "yuntoalu")
    page.press("#search", "Enter")
    assert page.inner_text("#search-msg").startswith("未找到 not found: yuntoalu; 是不是 did you mean: 韵涛路")
    page.click("button.search-suggestion")
    assert page.inner_text("#search-msg").startswith("找到 5 个 (1/5), 定位到: 韵涛路 (道路")
    assert page.errors == []
