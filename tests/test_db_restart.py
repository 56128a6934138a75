"""The portal survives a PostgreSQL restart without being restarted itself.

Settings keep connections open (CONN_MAX_AGE) and check them before each
request (CONN_HEALTH_CHECKS), so after the database server restarts the next
request reconnects instead of failing on a dead connection.

This restarts the machine's PostgreSQL cluster, and with it every other
database on it: an operations test (marker `ops`) that runs only when asked,
QNMERGE_OPS_TESTS=1 (docs/OPERATIONS.md), never in `make test` or CI by
default. Asked for, it fails, never skips, when it cannot do its job: not on
PostgreSQL, not root, no pg_ctlcluster, or a server that is not the local
cluster. It uses its own database, <name>_restart, beside the suite's.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import dj_database_url
import pytest

BASE_DIR = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.ops


def cluster():
    """(pg_ctlcluster path, version) of the local cluster; fails when there is none."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.fail("the restart test needs PostgreSQL: set DATABASE_URL=postgres://...")
    ctl = shutil.which("pg_ctlcluster")
    etc = Path("/etc/postgresql")
    versions = sorted(p.parent.name for p in etc.glob("*/main")) if etc.is_dir() else []
    if ctl is None or not versions:
        pytest.fail("pg_ctlcluster or /etc/postgresql/<version>/main is not available")
    if os.geteuid() != 0:
        pytest.fail("restarting PostgreSQL with pg_ctlcluster needs root")
    host = dj_database_url.parse(url).get("HOST") or "localhost"
    if host not in ("127.0.0.1", "localhost", "::1", "") and not host.startswith("/"):
        pytest.fail(f"the database server {host} is not the local cluster")
    return ctl, versions[-1]


def free_port():
    """A port the OS picks on the loopback, so parallel runs never collide."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


class Database:
    """A database of its own on the suite's server, created and dropped here."""

    def __init__(self, url):
        import psycopg2

        self.psycopg2 = psycopg2
        config = dj_database_url.parse(url)
        self.name = f"{config['NAME']}_restart"
        self.url = url.rsplit("/", 1)[0] + f"/{self.name}"
        self.params = {k.lower(): config[k] for k in ("HOST", "PORT", "USER", "PASSWORD") if config.get(k)}

    def admin(self, sql):
        conn = self.psycopg2.connect(dbname="postgres", connect_timeout=3, **self.params)
        conn.autocommit = True
        try:
            conn.cursor().execute(sql)
        finally:
            conn.close()

    def create(self):
        self.drop()
        self.admin(f'CREATE DATABASE "{self.name}"')

    def drop(self):
        self.admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def wait_until_accepting(self, seconds=60):
        deadline = time.monotonic() + seconds
        while True:
            try:
                self.psycopg2.connect(dbname=self.name, connect_timeout=2, **self.params).close()
                return
            except self.psycopg2.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)


def test_portal_recovers_after_postgresql_restarts(django_db_blocker):
    ctl, version = cluster()
    db = Database(os.environ["DATABASE_URL"])
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
    env.update(DATABASE_URL=db.url, CONN_MAX_AGE="60", DEBUG="true", QNMERGE_PUBLIC="true")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    db.create()
    server = None
    try:
        migrated = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert migrated.returncode == 0, migrated.stderr
        # One worker with threads: its connections persist between requests.
        server = subprocess.Popen(
            [str(gunicorn), "qnmerge.wsgi", "-w", "1", "--threads", "2", "-b", f"127.0.0.1:{port}"],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        page = f"http://127.0.0.1:{port}/en/timeline/"  # reads milestones, documents, units, holdings
        deadline = time.monotonic() + 60
        while get(f"http://127.0.0.1:{port}/healthz") != 200:
            assert server.poll() is None, server.stdout.read()
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
        assert [get(page) for _ in range(4)] == [200] * 4  # connections now open and kept

        subprocess.run([ctl, "--skip-systemctl-redirect", version, "main", "restart"], check=True, timeout=120)
        db.wait_until_accepting()

        # The same portal process answers again at once: no request fails on a dead connection.
        started = time.monotonic()
        statuses = [get(page) for _ in range(6)]
        assert statuses == [200] * 6, statuses
        assert time.monotonic() - started < 30
        assert server.poll() is None, "the portal process died"
        server.terminate()
        output = server.communicate(timeout=15)[0]
        assert output.count("Booting worker") == 1, output  # the worker was never replaced
    finally:
        if server is not None and server.poll() is None:
            server.kill()
            server.communicate()
        # This process's own connections died with the restart too.
        with django_db_blocker.unblock():
            from django.db import connections

            connections.close_all()
        try:
            db.drop()
        except Exception:  # the server may still be coming back
            time.sleep(3)
            db.drop()
