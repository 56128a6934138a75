"""`make backup` / `make restore`: a backup restored into a fresh database
holds every record, on the backend the suite runs on (SQLite: gzipped JSON
with natural keys; PostgreSQL: pg_dump custom format)."""

import datetime
import gzip
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import dj_database_url
import pytest
from django.apps import apps
from django.db import connection

from mergers.models import Status
from tests import factories

BASE_DIR = Path(__file__).resolve().parent.parent
SCRIPT = BASE_DIR / "scripts" / "backup.py"
COUNTED_APPS = ("agencies", "mergers", "auth")

# Printed by a fresh interpreter on the restored database: rows per table.
COUNT_ROWS = f"""
import json, os, sys
sys.path.insert(0, {str(BASE_DIR)!r})
os.environ["DJANGO_SETTINGS_MODULE"] = "qnmerge.settings"
import django
django.setup()
from django.apps import apps
print(json.dumps({{
    m._meta.db_table: m._default_manager.count()
    for m in apps.get_models(include_auto_created=True)
    if m._meta.app_label in {COUNTED_APPS!r} and m._meta.model_name != "permission"
}}))
"""


def load_script():
    spec = importlib.util.spec_from_file_location("qnmerge_backup_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def counts_here():
    return {
        m._meta.db_table: m._default_manager.count()
        for m in apps.get_models(include_auto_created=True)
        if m._meta.app_label in COUNTED_APPS and m._meta.model_name != "permission"
    }


def build_records():
    """Every kind of record, with history and many-to-many links."""
    source = factories.SourceFactory(title="Quảng Ninh hợp nhất cơ quan")
    district = factories.DistrictFactory(name_vi="Huyện Tiên Yên")
    district.sources.add(source)
    factories.CommuneFactory(parent=district)
    document = factories.LegalDocumentFactory(number="44-QĐ/TU")
    document.sources.add(source)
    merger = factories.MergerFactory(unit=district)
    merger.sources.add(source)
    merger.basis.add(document)
    factories.MilestoneFactory(merger=merger, status=Status.IN_PROGRESS, date=datetime.date(2018, 3, 1))
    factories.MilestoneFactory(merger=merger, status=Status.COMPLETED, date=datetime.date(2019, 1, 1))
    factories.HeadcountFactory(merger=merger, phase="before", value=31)
    factories.HeadcountFactory(merger=merger, phase="after", value=24)
    factories.HoldingFactory(unit=district, holder_name="Nguyễn Văn A")
    factories.UnitChangeFactory(unit=district)
    figure = factories.ReportedFigureFactory(metric="units_completed", counted_level="district")
    figure.merger_models.add(merger.model)
    editor = factories.UserFactory(username="editor", is_staff=True)
    factories.DistrictEditorFactory(user=editor).districts.add(district)


def fresh_database(tmp_path):
    """(DATABASE_URL of an empty database on the suite's backend, cleanup)."""
    if connection.vendor == "sqlite":
        return f"sqlite:///{tmp_path / 'restored.sqlite3'}", lambda: None
    if connection.vendor != "postgresql":
        pytest.skip(f"no backup method for {connection.vendor}")
    import psycopg2

    configured = dj_database_url.parse(os.environ["DATABASE_URL"])
    # One per pytest-xdist worker (gw0, gw1, ...), so parallel runs never share it.
    name = f"{configured['NAME']}_restore{os.environ.get('PYTEST_XDIST_WORKER', '')}"
    params = {k.lower(): configured[k] for k in ("HOST", "PORT", "USER", "PASSWORD") if configured.get(k)}
    params["dbname"] = "postgres"

    def admin(sql):
        conn = psycopg2.connect(**params)
        conn.autocommit = True
        try:
            conn.cursor().execute(sql)
        finally:
            conn.close()

    admin(f'DROP DATABASE IF EXISTS "{name}"')
    admin(f'CREATE DATABASE "{name}"')
    url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + f"/{name}"
    return url, lambda: admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_script(database_url, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.update(DATABASE_URL=database_url, DEBUG="true", DJANGO_SETTINGS_MODULE="qnmerge.settings")
    # A file cache of this test process's own, never the checkout's var/cache.
    env["QNMERGE_CACHE_DIR"] = str(Path(tempfile.gettempdir()) / f"qnmerge-test-cache-{os.getpid()}")
    return subprocess.run([sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.django_db(transaction=True)
def test_backup_restored_into_a_fresh_database_holds_every_record(tmp_path):
    build_records()
    expected = counts_here()
    assert expected["agencies_body"] == 3 and expected["mergers_milestone"] == 2
    assert expected["agencies_historicalbody"] >= 3  # history travels too
    assert expected["mergers_merger_sources"] == 1

    path = load_script().backup(tmp_path / "backups")
    assert path.parent == tmp_path / "backups"
    assert path.name.startswith("qnmerge-")
    assert path.name.endswith(".json.gz" if connection.vendor == "sqlite" else ".dump")

    url, cleanup = fresh_database(tmp_path)
    try:
        restored = run_script(url, str(SCRIPT), "restore", str(path))
        assert restored.returncode == 0, restored.stderr
        assert f"Restored {path}" in restored.stdout
        counted = run_script(url, "-c", COUNT_ROWS)
        assert counted.returncode == 0, counted.stderr
        assert json.loads(counted.stdout.strip().splitlines()[-1]) == expected
    finally:
        cleanup()


@pytest.mark.django_db(transaction=True)
def test_sqlite_backup_leaves_out_what_migrations_rebuild_and_login_records(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the JSON format is the SQLite backup; PostgreSQL uses pg_dump")
    build_records()
    path = load_script().backup(tmp_path)
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        records = json.load(fh)
    models = {r["model"] for r in records}
    assert {"agencies.body", "mergers.merger", "auth.user"} <= models
    assert not models & {"contenttypes.contenttype", "auth.permission", "sessions.session", "admin.logentry"}
    assert not any(m.startswith("axes.") for m in models)
    body = next(r for r in records if r["model"] == "agencies.body")
    assert "pk" not in body  # natural keys, not database ids
    assert any(r["fields"].get("name_vi") == "Huyện Tiên Yên" for r in records)


@pytest.mark.django_db(transaction=True)
def test_restore_replaces_what_was_there(tmp_path):
    """Records added after the backup are gone once it is restored."""
    if connection.vendor != "sqlite":
        pytest.skip("checked on SQLite, where restore empties then loads; pg_restore --clean drops tables")
    build_records()
    script = load_script()
    path = script.backup(tmp_path)
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    assert run_script(url, str(SCRIPT), "restore", str(path)).returncode == 0
    added = run_script(
        url,
        "-c",
        COUNT_ROWS.replace(
            "print(json.dumps(", "from tests import factories; factories.SourceFactory(slug='late'); print(json.dumps("
        ),
    )
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout.strip().splitlines()[-1])["agencies_source"] == 2
    assert run_script(url, str(SCRIPT), "restore", str(path)).returncode == 0
    after = json.loads(run_script(url, "-c", COUNT_ROWS).stdout.strip().splitlines()[-1])
    assert after == counts_here()


def test_restore_refuses_an_unknown_file(tmp_path):
    missing = run_script("sqlite:///" + str(tmp_path / "x.sqlite3"), str(SCRIPT), "restore", str(tmp_path / "nope.zip"))
    assert missing.returncode != 0
    assert "No such backup file" in missing.stderr
    (tmp_path / "notes.txt").write_text("hello")
    wrong = run_script("sqlite:///" + str(tmp_path / "x.sqlite3"), str(SCRIPT), "restore", str(tmp_path / "notes.txt"))
    assert wrong.returncode != 0
    assert "Unknown backup format" in wrong.stderr


def test_make_restore_without_file_prints_usage():
    # -o: take the virtualenv as installed, whatever its stamp says
    result = subprocess.run(
        ["make", "-s", "-o", ".venv/.installed-stamp", "restore"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "Usage: make restore FILE=" in result.stderr


@pytest.mark.django_db(transaction=True)
def test_backup_file_is_readable_by_its_owner_only(tmp_path):
    """Backups hold password hashes: no other local user may read them,
    whatever the umask of the shell that ran `make backup`."""
    factories.UserFactory(username="someone")
    old = os.umask(0o022)
    try:
        path = load_script().backup(tmp_path / "backups")
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "backups").stat().st_mode & 0o077 == 0
