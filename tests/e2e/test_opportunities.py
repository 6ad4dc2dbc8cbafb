"""Browser tests for the opportunity table and the pipeline board."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from opportunities.models import Opportunity
from tests import factories
from tests.e2e.helpers import login


@pytest.fixture
def pipeline(db):
    sales = factories.make_user(username="sales1", role="Sales", display_name="Sandra Sales")
    other = factories.make_user(username="sales2", role="Sales", display_name="Oskar Other")
    factories.make_user(username="manager", role="Managers", display_name="Maria Manager")
    bion = factories.make_organization(name="Bionic Systems GmbH", code="BION")
    acme = factories.make_organization(name="Acme AG", code="ACME")
    factories.make_opportunity(
        organization=bion, owner=sales, name="CRM rollout", phase=factories.phase("Research"), value=Decimal(50000)
    )
    factories.make_opportunity(
        organization=acme, owner=other, name="Wartung", phase=factories.phase("Research"), value=Decimal(7000)
    )
    factories.make_opportunity(
        organization=acme, owner=sales, name="Onboarding", phase=factories.phase("Contact made"), value=Decimal(900)
    )
    return sales


def _drag(page, source, target):
    """Drag with real pointer events: press, move in steps, release."""
    box = source.bounding_box()
    goal = target.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 20)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 10, box["y"] + 30, steps=3)
    page.mouse.move(goal["x"] + goal["width"] / 2, goal["y"] + 60, steps=12)
    page.mouse.up()


def test_drag_a_card_to_another_column_and_it_stays_there(page, pipeline):
    login(page, username="sales1")
    page.goto("/opportunities/board/")
    contact_made = factories.phase("Contact made")
    card = page.locator("#card-BION-1")
    expect(card).to_be_visible()

    _drag(page, card, page.locator(f"#cards-{contact_made.pk}"))

    expect(page.locator(f"#cards-{contact_made.pk} #card-BION-1")).to_be_visible()
    expect(page.locator(f"#column-head-{contact_made.pk} .column-count")).to_have_text("2")
    page.reload()
    expect(page.locator(f"#cards-{contact_made.pk} #card-BION-1")).to_be_visible()
    assert Opportunity.objects.get(short_name="BION-1").phase == contact_made


def test_a_stale_move_from_a_second_session_gets_the_conflict_message(page, chromium, live_server, pipeline):
    login(page, username="sales1")
    page.goto("/opportunities/board/")
    expect(page.locator("#card-BION-1")).to_be_visible()

    # Meanwhile the manager moves the same opportunity in another browser.
    other = chromium.new_context(base_url=live_server.url).new_page()
    login(other, username="manager")
    other.goto("/opportunities/board/")
    reminder = factories.phase("Reminder")
    _drag(other, other.locator("#card-BION-1"), other.locator(f"#cards-{reminder.pk}"))
    expect(other.locator(f"#cards-{reminder.pk} #card-BION-1")).to_be_visible()
    other.context.close()

    # The first session still shows the old card (old version) and drags it.
    _drag(page, page.locator("#card-BION-1"), page.locator(f"#cards-{factories.phase('Contact made').pk}"))

    expect(page.locator("#card-BION-1 .card-message")).to_contain_text(
        "Maria Manager changed the phase (now “Reminder”) of BION-1"
    )
    assert Opportunity.objects.get(short_name="BION-1").phase == reminder


def test_moving_into_lost_with_the_move_to_menu_asks_for_a_reason(page, pipeline):
    login(page, username="sales1")
    page.goto("/opportunities/board/")
    lost = factories.phase("Lost")

    card = page.locator("#card-BION-1")
    card.get_by_role("link", name="Move to…").click()
    card.get_by_label("Move BION-1 to").select_option(label="Lost")
    card.get_by_role("button", name="Move").click()
    dialog = page.locator("dialog.move-dialog")
    expect(dialog).to_contain_text("Why was BION-1 lost")
    dialog.get_by_label("Reason").fill("Went with a competitor")
    dialog.get_by_role("button", name="Mark as lost").click()

    expect(page.locator("dialog.move-dialog")).to_have_count(0)
    expect(page.locator(f"#column-head-{lost.pk} .column-count")).to_have_text("1")
    opportunity = Opportunity.objects.get(short_name="BION-1")
    assert opportunity.lost_reason == "Went with a competitor"


def test_table_filter_group_sort_hide_column_and_reload_keeps_state(page, pipeline):
    login(page, username="sales1")
    page.goto("/opportunities/")
    expect(page.locator("#opportunity-table")).to_contain_text("3 opportunities")

    # Filter by phase and owner.
    page.locator("summary", has_text="Phase").click()
    page.get_by_label("Research").check()
    page.locator("summary", has_text="Owner").click()
    page.locator("details.filter-choices").filter(has_text="Owner").get_by_label("Me").check()
    expect(page.locator("#opportunity-table")).to_contain_text("1 opportunity")
    expect(page).to_have_url(re.compile(r"phase=\d+.*owner=me|owner=me.*phase=\d+"))

    # Group by status, sort by value.
    page.locator("#opportunity-table").get_by_role("link", name="Status").first.click()
    expect(page.locator(".group-header")).to_contain_text("Sales")
    page.get_by_role("link", name="Value").click()
    expect(page).to_have_url(re.compile(r"sort=value"))

    # Hide the Tags column.
    page.locator("summary", has_text="Columns").click()
    page.locator("#column-chooser").get_by_role("checkbox", name="Tags").uncheck()
    page.get_by_role("button", name="Save columns").click()
    expect(page.locator("thead")).not_to_contain_text("Tags")

    page.reload()
    expect(page.locator("#opportunity-table")).to_contain_text("1 opportunity")
    expect(page.locator(".group-header")).to_contain_text("Sales")
    expect(page.locator("thead")).not_to_contain_text("Tags")
    expect(page).to_have_url(re.compile(r"group=status"))
