"""Issue 16, item 1: login throttling behind the documented reverse proxy.

Every request reaches the portal from the proxy (REMOTE_ADDR 10.0.0.2); the
proxy appends the real client address to X-Forwarded-For."""

import pytest
from django.test import Client

from qnmerge.throttle import client_ip_address
from tests import factories

PASSWORD = "correct horse battery staple"
PROXY = "10.0.0.2"


def via_proxy(client_address):
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_address)


def login(client, username, password):
    return client.post("/en/admin/login/?next=/en/admin/", {"username": username, "password": password})


@pytest.fixture
def one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


@pytest.mark.django_db
def test_failures_from_one_client_do_not_lock_the_user_out_for_another(one_proxy):
    factories.UserFactory(username="someone", is_staff=True)
    attacker = via_proxy("203.0.113.7")
    for attempt in range(5):
        login(attacker, "someone", f"wrong-{attempt}")
    assert login(attacker, "someone", PASSWORD).status_code == 429  # the attacker is locked
    response = login(via_proxy("198.51.100.20"), "someone", PASSWORD)
    assert response.status_code == 302  # the real admin, elsewhere, still logs in
    assert response["Location"] == "/en/admin/"


@pytest.mark.django_db
def test_spraying_one_password_over_many_usernames_is_throttled(one_proxy, settings):
    settings.AXES_ADDRESS_FAILURE_LIMIT = 20
    for number in range(40):
        factories.UserFactory(username=f"user{number}", is_staff=True)
    sprayer = via_proxy("203.0.113.7")
    statuses = [login(sprayer, f"user{number}", "Password123!").status_code for number in range(40)]
    assert statuses[:19] == [200] * 19  # wrong password, form shown again
    assert set(statuses[20:]) == {429}  # the address is locked after 20 failures
    # ... even for a username it never tried, with the right password
    factories.UserFactory(username="fresh", is_staff=True)
    assert login(sprayer, "fresh", PASSWORD).status_code == 429
    # another client behind the same proxy is not affected
    assert login(via_proxy("198.51.100.20"), "fresh", PASSWORD).status_code == 302


def test_forwarded_header_is_ignored_without_a_trusted_proxy(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = rf.get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert client_ip_address(request) == "192.0.2.1"


def test_client_address_is_counted_from_the_right(rf, settings):
    # The client forged "1.2.3.4"; two trusted proxies appended what they saw.
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7, 10.0.0.1")
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip_address(request) == "203.0.113.7"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip_address(request) == "10.0.0.1"
