"""The three admin journeys of a Vietnamese provincial office, in a real
browser at 1280 px, in Vietnamese, with a screenshot of every page visited
(screenshots/admin-*.png):

1. the provincial admin creates a district editor for Hải Hà;
2. that editor adds a merger with its constituents, a milestone and a
   headcount, typing dates the Vietnamese way (dd/mm/yyyy), then edits it;
3. the provincial admin reverts the editor's change, giving a reason.

On every page, none of the English strings below may show.
"""

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from core.roles import assign_role
from core.scope import PROVINCIAL_ADMIN_GROUP
from mergers.models import Merger

from .support import screenshot

pytestmark = pytest.mark.browser

ENGLISH = [
    "Choose a date",
    "Changed by",
    "Please correct",
    "Show counts",
    "Django administration",
    "None",
    "Import",
    "Export",
    "History",
    "Save and",
    "Delete",
    "Historical",
    "Mergers",
]
ADMIN_PASSWORD = "So-Noi-Vu-Quang-Ninh-2015"
EDITOR_PASSWORD = "Xuan-Thu-6789-QN!"
TITLE = "Kiểm thử dùng chung bộ phận Hải Hà"
EDITED_TITLE = "Kiểm thử dùng chung bộ phận Hải Hà (sửa nhầm)"


class Journey:
    """Visits pages, screenshots each, and checks that no English shows."""

    def __init__(self, page):
        self.page = page
        self.count = 0

    def check(self, name):
        self.page.wait_for_load_state("load")
        self.count += 1
        screenshot(self.page, f"admin-{self.count:02d}-{name}")
        text = self.page.inner_text("body") + " " + self.page.title()
        shown = [word for word in ENGLISH if word in text]
        assert not shown, f"{name} ({self.page.url}) shows English: {shown}"
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 1280, f"{name} scrolls sideways at 1280 px ({width} px wide)"
        assert not self.page.js_errors, self.page.js_errors

    def go(self, path, name):
        response = self.page.goto(self.page.server + path, wait_until="load")
        assert response is not None and response.status == 200, f"{path} answered {response and response.status}"
        self.check(name)

    def login(self, username, password):
        self.go("/admin/login/", f"login-{username}")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.page.click("input[type=submit]")
        expect(self.page.locator("#site-name")).to_contain_text("Hợp nhất cơ quan ở Quảng Ninh")
        self.check(f"home-{username}")

    def logout(self):
        if not self.page.locator("#logout-form").count():
            self.page.goto(self.page.server + "/admin/", wait_until="load")
        self.page.locator("#logout-form button, #logout-form input[type=submit]").first.click()
        self.page.wait_for_load_state("load")

    def pick(self, select_id, typed, option_text):
        """Choose in one of the admin's autocomplete boxes (select2)."""
        self.page.locator(f"#{select_id} + .select2 .select2-selection").click()
        self.page.locator(".select2-container--open .select2-search__field").fill(typed)
        option = self.page.locator(".select2-container--open .select2-results__option", has_text=option_text).first
        expect(option).to_be_visible()
        option.click()


@pytest.fixture
def journey(page):
    return Journey(page)


@pytest.fixture
def provincial_admin(seeded_server):
    user = User.objects.create_user("so-noi-vu", password=ADMIN_PASSWORD, first_name="Sở Nội vụ")
    assign_role(user, PROVINCIAL_ADMIN_GROUP)
    return user


def create_editor(journey):
    page = journey.page
    journey.login("so-noi-vu", ADMIN_PASSWORD)
    journey.go("/admin/auth/user/", "users")
    page.locator(".object-tools a.addlink").click()
    journey.check("user-add")
    page.fill("#id_username", "bien-tap-hai-ha")
    page.fill("#id_password1", EDITOR_PASSWORD)
    page.fill("#id_password2", EDITOR_PASSWORD)
    page.fill("#id_first_name", "Lan")
    page.fill("#id_last_name", "Nguyễn Thị")
    page.select_option("#id_role", "district_editor")
    page.click("input[name=_save]")
    # No district ticked: refused with a message, nothing created.
    expect(page.locator(".errorlist").first).to_contain_text("Hãy đánh dấu ít nhất một huyện")
    journey.check("user-add-refused")
    assert not User.objects.filter(username="bien-tap-hai-ha").exists()
    page.fill("#id_password1", EDITOR_PASSWORD)
    page.fill("#id_password2", EDITOR_PASSWORD)
    page.get_by_label("Huyện Hải Hà").check()
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_be_visible()
    journey.check("user-saved")
    editor = User.objects.get(username="bien-tap-hai-ha")
    assert editor.is_staff and list(editor.district_scope.districts.values_list("slug", flat=True)) == ["hai-ha"]
    journey.logout()


