"""The graph page in real headless Chromium (Debian's /usr/bin/chromium via Playwright):
it loads offline with no console error, holds every entity, the search centres on a road,
the filters hide what they should, the first view shows names that do not overlap, a
click opens the details panel with the report's own text, and hostile report text runs
nothing.

Skipped where /usr/bin/chromium or Playwright is absent (``.ci/run`` installs Chromium).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from rdflib import URIRef

from kg.graphview import entity_graph, iter_triples, undirected_simple
from kg.store import load_data
from kg.ingest import read_report
from kg.viz import render_page, start_hidden
from conftest import CHROMIUM
from kg.vocab import KG

CASES = Path(__file__).resolve().parent / "cases"
SEED = Path(__file__).resolve().parents[1] / "data" / "reports" / "2022h1_zhoupu.txt"

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is absent")]


class Opened:
    """A loaded page with what it tried to fetch, logged as errors, or popped up."""

    def __init__(self, browser, path: Path):
        self.context = browser.new_context(viewport={"width": 1280, "height": 800}, offline=True)
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.route("**/*", self._route)
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_selector("body[data-stabilized]", state="attached", timeout=90_000)

    def _route(self, route):
        url = route.request.url
        if url.startswith("file:"):
            route.continue_()
        else:
            self.requests.append(url)
            route.abort()

    def js(self, expr: str, arg=None):
        return self.page.evaluate(expr, arg)

    def visible(self) -> int:
        return self.js("window.kgVisibleIds().length")

    def show_hidden(self, on: bool = True):
        """The toggle that shows isolated entities and metrics."""
        (self.page.check if on else self.page.uncheck)("#show-hidden")

    def dom_xy(self, nid: str) -> list[float]:
        """Where a node is drawn, in page coordinates."""
        return self.js("id => { const p = window.kgNetwork.getPositions([id])[id];"
                       " const d = window.kgNetwork.canvasToDOM(p);"
                       " const r = document.getElementById('mynetwork').getBoundingClientRect();"
                       " return [d.x + r.left, d.y + r.top]; }", nid)

    def label_boxes(self) -> list[dict]:
        """The labels drawn now, each with the node's screen position and the width of
        its text measured here in the page (bold, at its size) to check the box against."""
        return self.js("""() => {
            const net = window.kgNetwork, face = window.kgPage.meta.labels.face;
            const ctx = document.createElement('canvas').getContext('2d');
            return window.kgLabels().map(b => {
                const p = net.canvasToDOM(net.getPositions([b.id])[b.id]);
                ctx.font = 'bold ' + b.px + 'px ' + face;
                return Object.assign({nx: p.x, ny: p.y, tw: ctx.measureText(b.text).width,
                                      label: net.body.data.nodes.get(b.id).label}, b);
            });
        }""")

    def click_node(self, nid: str):
        self.js("id => window.kgNetwork.focus(id, {scale: 1.2})", nid)
        x, y = self.dom_xy(nid)
        self.page.mouse.click(x, y)
        self.page.wait_for_selector("#panel:not([hidden])", timeout=5000)

    def hover_all(self) -> list[str]:
        """Hover every drawn node; return the tooltip texts seen."""
        texts = []
        ids = self.js("window.kgVisibleIds()")
        for nid in ids[:40]:
            self.js("id => window.kgNetwork.focus(id, {scale: 1.0})", nid)
            pos = self.js("id => { const p = window.kgNetwork.getPositions([id])[id];"
                          " const d = window.kgNetwork.canvasToDOM(p);"
                          " const r = document.getElementById('mynetwork').getBoundingClientRect();"
                          " return [d.x + r.left, d.y + r.top]; }", nid)
            label = self.js("id => window.kgNetwork.body.data.nodes.get(id).label_zh", nid)
            self.page.mouse.move(pos[0] + 1, pos[1] + 1)
            self.page.mouse.move(pos[0], pos[1])
            try:  # wait for this node's own tooltip (the previous one may still be fading)
                self.page.wait_for_function(
                    "l => { const t = document.querySelector('div.vis-tooltip');"
                    " return t && t.style.visibility !== 'hidden' && t.innerText.startsWith(l); }",
                    arg=label, timeout=2000)
                texts.append(self.page.inner_text("div.vis-tooltip"))
            except Exception:  # covered by another node or label: not hoverable here
                pass
            self.page.mouse.move(5, 5)
        return texts

    def close(self):
        self.context.close()


@pytest.fixture()
def opened(browser):
    pages = []

    def open_(path: Path) -> Opened:
        o = Opened(browser, path)
        pages.append(o)
        return o
    yield open_
    for o in pages:
        o.close()


def write_page(tmp_path: Path, src, name="graph.html", **kw) -> Path:
    out = tmp_path / name
    out.write_text(render_page(src, **kw).html, encoding="utf-8")
    return out


def test_fixture_page_search_filters_and_tooltips(opened, tmp_path):
    o = opened(write_page(tmp_path, load_data(CASES / "viz_small" / "graph.trig")))
    assert o.requests == [] and o.errors == []
    assert o.visible() == 13  # 牧禾农场项目 and 河长制 (no relation) and the metric start hidden
    o.show_hidden()
    assert o.visible() == 16
    # showing them lays the view out again: once it is done, physics is settled and stopped
    o.page.wait_for_selector("body[data-layout-done]", state="attached", timeout=60_000)
    assert o.js("window.kgNetwork.physics.physicsEnabled") is False
    # search centres on a road and selects it
    nid = o.js("window.kgSearch('韵涛路')")
    assert nid.endswith("/road/yun-tao-lu")
    assert o.js("window.kgNetwork.getSelectedNodes()") == [nid]
    assert "韵涛路" in o.page.inner_text("#search-msg")
    # the legend hides a class
    o.page.uncheck('input[data-class="Road"]')
    assert o.visible() == 9
    o.page.check('input[data-class="Road"]')
    assert o.visible() == 16
    # modality, status and section filters
    o.page.select_option("#f-modality", "plan")
    assert o.visible() == 2  # 28街坊71丘, 牧禾农场项目
    o.page.select_option("#f-modality", "")
    o.page.select_option("#f-status", "completed")
    assert o.visible() == 1
    o.page.select_option("#f-status", "")
    o.page.select_option("#f-section", label="下半年工作要点")
    assert o.visible() == 2
    o.page.select_option("#f-section", "")
    assert o.visible() == 16
    # pinyin labels
    o.page.check("#pinyin")
    assert o.js("id => window.kgNetwork.body.data.nodes.get(id).label", nid) == "yùn tāo lù"
    # hovering shows type, status and source sentence as text
    texts = o.hover_all()
    assert any("类型: 路段" in t and "推进韵涛路(周东南路-周园路)建设。" in t for t in texts), \
        [t.splitlines()[0] for t in texts]
    assert o.errors == []


def test_seed_page_loads_offline_and_finds_a_road(opened, seed_build):
    html = seed_build / "graph.html"
    view = entity_graph(load_data(seed_build / "kg.trig"))
    o = opened(html)
    assert o.requests == [] and o.errors == []
    assert o.visible() == view.number_of_nodes() - len(start_hidden(view)) > 0
    o.show_hidden()
    assert o.visible() == view.number_of_nodes()
    o.show_hidden(False)
    o.page.wait_for_selector("body[data-layout-done]", state="attached", timeout=60_000)
    assert o.js("window.kgNetwork.physics.physicsEnabled") is False  # laid out again, stopped
    legend = o.js("[...document.querySelectorAll('#legend input[data-class]')]"
                  ".map(e => +e.parentElement.querySelector('.n').textContent)")
    assert sum(legend) == view.number_of_nodes()  # the legend counts every class
    roads = sorted((d["label"], n) for n, d in view.nodes(data=True) if d["cls"] == "Road")
    assert roads, "the seed names roads"
    label, iri = roads[0]
    assert o.js("q => window.kgSearch(q)", label) == iri
    assert o.js("window.kgNetwork.getSelectedNodes()") == [iri]
    shown_roads = o.js("window.kgVisibleIds().filter(id => window.kgPage.nodes.get(id).cls === 'Road').length")
    before = o.visible()
    o.page.uncheck('input[data-class="Road"]')
    assert o.visible() == before - shown_roads
    assert o.errors == []


@pytest.mark.parametrize("case", ["graph", "report"])
def test_hostile_text_runs_nothing(opened, tmp_path, case):
    if case == "graph":
        path = write_page(tmp_path, load_data(CASES / "viz_xss" / "graph.trig"))
        title_has = "</script><script>window.__xss='report'</script>"
    else:
        from kg.pipeline import build
        build([CASES / "viz_xss" / "report.txt"], tmp_path)
        path = tmp_path / "graph.html"
        title_has = "<img src=x onerror=\"window.__xss='title'\">"
    o = opened(path)
    o.show_hidden()  # every entity, isolated ones too
    o.page.wait_for_selector("body[data-layout-done]", state="attached", timeout=60_000)
    texts = o.hover_all()
    o.js("window.kgSearch('img')")
    o.page.select_option("#f-section", index=1)
    o.page.wait_for_timeout(300)
    assert o.js("window.__xss === undefined")
    assert o.dialogs == [] and o.requests == [] and o.errors == []
    assert o.js("document.querySelectorAll('img, svg, iframe, b, i, a').length") == 0
    assert title_has in o.page.inner_text("#title")
    assert any("<img" in t or "</script>" in t for t in texts), texts  # shown, as text
    # the details panel of every entity, and every relation link in it: text stays text
    panel_texts = []
    for nid in o.js("window.kgPage.rawNodes.map(n => n.id)"):
        o.js("id => window.kgOpenPanel(id)", nid)
        panel_texts.append(o.page.inner_text("#panel"))
        for other in o.js("[...document.querySelectorAll('#panel button.go')].map(b => b.dataset.id)")[:3]:
            o.page.click(f'#panel button.go[data-id="{other}"]')
            assert o.page.get_attribute("#panel", "data-id") == other
            o.js("id => window.kgOpenPanel(id)", nid)
    o.page.wait_for_timeout(300)
    assert o.js("window.__xss === undefined")
    assert o.dialogs == [] and o.requests == [] and o.errors == []
    assert o.js("document.querySelectorAll('img, svg, iframe, b, i, object, embed, form').length") == 0
    template = (CASES.parent.parent / "viz" / "template.html").read_text(encoding="utf-8")
    assert o.js("document.querySelectorAll('script').length") == template.count("<script")  # its own
    hrefs = o.js("[...document.querySelectorAll('a')].map(a => [a.className, a.getAttribute('href'),"
                 " !!a.closest('#panel')])")
    assert hrefs and all(inside for _, _, inside in hrefs)
    for cls, href, _ in hrefs:
        assert (cls == "entity-link" and href.startswith(("https://", "http://"))) or \
               (cls == "reader-link" and href.startswith("reports/")), (cls, href)
    assert any("<img" in t or "</script>" in t or "onerror" in t for t in panel_texts)


def _overlapping(boxes: list[dict]) -> list[tuple[str, str]]:
    return [(a["text"], b["text"]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
            if a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"]
            and a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"]]


def _check_labels(o: Opened, at_least: int) -> list[dict]:
    """The labels drawn: at least ``at_least``, no two boxes overlapping, each box under
    its own node, as wide as its text, on visible nodes, inside the graph area."""
    boxes = o.label_boxes()
    assert len(boxes) >= at_least, [b["text"] for b in boxes]
    assert _overlapping(boxes) == []
    visible = set(o.js("window.kgVisibleIds()"))
    w, h = o.js("[document.getElementById('mynetwork').clientWidth, document.getElementById('mynetwork').clientHeight]")
    for b in boxes:
        assert b["id"] in visible
        assert abs(b["x"] + b["w"] / 2 - b["nx"]) < 1.0 and b["y"] > b["ny"]  # centred under the node
        assert b["w"] >= b["tw"] - 0.5 and b["h"] >= b["px"]
        assert b["label"].startswith(b["text"].rstrip("…"))
        assert 0 <= b["x"] and b["x"] + b["w"] <= w and 0 <= b["y"] and b["y"] + b["h"] <= h  
    return boxes


def test_seed_first_view_shows_names_that_do_not_overlap(opened, seed_build):
    view = entity_graph(load_data(seed_build / "kg.trig"))
    o = opened(seed_build / "graph.html")
    boxes = _check_labels(o, at_least=40)
    degree = undirected_simple(view).degree
    hub = max(view.nodes, key=lambda n: degree(n))
    assert hub in {b["id"] for b in boxes}  # the most connected entity is named
    # zoomed in on the hub, labels are chosen again: still none overlapping, and names
    # the whole view had no room for appear
    o.js("id => window.kgNetwork.focus(id, {scale: window.kgNetwork.getScale() * 3})", hub)
    o.page.wait_for_timeout(200)
    zoomed = _check_labels(o, at_least=15)
    assert {b["id"] for b in zoomed} - {b["id"] for b in boxes}
    assert o.errors == []


def test_seed_isolated_and_metrics_hidden_until_the_toggle(opened, seed_build):
    view = entity_graph(load_data(seed_build / "kg.trig"))
    simple = undirected_simple(view)
    o = opened(seed_build / "graph.html")
    shown = set(o.js("window.kgVisibleIds()"))
    isolated = {n for n in simple if simple.degree(n) == 0}
    metrics = {n for n, d in view.nodes(data=True) if d["cls"] == "Metric"}
    assert isolated and metrics and not shown & (isolated | metrics)
    assert o.page.is_checked('input[data-class="Metric"]')  # the legend still offers the class
    o.show_hidden()
    assert set(o.js("window.kgVisibleIds()")) == set(view.nodes)
    o.page.wait_for_selector("body[data-layout-done]", state="attached", timeout=60_000)
    _check_labels(o, at_least=40)
    o.show_hidden(False)
    assert set(o.js("window.kgVisibleIds()")) == shown


def test_seed_relation_filter_hides_edges(opened, seed_build):
    o = opened(seed_build / "graph.html")
    count = "p => window.kgPage.edgeView.get().filter(e => e.predicate === p).length"
    total = o.js("window.kgPage.edgeView.length")
    located = o.js(count, "kg:locatedIn")
    assert located > 0
    o.page.uncheck('input[data-predicate="kg:locatedIn"]')
    assert o.js(count, "kg:locatedIn") == 0
    assert o.js("window.kgPage.edgeView.length") == total - located
    assert o.visible() > 0  # the entities stay
    o.page.check('input[data-predicate="kg:locatedIn"]')
    assert o.js("window.kgPage.edgeView.length") == total


def test_seed_hiding_a_class_lays_out_what_remains(opened, seed_build):
    o = opened(seed_build / "graph.html")
    before = o.js("window.kgNetwork.getPositions()")
    roads = o.js("window.kgVisibleIds().filter(id => window.kgPage.nodes.get(id).cls === 'Road')")
    assert roads
    o.page.uncheck('input[data-class="Road"]')
    o.page.wait_for_selector("body[data-layout-done]", state="attached", timeout=60_000)
    after = o.js("window.kgNetwork.getPositions()")
    assert not set(roads) & set(after)
    moved = [n for n in after if abs(after[n]["x"] - before[n]["x"]) + abs(after[n]["y"] - before[n]["y"]) > 5]
    assert len(moved) > len(after) / 2  # laid out again, not just left with holes
    assert o.js("window.kgNetwork.physics.physicsEnabled") is False  # and then it stops
    # fitted: what remains fills the graph area
    xs = [o.dom_xy(n)[0] for n in after]
    width = o.js("document.getElementById('mynetwork').clientWidth")
    assert max(xs) - min(xs) > 0.5 * width
    _check_labels(o, at_least=30)
    assert o.errors == []


def test_seed_click_opens_the_details_panel(opened, seed_build):
    view = entity_graph(load_data(seed_build / "kg.trig"))
    text = read_report(SEED).text
    o = opened(seed_build / "graph.html")
    road = sorted((n for n, d in view.nodes(data=True) if d["cls"] == "Road" and view.degree(n) > 1
                   and n in o.js("window.kgVisibleIds()")), key=lambda n: view.nodes[n]["label"])[0]
    o.click_node(road)
    panel = o.page.locator("#panel")
    assert panel.get_attribute("data-id") == road
    assert view.nodes[road]["label"] in panel.locator("h2").inner_text()
    # every source sentence, the mention highlighted: the report's own slice at its offsets
    marks = o.js("[...document.querySelectorAll('#panel mark')].map(m => [m.textContent, +m.dataset.begin, +m.dataset.end,"
                 " m.parentElement.textContent, m.closest('li').querySelector('.offsets').textContent,"
                 " m.closest('li').querySelector('a.reader-link').getAttribute('href')])")
    mentions = set(iter_triples(load_data(seed_build / "kg.trig"), (None, KG.mentionOf, URIRef(road))))
    assert len(marks) == len(mentions) > 0
    for mention, b, e, sentence, offsets, href in marks:
        assert mention == text[b:e] and mention and offsets == f"[{b}, {e})"
        assert href.startswith("reports/2022h1_zhoupu.html#s")
        start = int(href.rsplit("#s", 1)[1])  # the sentence's own begin
        assert text[start:start + len(sentence)] == sentence and start <= b < e <= start + len(sentence)
    # links: the entity's IRI (kg serve answers it) and the reader at the sentence
    assert o.page.get_attribute("#panel a.entity-link", "href") == road
    anchor = marks[0][5].rsplit("#", 1)[1]
    reader = (seed_build / "reports" / "2022h1_zhoupu.html").read_text(encoding="utf-8")
    assert f'id="{anchor}"' in reader
    # a relation moves to the other entity
    first = o.page.locator("#panel button.go").first
    other = first.get_attribute("data-id")
    first.click()
    assert panel.get_attribute("data-id") == other
    assert o.js("window.kgNetwork.getSelectedNodes()") == [other]
    # the reader link opens the report at that sentence
    o.js("id => window.kgOpenPanel(id)", road)
    o.page.click("#panel a.reader-link")
    o.page.wait_for_load_state()
    assert o.page.url.endswith(marks[0][5])
    assert marks[0][0] in o.page.inner_text(f"#{anchor}")
    assert o.errors == []


def test_corpus_page_first_view_has_readable_names(opened, tmp_path):
    """A build of several reports opens on the index of its reports, whose links reach
    each report's reader page and its own graph page; a provincial report's graph page
    is readable on its first view."""
    from conftest import corpus_files
    from kg.pipeline import build
    from kg.reader import page_name
    files = corpus_files()[:6]
    if not files:
        pytest.skip("../shared/corpus is absent")
    build(files, tmp_path)
    import re
    index = (tmp_path / "graph.html").read_text(encoding="utf-8")
    links = re.findall(r'<a href="([^"]+)"', index[index.index('<table class="index"'):])
    name = page_name(files[0].stem)
    assert len(links) == 2 * len(files) and f"graphs/{name}.html" in links and f"reports/{name}.html" in links
    assert all((tmp_path / link).is_file() for link in links)
    o = opened(tmp_path / "graphs" / f"{name}.html")
    boxes = _check_labels(o, at_least=40)
    assert min(b["px"] for b in boxes) >= 12  # readable at any zoom: screen pixels
    top = o.js("window.kgPage.rawNodes.filter(n => !n.start_hidden).sort((a, b) => a.rank - b.rank)[0].id")
    o.js("id => window.kgNetwork.focus(id, {scale: window.kgNetwork.getScale() * 4, animation: false})", top)
    o.page.wait_for_timeout(300)
    zoomed = _check_labels(o, at_least=1)  # one report's graph: sparser than a corpus's
    assert top in {b["id"] for b in zoomed}
    assert o.requests == [] and o.errors == []
