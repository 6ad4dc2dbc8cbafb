"""In the browser: an ended session and a throttled login."""

import re

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from tests import factories
from tests.e2e.helpers import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_click_after_the_session_ended_opens_the_login_page_and_comes_back(page):
    factories.make_user(username="sandra", role="Sales")
    factories.make_organization(name="Bionic Systems GmbH", city="Berlin")
    login(page, username="sandra")
    page.goto("/organizations/?per_page=50")
    page.wait_for_load_state()
    Session.objects.all().delete()  # the session expired (or was ended elsewhere)

    page.get_by_role("link", name="City").click()  # an htmx request

    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/organizations/%3Fper_page%3D50$"))
    expect(page.get_by_role("heading", name="Welcome back")).to_be_visible()
    page.get_by_label("Username").fill("sandra")
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/organizations/\?per_page=50$"))
    expect(page.get_by_role("cell", name="Bionic Systems GmbH")).to_be_visible()


def test_five_wrong_passwords_show_the_lockout_page(page):
    factories.make_user(username="sandra", role="Sales")
    page.goto("/accounts/login/")
    for _ in range(5):
        page.get_by_label("Username").fill("sandra")
        page.get_by_label("Password").fill("wrong")
        page.get_by_role("button", name="Log in").click()
        if page.get_by_role("heading", name="Too many attempts").is_visible():
            break

    expect(page.get_by_role("heading", name="Too many attempts")).to_be_visible()
    expect(page.get_by_text("Try again in 15 minutes.")).to_be_visible()