def add_merger(journey):
    page = journey.page
    journey.login("bien-tap-hai-ha", EDITOR_PASSWORD)
    expect(page.locator(".editor-scope")).to_contain_text("Huyện Hải Hà")
    journey.go("/admin/mergers/merger/", "mergers")
    page.locator(".object-tools a.addlink").click()
    journey.check("merger-add")
    expect(page.locator(".editor-scope")).to_contain_text("Huyện Hải Hà")
    page.select_option("#id_kind", "transfer")
    journey.pick("id_unit", "Hải Hà", "Huyện Hải Hà")
    page.fill("#id_title_vi", TITLE)
    page.locator("#id_title_vi").blur()
    # The identifier keeps the title's letters, in the browser.
    expect(page.locator("#id_slug")).to_have_value("kiem-thu-dung-chung-bo-phan-hai-ha")
    journey.pick("id_constituent_links-0-body", "Ủy ban MTTQ", "Ủy ban MTTQ Việt Nam huyện Hải Hà")
    journey.pick("id_constituent_links-1-body", "Hội Nông dân", "Hội Nông dân huyện Hải Hà")
    page.locator("#milestones-group .add-row a").click()
    page.select_option("#id_milestones-0-status", "completed")
    page.fill("#id_milestones-0-date_edtf", "15/03/2018")
    page.locator("#headcounts-group .add-row a").click()
    page.select_option("#id_headcounts-0-phase", "before")
    page.fill("#id_headcounts-0-value", "12")
    page.fill("#id_headcounts-0-as_of_edtf", "01/03/2018")
    journey.check("merger-add-filled")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_be_visible()
    journey.check("merger-saved")
    merger = Merger.objects.get(slug="kiem-thu-dung-chung-bo-phan-hai-ha")
    milestone = merger.milestones.get()
    assert (milestone.status, milestone.date_edtf) == ("completed", "2018-03-15")
    headcount = merger.headcounts.get()
    assert (headcount.value, headcount.as_of_edtf) == (12, "2018-03-01")
    assert sorted(merger.constituents.values_list("slug", flat=True)) == ["hai-ha-hoi-nong-dan", "hai-ha-uy-ban-mttq"]
    # The saved page shows the dates as typed, the Vietnamese way.
    expect(page.locator("#id_milestones-0-date_edtf")).to_have_value("15/03/2018")

    # Then the editor changes the title, saying why.
    page.fill("#id_title_vi", EDITED_TITLE)
    page.fill("#id_change_reason", "Sửa tiêu đề")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_be_visible()
    journey.check("mergers-after-edit")
    rows = page.locator("#result_list tbody tr")
    heights = rows.evaluate_all("rows => rows.map(r => r.getBoundingClientRect().height)")
    assert heights and max(heights) < 60, f"a merger takes more than one line in the list: {max(heights)} px"
    hidden = page.evaluate(
        "(() => { const r = document.querySelector('#changelist .results'); return r.scrollWidth - r.clientWidth; })()"
    )
    assert hidden <= 0, f"the merger list hides {hidden} px of columns at 1280 px"
    merger.refresh_from_db()
    assert merger.title_vi == EDITED_TITLE

    # Another district's merger: refused, saying whose it is, with a way back.
    other = Merger.objects.filter(unit__slug="ha-long").order_by("pk").first()
    response = page.goto(f"{page.server}/admin/mergers/merger/{other.pk}/change/", wait_until="load")
    assert response.status == 403
    expect(page.locator("main")).to_contain_text("Thành phố Hạ Long")
    expect(page.get_by_role("link", name="Về trang quản trị")).to_be_visible()
    journey.check("merger-other-district-refused")
    journey.logout()
    return merger


def revert_edit(journey, merger):
    page = journey.page
    journey.login("so-noi-vu", ADMIN_PASSWORD)
    journey.go("/admin/mergers/merger/import/", "merger-import")
    expect(page.get_by_role("link", name="Tệp mẫu (XLSX)")).to_be_visible()
    journey.go("/admin/mergers/merger/export/", "merger-export")
    journey.go(f"/admin/mergers/merger/{merger.pk}/change/", "merger-change-admin")
    page.locator(".object-tools a.historylink").click()
    journey.check("merger-history")
    expect(page.locator("#change-history")).to_contain_text("Sửa tiêu đề")
    expect(page.locator("#change-history")).to_contain_text("bien-tap-hai-ha")
    expect(page.locator("#change-history")).to_contain_text("Tiêu đề (tiếng Việt)")
    first = merger.history.earliest()
    page.locator(f"#change-history a[href$='/history/{first.history_id}/']").click()
    journey.check("merger-revert")
    expect(page.locator("#id_title_vi")).to_have_value(TITLE)
    page.click("input[name=_save]")
    # No reason: refused.
    expect(page.locator(".errornote")).to_be_visible()
    journey.check("merger-revert-refused")
    page.fill("#id_change_reason", "Biên tập viên sửa nhầm tiêu đề")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_be_visible()
    journey.check("merger-reverted")
    merger.refresh_from_db()
    assert merger.title_vi == TITLE
    assert merger.history.first().history_change_reason == "Biên tập viên sửa nhầm tiêu đề"


def test_three_admin_journeys_in_vietnamese_at_1280px(journey, provincial_admin):
    create_editor(journey)
    merger = add_merger(journey)
    revert_edit(journey, merger)
    assert journey.count >= 15
    assert re.fullmatch(r"[a-z0-9-]+", merger.slug)
