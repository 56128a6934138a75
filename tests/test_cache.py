"""Cached results are dropped by every write, so no page shows stale data."""

import pytest

from agencies.cache import bump_data_version, cached, data_version
from agencies.models import Body
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

