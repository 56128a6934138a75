"""Every main page, in headless Chromium: no serious or critical axe-core
violation at 1280 px, no horizontal scroll at 360 px, and a screenshot of
each in screenshots/ (<page>-1280.png, <page>-360.png).

One test walks all pages (the seed takes seconds to load, and a live-server
test reloads it), checks each and reports every failing page at the end.
"""

import pytest

from .support import BLOCKING_IMPACTS, MAIN_PAGES, format_axe, main_page_path, open_page, run_axe, screenshot

pytestmark = pytest.mark.browser

# The outermost elements that stick out of the viewport, to say what scrolls
# (not those inside a box that scrolls or clips them, such as a table wrapper).
_OVERFLOWING = """(width) => [...document.querySelectorAll("body *")]
  .filter(el => el.getBoundingClientRect().right > width + 0.5)
  .filter(el => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== "visible") return false;
    }
    return true;
  })
  .filter(el => !el.parentElement || el.parentElement.getBoundingClientRect().right <= width + 0.5)
  .slice(0, 8)
  .map(el => {
    const name = e => {
      const id = e.id ? "#" + e.id : "";
      const cls = typeof e.className === "string" && e.className.trim()
        ? "." + e.className.trim().split(/\\s+/).join(".") : "";
      return e.tagName.toLowerCase() + id + cls;
    };
    const parent = el.parentElement && el.parentElement !== document.body ? name(el.parentElement) + " > " : "";
    return `${parent}${name(el)} (right edge ${Math.round(el.getBoundingClientRect().right)} px)`;
  })"""


def check_every_main_page(page, check):
    """Run `check(page, path, main_page)` on each main page; return the failures."""
    failures = []
    for main_page in MAIN_PAGES:
        path = main_page_path(main_page)
        try:
            open_page(page, path)
            check(page, path, main_page)
        except AssertionError as exc:
            failures.append(f"{main_page.name} ({path}): {exc}")
    return failures


def test_every_main_page_has_no_serious_accessibility_violation(audit_page):
    def check(page, path, main_page):
        screenshot(page, f"{main_page.name}-1280")
        blocking = [v for v in run_axe(page) if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, format_axe(blocking, path)

    failures = check_every_main_page(audit_page, check)
    assert not failures, f"{len(failures)} of {len(MAIN_PAGES)} main pages fail axe-core:\n" + "\n".join(failures)


def test_every_main_page_fits_a_360px_screen(phone_page):
    def check(page, path, main_page):
        screenshot(page, f"{main_page.name}-360")
        scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
        if scroll_width > 360:
            culprits = page.evaluate(_OVERFLOWING, 360)
            raise AssertionError(
                f"scrolls sideways: the page is {scroll_width} px wide; sticking out: {', '.join(culprits) or '?'}"
            )

    failures = check_every_main_page(phone_page, check)
    assert not failures, f"{len(failures)} of {len(MAIN_PAGES)} main pages scroll sideways at 360 px:\n" + "\n".join(
        failures
    )
