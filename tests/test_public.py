"""QNMERGE_PUBLIC=false: every portal page asks for a login; the admin login,
static files, the language switch and /healthz stay reachable."""

from urllib.parse import quote

import pytest
from django.urls import reverse

from tests import factories

PASSWORD = "correct horse battery staple"


@pytest.fixture
def private(settings):
    settings.QNMERGE_PUBLIC = False
    return settings


def portal_urls():
    """One URL per portal page, built from the URL patterns so new pages are covered."""
    from portal import urls

    args = {"slug": "huyen-thu", "pk": 1}
    found = []
    for pattern in urls.urlpatterns:
        params = pattern.pattern.converters.keys()
        found.append(reverse(f"portal:{pattern.name}", kwargs={p: args[p] for p in params}))
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("url", portal_urls())
def test_private_portal_sends_anonymous_visitors_to_the_admin_login(client, private, url):
    response = client.get(url + "?province=all")
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=" + quote(url + "?province=all", safe="/")


@pytest.mark.django_db
def test_private_portal_in_english_sends_to_the_english_login(client, private):
    response = client.get("/en/quality/")
    assert response.status_code == 302
    assert response["Location"] == "/en/admin/login/?next=/en/quality/"


@pytest.mark.django_db
def test_private_portal_admin_login_page_stays_reachable(client, private):
    response = client.get("/admin/login/?next=/quality/")
    assert response.status_code == 200
    assert 'name="password"' in response.content.decode()


@pytest.mark.django_db
def test_private_portal_after_logging_in_the_page_is_shown(client, private):
    factories.UserFactory(username="editor", is_staff=True)
    response = client.post(
        "/en/admin/login/?next=/en/quality/",
        {
            "username": "editor",
            "password": PASSWORD,
            "next": "/en/quality/",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/en/quality/"
    response = client.get("/en/quality/")
    assert response.status_code == 200
    assert "<h1>Data quality</h1>" in response.content.decode()


@pytest.mark.django_db
def test_private_portal_keeps_healthz_language_switch_and_static_open(client, private):
    private.WHITENOISE_USE_FINDERS = True  # serve static/ as in development
    assert client.get("/healthz").content == b"ok"
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/quality/"})
    assert response.status_code == 302
    assert response["Location"] == "/en/quality/"
    response = client.get("/static/css/portal.css")
    assert response.status_code == 200
    assert b"font-family" in b"".join(response.streaming_content)


@pytest.mark.django_db
def test_private_portal_unknown_page_is_still_a_404(client, private):
    assert client.get("/no-such-page/").status_code == 404


@pytest.mark.django_db
def test_public_portal_needs_no_login(client, settings):
    settings.QNMERGE_PUBLIC = True
    response = client.get("/en/mergers/")
    assert response.status_code == 200
    assert "<h1>Mergers</h1>" in response.content.decode()
    # The data-quality page is for staff even on a public portal (issue 13).
    response = client.get("/en/quality/")
    assert response.status_code == 302
    assert response["Location"] == "/en/admin/login/?next=/en/quality/"
