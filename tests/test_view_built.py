"""The view of real builds in headless Chromium: the bundled sources, and a hostile document.

Every request other than the page itself is aborted and counted; console errors, page errors
and dialogs are recorded. One browser per module.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from labourgraph.browser import launch
from labourgraph.build import build
from labourgraph.store import open_store, rows, run_query
from labourgraph.view_data import find_node, view_data_from_store

sys.path.insert(0, str(Path(__file__).parent))
from conftest import NEEDS_BROWSER, SOURCES
from test_view_data import CNTUK, COUNT

pytestmark = NEEDS_BROWSER
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")

SEED = "004_0a850f2f5b0b595b.txt"
RLO, PDF = "\u202e", "\u202c"
# Each payload would set window.__pwned and open a dialog if it ever ran.
HOSTILE_TEXT = (
    "Astana, 5 March 2019\n\n"
    "Police arrested <script>window.__pwned=1;alert(1)</script> Larisa Kharkova, leader of the "
    "Confederation of Independent Trade Unions of Kazakhstan, in Astana on 3 March 2019. "
    '<img src=x onerror="window.__pwned=2;alert(2)"> The ITUC condemned the arrest.\n\n'
    'The Ministry of Justice dismissed "</script><script>window.__pwned=3;alert(3)</script>" '
    'workers of the union <a href="javascript:window.__pwned=4;alert(4)">click here</a> '
    f"in Aktau on 4 March 2019, according to the {RLO}gnirts desrever{PDF} KNPRK.\n"
)
HOSTILE_META = (
    f'title: "<script>window.__pwned=5;alert(5)</script> Report </script> on {RLO}KNPRK"\n'
    'publisher: "<img src=x onerror=window.__pwned=6;alert(6)>"\n'
    "published: 2019-03-05\n"
    'url: "javascript:window.__pwned=7;alert(7)"\n'
)
PWNED = "window.__pwned === undefined"


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as pw:
        b = launch(pw)
        yield b
        b.close()


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory) -> Path:
    """A build of one bundled document and one whose text and metadata carry payloads."""
    src = tmp_path_factory.mktemp("hostile-src")
    for name in (SEED, SEED + ".meta.yaml"):
        shutil.copy(SOURCES / name, src / name)
    (src / "zz_hostile.txt").write_text(HOSTILE_TEXT, encoding="utf-8")
    (src / "zz_hostile.txt.meta.yaml").write_text(HOSTILE_META, encoding="utf-8")
    out = tmp_path_factory.mktemp("hostile") / "out"
    build([src], out)
    return out


def open_view(browser, html: Path):
    """A page on ``html`` that records foreign requests, console errors and dialogs."""
    pg = browser.new_page(viewport={"width": 1400, "height": 860})
    url = html.resolve().as_uri()
    pg.requests, pg.errors, pg.dialogs = [], [], []

    def route(r) -> None:
        if r.request.url == url:
            r.continue_()
        else:
            pg.requests.append(r.request.url)
            r.abort()

    def dialog(d) -> None:
        pg.dialogs.append(d.message)
        d.dismiss()

    pg.route("**/*", route)
    pg.on("console", lambda m: m.type in ("error", "warning") and pg.errors.append(m.text))
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("dialog", dialog)
    pg.goto(url)
    pg.wait_for_function("() => document.body.dataset.ready === '1'", timeout=30_000)
    return pg


@pytest.fixture(scope="module")
def sources_page(browser, built: Path):
    pg = open_view(browser, built / "network.html")
    yield pg
    pg.close()


@pytest.fixture(scope="module")
def sources_view(built: Path):
    return view_data_from_store(open_store(built))


def panel_text(pg) -> str:
    return pg.text_content("#lg-panel")


def test_sources_view_loads_offline_and_complete(sources_page, built: Path) -> None:
    sources_page.wait_for_timeout(300)
    assert sources_page.requests == []
    assert sources_page.errors == []
    count = int(next(rows(run_query(open_store(built), COUNT)))["count"])
    assert sources_page.evaluate("labourgraph.nodes.length") == count
    assert len(sources_page.evaluate("labourgraph.visibleNodeIds()")) == count
    assert sources_page.text_content("#lg-counts") == f"{count} of {count} nodes shown"


def test_search_alias_selects_cntuk(sources_page, sources_view) -> None:
    cntuk = find_node(sources_view, CNTUK).id
    sources_page.fill("#lg-search", "")
    sources_page.type("#lg-search", "KNPRK")
    first = sources_page.locator("#lg-results li button").first
    assert first.text_content().startswith(CNTUK)
    sources_page.keyboard.press("Enter")
    assert sources_page.evaluate("labourgraph.network.getSelectedNodes()")[0] == cntuk
    assert sources_page.text_content("#lg-panel h2") == CNTUK
    assert sources_page.evaluate("labourgraph.search('knprk')")[0] == cntuk


def test_click_on_cntuk_shows_its_quotes(sources_page, sources_view) -> None:
    node = find_node(sources_view, CNTUK)
    sources_page.evaluate("labourgraph.unselect()")
    sources_page.evaluate("labourgraph.network.fit({animation: false})")
    sources_page.evaluate(
        """(id) => { const n = labourgraph.network;
            n.moveTo({position: n.getPositions([id])[id], scale: 1.5, animation: false}); }""",
        node.id,
    )
    box = sources_page.locator("#lg-network").bounding_box()
    xy = sources_page.evaluate(
        "(id) => labourgraph.network.canvasToDOM(labourgraph.network.getPositions([id])[id])",
        node.id,
    )
    sources_page.mouse.click(box["x"] + xy["x"], box["y"] + xy["y"])
    assert sources_page.text_content("#lg-panel h2") == CNTUK
    marks = sources_page.eval_on_selector_all(
        "#lg-panel blockquote mark", "ms => ms.map(m => m.textContent)"
    )
    assert marks and set(marks) <= {e.quote for e in node.evidence}
    titles = {e.title for e in node.evidence}
    assert any(t in panel_text(sources_page) for t in titles)


def test_incident_panel_lists_reports(sources_page, sources_view) -> None:
    incident = max(
        (n for n in sources_view.nodes if n.kind == "Incident"),
        key=lambda n: (len(n.reports), n.id),
    )
    sources_page.evaluate(f"labourgraph.select({incident.id!r})")
    text = panel_text(sources_page)
    n = len(incident.reports)
    assert f"Reported by {n} document{'s' if n > 1 else ''}" in text
    assert incident.evidence[0].quote.split("\n")[0] in text


def test_type_filter_hides_people(sources_page, sources_view) -> None:
    people = [n.id for n in sources_view.nodes if n.kind == "Person"]
    assert people
    sources_page.click("#lg-legend input[value=Person]")
    visible = set(sources_page.evaluate("labourgraph.visibleNodeIds()"))
    assert not visible & set(people)
    assert len(visible) == len(sources_view.nodes) - len(people)
    hidden = sources_page.evaluate(f"{people!r}.map(id => labourgraph.nodes.get(id).hidden)")
    assert all(hidden)
    sources_page.click("#lg-legend input[value=Person]")
    assert len(sources_page.evaluate("labourgraph.visibleNodeIds()")) == len(sources_view.nodes)
    assert sources_page.errors == [] and sources_page.requests == []


def test_hostile_document_stays_inert(browser, hostile_build: Path) -> None:
    data = view_data_from_store(open_store(hostile_build))
    hostile = [n for n in data.nodes if any("hostile" in e.doc_id for e in n.evidence)]
    with_payload = [n for n in hostile if any("<" in e.quote for e in n.evidence)]
    assert len(with_payload) >= 2  # the arrest and the dismissal quote their sentences
    pg = open_view(browser, hostile_build / "network.html")
    try:
        for node in hostile:
            pg.evaluate(f"labourgraph.select({node.id!r})")
            text = panel_text(pg)
            for ev in node.evidence:
                assert ev.quote.replace(RLO, "").replace(PDF, "").split("\n")[0] in text
            assert RLO not in text and PDF not in text
            assert pg.locator("#lg-panel img, #lg-panel script, #lg-panel iframe").count() == 0
            hrefs = pg.eval_on_selector_all("#lg-panel a", "as => as.map(a => a.href)")
            assert all(h.startswith(("http://", "https://")) for h in hrefs)
        text = panel_text(pg)
        assert "<script>window.__pwned=5;alert(5)</script> Report </script> on KNPRK" in text
        assert "javascript:window.__pwned=7;alert(7)" in text  # shown, not a link
        assert "<img src=x onerror=window.__pwned=6;alert(6)>" in text
        pg.fill("#lg-search", "<script>")
        pg.hover("#lg-network")
        pg.wait_for_timeout(300)
        assert pg.evaluate(PWNED)
        assert pg.dialogs == [] and pg.errors == [] and pg.requests == []
        assert pg.evaluate("document.querySelectorAll('script').length") == 3
    finally:
        pg.close()
