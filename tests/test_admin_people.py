"""A provincial admin sets up a district editor in the admin alone; a district
editor sees on every admin page which districts they edit; refusals, missing
pages and server errors answer in Vietnamese with a way back."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from agencies.models import DistrictEditor
from core.roles import assign_role
from core.scope import DISTRICT_EDITOR_GROUP, PROVINCIAL_ADMIN_GROUP
from tests.test_scope import cities  # noqa: F401  (fixture: Hạ Long and Uông Bí)

PASSWORD = "Cẩm-Phả-2018-biên-chế"


@pytest.fixture
def provincial(db):
    user = User.objects.create_user("so-noi-vu", password="x-Quang-Ninh-2015")
    assign_role(user, PROVINCIAL_ADMIN_GROUP)
    return user


@pytest.fixture
def provincial_client(provincial):
    client = Client()
    client.force_login(provincial)
    return client


def add_user(client, **changes):
    data = {
        "username": "bien-tap-ha-long",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "first_name": "Lan",
        "last_name": "Nguyễn",
        "email": "",
        "role": DISTRICT_EDITOR_GROUP,
        **changes,
    }
    return client.post(reverse("admin:auth_user_add"), data)


def test_provincial_admin_creates_a_district_editor_who_can_log_in_and_edit(provincial_client, cities):
    ha_long = cities["ha_long"]["district"]
    response = add_user(provincial_client, districts=[ha_long.pk])
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(username="bien-tap-ha-long")
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == [DISTRICT_EDITOR_GROUP]
    assert list(user.district_scope.districts.all()) == [ha_long]

    editor = Client()
    login = editor.post(reverse("admin:login"), {"username": "bien-tap-ha-long", "password": PASSWORD})
    assert login.status_code == 302
    merger = cities["ha_long"]["merger"]
    page = editor.get(reverse("admin:mergers_merger_change", args=[merger.pk]))
    assert page.status_code == 200
    assert page.context["has_change_permission"]


def test_a_district_editor_without_a_district_is_refused_with_a_message(provincial_client, cities):
    response = add_user(provincial_client)
    assert response.status_code == 200
    assert "Hãy đánh dấu ít nhất một huyện" in response.content.decode()
    assert not User.objects.filter(username="bien-tap-ha-long").exists()


def test_mismatched_passwords_are_refused_and_nothing_is_written(provincial_client, cities):
    response = add_user(provincial_client, password2="khac", districts=[cities["ha_long"]["district"].pk])
    assert response.status_code == 200
    assert not User.objects.filter(username="bien-tap-ha-long").exists()


def test_changing_the_role_to_provincial_admin_drops_the_districts(provincial_client, cities):
    call_command("grant_district_editor", "bien-tap", "ha-long", stdout=io.StringIO())
    user = User.objects.get(username="bien-tap")
    user.set_password(PASSWORD)
    user.save()
    response = provincial_client.post(
        reverse("admin:auth_user_change", args=[user.pk]),
        {
            "username": "bien-tap",
            "first_name": "",
            "last_name": "",
            "email": "",
            "is_active": "on",
            "role": PROVINCIAL_ADMIN_GROUP,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(user.groups.values_list("name", flat=True)) == [PROVINCIAL_ADMIN_GROUP]
    assert not DistrictEditor.objects.filter(user=user).exists()


def test_provincial_admin_cannot_reach_a_superuser(provincial_client):
    boss = User.objects.create_superuser("root-qn", password=PASSWORD)
    assert provincial_client.get(reverse("admin:auth_user_change", args=[boss.pk])).status_code in (302, 404)
    assert "root-qn" not in provincial_client.get(reverse("admin:auth_user_changelist")).content.decode()


def test_grant_district_editor_still_works(cities):
    call_command("grant_district_editor", "cmd-editor", "ha-long", "uong-bi", stdout=io.StringIO())
    user = User.objects.get(username="cmd-editor")
    assert user.is_staff
    assert set(user.district_scope.districts.values_list("slug", flat=True)) == {"ha-long", "uong-bi"}


@pytest.fixture
def editor_client(cities):
    call_command("grant_district_editor", "bien-tap", "ha-long", stdout=io.StringIO())
    client = Client()
    client.force_login(User.objects.get(username="bien-tap"))
    return client


@pytest.mark.parametrize("url_name", ["admin:index", "admin:mergers_merger_changelist", "admin:agencies_source_add"])
def test_a_district_editor_sees_which_districts_they_edit_on_every_admin_page(editor_client, url_name):
    page = editor_client.get(reverse(url_name)).content.decode()
    assert "Bạn biên tập hồ sơ của:" in page
    assert "Thành phố Hạ Long" in page.split("Bạn biên tập hồ sơ của:")[1][:200]


def test_the_admin_header_is_the_portals_name(editor_client):
    page = editor_client.get(reverse("admin:index")).content.decode()
    assert "Hợp nhất cơ quan ở Quảng Ninh" in page
    assert "Django" not in page


def test_the_admin_refusal_names_the_records_district(editor_client, cities):
    merger = cities["uong_bi"]["merger"]
    response = editor_client.get(reverse("admin:mergers_merger_change", args=[merger.pk]))
    assert response.status_code == 403
    page = response.content.decode()
    assert "Thành phố Uông Bí" in page
    assert 'href="/admin/"' in page  # a way back


def test_missing_page_is_vietnamese_with_a_way_back(client, db):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Không tìm thấy trang" in page
    assert 'href="/"' in page


def test_server_error_page_needs_no_request_or_database(db, django_assert_num_queries):
    from django.template import loader

    with django_assert_num_queries(0):
        page = loader.get_template("500.html").render({})
    assert "Lỗi máy chủ" in page or "Đã có lỗi" in page
    assert 'href="/"' in page
