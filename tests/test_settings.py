"""Settings read from the environment: production refuses unsafe values, and
`check --deploy` is clean with a realistic production environment.

Each case imports the settings in a fresh interpreter with a controlled
environment, the way `make serve` starts.
"""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
CONTROLLED = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "SECURE_HSTS_SECONDS",
    "SECURE_SSL_REDIRECT",
    "BEHIND_HTTPS_PROXY",
    "QNMERGE_PUBLIC",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "CONN_MAX_AGE",
    "DJANGO_SETTINGS_MODULE",
    "STATIC_ROOT",
)

PRINT_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({name: getattr(settings, name) if not isinstance(getattr(settings, name), dict) else None
                  for name in %r} | {"storage": settings.STORAGES["staticfiles"]["BACKEND"]}))
"""


def run(code_or_args, **env):
    """Run python with only the given qnmerge variables set; returns CompletedProcess."""
    base = {k: v for k, v in os.environ.items() if k not in CONTROLLED}
    base["DJANGO_SETTINGS_MODULE"] = "qnmerge.settings"
    base.update(env)
    args = ["-c", code_or_args] if isinstance(code_or_args, str) else code_or_args
    return subprocess.run([sys.executable, *args], cwd=BASE_DIR, env=base, capture_output=True, text=True, timeout=120)


def prod_env(**extra):
    env = {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),  # 67 random characters
        "ALLOWED_HOSTS": "qnmerge.example.org",
        "SECURE_HSTS_SECONDS": "31536000",
    }
    env.update(extra)
    return env


def settings_in(names, **env):
    result = run(PRINT_SETTINGS % (names,), **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "env, missing",
    [
        ({}, "SECRET_KEY, ALLOWED_HOSTS"),
        ({"SECRET_KEY": "k" * 60}, "ALLOWED_HOSTS"),
        ({"ALLOWED_HOSTS": "qnmerge.example.org"}, "SECRET_KEY"),
    ],
)
def test_production_refuses_to_start_without_secret_key_or_allowed_hosts(env, missing):
    result = run("import django; django.setup()", DEBUG="false", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"must be set: {missing}" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = run("import django; django.setup()", DEBUG="false", SECRET_KEY="short", ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "SECRET_KEY must be a random string of at least 50 characters" in result.stderr


def test_a_bad_boolean_names_the_variable():
    result = run("import django; django.setup()", DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_check_deploy_reports_no_issue_in_production():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **prod_env())
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert not re.search(r"\(\w+\.[WE]\d+\)", output), output
    assert "System check identified no issues" in output


def test_check_deploy_warns_without_hsts():
    """The check above is not vacuous: turning HSTS off makes it complain."""
    env = prod_env(SECURE_HSTS_SECONDS="0")
    result = run(["manage.py", "check", "--deploy"], **env)
    assert "security.W004" in result.stdout + result.stderr


def test_production_cookies_are_secure_and_static_files_hashed():
    values = settings_in(
        [
            "DEBUG",
            "SESSION_COOKIE_SECURE",
            "CSRF_COOKIE_SECURE",
            "SECURE_SSL_REDIRECT",
            "SECURE_HSTS_SECONDS",
            "SECURE_HSTS_INCLUDE_SUBDOMAINS",
            "X_FRAME_OPTIONS",
            "SECURE_CONTENT_TYPE_NOSNIFF",
            "QNMERGE_PUBLIC",
        ],
        **prod_env(),
    )
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] == 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False  # opt-in
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert values["QNMERGE_PUBLIC"] is True
    assert values["storage"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_development_cookies_work_over_plain_http():
    values = settings_in(["DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT"], DEBUG="true")
    assert values == {
        "DEBUG": True,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_SSL_REDIRECT": False,
        "storage": "django.contrib.staticfiles.storage.StaticFilesStorage",
    }


def test_qnmerge_public_false_makes_the_portal_private():
    assert settings_in(["QNMERGE_PUBLIC"], QNMERGE_PUBLIC="false")["QNMERGE_PUBLIC"] is False
    assert settings_in(["QNMERGE_PUBLIC"], QNMERGE_PUBLIC="")["QNMERGE_PUBLIC"] is True


# -- issue 16, item 13 ------------------------------------------------------------


def test_production_refuses_a_secret_key_of_one_repeated_letter():
    result = run("import django; django.setup()", DEBUG="false", SECRET_KEY="a" * 54, ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "SECRET_KEY is not random" in result.stderr


def test_production_refuses_allowed_hosts_star():
    result = run("import django; django.setup()", **prod_env(ALLOWED_HOSTS="*"))
    assert result.returncode != 0
    assert "ALLOWED_HOSTS=* lets any Host header through" in result.stderr


def test_hsts_defaults_to_this_host_only_and_subdomains_preload_are_opt_in():
    env = prod_env()
    del env["SECURE_HSTS_SECONDS"]
    names = ["SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD"]
    values = settings_in(names, **env)
    assert values["SECURE_HSTS_SECONDS"] == 86400
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False and values["SECURE_HSTS_PRELOAD"] is False
    values = settings_in(names, **env, SECURE_HSTS_INCLUDE_SUBDOMAINS="true", SECURE_HSTS_PRELOAD="true")
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True and values["SECURE_HSTS_PRELOAD"] is True


def test_check_deploy_is_clean_on_the_documented_production_command():
    """README: DEBUG=false SECRET_KEY=... ALLOWED_HOSTS=portal.example.vn make serve."""
    env = prod_env()
    del env["SECURE_HSTS_SECONDS"]
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert not re.search(r"\(\w+\.[WE]\d+\)", output), output


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    """Issue 16, item 4: a long import must not make logins fail with
    "database is locked": a second writer waits instead of failing."""
    code = """
import django, json
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    mode = cursor.fetchone()[0]
    cursor.execute("PRAGMA busy_timeout")
    busy = cursor.fetchone()[0]
print(json.dumps([mode, busy]))
"""
    result = run(code, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", DEBUG="true")
    assert result.returncode == 0, result.stderr
    mode, busy = json.loads(result.stdout.strip().splitlines()[-1])
    assert mode == "wal"
    assert busy >= 5000  # milliseconds


def test_make_serve_gives_each_instance_its_own_gunicorn_control_socket():
    """Issue 16, item 14: two `make serve` on one machine must not share
    gunicorn's control socket (its default is one path per machine user)."""

    def serve_command(*args):
        result = subprocess.run(
            ["make", "-n", "serve", *args], cwd=BASE_DIR, capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, result.stderr
        return [line for line in result.stdout.splitlines() if "gunicorn qnmerge.wsgi" in line][0]

    first, second = serve_command("PORT=8123"), serve_command("PORT=8124")
    help_text = subprocess.run(
        [str(Path(sys.executable).with_name("gunicorn")), "--help"], capture_output=True, text=True
    ).stdout
    if "--control-socket " not in help_text:
        assert "control-socket" not in first  # an older gunicorn has no control socket
        return
    assert f"--control-socket {BASE_DIR}/var/gunicorn-8123.ctl" in first
    assert f"--control-socket {BASE_DIR}/var/gunicorn-8124.ctl" in second
    assert serve_command("CONTROL_SOCKET=none").endswith("--no-control-socket")
