import datetime

import pytest
from django.core.management import call_command

from tests import factories


@pytest.fixture
def seed(db):
    """The real seed fixtures, loaded as `make run` loads them."""
    call_command("load_seed", verbosity=0)


@pytest.fixture
def small_district(db):
    """A district with two bodies merged into a third, completed in 2019."""
    district = factories.DistrictFactory(name_vi="Huyện Thử", slug="huyen-thu")
    merger = factories.MergerFactory(unit=district)
    factories.MilestoneFactory(merger=merger, status="in_progress", date=datetime.date(2018, 1, 1))
    factories.MilestoneFactory(merger=merger, status="completed", date=datetime.date(2019, 1, 1))
    return district


@pytest.fixture(autouse=True)
def _isolated_cache(settings):
    """Each test gets an empty in-memory cache, so cached results never leak
    between tests or from a developer's running server."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
    from django.core.cache import cache

    cache.clear()
