"""Security headers, templates fit for the Content-Security-Policy, admin login
throttling (django-axes), and the production server: gunicorn with WhiteNoise
serving compressed, hashed static files."""

import datetime
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings

from tests import factories

BASE_DIR = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"
EXPECTED_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)


# -- headers -----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/quality/", "/en/quality/", "/admin/login/", "/no-such-page/", "/healthz"])
def test_every_response_carries_the_security_headers(client, url):
    response = client.get(url)
    assert response["Content-Security-Policy"] == EXPECTED_CSP
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_hsts_is_sent_over_https_when_configured(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    response = client.get("/healthz", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


@pytest.mark.django_db
def test_no_hsts_when_not_configured(client, settings):
    settings.SECURE_HSTS_SECONDS = 0
    assert "Strict-Transport-Security" not in client.get("/healthz", secure=True)


# -- templates under the CSP ----------------------------------------------------

INLINE_PATTERNS = {
    "inline <script> (use a static .js file)": re.compile(
        r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I
    ),
    "<style> element (use static/css/portal.css)": re.compile(r"<style\b", re.I),
    "style= attribute (use a CSS class)": re.compile(r"\sstyle\s*=", re.I),
    "on...= event handler attribute": re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "hard-coded /static/ URL (use {% static %})": re.compile(r"(?:href|src)=\"/static/", re.I),
    "external address (no CDN, web font or external script)": re.compile(
        r"<(?:script|link|img)\b[^>]*(?:href|src)=\"(?:https?:)?//", re.I
    ),
}


def template_files():
    return sorted((BASE_DIR / "templates").rglob("*.html"))


def test_templates_have_nothing_the_content_security_policy_blocks():
    assert template_files(), "no templates found"
    problems = []
    for path in template_files():
        text = path.read_text(encoding="utf-8")
        for what, pattern in INLINE_PATTERNS.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                problems.append(f"{path.relative_to(BASE_DIR)}:{line}: {what}")
    assert problems == []


def test_the_template_scan_finds_inline_code():
    """The scan above is not vacuous."""
    sample = '<p style="color:red" onclick="x()"><script>alert(1)</script><a href="/static/x.css">'
    found = {what for what, pattern in INLINE_PATTERNS.items() if pattern.search(sample)}
    assert len(found) == 4


# -- admin login throttling ------------------------------------------------------


def login(client, username, password):
    return client.post("/en/admin/login/?next=/en/admin/", {"username": username, "password": password})


@pytest.mark.django_db
def test_sixth_login_attempt_is_refused_even_with_the_right_password(client):
    factories.UserFactory(username="editor", is_staff=True)
    for attempt in range(4):
        response = login(client, "editor", f"wrong-{attempt}")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()
    login(client, "editor", "wrong-5")  # the fifth failure locks the account
    response = login(client, "editor", PASSWORD)
    assert response.status_code == 429
    assert "too many login attempts" in response.content.decode().lower()
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302  # still sent to the login page


@pytest.mark.django_db
def test_lockout_is_per_user_another_user_can_still_log_in(client):
    factories.UserFactory(username="editor", is_staff=True)
    factories.UserFactory(username="other", is_staff=True)
    for attempt in range(6):
        login(client, "editor", f"wrong-{attempt}")
    assert login(client, "editor", PASSWORD).status_code == 429
    response = login(client, "other", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/en/admin/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_four_failures_then_the_right_password_logs_in(client):
    factories.UserFactory(username="editor", is_staff=True)
    for attempt in range(4):
        login(client, "editor", f"wrong-{attempt}")
    response = login(client, "editor", PASSWORD)
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_lockout_lifts_after_fifteen_minutes(client):
    factories.UserFactory(username="editor", is_staff=True)
    for attempt in range(5):
        login(client, "editor", f"wrong-{attempt}")
    assert login(client, "editor", PASSWORD).status_code == 429
    assert django_settings.AXES_COOLOFF_TIME == 0.25  # hours
    AccessAttempt.objects.update(attempt_time=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=16))
    assert login(client, "editor", PASSWORD).status_code == 302


# -- the production server ------------------------------------------------------


def free_port():
    """A port the OS picks on the loopback, so parallel runs never collide."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def wait_until_up(url, process, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited: {process.stdout.read()}")
        try:
            return fetch(url)
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"server did not answer {url} within {seconds}s")


def test_production_server_serves_compressed_hashed_static_files(tmp_path):
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if not gunicorn.exists():
        gunicorn = shutil.which("gunicorn")
    assert gunicorn, "gunicorn is a dependency and must be installed"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        STATIC_ROOT=str(tmp_path / "static"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        QNMERGE_CACHE_DIR=str(tmp_path / "cache"),
    )
    for command in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        done = subprocess.run(
            [sys.executable, "manage.py", *command], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr
    manifest = (tmp_path / "static" / "staticfiles.json").read_text()
    hashed_css = re.search(r'"css/portal.css": "(css/portal\.[0-9a-f]{12}\.css)"', manifest).group(1)

    server = subprocess.Popen(
        [str(gunicorn), "qnmerge.wsgi", "-w", "1", "-b", f"127.0.0.1:{port}"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        status, headers, body = wait_until_up(f"{base}/healthz", server)
        assert (status, body) == (200, b"ok")
        assert headers["Content-Security-Policy"] == EXPECTED_CSP

        status, headers, body = fetch(f"{base}/sources/")
        assert status == 200
        assert f'href="/static/{hashed_css}"' in body.decode()

        status, headers, body = fetch(f"{base}/static/{hashed_css}", {"Accept-Encoding": "gzip"})
        assert status == 200
        assert headers["Content-Encoding"] == "gzip"
        assert "immutable" in headers["Cache-Control"]
        assert headers["Content-Type"].startswith("text/css")

        status, headers, body = fetch(f"{base}/static/css/no-such-file.css")
        assert status == 404
    finally:
        server.terminate()
        server.wait(timeout=10)


# -- NUL characters ------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/search/?q=%00", "/en/quality/?province=a%00b", "/admin/agencies/body/?q=%00", "/?%00=1"]
)
def test_a_null_character_in_the_query_string_is_a_bad_request(admin_client, url):
    response = admin_client.get(url)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"


@pytest.mark.django_db
def test_the_null_character_refusal_says_what_is_wrong(client):
    response = client.get("/en/search/?q=ha%00long")
    assert response.status_code == 400
    assert response.content.decode() == "The address contains a null character; remove it and try again."


@pytest.mark.django_db
def test_an_ordinary_query_string_passes(client):
    assert client.get("/en/sources/?x=%01").status_code == 200
