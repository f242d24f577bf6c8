"""The endpoint page (``kg serve``, ``/``) in real headless Chromium: a library form runs a
query with a parameter and shows rows with links, the editor (YASQE, vendored) highlights
and completes prefixes and ontology terms, downloads give CSV with a BOM and JSON, and no
request leaves for anywhere but the server itself (the page's CSP allows nothing else, and
every other request is aborted and counted here).

Skipped where /usr/bin/chromium or Playwright is absent.
"""
from __future__ import annotations

import json

import pytest

from conftest import CHROMIUM, serving

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is absent")]


@pytest.fixture(scope="module")
def server_url(seed_build):
    with serving(seed_build / "kg.ttl", timeout=20.0) as url:
        yield url


class Page:
    """A browser tab on the server that aborts and records every request elsewhere, and
    records console errors (a CSP violation is one)."""

    def __init__(self, browser, url: str):
        self.url = url
        self.context = browser.new_context(viewport={"width": 1280, "height": 900},
                                           accept_downloads=True)
        self.page = self.context.new_page()
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.page.route("**/*", self._route)
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _route(self, route):
        if route.request.url.startswith(self.url + "/"):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def open(self, path: str):
        self.page.goto(self.url + path)
        return self.page

    def hints(self) -> list[str]:
        self.page.wait_for_selector(".CodeMirror-hint", timeout=5000)
        return self.page.eval_on_selector_all(".CodeMirror-hint", "els => els.map(e => e.textContent)")


@pytest.fixture()
def tab(browser, server_url):
    t = Page(browser, server_url)
    yield t
    t.context.close()


def test_library_form_runs_a_query_with_a_parameter(tab):
    page = tab.open("/")
    page.click('nav.lib a[href="/?library=entity-mentions"]')
    page.wait_for_selector("#library-form")
    assert "Where an entity is mentioned" in page.inner_text("#library-form .desc")
    assert page.inner_text('label[for="p-name"]') == "name"
    page.fill("#p-name", "韵涛路")
    page.click('#library-form button[type="submit"]')
    page.wait_for_selector("#result table")
    rows = page.eval_on_selector_all("#result table tr", "trs => trs.map(t => t.innerText)")
    assert len(rows) == 4 and "3 row(s)" in page.inner_text("#result")
    assert all("韵涛路" in r for r in rows[1:])  # labels, not IRIs
    assert page.input_value("#p-name") == "韵涛路"  # the form keeps what was asked
    # the query text under the form is highlighted by the editor's own mode
    assert page.eval_on_selector_all("pre.sparql .cm-keyword", "els => els.map(e => e.textContent)")[:1] \
        == ["PREFIX"]
    link = page.locator('#result table a[href^="/id/"]').first
    label = link.inner_text()
    link.click()
    page.wait_for_selector("h1")
    assert page.inner_text("h1") == label
    assert tab.outside == [] and tab.errors == []


def test_editor_highlights_and_completes_prefixes_and_terms(tab):
    page = tab.open("/")
    page.wait_for_selector(".yasqe .CodeMirror")
    assert page.is_hidden("textarea#query")  # the editor stands in for the textarea
    keywords = page.eval_on_selector_all(".CodeMirror .cm-keyword", "els => els.map(e => e.textContent)")
    assert "SELECT" in keywords and "PREFIX" in keywords
    assert page.eval_on_selector_all(".CodeMirror .cm-variable-2, .CodeMirror .cm-atom",
                                     "els => els.length") > 0  # ?class, ?count
    page.evaluate("window.kgEditor.setValue('')")
    page.click(".CodeMirror")
    page.keyboard.type("PREFIX sk")
    assert tab.hints() == ["skos: <http://www.w3.org/2004/02/skos/core#>"]
    page.keyboard.press("Enter")
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.keyboard.type("SELECT ?r WHERE { ?r a kg:Ro")
    page.keyboard.press("Control+Space")
    assert tab.hints() == ["kg:Road  道路", "kg:RoadSegment  路段"]
    page.keyboard.press("Enter")
    page.keyboard.type(" } LIMIT 3")
    text = page.evaluate("window.kgEditor.getValue()")
    assert text.splitlines() == ["PREFIX kg: <https://w3id.org/gwr-kg/ontology#>",  # added as kg: was typed
                                 "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>",
                                 "SELECT ?r WHERE { ?r a kg:Road } LIMIT 3"]
    page.keyboard.press("Control+Enter")  # runs the query
    page.wait_for_selector("#result table")
    assert "3 row(s)" in page.inner_text("#result")
    assert tab.outside == [] and tab.errors == []


def test_downloads_give_csv_with_bom_and_json(tab):
    page = tab.open("/?library=road-segments&param.status=completed")
    page.wait_for_selector("#result table")
    shown = page.eval_on_selector_all("#result table tr", "trs => trs.length") - 1
    with page.expect_download() as d:
        page.click('a[data-format="csv-labels"]')
    data = open(d.value.path(), "rb").read()
    assert d.value.suggested_filename == "road-segments.csv"
    assert data.startswith(b"\xef\xbb\xbfsegment,segment_iri,road,road_iri")
    lines = data.decode("utf-8-sig").splitlines()
    assert len(lines) == shown + 1 and all("CompletedActionStatus" in ln for ln in lines[1:])
    with page.expect_download() as d:
        page.click('a[data-format="json-labels"]')
    rows = json.loads(open(d.value.path(), encoding="utf-8").read())
    assert len(rows) == shown and rows[0]["segment_status_iri"] == "https://schema.org/CompletedActionStatus"
    with page.expect_download() as d:
        page.click('a[data-format="json"]')
    res = json.loads(open(d.value.path(), encoding="utf-8").read())
    assert len(res["results"]["bindings"]) == shown and res["head"]["vars"][0] == "segment"
    assert tab.outside == [] and tab.errors == []


def test_hostile_parameter_value_runs_nothing(tab):
    page = tab.open("/?library=search")
    evil = '"><img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'
    page.fill("#p-text", evil)
    page.click('#library-form button[type="submit"]')
    page.wait_for_selector("#result")
    assert "0 row(s)" in page.inner_text("#result")
    assert page.input_value("#p-text") == evil
    assert page.evaluate("window.__xss === undefined")
    assert page.eval_on_selector_all("img", "els => els.length") == 0
    assert tab.outside == []
