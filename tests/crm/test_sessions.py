"""Sessions end after SESSION_IDLE_MINUTES without a request; secure cookies carry the __Host- prefix."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests import factories

pytestmark = pytest.mark.django_db

TABLE = "/opportunities/"
START = dt.datetime(2026, 11, 18, 8, 0, tzinfo=dt.UTC)
ROOT = Path(__file__).resolve().parents[2]


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def at(minutes: float):
    return time_machine.travel(START + dt.timedelta(minutes=minutes), tick=False)


@pytest.fixture
def rep(db):
    return factories.make_user(username="sandra", password="secret-pw-123")


def test_a_session_idle_for_eight_hours_is_logged_out(client, rep):
    with at(0):
        assert client.post(reverse("login"), {"username": "sandra", "password": "secret-pw-123"}).status_code == 302
    with at(8 * 60 - 1):
        assert client.get(TABLE).status_code == 200

    with at(2 * 8 * 60 - 1 + 2):  # eight hours and a minute after the last request
        response = client.get(TABLE)
        login_page = client.get(response["Location"])
        assert not logged_in(client)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={TABLE}"
    assert "You were logged out after a while without activity." in login_page.content.decode()


def test_requests_keep_a_session_alive(client, rep):
    with at(0):
        client.force_login(rep)
    for hour in range(7, 29, 7):  # a request every seven hours for a day
        with at(hour * 60):
            assert client.get(TABLE).status_code == 200
            assert logged_in(client)


def test_the_idle_time_comes_from_the_setting(client, rep, settings):
    settings.SESSION_IDLE_MINUTES = 30
    with at(0):
        client.force_login(rep)
    with at(29):
        assert client.get(TABLE).status_code == 200

    with at(29 + 31):
        response = client.get(TABLE)
        assert not logged_in(client)

    assert response.status_code == 302


def test_an_htmx_request_after_the_idle_time_sends_the_page_to_the_login(client, rep):
    with at(0):
        client.force_login(rep)

    with at(8 * 60 + 1):
        response = client.get(TABLE, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=f"http://testserver{TABLE}?q=x")

    assert response.status_code == 401
    assert response["HX-Redirect"] == f"{reverse('login')}?next=/opportunities/%3Fq%3Dx"


def test_the_idle_clock_costs_no_query_within_a_minute(client, rep):
    with at(0):
        client.force_login(rep)
    with at(0.5), CaptureQueriesContext(connection) as within_a_minute:
        assert client.get(TABLE).status_code == 200
    with at(2), CaptureQueriesContext(connection) as later:
        assert client.get(TABLE).status_code == 200

    def session_writes(captured):
        return [
            q["sql"]
            for q in captured.captured_queries
            if q["sql"].startswith("UPDATE") and "django_session" in q["sql"]
        ]

    assert session_writes(within_a_minute) == []
    assert len(session_writes(later)) == 1  # the clock moves on with the request after a minute


def test_a_session_from_before_the_idle_clock_gets_one(client, rep):
    client.force_login(rep)
    session = client.session
    del session["_crm_last_activity"]
    session.save()

    with time_machine.travel(timezone.now() + dt.timedelta(days=3), tick=False):
        assert client.get(TABLE).status_code == 200  # nothing to measure from yet: the clock starts now
    with time_machine.travel(timezone.now() + dt.timedelta(days=3, hours=9), tick=False):
        assert client.get(TABLE).status_code == 302


def settings_in_production(**env) -> list[str]:
    """SESSION_COOKIE_NAME and CSRF_COOKIE_NAME as crm/settings.py computes them with DEBUG off."""
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://localhost/unused"),
        "DJANGO_SETTINGS_MODULE": "crm.settings",
        "SECRET_KEY": "x" * 50,
        **env,
    }
    code = "from django.conf import settings; print(settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME)"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, check=True
    )
    return result.stdout.split()


def test_secure_cookies_get_the_host_prefix():
    assert settings_in_production() == ["__Host-sessionid", "__Host-csrftoken"]
    assert settings_in_production(SESSION_COOKIE_SECURE="0", CSRF_COOKIE_SECURE="0") == ["sessionid", "csrftoken"]
    assert settings_in_production(DEBUG="1") == ["sessionid", "csrftoken"]


def test_host_prefixed_cookies_are_set_for_the_whole_site_without_a_domain(settings, rep):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME = "__Host-sessionid", "__Host-csrftoken"
    client = Client(enforce_csrf_checks=True)

    form = client.get(reverse("login"), secure=True)
    token = form.context["csrf_token"]
    response = client.post(
        reverse("login"),
        {"username": "sandra", "password": "secret-pw-123", "csrfmiddlewaretoken": token},
        secure=True,
        HTTP_REFERER="https://testserver/accounts/login/",  # Django checks it on HTTPS
    )

    assert response.status_code == 302
    for name in ("__Host-sessionid", "__Host-csrftoken"):
        cookie = response.cookies.get(name) or form.cookies[name]
        assert cookie["secure"] is True
        assert cookie["path"] == "/"
        assert not cookie["domain"]
    assert client.get(TABLE, secure=True).status_code == 200
