import datetime
import os

import pytest
from django.db import transaction

from tests import factories, seeding


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """On SQLite the test database's tables are made from the models, not by
    replaying the 46 migrations (30 s of Django's model-state rendering per
    test process). Their data steps only fill columns of existing rows, so
    an empty database is the same either way; `makemigrations --check` (CI)
    keeps models and migrations in step, and the tests that build a fresh
    database (test_backup, test_cache, test_security) still run `migrate`.
    PostgreSQL keeps the migrations: they add its trigram indexes."""
    from django.conf import settings

    default = settings.DATABASES["default"]
    if default["ENGINE"].endswith("sqlite3"):
        default.setdefault("TEST", {})["MIGRATE"] = False


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """A database made from the models records every migration as applied,
    as `migrate` would have: a later `migrate` (a test of what a release
    does) then finds nothing to do, as on a real deployment."""
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.recorder import MigrationRecorder

    with django_db_blocker.unblock():
        recorder = MigrationRecorder(connection)
        if not recorder.has_table():
            recorder.ensure_schema()
            recorder.migration_qs.bulk_create(
                recorder.Migration(app=app, name=name) for app, name in MigrationLoader(connection).disk_migrations
            )


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The seed, loaded once for a module inside a transaction rolled back
    after its last test (loading it costs seconds; per test it was most of the
    suite's time). Use it through `seed_shared`."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        seeding.load_seed()
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
    seeding.load_seed()


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
