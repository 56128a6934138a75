"""District scope in admin: a Hạ Long editor works on Hạ Long only, on
every path (changelist, change, delete, history, autocomplete, forms,
export); a viewer reads everything and changes nothing; the roles and the
grant_district_editor command."""

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from agencies.dates import describe
from agencies.models import AdministrativeUnit, Body, DistrictEditor, Holding, Post, Source, UnitChange
from core.apps import sync_roles
from core.scope import DISTRICT_EDITOR_GROUP, PROVINCIAL_ADMIN_GROUP, VIEWER_GROUP, district_ids_for
from mergers.models import Constituent, Headcount, Merger, Milestone
from tests import factories

SCOPED_MODELS = [Body, Post, Holding, UnitChange, Merger, Constituent, Milestone, Headcount]


@pytest.fixture(autouse=True)
def english():
    """Pages are opened under /en/; messages are compared as their English msgids."""
    with translation.override("en"):
        yield


def admin_url(name, *args, **kwargs):
    with translation.override("en"):
        return reverse(f"admin:{name}", args=args, kwargs=kwargs)


def model_url(model, view, *args):
    return admin_url(f"{model._meta.app_label}_{model._meta.model_name}_{view}", *args)


def build_district(province, gso_code, slug, city):
    """One city's Tổ chức - Nội vụ merger (source 000 / 001), with a post,
    a unified title, a milestone, headcount and a unit change."""
    district = factories.DistrictFactory(
        gso_code=gso_code, slug=slug, name_vi=f"Thành phố {city}", kind=AdministrativeUnit.Kind.CITY, parent=province
    )
    board = factories.BodyFactory(unit=district, slug=f"ban-to-chuc-{slug}", name_vi=f"Ban Tổ chức Thành ủy {city}")
    office = factories.BodyFactory(
        unit=district,
        slug=f"phong-noi-vu-{slug}",
        name_vi=f"Phòng Nội vụ thành phố {city}",
        sector=Body.Sector.STATE,
        function=Body.Function.HOME_AFFAIRS,
    )
    result = factories.BodyFactory(
        unit=district, slug=f"to-chuc-noi-vu-{slug}", name_vi=f"Cơ quan Tổ chức - Nội vụ Thành ủy {city}"
    )
    model = factories.MergerModelFactory(slug="to-chuc-noi-vu", short_vi="Tổ chức - Nội vụ")
    merger = factories.MergerFactory(
        slug=f"{slug}-to-chuc-noi-vu",
        unit=district,
        model=model,
        result=result,
        title_vi=f"Hợp nhất Ban Tổ chức và Phòng Nội vụ {city}",
        constituents=[board, office],
    )
    factories.MilestoneFactory(merger=merger, status="completed", date_edtf="2018")
    factories.HeadcountFactory(merger=merger, phase="before", value=20)
    secretary = factories.PostFactory(unit=district, slug=f"bi-thu-{slug}", title_vi=f"Bí thư Thành ủy {city}")
    chair = factories.PostFactory(
        unit=district, slug=f"chu-tich-hdnd-{slug}", title_vi=f"Chủ tịch HĐND thành phố {city}"
    )
    factories.HoldingFactory(unit=district, slug=f"{slug}-bi-thu-chu-tich-hdnd", posts=[secretary, chair])
    factories.UnitChangeFactory(unit=district, description_vi=f"Thay đổi của {city}")
    return {"district": district, "merger": merger, "board": board, "office": office, "result": result}


@pytest.fixture
def cities(db):
    province = factories.ProvinceFactory()
    factories.SourceFactory(slug="vov-2019", title="Kinh nghiệm hợp nhất", publisher="VOV")
    return {
        "ha_long": build_district(province, "193", "ha-long", "Hạ Long"),
        "uong_bi": build_district(province, "196", "uong-bi", "Uông Bí"),
    }


@pytest.fixture
def editor(cities):
    call_command("grant_district_editor", "ha-long-editor", "ha-long", stdout=io.StringIO())
    return User.objects.get(username="ha-long-editor")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def row_ids(response):
    return {obj.pk for obj in response.context["cl"].result_list}


def records_of(model, district):
    path = "merger__unit__district" if model in (Constituent, Milestone, Headcount) else "unit__district"
    return set(model.objects.filter(**{path: district}).values_list("pk", flat=True))


