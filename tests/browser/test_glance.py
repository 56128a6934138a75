"""The portal at a glance (issue 13), in headless Chromium at 360 and 1280 px:
nothing scrolls sideways (neither the page nor a table inside its box, but
the dashboard matrix with its sticky first column), lists are readable cards
on a phone, the dashboard answers on the first phone screen, the district
page folds its long sections on a phone, lists stay a few screens long, the
header stays small, the timeline chart names and links its marks and reads
on a phone, and axe-core finds no serious violation on a phone either.
Screenshots in Vietnamese and English go to screenshots/.
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

# Boxes that scroll sideways inside the page: only the dashboard matrix may
# (its unit column stays in view, the "sticky first column").
SCROLLING_BOXES = """() => [...document.querySelectorAll("main *")]
  .filter(el => ["auto", "scroll"].includes(getComputedStyle(el).overflowX))
  .filter(el => el.scrollWidth > el.clientWidth + 1 && !el.closest(".matrix-wrap"))
  .map(el => `${el.tagName.toLowerCase()}.${[...el.classList].join(".")} (${el.scrollWidth} px in ${el.clientWidth})`)"""

# Table cells squeezed to a word per line: narrower than 4em yet holding a
# phrase (a visually hidden header row is left out).
SQUEEZED_CELLS = """() => [...document.querySelectorAll("main tbody td, main tbody th, main tfoot td, main tfoot th")]
  .filter(cell => !cell.closest(".matrix-wrap"))
  .filter(cell => {
    const box = cell.getBoundingClientRect();
    return box.width > 0 && box.width < 64 && cell.textContent.trim().length > 12;
  })
  .slice(0, 5)
  .map(cell => `${Math.round(cell.getBoundingClientRect().width)} px: ${cell.textContent.trim().slice(0, 40)}`)"""


def _walk(page, width, language):
    failures = []
    for main_page in MAIN_PAGES:
        path = main_page_path(main_page, language)
        try:
            open_page(page, path)
            screenshot(page, f"glance-{main_page.name}-{language}-{width}")
            scroll_width = page.evaluate(SCROLL_WIDTH)
            assert scroll_width <= width, f"scrolls sideways: {scroll_width} px wide"
            boxes = page.evaluate(SCROLLING_BOXES)
            assert not boxes, f"a box scrolls sideways inside the page: {boxes}"
            if width == PHONE["width"]:
                squeezed = page.evaluate(SQUEEZED_CELLS)
                assert not squeezed, f"table cells squeezed to a word per line: {squeezed}"
        except AssertionError as exc:
            failures.append(f"{main_page.name} ({path}): {exc}")
    return failures


@pytest.mark.parametrize("language", ["vi", "en"])
def test_no_page_or_table_scrolls_sideways_on_a_desktop_or_a_phone(playwright_browser, seeded_server, language):
    """Every page of the menu and every detail page (district, model, merger,
    body, document, source), at 1280 and 360 px."""
    failures = []
    for viewport, options in ((DESKTOP, {}), (PHONE, {"is_mobile": True, "has_touch": True})):
        context, page = _new_page(playwright_browser, seeded_server, viewport, **options)
        try:
            failures += [f"{viewport['width']} px: {f}" for f in _walk(page, viewport["width"], language)]
        finally:
            context.close()
    assert not failures, "\n".join(failures)


def test_every_menu_page_is_a_main_page(page):
    """The walks above cover every page the menu offers."""
    open_page(page, "/")
    menu = page.eval_on_selector_all(".main-nav a", "(links) => links.map(a => new URL(a.href).pathname)")
    walked = {main_page_path(main_page).split("?")[0] for main_page in MAIN_PAGES}
    assert set(menu) <= walked, set(menu) - walked


def test_lists_are_cards_on_a_phone(phone_page):
    for path in ("/districts/", "/milestones/", "/headcount/", "/documents/", "/figures/"):
        open_page(phone_page, path)
        table = phone_page.locator("main table.cards").first
        assert table.count() == 1, f"{path} has no card list"
        row = table.locator("tbody tr").first
        assert row.evaluate("(tr) => getComputedStyle(tr).display") == "block", path
        assert table.locator("thead").evaluate("(head) => head.getBoundingClientRect().height") <= 1, path
    # A number in a card says what it is.
    open_page(phone_page, "/en/districts/")
    code = phone_page.locator("main table.cards tbody tr").first.locator("td").first
    assert code.inner_text() == "193"
    assert code.evaluate("(td) => getComputedStyle(td, '::before').content") == '"GSO code: "'


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


# The district page on a phone: the facts and the mergers first, the long
# sections folded (it was 18,900 px tall with every section stacked).
DISTRICT_PHONE_HEIGHT = 4000

FOLDS = "() => [...document.querySelectorAll('main details.fold')].map(d => [d.querySelector('h2').id, d.open])"


def test_the_district_page_answers_at_a_glance_on_a_phone(playwright_browser, seeded_server):
    for path in ("/districts/uong-bi/", "/en/districts/uong-bi/"):
        context, page = _new_page(playwright_browser, seeded_server, PHONE, is_mobile=True, has_touch=True)
        try:
            open_page(page, path)
            height = page.evaluate(HEIGHT)
            assert height < DISTRICT_PHONE_HEIGHT, f"{path} is {height} px tall at 360 px"
            folds = dict(page.evaluate(FOLDS))
            assert {"bodies", "titles", "figures", "timeline", "history", "children"} <= set(folds), folds
            assert not any(folds.values()), f"sections left open on a phone: {folds}"
            # Each says how much it holds, and what it holds is in the page.
            summary = page.locator("details.fold summary", has=page.locator("#bodies")).inner_text()
            assert "(20)" in summary, summary
            assert page.locator("#bodies").locator("xpath=ancestor::details").locator("tbody tr").count() == 20
            # The mergers come before the folded sections, on the first screens.
            mergers = page.locator("#mergers").evaluate("(h) => h.getBoundingClientRect().top + window.scrollY")
            assert mergers < 1000, f"the mergers start at {mergers} px"
            # A tap opens a section.
            page.locator("details.fold summary", has=page.locator("#history")).click()
            assert dict(page.evaluate(FOLDS))["history"]
        finally:
            context.close()
    # A link into a section opens it.
    context, page = _new_page(playwright_browser, seeded_server, PHONE, is_mobile=True, has_touch=True)
    try:
        open_page(page, "/en/districts/uong-bi/#titles")
        folds = dict(page.evaluate(FOLDS))
        assert folds["titles"] and not folds["bodies"], folds
    finally:
        context.close()


def test_the_district_page_keeps_every_section_open_on_a_desktop(page):
    open_page(page, "/en/districts/uong-bi/")
    folds = dict(page.evaluate(FOLDS))
    assert folds and all(folds.values()), folds
    assert page.locator("#bodies").locator("xpath=ancestor::details").locator("tbody tr").first.is_visible()


def test_the_timeline_chart_names_and_links_each_mark(page):
    open_page(page, "/en/timeline/")
    chart = page.locator("svg.consolidation__chart")
    assert chart.count() == 1
    marks = chart.locator("a.consolidation__mark")
    assert marks.count() > 10
    kinds = set(
        marks.evaluate_all("(links) => links.map(a => a.getAttribute('class').split('consolidation__mark--')[1])")
    )
    assert kinds == {"milestone", "document", "unit_change", "title", "event"}
    milestone = chart.locator("a.consolidation__mark--milestone").first
    title = milestone.locator("title").text_content()
    assert "·" in title and ":" in title
    assert milestone.get_attribute("href").startswith("/en/mergers/")
    # Keyboard users reach the marks, and the focused mark is named under the chart.
    milestone.focus()
    assert "consolidation__mark" in page.evaluate("() => document.activeElement.getAttribute('class')")
    assert page.locator(".consolidation__focus").inner_text() == title
    # Hovering names a mark too.
    change = chart.locator("a.consolidation__mark--unit_change").first
    change.hover()
    assert page.locator(".consolidation__focus").inner_text() == change.locator("title").text_content()
    # The filters apply to the chart: one district leaves one row.
    open_page(page, "/en/timeline/?district=uong-bi")
    assert page.locator("svg.consolidation__chart .consolidation__row").count() == 1


def test_the_timeline_chart_reads_on_a_phone(phone_page):
    open_page(phone_page, "/en/timeline/")
    chart = phone_page.locator("svg.consolidation__chart")
    box = chart.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    label = chart.locator(".consolidation__label").first
    assert label.evaluate("(text) => text.getBoundingClientRect().height") >= 11, "row labels too small to read"
    years = chart.locator(".consolidation__year").evaluate_all(
        "(labels) => labels.filter(l => getComputedStyle(l).display !== 'none').map(l => l.getBoundingClientRect())"
    )
    for left, right in zip(years, years[1:], strict=False):
        assert left["right"] <= right["left"], "year labels overlap"


def test_no_serious_accessibility_violation_on_a_phone(playwright_browser, seeded_server):
    context, page = _new_page(playwright_browser, seeded_server, PHONE, is_mobile=True, has_touch=True, bypass_csp=True)
    failures = []
    try:
        for main_page in MAIN_PAGES:
            for language in ("vi", "en") if main_page.name in ("dashboard", "timeline", "district") else ("vi",):
                path = main_page_path(main_page, language)
                open_page(page, path)
                blocking = [v for v in run_axe(page) if v["impact"] in BLOCKING_IMPACTS]
                if blocking:
                    failures.append(format_axe(blocking, f"{path} at 360 px"))
    finally:
        context.close()
    assert not failures, "\n".join(failures)
