"""Browser tests: headless Debian Chromium driven by Playwright for Python,
against pytest-django's live server (127.0.0.1) with the real seed loaded.

Chromium, the npm tools (axe-core, vnu-jar) and Java are system
dependencies (`make browser-deps`). When one is missing the tests that need
it are skipped with the reason, unless QNMERGE_REQUIRE_BROWSER=1 (CI), where
a missing tool is a failure: CI never passes by skipping them.
"""

import os

import pytest

from tests import seeding

from .support import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE, have_chromium, need

# Loopback only, on a port the OS picks.
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")


@pytest.fixture(scope="package")
def playwright_browser():
    """One headless Chromium for all browser tests, stopped after the last one.

    Playwright's sync API keeps an asyncio loop on the test thread, which
    trips Django's async-safety check on database access from the test
    (seed loading, flushing): allow it for exactly the life of the browser.
    """
    need(have_chromium(), f"Chromium not found at {CHROMIUM} (apt-get install chromium, or `make browser-deps`)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the test extra installs it
        need(False, "Playwright for Python is not installed (pip install -e '.[test]')")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    manager = sync_playwright().start()
    try:
        try:
            browser = manager.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        except Exception as exc:
            need(False, f"Chromium at {CHROMIUM} does not start: {exc}")
        yield browser
        browser.close()
    finally:
        manager.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def seeded_server(playwright_browser, live_server):
    """The live server with the real seed loaded (the database is flushed
    after each test, as live-server tests need a transactional database)."""
    seeding.load_seed()
    return live_server


def _new_page(browser, server, viewport, **context_options):
    context = browser.new_context(viewport=viewport, **context_options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.server = server.url
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    return context, page


@pytest.fixture
def page(playwright_browser, seeded_server):
    """A desktop page (1280 px); `page.server` is the live server's URL."""
    context, page = _new_page(playwright_browser, seeded_server, DESKTOP)
    yield page
    context.close()


@pytest.fixture
def phone_page(playwright_browser, seeded_server):
    """A 360 px wide touch page, the narrowest screen the portal supports."""
    context, page = _new_page(playwright_browser, seeded_server, PHONE, is_mobile=True, has_touch=True)
    yield page
    context.close()


@pytest.fixture
def audit_page(playwright_browser, seeded_server):
    """A desktop page that ignores the site's Content-Security-Policy, so that
    axe-core can be injected (the site itself allows no inline script)."""
    context, page = _new_page(playwright_browser, seeded_server, DESKTOP, bypass_csp=True)
    yield page
    context.close()
