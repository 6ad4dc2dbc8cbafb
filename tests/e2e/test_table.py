"""Browser tests for the opportunity table: layout, long names, filter URLs, the characters-left hint."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.e2e.helpers import login

pytestmark = pytest.mark.django_db(transaction=True)

LONG_NAME = "Rahmenvertrag " + "sehr " * 36 + "lange"  # 199 characters


@pytest.fixture
def table_data(db):
    sales = factories.make_user(username="sales1", role="Sales", display_name="Sandra Sales")
    bion = factories.make_organization(name="Bionic Systems GmbH", code="BION")
    factories.make_opportunity(
        organization=bion, owner=sales, name="CRM rollout", phase=factories.phase("Research"), value=Decimal(50000)
    )
    factories.make_opportunity(organization=bion, owner=sales, name=LONG_NAME, phase=factories.phase("Contact made"))
    return sales


def test_table_page_does_not_scroll_sideways_at_1440(page, table_data):
    page.set_viewport_size({"width": 1440, "height": 900})
    login(page, username="sales1")
    page.goto("/opportunities/")
    expect(page.locator("#opportunity-table")).to_contain_text("2 opportunities")

    # The closed "More filters" panel takes no layout room (it reached to x = 2056 and made
    # the page 1906 px wide with the demo data).
    assert page.locator(".filter-panel").evaluate("el => el.getBoundingClientRect().width") == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 1440

    # Opened, "More filters" stays inside the window too.
    page.locator("summary", has_text="More filters").click()
    expect(page.locator(".filter-panel")).to_be_visible()
    box = page.locator(".filter-panel").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 1440
    assert page.evaluate("document.documentElement.scrollWidth") <= 1440


def test_long_name_takes_two_lines_and_shows_in_full_on_hover(page, table_data):
    login(page, username="sales1")
    page.goto("/opportunities/")
    link = page.locator("#row-BION-2 .cell-name")

    expect(link).to_have_attribute("title", LONG_NAME)
    line_height = float(link.evaluate("el => parseFloat(getComputedStyle(el).lineHeight)"))
    assert link.bounding_box()["height"] <= 2 * line_height + 1
    assert page.locator("#row-BION-2").bounding_box()["height"] < 80


def test_filtering_pushes_only_the_parameters_that_are_set(page, table_data):
    login(page, username="sales1")
    page.goto("/opportunities/")

    page.locator("summary", has_text="Phase").click()
    page.get_by_label("Research").check()

    expect(page.locator("#opportunity-table")).to_contain_text("1 opportunity")
    expect(page).to_have_url(re.compile(r"/opportunities/\?phase=\d+$"))

    # Without JS the same form lands on the same short URL (the server redirects).
    page.goto("/opportunities/?q=&phase=&organization=&state=open&reminder=")
    expect(page).to_have_url(re.compile(r"/opportunities/\?state=open$"))


def test_name_field_says_how_many_characters_are_left(page, table_data):
    login(page, username="sales1")
    page.goto("/opportunities/new/")
    name = page.locator("#id_name")

    name.fill("Rollout")
    expect(page.locator(".char-count")).to_have_count(0)
    name.fill("x" * 190)
    expect(page.locator(".char-count")).to_have_text("10 characters left")
