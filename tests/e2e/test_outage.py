"""In the browser: an htmx click while the database is unreachable says so, and works again once it is back."""

import re

import pytest
from django.db import connection
from playwright.sync_api import expect

from tests import factories
from tests.e2e.helpers import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_click_while_the_database_is_down_says_so_and_works_once_it_is_back(page, tmp_path):
    factories.make_user(username="sandra", role="Sales")
    factories.make_organization(name="Bionic Systems GmbH", city="Berlin")
    login(page, username="sandra")
    page.goto("/organizations/")
    page.wait_for_load_state()

    # Every thread's connection reads this settings dict: the live server's next
    # connection goes to a folder without a PostgreSQL socket. Its current one is
    # terminated (ours stays, to restore the data after the test).
    settings_dict = connection.settings_dict
    saved = settings_dict["HOST"], settings_dict["PORT"]
    settings_dict["HOST"], settings_dict["PORT"] = str(tmp_path), "5432"
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        page.get_by_role("link", name="City").click()  # an htmx request

        expect(page.get_by_role("alert")).to_have_text(
            "The CRM cannot reach its database right now. Try again in a minute; reload the page to see what was saved."
        )
    finally:
        settings_dict["HOST"], settings_dict["PORT"] = saved

    page.get_by_role("link", name="City").click()

    # Django replaces the failed connection at the next request: no restart needed.
    expect(page).to_have_url(re.compile(r"/organizations/\?.*sort=city"))
    expect(page.get_by_role("cell", name="Bionic Systems GmbH")).to_be_visible()
