"""What portal staff do in a real browser: pick a date on the dashboard,
filter the merger list, search without diacritics, switch to English, and
reach the skip link from the keyboard."""

import re

import pytest
from playwright.sync_api import expect

from .support import open_page

pytestmark = pytest.mark.browser

# For each row of the dashboard's table, the status class of the cell in the
# column whose header links to the model page; null where a row has no cell.
_COLUMN_STATUSES = """(modelPath) => {
  const header = [...document.querySelectorAll("table th")].find(
    th => [...th.querySelectorAll("a")].some(a => new URL(a.href).pathname.endsWith(modelPath)));
  if (!header) return null;
  const table = header.closest("table");
  const index = header.cellIndex;
  return [...table.tBodies].flatMap(tbody => [...tbody.rows]).map(row => {
    const cell = row.cells[index];
    const status = cell && cell.querySelector(".status");
    if (!status) return null;
    const kind = [...status.classList].find(c => c.startsWith("status--"));
    return kind ? kind.slice("status--".length) : null;
  });
}"""


def column_statuses(page, model_slug):
    statuses = page.evaluate(_COLUMN_STATUSES, f"/models/{model_slug}/")
    assert statuses is not None, f"the dashboard has no column headed by a link to the {model_slug} model"
    return statuses


def pick_date(page, iso_date):
    """Type a date into the dashboard's date picker and submit its form."""
    date_input = page.locator("input[type=date][name=as_of]")  # the search form carries the date hidden
    expect(date_input).to_have_attribute("type", "date")
    date_input.fill(iso_date)
    form = page.locator("form", has=date_input)
    form.locator("button[type=submit], input[type=submit]").first.click()
    expect(page).to_have_url(re.compile(rf"[?&]as_of={iso_date}"))


def test_dashboard_date_picker_shows_fatherland_front_bloc_as_of_that_date(page):
    open_page(page, "/")

    pick_date(page, "2017-09-27")
    # Báo Quảng Ninh, 28/09/2017: by 27/09/2017, 12 of the 14 districts had the
    # joint agency; Hạ Long and Đầm Hà did not.
    assert column_statuses(page, "khoi-mttq").count("completed") == 12
    expect(page.locator("input[type=date][name=as_of]")).to_have_value("2017-09-27")

    pick_date(page, "2015-01-01")
    # Before the Secretariat's letter of 27/02/2015 no district had it.
    assert column_statuses(page, "khoi-mttq").count("completed") == 0


def test_merger_list_filters_by_model_and_district(page):
    open_page(page, "/mergers/")
    page.locator("select[name=model]").select_option("to-chuc-noi-vu")
    page.locator("select[name=district]").select_option("ha-long")
    page.locator("form.filters button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"model=to-chuc-noi-vu"))
    expect(page).to_have_url(re.compile(r"district=ha-long"))
    rows = page.locator("main table tbody tr")
    # One merger: Hạ Long's Ban Tổ chức + Phòng Nội vụ (VOV, 2019).
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Hạ Long")
    expect(rows.first).not_to_contain_text("Uông Bí")
    # The form shows the choices it applied.
    expect(page.locator("select[name=model]")).to_have_value("to-chuc-noi-vu")
    expect(page.locator("select[name=district]")).to_have_value("ha-long")


def test_search_without_diacritics_finds_uong_bi(page):
    open_page(page, "/")
    box = page.locator("#site-search-q")
    box.fill("uong bi")
    box.press("Enter")

    expect(page).to_have_url(re.compile(r"/search/\?q=uong(\+|%20)bi"))
    expect(page.locator("#site-search-q")).to_have_value("uong bi")
    expect(page.locator("main").get_by_role("link", name=re.compile("Uông Bí")).first).to_be_visible()


def test_language_switch_shows_the_page_in_english(page):
    open_page(page, "/mergers/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")

    page.locator(".lang-switch a[hreflang=en]").click()

    expect(page).to_have_url(re.compile(r"/en/mergers/"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    nav = page.locator("nav.main-nav")
    expect(nav.get_by_role("link", name="Dashboard")).to_be_visible()
    expect(nav.get_by_role("link", name="Mergers")).to_have_attribute("aria-current", "page")
    # The way back is offered in Vietnamese.
    expect(page.locator(".lang-switch a[hreflang=vi]")).to_have_text("Tiếng Việt")


def test_english_dashboard_names_the_models_in_english(page):
    from mergers.models import MergerModel

    model = MergerModel.objects.get(slug="khoi-mttq")
    heading = "main table thead a[href$='/models/khoi-mttq/']"
    open_page(page, "/")
    expect(page.locator(heading)).to_have_text(re.compile(re.escape(model.short_vi)))
    open_page(page, "/en/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(heading)).to_have_text(re.compile(re.escape(model.short_en)))


def test_tab_reaches_the_skip_link_first(page):
    open_page(page, "/")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => { const a = document.activeElement; const r = a.getBoundingClientRect();"
        " return {href: a.getAttribute('href'), cls: a.className, visible: r.width > 0 && r.height > 0"
        " && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth}; }"
    )
    assert focused["href"] == "#content", f"Tab first reaches {focused}, not the skip link"
    assert focused["visible"], "the skip link stays off screen when it has the focus"

    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "content"
