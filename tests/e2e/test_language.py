"""A sales person switches the interface to German in the account menu, and back to English."""

import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.e2e.helpers import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_switching_the_language_in_the_account_menu(page):
    sales = factories.make_user(username="sandra", role="Sales", display_name="Sandra Sales")
    organization = factories.make_organization(name="Bionext GmbH", code="BION", city="Berlin")
    factories.make_opportunity(organization=organization, owner=sales, name="CRM rollout")
    login(page, username="sandra")
    page.goto("/organizations/?q=bion")
    expect(page.get_by_role("columnheader", name="Open opportunities")).to_be_visible()

    page.get_by_label("Account menu").click()
    expect(page.get_by_role("button", name="English")).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="Deutsch").click()

    # The same page (search included), now in German.
    expect(page).to_have_url(re.compile(r"/organizations/\?q=bion$"))
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", level=1)).to_have_text("Organisationen")
    expect(page.get_by_role("columnheader", name="Offene Verkaufschancen")).to_be_visible()
    expect(page.get_by_role("link", name="Bionext GmbH")).to_be_visible()
    # It stays German on the next page.
    page.get_by_role("link", name="Tabelle").click()
    expect(page.get_by_role("link", name="Neue Verkaufschance")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Verantwortlicher")).to_be_visible()

    page.get_by_label("Kontomenü").click()
    page.get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="New opportunity")).to_be_visible()
