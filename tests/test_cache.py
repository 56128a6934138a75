"""Cached results are dropped by every write, so no page shows stale data."""

import pytest

from agencies.models import Body
from core.cache import bump_data_version, cached, data_version
from tests import factories


def _count_bodies():
    return Body.objects.count()


@pytest.mark.django_db
def test_cached_value_is_reused_until_the_data_changes(django_assert_num_queries):
    factories.BodyFactory()
    assert cached("bodies", _count_bodies) == 1
    with django_assert_num_queries(0):
        assert cached("bodies", _count_bodies) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("write", ["create", "save", "delete", "m2m"])
def test_every_kind_of_write_invalidates(write):
    body = factories.BodyFactory()
    source = factories.SourceFactory()
    before = data_version()
    cached("bodies", _count_bodies)
    if write == "create":
        factories.BodyFactory()
    elif write == "save":
        body.name_vi = "Tên mới"
        body.save()
    elif write == "delete":
        body.delete()
    else:
        body.sources.add(source)
    assert data_version() != before
    assert cached("bodies", _count_bodies) == Body.objects.count()


@pytest.mark.django_db
def test_writes_outside_the_portal_apps_do_not_invalidate():
    factories.BodyFactory()
    before = data_version()
    factories.UserFactory(username="someone")
    assert data_version() == before


def test_bulk_writers_bump_the_version_themselves():
    before = data_version()
    bump_data_version()
    assert data_version() != before


# -- the page cache (qnmerge.middleware.PageCacheMiddleware) ---------------


@pytest.fixture
def body(db):
    return factories.BodyFactory(name_vi="Ban Tổ chức Thử")


def test_a_page_is_served_from_the_cache_without_a_query(client, body, django_assert_num_queries):
    url = body.get_absolute_url()
    first = client.get(url)
    assert "Ban Tổ chức Thử" in first.content.decode()
    with django_assert_num_queries(0):
        second = client.get(url)
    assert second.status_code == 200
    assert second.content == first.content
    # The headers every page carries are still added to a cached page.
    assert "Content-Security-Policy" in second.headers
    assert second.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("write", ["save", "delete", "m2m"])
def test_a_write_is_shown_at_once(client, body, write):
    url = body.get_absolute_url()
    listing = "/bodies/?province=all"
    assert "Ban Tổ chức Thử" in client.get(listing).content.decode()
    client.get(url)
    if write == "save":
        body.name_vi = "Ban Tổ chức Đổi tên"
        body.save()
        assert "Ban Tổ chức Đổi tên" in client.get(url).content.decode()
        assert "Ban Tổ chức Đổi tên" in client.get(listing).content.decode()
    elif write == "delete":
        body.delete()
        assert client.get(url).status_code == 404
        assert "Ban Tổ chức Thử" not in client.get(listing).content.decode()
    else:
        source = factories.SourceFactory(publisher="Nhà xuất bản mới thêm")
        body.sources.add(source)
        assert "Nhà xuất bản mới thêm" in client.get(url).content.decode()


def test_each_language_and_query_has_its_own_page(client, body):
    url = body.get_absolute_url()
    vietnamese = client.get(url)
    english = client.get("/en" + url)
    assert vietnamese["Content-Language"] == "vi" and english["Content-Language"] == "en"
    assert '<html lang="vi"' in vietnamese.content.decode()
    assert '<html lang="en"' in english.content.decode()
    early = client.get("/?as_of=2016-06-01").content.decode()
    late = client.get("/?as_of=2019-06-01").content.decode()
    assert "2016-06-01" in early and "2016-06-01" not in late


def test_the_login_gate_comes_before_the_cache(client, body, settings):
    url = body.get_absolute_url()
    assert client.get(url).status_code == 200  # now cached
    settings.QNMERGE_PUBLIC = False
    response = client.get(url)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_downloads_admin_and_errors_are_not_cached(client, admin_client, body):
    client.get("/bodies/?format=csv")
    client.get("/districts/nope/")
    admin_client.get("/admin/agencies/body/")
    from django.core.cache import cache

    keys = [key for key in cache._cache if ":page:" in key]
    assert keys == []


def test_the_page_cache_can_be_turned_off(client, body, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.QNMERGE_PAGE_CACHE_SECONDS = 0
    url = body.get_absolute_url()
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    assert len(queries) > 0  # every request renders the page again


def test_migrate_drops_cached_pages(client, body):
    """A new release migrates before it serves: no page rendered by the old code survives."""
    from django.core.management import call_command

    before = data_version()
    call_command("migrate", verbosity=0)
    assert data_version() != before
