"""Issue 16, item 5: two admins, one record, and the rows of its page
(milestones, headcounts, citations): a stale save never overwrites what
someone else saved. Fields only the other admin changed keep their value,
fields only this editor changed keep theirs, a field both changed is refused
on that field."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation

from agencies.models import Body, BodyCitation
from mergers.models import Milestone
from tests import factories
from tests.test_history import admin_url, form_data


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def two_admins(db):
    first, second = Client(), Client()
    first.force_login(User.objects.create_superuser("admin-mot", "a@example.org", None))
    second.force_login(User.objects.create_superuser("admin-hai", "b@example.org", None))
    return first, second


@pytest.fixture
def merger(db):
    district = factories.DistrictFactory(gso_code="193", slug="ha-long", name_vi="Thành phố Hạ Long")
    merger = factories.MergerFactory(unit=district, slug="hop-nhat-to-chuc")
    factories.MilestoneFactory(merger=merger, status="in_progress", date_edtf="2018", note_vi="Ghi chú cũ 1")
    factories.MilestoneFactory(merger=merger, status="completed", date_edtf="2019", note_vi="Ghi chú cũ 2")
    return merger


def milestone_rows(page):
    """{status: (prefix of its row in the posted form)} of the milestones inline."""
    for inline in page.context["inline_admin_formsets"]:
        if inline.formset.model is Milestone:
            return {form.instance.status: form.prefix for form in inline.formset.forms if form.instance.pk}
    raise AssertionError("no milestones inline")


def test_both_changed_the_same_field_is_refused_on_that_field(two_admins):
    first, second = two_admins
    district = factories.DistrictFactory(gso_code="193", slug="ha-long")
    board = factories.BodyFactory(unit=district, slug="ban-to-chuc", name_vi="Ban Tổ chức")
    url = admin_url("agencies_body_change", board.pk)
    page_one, page_two = first.get(url), second.get(url)
    assert first.post(url, form_data(page_one, name_en="Organisation Board")).status_code == 302
    refused = second.post(url, form_data(page_two, name_en="Board of Organisation"))
    assert refused.status_code == 200
    errors = refused.context["adminform"].form.errors["name_en"]
    assert errors == [
        "Both of you changed this field: admin-mot saved “Organisation Board”, you entered “Board of Organisation”. "
        "Saving again keeps yours; to keep theirs, enter it again."
    ]
    board.refresh_from_db()
    assert board.name_en == "Organisation Board"
    # Saving again is a decision made knowing theirs: it keeps yours.
    assert second.post(url, form_data(refused)).status_code == 302
    board.refresh_from_db()
    assert board.name_en == "Board of Organisation"


def test_two_admins_editing_different_milestones_of_one_merger_keep_both_changes(two_admins, merger):
    """The second admin's page was opened before the first admin's save; they
    changed another milestone only: their save goes through and the first
    admin's milestone keeps its new note."""
    first, second = two_admins
    url = admin_url("mergers_merger_change", merger.pk)
    page_one, page_two = first.get(url), second.get(url)
    rows = milestone_rows(page_one)
    saved = first.post(url, form_data(page_one, **{f"{rows['in_progress']}-note_vi": "Ghi chú của người thứ nhất"}))
    assert saved.status_code == 302
    rows = milestone_rows(page_two)
    response = second.post(url, form_data(page_two, **{f"{rows['completed']}-note_vi": "Ghi chú của người thứ hai"}))
    assert response.status_code == 302, response.context["adminform"].form.errors
    notes = dict(Milestone.objects.filter(merger=merger).values_list("status", "note_vi"))
    assert notes == {"in_progress": "Ghi chú của người thứ nhất", "completed": "Ghi chú của người thứ hai"}


def test_two_admins_editing_the_same_milestone_the_second_is_refused(two_admins, merger):
    first, second = two_admins
    url = admin_url("mergers_merger_change", merger.pk)
    page_one, page_two = first.get(url), second.get(url)
    row = milestone_rows(page_one)["completed"]
    assert first.post(url, form_data(page_one, **{f"{row}-note_vi": "Hoàn thành tháng 3"})).status_code == 302
    row = milestone_rows(page_two)["completed"]
    refused = second.post(url, form_data(page_two, **{f"{row}-note_vi": "Hoàn thành tháng 5"}))
    assert refused.status_code == 200
    text = refused.content.decode()
    assert "Someone else saved this row after you opened the page (admin-mot" in text
    assert (
        "Both of you changed this field: admin-mot saved “Hoàn thành tháng 3”, you entered “Hoàn thành tháng 5”."
        in text
    )
    assert Milestone.objects.get(merger=merger, status="completed").note_vi == "Hoàn thành tháng 3"


