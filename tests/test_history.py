"""History in admin: who changed what and why, revert, protected deletes,
and recovering a deleted record."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import translation

from agencies.models import Body, BodyCitation
from tests import factories


@pytest.fixture(autouse=True)
def english():
    """Pages are opened under /en/; messages are compared as their English msgids."""
    with translation.override("en"):
        yield


def admin_url(name, *args):
    with translation.override("en"):
        return reverse(f"admin:{name}", args=args)


def form_data(response, **changes):
    """The POST data of an admin form as it was rendered, with changes."""
    form = response.context["adminform"].form
    data = {}
    for name, _field in form.fields.items():
        value = form[name].value()
        if value is None:
            value = ""
        elif isinstance(value, (list, tuple)):
            value = [str(v) for v in value]
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        data[name] = value
    # Inline formsets (a record's citations) as rendered: management form and rows.
    for inline in response.context.get("inline_admin_formsets") or ():
        formset = inline.formset
        for name, _field in formset.management_form.fields.items():
            data[formset.management_form.add_prefix(name)] = formset.management_form[name].value()
        for row in formset.forms:
            for name in row.fields:
                value = row[name].value()
                if value is None or value is False:
                    continue
                data[row.add_prefix(name)] = str(value.pk if hasattr(value, "pk") else value)
    data.update(changes)
    return data


@pytest.fixture
def ha_long(db):
    district = factories.DistrictFactory(gso_code="193", slug="ha-long", name_vi="Thành phố Hạ Long")
    board = factories.BodyFactory(unit=district, slug="ban-to-chuc-ha-long", name_vi="Ban Tổ chức Thành ủy Hạ Long")
    office = factories.BodyFactory(
        unit=district, slug="phong-noi-vu-ha-long", name_vi="Phòng Nội vụ thành phố Hạ Long", sector=Body.Sector.STATE
    )
    result = factories.BodyFactory(
        unit=district, slug="to-chuc-noi-vu-ha-long", name_vi="Cơ quan Tổ chức - Nội vụ Thành ủy Hạ Long"
    )
    merger = factories.MergerFactory(unit=district, result=result, constituents=[board, office])
    return {"district": district, "board": board, "result": result, "merger": merger}


@pytest.fixture
def admin_user(db):
    return User.objects.create_superuser("province-admin", "admin@example.org", None)  # no password: no slow hashing


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_change_via_admin_records_who_when_what_and_why(admin_client, admin_user, ha_long):
    board = ha_long["board"]
    url = admin_url("agencies_body_change", board.pk)
    data = form_data(
        admin_client.get(url), name_en="Ha Long Party Organisation Board", change_reason="Tên tiếng Anh theo bài 000"
    )
    before = datetime.datetime.now(datetime.UTC)
    response = admin_client.post(url, data)
    assert response.status_code == 302

    latest = board.history.first()
    assert latest.history_type == "~"
    assert latest.history_user == admin_user
    assert latest.history_change_reason == "Tên tiếng Anh theo bài 000"
    assert latest.history_date >= before
    delta = latest.diff_against(latest.prev_record)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [("name_en", "", "Ha Long Party Organisation Board")]

    page = admin_client.get(admin_url("agencies_body_history", board.pk)).content.decode()
    assert "Tên tiếng Anh theo bài 000" in page
    assert "Ha Long Party Organisation Board" in page
    assert "province-admin" in page


def test_revert_restores_an_earlier_version(admin_client, ha_long):
    board = ha_long["board"]
    url = admin_url("agencies_body_change", board.pk)
    admin_client.post(url, form_data(admin_client.get(url), name_vi="Ban Tổ chức Hạ Long (tên sai)"))
    board.refresh_from_db()
    assert board.name_vi == "Ban Tổ chức Hạ Long (tên sai)"

    first = board.history.earliest()
    revert_url = admin_url("agencies_body_simple_history", board.pk, first.history_id)
    page = admin_client.get(revert_url)
    assert page.status_code == 200
    assert page.context["adminform"].form["name_vi"].value() == "Ban Tổ chức Thành ủy Hạ Long"
    response = admin_client.post(revert_url, form_data(page, change_reason="Trả lại tên đúng"))
    assert response.status_code == 302
    board.refresh_from_db()
    assert board.name_vi == "Ban Tổ chức Thành ủy Hạ Long"
    assert board.history.count() == 3
    assert board.history.first().history_change_reason == "Trả lại tên đúng"


def test_deleting_a_body_a_merger_refers_to_is_refused_with_the_reason(admin_client, ha_long):
    result = ha_long["result"]
    url = admin_url("agencies_body_delete", result.pk)
    page = admin_client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "would require deleting the following protected related objects" in text
    assert str(ha_long["merger"]) in text
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert "protected related objects" in response.content.decode()
    assert Body.objects.filter(pk=result.pk).exists()


def test_deleting_a_constituent_body_is_refused_in_bulk_too(admin_client, ha_long):
    board = ha_long["board"]
    response = admin_client.post(
        admin_url("agencies_body_changelist"),
        {"action": "delete_selected", "_selected_action": [board.pk], "post": "yes"},
    )
    assert response.status_code == 200
    assert "protected related objects" in response.content.decode()
    assert Body.objects.filter(pk=board.pk).exists()


def test_a_deleted_record_is_recovered_from_history(admin_client, ha_long):
    stray = factories.BodyFactory(
        unit=ha_long["district"],
        slug="trung-tam-bdct-ha-long",
        name_vi="Trung tâm Bồi dưỡng chính trị thành phố Hạ Long",
    )
    pk = stray.pk
    response = admin_client.post(admin_url("agencies_body_delete", pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Body.objects.filter(pk=pk).exists()

    history = admin_client.get(admin_url("agencies_body_history", pk))
    assert history.status_code == 200
    assert "Trung tâm Bồi dưỡng chính trị thành phố Hạ Long" in history.content.decode()

    last_version = Body.history.filter(id=pk, history_type="+").get()
    recover_url = admin_url("agencies_body_simple_history", pk, last_version.history_id)
    page = admin_client.get(recover_url)
    assert page.status_code == 200
    response = admin_client.post(recover_url, form_data(page, change_reason="Xoá nhầm"))
    assert response.status_code == 302
    recovered = Body.objects.get(pk=pk)
    assert recovered.name_vi == "Trung tâm Bồi dưỡng chính trị thành phố Hạ Long"
    assert recovered.history.first().history_change_reason == "Xoá nhầm"


@pytest.mark.parametrize(
    "path",
    [
        "abc/history/",
        "1/history/abc/",
        "abc/history/1/",
        f"{'9' * 25}/history/",
        f"1/history/{'9' * 25}/",
        "424242/history/",
    ],
)
def test_history_urls_with_bad_ids_are_404_not_500(admin_client, ha_long, path):
    with translation.override("en"):
        base = reverse("admin:agencies_body_changelist")
    assert admin_client.get(base + path).status_code == 404


# -- issue 16, items 6 and 10 ------------------------------------------------------------


def test_a_cited_source_cannot_be_deleted_and_the_page_names_who_cites_it(admin_client, ha_long):
    from django.db.models import ProtectedError

    from agencies.models import Source

    source = factories.SourceFactory(slug="bao-qn", title="Hợp nhất cơ quan")
    ha_long["board"].sources.add(source)
    url = admin_url("agencies_source_delete", source.pk)
    page = admin_client.get(url).content.decode()
    assert "protected related objects" in page
    assert "Ban Tổ chức Thành ủy Hạ Long" in page
    assert admin_client.post(url, {"post": "yes"}).status_code == 200
    response = admin_client.post(
        admin_url("agencies_source_changelist"),
        {"action": "delete_selected", "_selected_action": [source.pk], "post": "yes"},
    )
    assert "protected related objects" in response.content.decode()
    from django.db import transaction

    with pytest.raises(ProtectedError, match="Ban Tổ chức Thành ủy Hạ Long"), transaction.atomic():
        source.delete()
    assert Source.objects.filter(pk=source.pk).exists()
    assert list(ha_long["board"].sources.all()) == [source]
    # An uncited source may go.
    lone = factories.SourceFactory(slug="bao-le")
    admin_client.post(admin_url("agencies_source_delete", lone.pk), {"post": "yes"})
    assert not Source.objects.filter(pk=lone.pk).exists()


def test_citations_are_in_history_and_a_revert_restores_them(admin_client, ha_long):
    """Issue 16, item 6: a record's citations (source, quote) are part of its
    history; reverting to a version puts back the citations it had."""
    board = ha_long["board"]
    first_source = factories.SourceFactory(slug="bai-1")
    second_source = factories.SourceFactory(slug="bai-2")
    url = admin_url("agencies_body_change", board.pk)
    BodyCitation.objects.create(body=board, source=first_source, quote="Câu thứ nhất của bài.")
    admin_client.post(url, form_data(admin_client.get(url), change_reason="Dẫn bài 1"))
    cited = board.history.first()
    assert cited.history_change_reason == "Dẫn bài 1"

    BodyCitation.objects.get(body=board, source=first_source).delete()
    BodyCitation.objects.create(body=board, source=second_source, quote="Nhầm bài.")
    admin_client.post(url, form_data(admin_client.get(url), change_reason="Nhầm bài"))
    assert list(board.sources.all()) == [second_source]
    assert BodyCitation.history.filter(body_id=board.pk, history_type="-").count() == 1

    revert_url = admin_url("agencies_body_simple_history", board.pk, cited.history_id)
    page = admin_client.get(revert_url)
    response = admin_client.post(revert_url, form_data(page, change_reason="Trả lại nguồn"))
    assert response.status_code == 302
    assert list(board.sources.all()) == [first_source]
    assert BodyCitation.objects.get(body=board).quote == "Câu thứ nhất của bài."


def test_deleting_a_user_keeps_their_name_in_history(admin_client, ha_long):
    editor = User.objects.create_user("bien-tap-vien", is_staff=True, is_superuser=True)
    admin_client.force_login(editor)
    board = ha_long["board"]
    url = admin_url("agencies_body_change", board.pk)
    admin_client.post(
        url, form_data(admin_client.get(url), name_en="Organisation Board", change_reason="Tên tiếng Anh")
    )
    version = board.history.first()
    assert version.history_user == editor
    editor.delete()
    version.refresh_from_db()
    assert version.history_user is None
    assert version.history_user_name == "bien-tap-vien"
    admin_client.force_login(User.objects.get(username="province-admin"))
    page = admin_client.get(admin_url("agencies_body_history", board.pk)).content.decode()
    assert "bien-tap-vien" in page


def test_a_save_from_a_stale_form_is_refused_shows_what_changed_and_can_be_reapplied(client, admin_client, ha_long):
    """Issue 16, item 5: two admins open the same record; the second save must
    not silently overwrite the first, and saving again keeps both changes."""
    board = ha_long["board"]
    url = admin_url("agencies_body_change", board.pk)
    second = User.objects.create_superuser("second-admin", "b@example.org", None)
    other = type(client)()
    other.force_login(second)
    first_page = admin_client.get(url)
    second_page = other.get(url)

    assert admin_client.post(url, form_data(first_page, name_en="Organisation Board")).status_code == 302
    stale = other.post(url, form_data(second_page, abbreviation="BTC"))
    assert stale.status_code == 200  # refused, the form is shown again
    text = stale.content.decode()
    assert "Someone else saved this record after you opened it (province-admin" in text
    # field by field: theirs, yours
    assert (
        "Name (English): province-admin saved “Organisation Board”; you had not changed it, so theirs is kept." in text
    )
    assert "Abbreviation: yours, “BTC” (province-admin did not change it)." in text
    board.refresh_from_db()
    assert (board.name_en, board.abbreviation) == ("Organisation Board", "")

    # The form shown again holds both changes; saving it applies them together.
    assert stale.context["adminform"].form["name_en"].value() == "Organisation Board"
    again = other.post(url, form_data(stale))
    assert again.status_code == 302
    board.refresh_from_db()
    assert (board.name_en, board.abbreviation) == ("Organisation Board", "BTC")