# -- a Hạ Long editor -------------------------------------------------------


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=lambda m: m.__name__)
def test_editor_changelist_lists_only_own_district(editor_client, cities, model):
    response = editor_client.get(model_url(model, "changelist"))
    assert response.status_code == 200
    own = records_of(model, cities["ha_long"]["district"])
    assert own and row_ids(response) == own


def test_editor_sees_ha_long_bodies_not_uong_bi_ones(editor_client, cities):
    page = editor_client.get(model_url(Body, "changelist")).content.decode()
    assert "Ban Tổ chức Thành ủy Hạ Long" in page
    assert "Uông Bí" not in page


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("view", ["change", "delete", "history"])
def test_editor_is_refused_other_district_records(editor_client, cities, model, view):
    obj = model.objects.filter(pk__in=records_of(model, cities["uong_bi"]["district"])).first()
    response = editor_client.get(model_url(model, view, obj.pk))
    assert response.status_code == 403


def test_editor_cannot_delete_other_district_record_by_post(editor_client, cities):
    office = factories.BodyFactory(
        unit=cities["uong_bi"]["district"], name_vi="Trung tâm Bồi dưỡng chính trị thành phố Uông Bí"
    )
    response = editor_client.post(model_url(Body, "delete", office.pk), {"post": "yes"})
    assert response.status_code == 403
    assert Body.objects.filter(pk=office.pk).exists()
    # Nor through the changelist's bulk action: only in-scope ids are acted on.
    response = editor_client.post(
        model_url(Body, "changelist"), {"action": "delete_selected", "_selected_action": [office.pk], "post": "yes"}
    )
    assert Body.objects.filter(pk=office.pk).exists()


def test_editor_is_refused_history_and_revert_of_other_district(editor_client, cities):
    body = cities["uong_bi"]["board"]
    version = body.history.first()
    response = editor_client.get(admin_url("agencies_body_simple_history", body.pk, version.history_id))
    assert response.status_code == 403


def test_editor_is_refused_history_of_a_deleted_other_district_record(editor_client, cities):
    stray = factories.BodyFactory(unit=cities["uong_bi"]["district"], name_vi="Tổ chức đã xoá của Uông Bí")
    pk = stray.pk
    stray.delete()
    response = editor_client.get(model_url(Body, "history", pk))
    assert response.status_code == 403


def test_editor_can_open_and_change_own_district_record(editor_client, cities):
    board = cities["ha_long"]["board"]
    response = editor_client.get(model_url(Body, "change", board.pk))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is True


def test_autocomplete_offers_no_uong_bi_body(editor_client, cities):
    params = {"app_label": "mergers", "model_name": "constituent", "field_name": "body", "term": "ban to chuc"}
    response = editor_client.get(admin_url("autocomplete"), params)
    assert response.status_code == 200
    assert [row["text"] for row in response.json()["results"]] == ["Ban Tổ chức Thành ủy Hạ Long"]


def test_autocomplete_offers_only_own_units(editor_client, cities):
    params = {"app_label": "agencies", "model_name": "body", "field_name": "unit", "term": "thanh pho"}
    response = editor_client.get(admin_url("autocomplete"), params)
    assert [row["text"] for row in response.json()["results"]] == ["Thành phố Hạ Long"]


def test_autocomplete_for_the_other_unit_of_a_unit_change_is_province_wide(editor_client, cities):
    params = {"app_label": "agencies", "model_name": "unitchange", "field_name": "related_unit", "term": "thanh pho"}
    response = editor_client.get(admin_url("autocomplete"), params)
    assert sorted(row["text"] for row in response.json()["results"]) == ["Thành phố Hạ Long", "Thành phố Uông Bí"]