def test_a_stale_milestone_row_with_another_field_changed_keeps_both(two_admins, merger):
    first, second = two_admins
    url = admin_url("mergers_merger_change", merger.pk)
    page_one, page_two = first.get(url), second.get(url)
    row = milestone_rows(page_one)["completed"]
    assert first.post(url, form_data(page_one, **{f"{row}-note_vi": "Hoàn thành tháng 3"})).status_code == 302
    row = milestone_rows(page_two)["completed"]
    refused = second.post(url, form_data(page_two, **{f"{row}-note_en": "Completed in March"}))
    assert refused.status_code == 200  # refused once, showing theirs and yours
    text = refused.content.decode()
    assert "Note (Vietnamese): admin-mot saved “Hoàn thành tháng 3”; you had not changed it, so theirs is kept." in text
    assert "Note (English): yours, “Completed in March” (admin-mot did not change it)." in text
    assert second.post(url, form_data(refused)).status_code == 302
    milestone = Milestone.objects.get(merger=merger, status="completed")
    assert (milestone.note_vi, milestone.note_en) == ("Hoàn thành tháng 3", "Completed in March")


def test_two_admins_editing_the_same_citation_the_second_is_refused(two_admins):
    first, second = two_admins
    district = factories.DistrictFactory(gso_code="193", slug="ha-long")
    board = factories.BodyFactory(unit=district, slug="ban-to-chuc", name_vi="Ban Tổ chức")
    source = factories.SourceFactory(slug="bao-1")
    BodyCitation.objects.create(body=board, source=source, quote="Câu gốc.")
    url = admin_url("agencies_body_change", board.pk)
    page_one, page_two = first.get(url), second.get(url)
    prefix = next(
        form.prefix
        for inline in page_one.context["inline_admin_formsets"]
        for form in inline.formset.forms
        if isinstance(form.instance, BodyCitation) and form.instance.pk
    )
    assert first.post(url, form_data(page_one, **{f"{prefix}-quote": "Câu đã sửa."})).status_code == 302
    refused = second.post(url, form_data(page_two, **{f"{prefix}-quote": "Câu khác."}))
    assert refused.status_code == 200
    assert BodyCitation.objects.get(body=board).quote == "Câu đã sửa."
    # Changing another field from the stale page: refused once, then saved
    # with the first admin's quote kept (the citation row was not touched).
    refused = second.post(url, form_data(page_two, name_en="Organisation Board"))
    assert refused.status_code == 200
    assert second.post(url, form_data(refused)).status_code == 302
    assert BodyCitation.objects.get(body=board).quote == "Câu đã sửa."
    assert Body.objects.get(pk=board.pk).name_en == "Organisation Board"


def test_the_versions_of_inline_rows_are_read_in_one_query(two_admins, merger):
    """The merger page asks for the newest version of its rows once per
    inline, not once per row: as many queries with six milestones as with two."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first, _second = two_admins
    url = admin_url("mergers_merger_change", merger.pk)
    first.get(url)  # warm caches (content types, permissions)
    with CaptureQueriesContext(connection) as two:
        first.get(url)
    for year in (2020, 2021, 2022, 2023):
        factories.MilestoneFactory(merger=merger, status="in_progress", date_edtf=str(year))
    with CaptureQueriesContext(connection) as six:
        page = first.get(url)
    milestones = next(i.formset for i in page.context["inline_admin_formsets"] if i.formset.model is Milestone)
    assert len([form for form in milestones.forms if form.instance.pk]) == 6
    assert len(six) == len(two), (len(two), len(six))


def test_a_milestone_deleted_by_one_admin_stays_deleted_unless_the_other_changed_it(two_admins, merger):
    first, second = two_admins
    url = admin_url("mergers_merger_change", merger.pk)
    page_one, page_two, page_three = first.get(url), second.get(url), second.get(url)
    row = milestone_rows(page_one)["completed"]
    assert first.post(url, form_data(page_one, **{f"{row}-DELETE": "on"})).status_code == 302
    assert not Milestone.objects.filter(merger=merger, status="completed").exists()
    # The second admin did not touch that row: their save goes through, the row stays deleted.
    refused = second.post(url, form_data(page_two, title_en="Organisation and Home Affairs"))
    assert refused.status_code == 200  # refused once: the merger itself was saved since
    assert "deleted a row" not in refused.content.decode()
    assert second.post(url, form_data(refused)).status_code == 302
    assert not Milestone.objects.filter(merger=merger, status="completed").exists()
    # An admin who changed the deleted row is told, on that row.
    row = milestone_rows(page_three)["completed"]
    refused = second.post(url, form_data(page_three, **{f"{row}-note_vi": "Đã sửa"}))
    assert refused.status_code == 200
    assert "Someone else deleted a row after you opened the page; your changes to it are not saved." in (
        refused.content.decode()
    )
    assert not Milestone.objects.filter(merger=merger, status="completed").exists()
