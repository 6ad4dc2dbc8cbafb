"""Login throttling (django-axes): a username is paused from one address, nobody else is; guesses from
many addresses together lock the username until a new password, an admin's unlock or a day has passed."""

import datetime as dt
import io
import re

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core.management import call_command
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


# The ceiling per username, across all addresses (crm/login_throttle.py).


def spread_failures(username, addresses, per_address=5, network="203.0.113"):
    """Guess from several addresses, ``per_address`` times each (five is where each address is paused)."""
    for n in range(addresses):
        fail(Client(REMOTE_ADDR=f"{network}.{n + 1}"), username, per_address)


def test_guesses_from_many_addresses_lock_the_username_everywhere(sandra):
    spread_failures("sandra", addresses=6)  # 30 wrong guesses, five from each address

    seventh = Client(REMOTE_ADDR="198.51.100.7")
    response = login(seventh, "sandra", PASSWORD)

    assert response.status_code == 429
    page = response.content.decode()
    assert "this username is locked" in page and "auth-card" in page
    assert "Set a new password by e-mail to unlock it" in page
    assert "unlocks by itself after 24 hours" in page
    assert reverse("password_reset") in page
    assert not logged_in(seventh)


def test_the_twentieth_failure_locks_and_the_nineteenth_does_not(sandra):
    spread_failures("sandra", addresses=3)  # 15
    spread_failures("sandra", addresses=1, per_address=4, network="192.0.2")  # 19, that address not paused yet
    # One address more with a new client: the 19 failures alone do not lock anybody out.
    assert login(Client(REMOTE_ADDR="198.51.100.7"), "sandra", PASSWORD).status_code == 302

    twentieth = login(Client(REMOTE_ADDR="192.0.2.20"), "sandra", "wrong")  # an address with no failures
    right = login(Client(REMOTE_ADDR="198.51.100.8"), "sandra", PASSWORD)

    assert twentieth.status_code == 429
    assert "this username is locked" in twentieth.content.decode()
    assert right.status_code == 429


def test_attempts_refused_by_an_address_lock_do_not_count_towards_the_ceiling(sandra):
    # One address is paused after five guesses; its next 25 attempts guess nothing.
    fail(Client(REMOTE_ADDR="203.0.113.66"), "sandra", 30)

    response = login(Client(REMOTE_ADDR="198.51.100.7"), "sandra", PASSWORD)

    assert response.status_code == 302


def test_failures_more_than_an_hour_apart_do_not_add_up(sandra):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        spread_failures("sandra", addresses=3)  # 15
    with time_machine.travel(start + dt.timedelta(minutes=61), tick=False):
        spread_failures("sandra", addresses=3)  # 15 more, in a new hour
        right = login(Client(REMOTE_ADDR="198.51.100.7"), "sandra", PASSWORD)

    assert right.status_code == 302


def test_the_username_lock_ends_by_itself_after_a_day(sandra):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        spread_failures("sandra", addresses=4)
        assert login(Client(REMOTE_ADDR="198.51.100.7"), "sandra", PASSWORD).status_code == 429
    with time_machine.travel(start + dt.timedelta(hours=23, minutes=59), tick=False):
        assert login(Client(REMOTE_ADDR="198.51.100.7"), "sandra", PASSWORD).status_code == 429

    with time_machine.travel(start + dt.timedelta(hours=24, minutes=1), tick=False):
        client = Client(REMOTE_ADDR="198.51.100.7")
        response = login(client, "sandra", PASSWORD)

    assert response.status_code == 302
    assert logged_in(client)


def test_the_username_lock_does_not_touch_other_users(sandra):
    factories.make_user(username="oskar", password=PASSWORD)
    spread_failures("sandra", addresses=4)

    response = login(Client(REMOTE_ADDR="203.0.113.1"), "oskar", PASSWORD)

    assert response.status_code == 302


def test_a_password_reset_by_email_lifts_the_lock(sandra, mailoutbox):
    spread_failures("sandra", addresses=6)
    client = Client(REMOTE_ADDR="198.51.100.7")
    assert login(client, "sandra", PASSWORD).status_code == 429

    # The reset pages stay open while the username is locked.
    assert client.post(reverse("password_reset"), {"email": "sandra@example.com"}).status_code == 302
    (message,) = mailoutbox
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", message.body).group(1)
    form_page = client.get(link, follow=True)
    new_password = "Another-Passw0rd!"
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")

    response = login(client, "sandra", new_password)

    assert response.status_code == 302
    assert logged_in(client)
    assert not AccessAttempt.objects.filter(username="sandra").exists()


def test_an_admin_unlocks_the_username_in_django_admin(sandra, admin_user):
    spread_failures("sandra", addresses=6)
    assert login(Client(REMOTE_ADDR="198.51.100.7"), "sandra", PASSWORD).status_code == 429
    admin = Client()
    admin.force_login(admin_user)
    changelist = reverse("admin:axes_accessattempt_changelist")
    listed = admin.get(changelist, {"q": "sandra"})
    assert "(all addresses)" in listed.content.decode()  # the username's own row, next to the addresses'

    ids = list(AccessAttempt.objects.filter(username="sandra").values_list("pk", flat=True))
    admin.post(changelist, {"action": "delete_selected", "_selected_action": ids, "post": "yes"})

    client = Client(REMOTE_ADDR="198.51.100.7")
    response = login(client, "sandra", PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


def test_axes_reset_username_unlocks_the_username_everywhere(sandra):
    spread_failures("sandra", addresses=6)
    assert login(Client(REMOTE_ADDR="203.0.113.1"), "sandra", PASSWORD).status_code == 429

    call_command("axes_reset_username", "sandra", stdout=io.StringIO())

    assert login(Client(REMOTE_ADDR="203.0.113.1"), "sandra", PASSWORD).status_code == 302