def constituent_change_post(merger, bodies):
    """The change form of an existing merger, replacing its constituents' list."""
    links = list(merger.constituent_links.order_by("order"))
    data = {
        "kind": merger.kind,
        "model": merger.model_id or "",
        "unit": merger.unit_id,
        "result": merger.result_id or "",
        "title_vi": merger.title_vi,
        "title_en": "",
        "slug": merger.slug,
        "note_vi": "",
        "note_en": "",
        "change_reason": "",
        "constituent_links-TOTAL_FORMS": len(links) + len(bodies),
        "constituent_links-INITIAL_FORMS": len(links),
        "constituent_links-MIN_NUM_FORMS": 0,
        "constituent_links-MAX_NUM_FORMS": 1000,
        "milestones-TOTAL_FORMS": 0,
        "milestones-INITIAL_FORMS": 0,
        "headcounts-TOTAL_FORMS": 0,
        "headcounts-INITIAL_FORMS": 0,
    }
    # The merger's citations, kept as they are.
    citations = list(merger.citations.all())
    data["citations-TOTAL_FORMS"] = data["citations-INITIAL_FORMS"] = len(citations)
    for i, citation in enumerate(citations):
        data.update(
            {
                f"citations-{i}-id": citation.pk,
                f"citations-{i}-merger": merger.pk,
                f"citations-{i}-source": citation.source_id,
                f"citations-{i}-quote": citation.quote,
                f"citations-{i}-reasoning": citation.reasoning,
            }
        )
    # Existing milestone and headcount rows are listed too (they must be, or
    # Django counts them missing): keep them unchanged.
    milestones = list(merger.milestones.all())
    data["milestones-TOTAL_FORMS"] = data["milestones-INITIAL_FORMS"] = len(milestones)
    for i, milestone in enumerate(milestones):
        data.update(
            {
                f"milestones-{i}-id": milestone.pk,
                f"milestones-{i}-merger": merger.pk,
                f"milestones-{i}-status": milestone.status,
                # The field shows the stored date as a reader says it; posting
                # that back leaves the date as it was.
                f"milestones-{i}-date_edtf": describe(milestone.date_edtf),
            }
        )
    headcounts = list(merger.headcounts.all())
    data["headcounts-TOTAL_FORMS"] = data["headcounts-INITIAL_FORMS"] = len(headcounts)
    for i, headcount in enumerate(headcounts):
        data.update(
            {
                f"headcounts-{i}-id": headcount.pk,
                f"headcounts-{i}-merger": merger.pk,
                f"headcounts-{i}-phase": headcount.phase,
                f"headcounts-{i}-value": headcount.value,
            }
        )
    for i, link in enumerate(links):
        data.update(
            {
                f"constituent_links-{i}-id": link.pk,
                f"constituent_links-{i}-merger": merger.pk,
                f"constituent_links-{i}-body": link.body_id,
                f"constituent_links-{i}-order": link.order,
            }
        )
    for j, body in enumerate(bodies, start=len(links)):
        data.update(
            {
                f"constituent_links-{j}-merger": merger.pk,
                f"constituent_links-{j}-body": body.pk,
                f"constituent_links-{j}-order": j,
            }
        )
    return data


def test_posting_a_uong_bi_body_as_constituent_fails_with_a_form_error(editor_client, cities):
    merger = cities["ha_long"]["merger"]
    foreign = cities["uong_bi"]["result"]
    response = editor_client.post(model_url(Merger, "change", merger.pk), constituent_change_post(merger, [foreign]))
    assert response.status_code == 200
    formset = next(f.formset for f in response.context["inline_admin_formsets"] if f.formset.model is Constituent)
    assert formset.errors[2]["body"] == ["Select a valid choice. That choice is not one of the available choices."]
    assert not merger.constituents.filter(pk=foreign.pk).exists()


def test_editor_can_add_an_own_district_constituent(editor_client, cities):
    merger = cities["ha_long"]["merger"]
    extra = factories.BodyFactory(unit=cities["ha_long"]["district"], name_vi="Văn phòng Thành ủy Hạ Long")
    response = editor_client.post(model_url(Merger, "change", merger.pk), constituent_change_post(merger, [extra]))
    assert response.status_code == 302
    assert merger.constituents.filter(pk=extra.pk).exists()
    assert list(merger.milestones.values_list("date_edtf", flat=True)) == ["2018"]


def test_editor_types_a_milestone_date_day_first_in_the_inline(editor_client, cities):
    merger = cities["ha_long"]["merger"]
    data = constituent_change_post(merger, [])
    assert data["milestones-0-date_edtf"] == "2018"
    data["milestones-0-date_edtf"] = "01/06/2018"
    response = editor_client.post(model_url(Merger, "change", merger.pk), data)
    assert response.status_code == 302
    milestone = merger.milestones.get()
    assert (milestone.date_edtf, milestone.date, milestone.date_latest) == (
        "2018-06-01",
        datetime.date(2018, 6, 1),
        datetime.date(2018, 6, 1),
    )
    data["milestones-0-date_edtf"] = "06/13/2018"
    response = editor_client.post(model_url(Merger, "change", merger.pk), data)
    assert response.status_code == 200
    formset = next(f.formset for f in response.context["inline_admin_formsets"] if f.formset.model is Milestone)
    assert "there is no month 13" in formset.errors[0]["date_edtf"][0]
    assert merger.milestones.get().date_edtf == "2018-06-01"


