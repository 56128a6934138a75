"""Every main page, in headless Chromium: no serious or critical axe-core
violation at 1280 px, no horizontal scroll at 360 px, and a screenshot of
each in screenshots/ (<page>-1280.png, <page>-360.png)."""

import pytest

from .support import MAIN_PAGE_IDS, MAIN_PAGES, BLOCKING_IMPACTS, format_axe, main_page_path, open_page, run_axe, screenshot

pytestmark = pytest.mark.browser

# Elements that stick out of the 360 px viewport, to say what scrolls.
_OVERFLOWING = """(width) => [...document.querySelectorAll("body *")]
  .filter(el => el.getBoundingClientRect().right > width + 0.5)
  .filter(el => !el.parentElement || el.parentElement.getBoundingClientRect().right <= width + 0.5)
  .slice(0, 8)
  .map(el => {
    const id = el.id ? "#" + el.id : "";
    const cls = typeof el.className === "string" && el.className ? "." + el.className.trim().split(/\\s+/).join(".") : "";
    return `${el.tagName.toLowerCase()}${id}${cls} (right edge ${Math.round(el.getBoundingClientRect().right)} px)`;
  })"""


@pytest.mark.parametrize("main_page", MAIN_PAGES, ids=MAIN_PAGE_IDS)
def test_main_page_has_no_serious_accessibility_violation(audit_page, main_page):
    path = main_page_path(main_page)
    open_page(audit_page, path)
    screenshot(audit_page, f"{main_page.name}-1280")
    violations = run_axe(audit_page)
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, format_axe(blocking, f"{path} ({main_page.name})")


@pytest.mark.parametrize("main_page", MAIN_PAGES, ids=MAIN_PAGE_IDS)
def test_main_page_fits_a_360px_screen(phone_page, main_page):
    path = main_page_path(main_page)
    open_page(phone_page, path)
    screenshot(phone_page, f"{main_page.name}-360")
    scroll_width = phone_page.evaluate("() => document.documentElement.scrollWidth")
    if scroll_width > 360:
        culprits = phone_page.evaluate(_OVERFLOWING, 360)
        pytest.fail(
            f"{path} ({main_page.name}) scrolls sideways at 360 px: the page is {scroll_width} px wide; "
            f"sticking out: {', '.join(culprits) or 'unknown'}",
            pytrace=False,
        )
