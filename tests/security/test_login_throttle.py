"""Login throttling (django-axes): a username is paused from one address, nobody else is."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "right-Passw0rd!"


@pytest.fixture
def sandra(db):
    return factories.make_user(username="sandra", password=PASSWORD)


def login(client, username, password, **headers):
    return client.post(reverse("login"), {"username": username, "password": password}, **headers)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail(client, username, times, **headers):
    return [login(client, username, "wrong", **headers) for _ in range(times)]


def test_five_failed_logins_lock_the_username_from_that_address(client, sandra):
    responses = fail(client, "sandra", 5)

    assert [response.status_code for response in responses] == [200, 200, 200, 200, 429]
    assert "Please enter a correct username and password" in responses[0].content.decode()
    page = responses[-1].content.decode()
    assert "Too many attempts" in page and "auth-card" in page  # the login page's card, not a bare text
    assert "Try again in 15 minutes." in page
    assert "“sandra”" in page

    right = login(client, "sandra", PASSWORD)

    assert right.status_code == 429
    assert "Too many attempts" in right.content.decode()
    assert not logged_in(client)


def test_lockout_ends_after_the_cool_off(client, sandra):
    fail(client, "sandra", 5)
    assert login(client, "sandra", PASSWORD).status_code == 429

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16), tick=False):
        right = login(client, "sandra", PASSWORD)

    assert right.status_code == 302
    assert logged_in(client)


def test_a_locked_username_does_not_lock_other_users_from_the_same_address(client, sandra):
    factories.make_user(username="oskar", password=PASSWORD)
    fail(client, "sandra", 5)

    response = login(client, "oskar", PASSWORD)

    assert response.status_code == 302
    assert logged_in(client)


def test_guessing_at_someones_name_does_not_lock_them_out_elsewhere(sandra):
    attacker = Client(REMOTE_ADDR="203.0.113.66")
    sandra_at_work = Client(REMOTE_ADDR="198.51.100.7")
    fail(attacker, "sandra", 10)

    response = login(sandra_at_work, "sandra", PASSWORD)

    assert response.status_code == 302
    assert logged_in(sandra_at_work)


def test_a_spoofed_forwarded_for_header_neither_escapes_nor_spreads_the_lock(sandra):
    attacker = Client(REMOTE_ADDR="203.0.113.66")
    # Every guess claims another address: they still count against the real one.
    for number in range(5):
        login(attacker, "sandra", "wrong", HTTP_X_FORWARDED_FOR=f"10.0.0.{number}")

    escape = login(attacker, "sandra", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.1")
    sandra_at_work = login(Client(REMOTE_ADDR="198.51.100.7"), "sandra", PASSWORD)

    assert escape.status_code == 429
    assert sandra_at_work.status_code == 302


def test_behind_trusted_proxies_the_address_they_saw_counts(settings, sandra):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = Client(REMOTE_ADDR="10.0.0.1")  # every request comes from our own proxy
    # The attacker puts a fake address in front; the proxy appends the real one.
    for number in range(5):
        login(proxy, "sandra", "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{number}, 203.0.113.66")

    attacker = login(proxy, "sandra", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.66")
    colleague = login(proxy, "sandra", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7")

    assert attacker.status_code == 429
    assert colleague.status_code == 302


def test_a_successful_login_resets_the_count(client, sandra):
    fail(client, "sandra", 4)
    assert login(client, "sandra", PASSWORD).status_code == 302
    client.post(reverse("logout"))

    responses = fail(client, "sandra", 4)

    assert [response.status_code for response in responses] == [200] * 4


def test_the_throttle_costs_ordinary_requests_no_query(client, sales_user, settings):
    client.force_login(sales_user)
    url = reverse("opportunities:opportunity-list")
    client.get(url)  # warm up (the session, the configuration)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    with_throttle = queries()
    settings.AXES_ENABLED = False
    without_throttle = queries()

    assert with_throttle == without_throttle