def test_editor_cannot_create_a_merger_in_another_district(editor_client, cities):
    data = constituent_change_post(cities["uong_bi"]["merger"], [])
    data.update(
        {
            "slug": "uong-bi-moi",
            "constituent_links-INITIAL_FORMS": 0,
            "milestones-TOTAL_FORMS": 0,
            "milestones-INITIAL_FORMS": 0,
            "headcounts-TOTAL_FORMS": 0,
            "headcounts-INITIAL_FORMS": 0,
            "model": "",
        }
    )
    response = editor_client.post(model_url(Merger, "add"), data)
    assert response.status_code == 200
    assert "unit" in response.context["adminform"].form.errors
    assert not Merger.objects.filter(slug="uong-bi-moi").exists()


def test_editor_export_contains_only_ha_long_rows(editor_client, cities):
    url = model_url(Body, "export")
    form = editor_client.get(url).context["form"]
    csv_index = next(value for value, label in form.fields["format"].choices if label == "csv")
    data = {"format": csv_index, "resource": "0"}
    data.update({name: "on" for name in form.fields if name.startswith("bodyresource_")})
    response = editor_client.post(url, data)
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    expected = Body.objects.filter(unit__district=cities["ha_long"]["district"])
    assert sorted(row["name_vi"] for row in rows) == sorted(expected.values_list("name_vi", flat=True))
    assert not any("Uông Bí" in row["name_vi"] for row in rows)


def test_editor_reads_and_adds_but_cannot_change_sources_or_units(editor_client, cities):
    source = Source.objects.get(slug="vov-2019")
    assert editor_client.get(model_url(Source, "changelist")).status_code == 200
    response = editor_client.get(model_url(Source, "change", source.pk))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert editor_client.post(model_url(Source, "change", source.pk), {"title": "Sửa"}).status_code == 403
    assert editor_client.get(model_url(Source, "add")).status_code == 200  # a new article to cite
    assert editor_client.get(model_url(AdministrativeUnit, "add")).status_code == 403
    assert editor_client.get(model_url(Source, "import")).status_code == 403
    assert editor_client.get(model_url(DistrictEditor, "changelist")).status_code == 403


