"""The graph page in real headless Chromium (Debian's /usr/bin/chromium via Playwright):
it loads offline with no console error, holds every entity, the search centres on a road,
the filters hide what they should, and hostile report text runs nothing.

Skipped where /usr/bin/chromium or Playwright is absent (``.ci/run`` installs Chromium).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from kg.graphview import entity_graph, load_data
from kg.viz import render_page

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
CASES = Path(__file__).resolve().parent / "cases"

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is absent")]


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


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
    assert o.visible() == 16
    assert o.js("window.kgNetwork.physics.physicsEnabled") is False  # settled, then stopped
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
    assert o.visible() == view.number_of_nodes() > 0
    assert o.js("window.kgNetwork.physics.physicsEnabled") is False
    legend = o.js("[...document.querySelectorAll('#legend label.legend-row .n')].map(e => +e.textContent)")
    assert sum(legend) == view.number_of_nodes()  # the legend counts every class
    roads = sorted((d["label"], n) for n, d in view.nodes(data=True) if d["cls"] == "Road")
    assert roads, "the seed names roads"
    label, iri = roads[0]
    assert o.js("q => window.kgSearch(q)", label) == iri
    assert o.js("window.kgNetwork.getSelectedNodes()") == [iri]
    o.page.uncheck('input[data-class="Road"]')
    assert o.visible() == view.number_of_nodes() - len(roads)
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
    texts = o.hover_all()
    o.js("window.kgSearch('img')")
    o.page.select_option("#f-section", index=1)
    o.page.wait_for_timeout(300)
    assert o.js("window.__xss === undefined")
    assert o.dialogs == [] and o.requests == [] and o.errors == []
    assert o.js("document.querySelectorAll('img, svg, iframe, b, i, a').length") == 0
    assert title_has in o.page.inner_text("#title")
    assert any("<img" in t or "</script>" in t for t in texts), texts  # shown, as text
