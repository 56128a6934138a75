"""Two app servers on one PostgreSQL and one Redis never disagree.

Starts two gunicorns on free 127.0.0.1 ports with CACHE_URL pointing at the
local Redis: a write made by one app process is on the other's pages at once.
Then both again with CACHE_URL at a port where nothing listens: both still
answer, with current data. Needs PostgreSQL (two servers cannot share an
SQLite file safely); it uses its own database, <name>_twoservers.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import dj_database_url
import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("QNMERGE_TEST_REDIS", "redis://127.0.0.1:6379/14")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url):
    with urllib.request.urlopen(url, timeout=20) as response:
        return response.status, response.read().decode()


@pytest.fixture
def database():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://...): two servers cannot share an SQLite file")
    import psycopg2

    config = dj_database_url.parse(url)
    name = f"{config['NAME']}_twoservers"
    params = {k.lower(): config[k] for k in ("HOST", "PORT", "USER", "PASSWORD") if config.get(k)}

    def admin(sql):
        conn = psycopg2.connect(dbname="postgres", connect_timeout=3, **params)
        conn.autocommit = True
        try:
            conn.cursor().execute(sql)
        finally:
            conn.close()

    admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{name}"')
    try:
        yield url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def environment(database_url, cache_url):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
    env.update(DATABASE_URL=database_url, CACHE_URL=cache_url, DEBUG="true", QNMERGE_PUBLIC="true")
    return env


def manage(env, *args):
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def rename(env, name):
    """A write made by an app process of this configuration (signals, cache)."""
    manage(
        env,
        "shell",
        "-c",
        "from agencies.models import AdministrativeUnit as U\n"
        f"u = U.objects.get(slug='ha-long'); u.name_en = {name!r}; u.save()",
    )


class Servers:
    def __init__(self, env):
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.ports = [free_port(), free_port()]
        self.processes = [
            subprocess.Popen(
                [str(gunicorn), "qnmerge.wsgi", "-w", "1", "-b", f"127.0.0.1:{port}"],
                cwd=BASE_DIR,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for port in self.ports
        ]
        deadline = time.monotonic() + 60
        for port, process in zip(self.ports, self.processes):
            while True:
                try:
                    if fetch(f"http://127.0.0.1:{port}/healthz")[0] == 200:
                        break
                except OSError:
                    pass
                assert process.poll() is None, process.stdout.read()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)

    def pages(self, path="/en/districts/ha-long/"):
        return [fetch(f"http://127.0.0.1:{port}{path}") for port in self.ports]

    def stop(self):
        for process in self.processes:
            process.terminate()
            process.wait(timeout=30)


def test_two_servers_share_one_cache_and_agree_even_without_it(database):
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    shared = environment(database, REDIS_URL)
    manage(shared, "migrate", "--noinput", "-v0")
    manage(shared, "load_seed")

    servers = Servers(shared)
    try:
        for status, page in servers.pages() + servers.pages():  # second round from the shared cache
            assert status == 200 and "<title>Ha Long City ·" in page
        assert redis.Redis.from_url(REDIS_URL).dbsize() > 0  # pages are in Redis, not per server
        name = f"Ha Long {uuid.uuid4().hex[:8]}"
        rename(shared, name)
        for status, page in servers.pages():
            assert status == 200 and f"<title>{name} ·" in page
    finally:
        servers.stop()

    # Redis unreachable: a port where nothing listens.
    down = environment(database, f"redis://127.0.0.1:{free_port()}/0")
    servers = Servers(down)
    try:
        for status, page in servers.pages():
            assert status == 200 and f"<title>{name} ·" in page
        later = f"Ha Long {uuid.uuid4().hex[:8]}"
        rename(down, later)
        for status, page in servers.pages() + servers.pages():
            assert status == 200 and f"<title>{later} ·" in page
    finally:
        servers.stop()
