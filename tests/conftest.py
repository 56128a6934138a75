import datetime
import os

import pytest
from django.core.management import call_command
from django.db import transaction

from tests import factories


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The seed, loaded once for a module inside a transaction rolled back
    after its last test (loading it costs seconds; per test it was most of the
    suite's time). Use it through `seed_shared`."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        call_command("load_seed", verbosity=0)
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def seed_shared(seeded, db):
    """The module's seed; each test runs in its own savepoint, so its changes
    are rolled back. A module whose tests all read the seed says
    `pytestmark = pytest.mark.usefixtures("seed_shared")`."""


@pytest.fixture
def seed(request, db):
    """The real seed fixtures, loaded as `make run` loads them (once per
    module where the module shares it)."""
    if "seeded" in request.fixturenames:
        return
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


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the portal's default language (Vietnamese): a
    request an earlier test made to /en/... leaves English active in the
    thread, and reverse() would then give /en/ addresses to the next test."""
    from django.conf import settings as django_settings
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Hash the test users' passwords with a cheap hasher: PBKDF2's million
    rounds would cost most of a login test's time, and no test is about the
    hash's strength (production keeps Django's default hashers)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def ops_tests_enabled():
    """QNMERGE_OPS_TESTS=1 runs the operations tests (marker `ops`, e.g. the
    PostgreSQL restart); anything else leaves them out (docs/OPERATIONS.md)."""
    raw = os.environ.get("QNMERGE_OPS_TESTS", "").strip().lower()
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("", "0", "false", "no", "off"):
        return False
    raise pytest.UsageError(f"QNMERGE_OPS_TESTS={raw!r}: use 1 to run the operations tests, 0 or nothing not to")


def pytest_collection_modifyitems(config, items):
    """Operations tests act on the machine itself (they restart its PostgreSQL):
    they are deselected, never run by default, not even in CI."""
    if ops_tests_enabled():
        return
    kept, left_out = [], []
    for item in items:
        (left_out if item.get_closest_marker("ops") else kept).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept
