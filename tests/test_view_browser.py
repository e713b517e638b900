"""The network view in real headless Chromium (playwright, file:// URL, no network at all)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from conftest import NEEDS_BROWSER
from labourgraph import view
from labourgraph.browser import launch
from test_view import BASE, IMG, PAYLOAD, RLO, synthetic_view

pytestmark = NEEDS_BROWSER
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")


@pytest.fixture(scope="module")
def html_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("browser") / "view.html"
    view.render(synthetic_view(), path)
    return path


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as pw:
        b = launch(pw)
        yield b
        b.close()


@pytest.fixture
def page(browser, html_file):
    """A fresh page with every request that is not the file itself recorded and aborted."""
    pg = browser.new_page(viewport={"width": 1400, "height": 860})
    url = html_file.as_uri()
    pg.foreign_requests, pg.console_errors = [], []

    def route(r):
        if r.request.url == url:
            r.continue_()
        else:
            pg.foreign_requests.append(r.request.url)
            r.abort()

    pg.route("**/*", route)
    pg.on("console", lambda m: m.type in ("error", "warning") and pg.console_errors.append(m.text))
    pg.on("pageerror", lambda e: pg.console_errors.append(str(e)))
    pg.goto(url)
    pg.wait_for_function("() => document.body.dataset.ready === '1'", timeout=30_000)
    yield pg
    pg.close()


def panel_text(pg) -> str:
    return pg.text_content("#lg-panel")


def test_loads_offline_clean_and_complete(page) -> None:
    page.wait_for_timeout(300)
    assert page.foreign_requests == []
    assert page.console_errors == []
    assert page.evaluate("window.__pwned === undefined && window.pwned === undefined")
    n = len({node.id for node in synthetic_view().nodes})
    assert page.evaluate("labourgraph.nodes.length") == n
    assert len(page.evaluate("labourgraph.visibleNodeIds()")) == n
    assert page.locator("#lg-legend input[type=checkbox]").count() == 11 + 13
    assert page.locator("#lg-timeline rect.lg-mark").count() == 10


def test_unpacked_items_are_what_python_computes(page) -> None:
    nodes, edges, _ = view.vis_data(synthetic_view())
    assert page.evaluate("labourgraph.nodes.get()") == nodes
    assert page.evaluate("labourgraph.edges.get()") == edges


def test_quote_shown_with_its_context(page) -> None:
    page.evaluate(f"labourgraph.select({BASE + 'knprk'!r})")
    quote = page.locator("#lg-panel blockquote").first
    assert (
        quote.text_content() == "…In January, The KNPRK was suspended by court order. It appealed.…"
    )
    assert quote.locator("mark").text_content() == "The KNPRK was suspended by court order."


def test_search_alias_and_diacritics(page) -> None:
    ids = page.evaluate("labourgraph.search('knprk')")
    assert ids[0] == BASE + "knprk"
    assert "Confederation of Independent Trade Unions" in panel_text(page)
    assert page.evaluate("labourgraph.network.getSelectedNodes()")[0] in ids
    ids = page.evaluate("labourgraph.search('eleusinov')")
    assert ids[0] == BASE + "eleusinov"
    assert "Erlan Eleusïnov" in panel_text(page)
    assert BASE + "eleusinov" in page.evaluate("labourgraph.search('ELEUSÏNOV')")
    assert page.evaluate("labourgraph.search('konfederatsiya')")[0] == BASE + "knprk"
    assert page.evaluate("labourgraph.search('КОНФЕДЕРАЦИЯ')")[0] == BASE + "knprk"


def test_keyboard_search(page) -> None:
    page.fill("#lg-search", "Knprk")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.textContent").startswith("Confederation")
    page.keyboard.press("Enter")
    assert "KNPRK was suspended" in panel_text(page)


def test_click_on_canvas_shows_quote_and_neighbours(page) -> None:
    page.evaluate("labourgraph.network.fit({animation: false})")
    xy = page.evaluate(
        """(id) => { const n = labourgraph.network;
            const p = n.canvasToDOM(n.getPositions([id])[id]);
            const r = document.getElementById('lg-network').getBoundingClientRect();
            return [p.x + r.left, p.y + r.top]; }""",
        BASE + "union_oil",
    )
    page.mouse.click(*xy)
    text = panel_text(page)
    assert "The oil workers' union held a meeting." in text
    selected = set(page.evaluate("labourgraph.network.getSelectedNodes()"))
    assert {BASE + "union_oil", BASE + "knprk", BASE + "i_strike"} <= selected


def test_payload_is_inert_text(page) -> None:
    page.evaluate(f"labourgraph.select({BASE + 'bad'!r})")
    text = panel_text(page)
    assert PAYLOAD in text and IMG in text  # shown verbatim, as text
    assert RLO not in text
    assert page.locator("#lg-panel img, #lg-panel script").count() == 0
    hrefs = page.eval_on_selector_all("#lg-panel a", "as => as.map(a => a.href)")
    assert all(h.startswith(("http://", "https://")) for h in hrefs)
    assert not any("javascript" in h for h in hrefs)
    assert "javascript:alert(1)" in text  # visible, but not a link
    page.hover("#lg-network")
    assert page.evaluate("window.__pwned === undefined && window.pwned === undefined")
    assert page.console_errors == []


def test_incident_panel(page) -> None:
    page.evaluate(f"labourgraph.select({BASE + 'i_arrest'!r})")
    text = panel_text(page)
    assert "2019-03" in text and "2019-03-01 – 2019-03-31" in text
    assert "Reported by 2 documents" in text and "Report 1 on union rights" in text
    assert "Aktau" in text and "C087" in text
    assert page.locator("#lg-panel a[href='https://example.org/doc1']").count() >= 1


def test_type_filter_hides_nodes(page) -> None:
    page.evaluate("labourgraph.setTypeFilter('Person', false)")
    visible = set(page.evaluate("labourgraph.visibleNodeIds()"))
    assert BASE + "eleusinov" not in visible and BASE + "knprk" in visible
    assert page.evaluate(f"labourgraph.nodes.get({BASE + 'eleusinov'!r}).hidden") is True
    assert page.locator("#lg-legend input[value=Person]").is_checked() is False
    page.click("#lg-legend input[value=Person]")
    assert BASE + "eleusinov" in page.evaluate("labourgraph.visibleNodeIds()")


def test_time_range_hides_incidents(page) -> None:
    page.evaluate("labourgraph.setTimeRange('2021-01-01', '2022-12-31')")
    visible = set(page.evaluate("labourgraph.visibleNodeIds()"))
    assert {BASE + "i_strike", BASE + "i_hunger", BASE + "i_kill"} <= visible
    assert not visible & {BASE + "i_arrest", BASE + "i_release", BASE + "i_dereg"}
    assert BASE + "knprk" in visible  # actors stay
    assert page.input_value("#lg-from") == "2021-01-01"
    assert page.locator("#lg-timeline rect.lg-mark.lg-off").count() == 6
    page.click("#lg-clear-period")
    assert BASE + "i_arrest" in page.evaluate("labourgraph.visibleNodeIds()")


def test_timeline_brush_and_click(page) -> None:
    box = page.locator("#lg-timeline").bounding_box()
    y = box["y"] + 10
    page.mouse.move(box["x"] + box["width"] * 0.55, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.75, y, steps=5)
    page.mouse.up()
    start, end = page.input_value("#lg-from"), page.input_value("#lg-to")
    assert start and end and start < end
    assert len(page.evaluate("labourgraph.visibleNodeIds()")) < len(synthetic_view().nodes)
    page.click("#lg-clear-period")
    mark = page.locator("#lg-timeline rect.lg-mark").first
    mark.click()
    assert "Deregistration of KNPRK" in panel_text(page)


def test_country_filter_and_labels_toggle(page) -> None:
    page.select_option("#lg-country", "Belarus")
    visible = set(page.evaluate("labourgraph.visibleNodeIds()"))
    assert BASE + "union_teach" in visible and BASE + "knprk" not in visible
    assert BASE + "c87" in visible  # country-less convention linked to a Belarus incident
    assert BASE + "aktau" not in visible  # a Kazakh place
    page.click("#lg-labels")
    assert (
        page.evaluate(
            "labourgraph.network.body.nodes[Object.keys("
            "labourgraph.network.body.nodes)[0]].options.font.size"
        )
        == 0
    )


def test_screenshot(page, tmp_path_factory) -> None:
    page.evaluate("labourgraph.search('knprk')")
    page.wait_for_timeout(500)
    out = tmp_path_factory.getbasetemp() / "view_synthetic.png"
    page.screenshot(path=str(out))
    assert out.stat().st_size > 10_000