def test_editor_adds_a_source_whose_identifier_keeps_the_vietnamese_letters(editor_client, cities):
    response = editor_client.post(
        model_url(Source, "add"),
        {
            "kind": "article",
            "title": "Kiểm thử dùng chung bộ phận Đảng",
            "publisher": "Báo Quảng Ninh",
            "slug": "",  # left empty: made from the title, as the browser does
            "published_on_edtf": "2018-03",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    source = Source.objects.get(title="Kiểm thử dùng chung bộ phận Đảng")
    assert source.slug == "kiem-thu-dung-chung-bo-phan-dang"
    # Shared records stay read-only for district editors once added.
    assert editor_client.post(model_url(Source, "change", source.pk), {"title": "Sửa"}).status_code == 403
    assert editor_client.post(model_url(Source, "delete", source.pk), {"post": "yes"}).status_code == 403


# -- a viewer ----------------------------------------------------------------


@pytest.fixture
def viewer_client(client, cities):
    viewer = User.objects.create(username="viewer", is_staff=True)
    viewer.groups.add(Group.objects.get(name=VIEWER_GROUP))
    client.force_login(viewer)
    return client


def test_viewer_reads_every_district_but_changes_nothing(viewer_client, cities):
    response = viewer_client.get(model_url(Body, "changelist"))
    assert response.status_code == 200
    assert row_ids(response) == set(Body.objects.values_list("pk", flat=True))
    board = cities["uong_bi"]["board"]
    response = viewer_client.get(model_url(Body, "change", board.pk))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert 'name="_save"' not in response.content.decode()
    response = viewer_client.post(model_url(Body, "change", board.pk), {"name_vi": "Đổi tên"})
    assert response.status_code == 403
    board.refresh_from_db()
    assert board.name_vi == "Ban Tổ chức Thành ủy Uông Bí"
    assert viewer_client.get(model_url(Body, "add")).status_code == 403
    assert viewer_client.get(model_url(Body, "delete", board.pk)).status_code == 403
    assert viewer_client.get(model_url(Body, "import")).status_code == 403


# -- roles -------------------------------------------------------------------


def codenames(group_name):
    return set(Group.objects.get(name=group_name).permissions.values_list("content_type__app_label", "codename"))


def test_roles_exist_after_migrate_and_sync_is_idempotent(db):
    before = {name: codenames(name) for name in (VIEWER_GROUP, DISTRICT_EDITOR_GROUP, PROVINCIAL_ADMIN_GROUP)}
    Group.objects.get(name=VIEWER_GROUP).permissions.add(Permission.objects.get(codename="delete_body"))
    sync_roles()
    sync_roles()
    after = {name: codenames(name) for name in before}
    assert after == before
    assert Group.objects.filter(name__in=before).count() == 3


def test_role_permissions(db):
    editor = codenames(DISTRICT_EDITOR_GROUP)
    assert {("agencies", "change_body"), ("mergers", "delete_milestone"), ("agencies", "add_unitchange")} <= editor
    assert ("agencies", "view_administrativeunit") in editor
    assert not editor & {
        ("agencies", "change_administrativeunit"),
        ("agencies", "view_districteditor"),
        ("mergers", "change_mergermodel"),
        ("agencies", "change_source"),
    }
    viewer = codenames(VIEWER_GROUP)
    assert ("mergers", "view_reportedfigure") in viewer
    assert all(codename.startswith("view_") for _app, codename in viewer)
    provincial = codenames(PROVINCIAL_ADMIN_GROUP)
    assert {
        ("auth", "view_user"),
        ("agencies", "change_districteditor"),
        ("mergers", "delete_reportedfigure"),
    } <= provincial
    # They set up users in the admin, but never delete one or touch groups.
    assert {("auth", "add_user"), ("auth", "change_user")} <= provincial
    assert not provincial & {("auth", "delete_user"), ("auth", "change_group")}


def test_district_ids_for_each_role(cities, editor):
    admin = User.objects.create(username="province")
    admin.groups.add(Group.objects.get(name=PROVINCIAL_ADMIN_GROUP))
    assert district_ids_for(admin) is None
    assert district_ids_for(editor) == {cities["ha_long"]["district"].pk}
    assert district_ids_for(User.objects.create(username="nobody")) == set()


# -- grant_district_editor ---------------------------------------------------


def test_grant_creates_a_staff_user_without_password(cities):
    out = io.StringIO()
    call_command("grant_district_editor", "new-editor", "ha-long", "uong-bi", stdout=out)
    user = User.objects.get(username="new-editor")
    assert user.is_staff and not user.is_superuser
    assert not user.has_usable_password()
    assert list(user.groups.values_list("name", flat=True)) == [DISTRICT_EDITOR_GROUP]
    assert set(user.district_scope.districts.values_list("slug", flat=True)) == {"ha-long", "uong-bi"}
    assert "manage.py changepassword new-editor" in out.getvalue()
    assert "new-editor may now edit: Thành phố Hạ Long, Thành phố Uông Bí." in out.getvalue()


def test_grant_adds_to_existing_districts(editor):
    call_command("grant_district_editor", "ha-long-editor", "uong-bi", stdout=io.StringIO())
    assert set(editor.district_scope.districts.values_list("slug", flat=True)) == {"ha-long", "uong-bi"}


def test_grant_unknown_district_writes_nothing(cities):
    with pytest.raises(CommandError, match="Unknown district slug\\(s\\): ha-longg. Known districts: ha-long, uong-bi"):
        call_command("grant_district_editor", "typo-editor", "ha-long", "ha-longg", stdout=io.StringIO())
    assert not User.objects.filter(username="typo-editor").exists()
    assert not DistrictEditor.objects.exists()


def test_grant_refuses_a_commune_slug(cities):
    factories.CommuneFactory(
        parent=cities["uong_bi"]["district"], slug="phuong-trung-vuong", name_vi="Phường Trưng Vương"
    )
    with pytest.raises(CommandError, match="phuong-trung-vuong"):
        call_command("grant_district_editor", "x", "phuong-trung-vuong", stdout=io.StringIO())


def test_dry_run_writes_nothing(cities):
    out = io.StringIO()
    call_command("grant_district_editor", "dry-editor", "ha-long", "--dry-run", stdout=out)
    assert "Dry run, nothing written" in out.getvalue()
    assert not User.objects.filter(username="dry-editor").exists()


def test_revoke_one_district_then_all(editor):
    call_command("grant_district_editor", "ha-long-editor", "uong-bi", stdout=io.StringIO())
    call_command("grant_district_editor", "ha-long-editor", "ha-long", "--revoke", stdout=io.StringIO())
    assert list(editor.district_scope.districts.values_list("slug", flat=True)) == ["uong-bi"]
    assert editor.groups.filter(name=DISTRICT_EDITOR_GROUP).exists()
    out = io.StringIO()
    call_command("grant_district_editor", "ha-long-editor", "--revoke", stdout=out)
    assert not editor.district_scope.districts.exists()
    assert not editor.groups.filter(name=DISTRICT_EDITOR_GROUP).exists()
    assert "may no longer edit any district" in out.getvalue()


def test_revoked_editor_loses_access_at_once(client, editor, cities):
    client.force_login(editor)
    board = cities["ha_long"]["board"]
    assert client.get(model_url(Body, "change", board.pk)).status_code == 200
    call_command("grant_district_editor", "ha-long-editor", "--revoke", stdout=io.StringIO())
    # Ending the role ends the session (issue 16, item 8): back to the login page.
    response = client.get(model_url(Body, "change", board.pk))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_revoke_unknown_user_is_an_error(cities):
    with pytest.raises(CommandError, match="No user named 'ghost'"):
        call_command("grant_district_editor", "ghost", "--revoke", stdout=io.StringIO())


def test_raw_id_popup_offers_only_own_units(editor_client, cities):
    response = editor_client.get(model_url(AdministrativeUnit, "changelist"), {"_popup": "1", "_to_field": "id"})
    assert response.status_code == 200
    assert row_ids(response) == {cities["ha_long"]["district"].pk}
    # Without the popup, units are reference data the editor may read in full.
    assert len(row_ids(editor_client.get(model_url(AdministrativeUnit, "changelist")))) == 3


def test_import_and_export_resources_receive_the_user(rf, editor, cities):
    from django.contrib import admin as django_admin

    request = rf.get("/")
    request.user = editor
    model_admin = django_admin.site._registry[Body]
    assert model_admin.get_import_resource_kwargs(request)["user"] == editor
    assert model_admin.get_export_resource_kwargs(request)["user"] == editor
    assert set(model_admin.get_export_queryset(request)) == set(
        Body.objects.filter(unit__district=cities["ha_long"]["district"])
    )


@pytest.fixture
def provincial_client(client, cities):
    user = User.objects.create(username="province", is_staff=True)
    user.groups.add(Group.objects.get(name=PROVINCIAL_ADMIN_GROUP))
    client.force_login(user)
    return client


def test_provincial_admin_edits_every_district_and_grants_editors(provincial_client, cities, editor):
    response = provincial_client.get(model_url(Body, "changelist"))
    assert row_ids(response) == set(Body.objects.values_list("pk", flat=True))
    assert (
        provincial_client.get(model_url(Merger, "change", cities["uong_bi"]["merger"].pk)).context[
            "has_change_permission"
        ]
        is True
    )
    assert provincial_client.get(model_url(DistrictEditor, "add")).status_code == 200
    params = {"app_label": "agencies", "model_name": "districteditor", "field_name": "user", "term": "ha-long"}
    users = provincial_client.get(admin_url("autocomplete"), params).json()["results"]
    assert [row["text"] for row in users] == ["ha-long-editor"]
    params = {"app_label": "agencies", "model_name": "districteditor", "field_name": "districts", "term": "thanh pho"}
    districts = provincial_client.get(admin_url("autocomplete"), params).json()["results"]
    assert sorted(row["text"] for row in districts) == ["Thành phố Hạ Long", "Thành phố Uông Bí"]
    # They set editors up in the user admin too, but never reach a superuser.
    assert provincial_client.get(admin_url("auth_user_change", editor.pk)).context["has_change_permission"] is True
    boss = User.objects.create_superuser("root-qn", "root@example.org", None)
    assert provincial_client.get(admin_url("auth_user_change", boss.pk)).status_code in (302, 404)
