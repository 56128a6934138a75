"""The portal at a glance (issue 13), in headless Chromium at 360 and 1280 px:
nothing scrolls sideways, the dashboard answers on the first phone screen,
lists stay a few screens long, the header stays small, the timeline chart
names and links its marks, and axe-core finds no serious violation on a
phone either. Screenshots in Vietnamese and English go to screenshots/.
"""

import pytest

from .conftest import _new_page
from .support import (
    BLOCKING_IMPACTS,
    DESKTOP,
    MAIN_PAGES,
    PHONE,
    format_axe,
    main_page_path,
    open_page,
    run_axe,
    screenshot,
)

pytestmark = pytest.mark.browser

SCROLL_WIDTH = "() => document.documentElement.scrollWidth"
HEIGHT = "() => document.documentElement.scrollHeight"


def _walk(page, width, language):
    failures = []
    for main_page in MAIN_PAGES:
        path = main_page_path(main_page, language)
        try:
            open_page(page, path)
            screenshot(page, f"glance-{main_page.name}-{language}-{width}")
            scroll_width = page.evaluate(SCROLL_WIDTH)
            assert scroll_width <= width, f"scrolls sideways: {scroll_width} px wide"
        except AssertionError as exc:
            failures.append(f"{main_page.name} ({path}): {exc}")
    return failures


@pytest.mark.parametrize("language", ["vi", "en"])
def test_no_page_scrolls_sideways_on_a_desktop_or_a_phone(playwright_browser, seeded_server, language):
    failures = []
    for viewport, options in ((DESKTOP, {}), (PHONE, {"is_mobile": True, "has_touch": True})):
        context, page = _new_page(playwright_browser, seeded_server, viewport, **options)
        try:
            failures += [f"{viewport['width']} px: {f}" for f in _walk(page, viewport["width"], language)]
        finally:
            context.close()
    assert not failures, "\n".join(failures)


def test_the_dashboard_answers_on_the_first_phone_screen(phone_page):
    open_page(phone_page, "/")
    header = phone_page.evaluate("() => document.querySelector('.site-header').getBoundingClientRect().height")
    assert header <= PHONE["height"] / 5, f"the header takes {header} px of a {PHONE['height']} px screen"
    first = phone_page.locator(".matrix tbody tr").first
    top = first.evaluate("(row) => row.getBoundingClientRect().top + window.scrollY")
    assert top < 1000, f"the first district of the matrix starts at {top} px"
    # The figure cards come after the matrix.
    order = phone_page.evaluate(
        "() => document.querySelector('.matrix').compareDocumentPosition(document.querySelector('#figures'))"
    )
    assert order & 4, "the headline figures come before the matrix"
    # Every column reachable: the matrix scrolls inside its box, the unit column stays.
    wrap = phone_page.locator(".matrix-wrap")
    wrap.evaluate("(box) => box.scrollLeft = box.scrollWidth")
    sticky = phone_page.locator(".matrix tbody th").first.evaluate("(cell) => cell.getBoundingClientRect().left")
    assert 0 <= sticky < 20, f"the unit column scrolled away (left {sticky})"
    assert phone_page.locator(".status-legend").count() == 1


def test_the_menu_button_opens_and_closes_the_menu_on_a_phone(phone_page):
    open_page(phone_page, "/")
    menu = phone_page.locator(".main-nav")
    assert not menu.is_visible()
    phone_page.get_by_role("button", name="Danh mục").click()
    assert menu.is_visible()
    phone_page.get_by_role("link", name="Mô hình hợp nhất").first.click()
    assert phone_page.url.endswith("/models/")


def test_mergers_on_a_phone_are_under_three_times_the_desktop_height(playwright_browser, seeded_server):
    heights = {}
    for viewport, options in ((DESKTOP, {}), (PHONE, {"is_mobile": True, "has_touch": True})):
        context, page = _new_page(playwright_browser, seeded_server, viewport, **options)
        try:
            open_page(page, "/mergers/")
            heights[viewport["width"]] = page.evaluate(HEIGHT)
        finally:
            context.close()
    assert heights[360] < 3 * heights[1280], heights


def test_the_timeline_chart_names_and_links_each_mark(page):
    open_page(page, "/en/timeline/")
    chart = page.locator("svg.consolidation__chart")
    assert chart.count() == 1
    marks = chart.locator("a.consolidation__mark")
    assert marks.count() > 10
    title = marks.first.locator("title").text_content()
    assert "·" in title and ":" in title
    href = marks.first.get_attribute("href")
    assert href.startswith("/en/mergers/")
    # Keyboard users reach the marks too.
    marks.first.focus()
    assert page.evaluate("() => document.activeElement.getAttribute('class')") == "consolidation__mark"
    # The filters apply to the chart: one district leaves one row.
    open_page(page, "/en/timeline/?district=uong-bi")
    assert page.locator("svg.consolidation__chart .consolidation__row").count() == 1


@pytest.mark.parametrize("path", ["/", "/mergers/", "/timeline/", "/models/", "/en/"])
def test_no_serious_accessibility_violation_on_a_phone(playwright_browser, seeded_server, path):
    context, page = _new_page(playwright_browser, seeded_server, PHONE, is_mobile=True, has_touch=True, bypass_csp=True)
    try:
        open_page(page, path)
        blocking = [v for v in run_axe(page) if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, format_axe(blocking, path)
    finally:
        context.close()
