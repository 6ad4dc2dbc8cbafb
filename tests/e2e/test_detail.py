import re

import pytest
from playwright.sync_api import expect

from opportunities.models import Opportunity, Task
from tests import factories
from tests.e2e.helpers import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_work_an_opportunity_on_its_page(page):
    sandra = factories.make_user(username="sandra", role="Sales", display_name="Sandra Sales")
    org = factories.make_organization(name="Bionic Systems GmbH", code="BION", city="Berlin")
    factories.make_opportunity(organization=org, owner=sandra, name="CRM rollout", phase=factories.phase("Research"))
    login(page, username="sandra")

    page.goto("/opportunities/BION-1/")
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("CRM rollout")

    # Change the phase in place: the stepper moves on, the probability follows, no page load.
    page.get_by_role("button", name="Contact made").click()
    expect(page.locator(".step.is-current")).to_have_text("Contact made")
    expect(page.locator("#field-probability .prop-value")).to_have_text("20 %")
    expect(page).to_have_url(re.compile(r"/opportunities/BION-1/$"))
    # The next edit carries the new version: no conflict with oneself.
    page.locator("#header-status").select_option(label="On hold")
    expect(page.locator(".detail-kicker")).to_contain_text("On hold")
    expect(page.locator(".header-message-error")).to_have_count(0)

    # Add a member through the organization's inline form; mark them as primary contact.
    page.get_by_role("link", name="Add member").click()
    form = page.locator("#member-form-new")
    expect(form.get_by_label("First name")).to_be_focused()
    form.get_by_label("First name").fill("Eva")
    form.get_by_label("Last name").fill("Berg")
    form.get_by_label("Influence level").select_option("top")
    form.get_by_role("button", name="Add member").click()
    member = page.locator("#members .member", has_text="Eva Berg")
    expect(member).to_be_visible()
    expect(page.locator("#member-count")).to_have_text("1")
    member.get_by_role("button", name="Contact person").click()
    page.locator("#members .member", has_text="Eva Berg").get_by_role("button", name="Make primary").click()
    expect(page.locator("#members .member", has_text="Eva Berg")).to_contain_text("Primary contact")

    # Add a task, then complete it: the open-task counts follow.
    tasks = page.locator("#tasks")
    tasks.get_by_placeholder("e.g. Send the price indication").fill("Send the price indication")
    tasks.get_by_label("Due").fill("2027-01-15")
    tasks.get_by_role("button", name="Add").click()
    expect(page.locator("#tasks .task")).to_have_count(1)
    expect(page.locator("#open-task-count")).to_have_text("1")
    expect(page.locator("#header-open-tasks")).to_contain_text("1 open task")
    page.get_by_role("button", name="Complete “Send the price indication”").click()
    expect(page.locator("#tasks .task.is-done")).to_have_count(1)
    expect(page.locator("#open-task-count")).to_have_text("0")
    expect(page.locator("#header-open-tasks")).to_contain_text("0 open tasks")
    assert Task.objects.get().done_at is not None

    # The timeline follows along.
    expect(page.locator("#history")).to_contain_text("Sandra Sales completed “Send the price indication”")
    expect(page.locator("#history")).to_contain_text("Phase Research → Contact made")

    # Mark it as won (after the confirmation).
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Mark as won").click()
    expect(page.locator(".outcome-won")).to_contain_text("Now an implementation project — status “Implementation”.")
    expect(page.locator("#actions").get_by_role("button", name="Reopen")).to_be_visible()
    opportunity = Opportunity.objects.get(short_name="BION-1")
    assert opportunity.won_at is not None and opportunity.status.name == "Implementation"


def test_a_stale_edit_shows_who_changed_what(page):
    sandra = factories.make_user(username="sandra", role="Sales", display_name="Sandra Sales")
    manager = factories.make_user(username="maria", role="Managers", display_name="Maria Manager")
    opportunity = factories.make_opportunity(owner=sandra, name="CRM rollout")
    login(page, username="sandra")
    page.goto(opportunity.get_absolute_url())
    page.wait_for_load_state()

    page.locator("#field-value").get_by_role("link", name="Edit Value").click()
    value = page.locator("#edit-value-value")
    expect(value).to_be_focused()
    from opportunities import services

    services.opportunity_field_update(
        opportunity_id=opportunity.pk, version=opportunity.version, data={"name": "Renamed meanwhile"}, user=manager
    )
    value.fill("15000")
    page.locator("#field-value").get_by_role("button", name="Save").click()

    expect(page.locator("#field-value .conflict")).to_contain_text("Maria Manager changed")
    expect(value).to_have_value("15000")
    page.locator("#field-value").get_by_role("button", name="Save").click()
    expect(page.locator("#field-value .prop-value")).to_have_text("€15,000")


def test_enter_in_the_name_field_of_a_new_opportunity_submits_it(page):
    factories.make_user(username="sandra", role="Sales", display_name="Sandra Sales")
    factories.make_organization(name="Bionic Systems GmbH", code="BION", city="Berlin")
    login(page, username="sandra")
    page.goto("/opportunities/new/")
    page.wait_for_load_state()

    # Nothing chosen yet: Enter says what is missing, next to the fields.
    page.get_by_label("Name", exact=True).press("Enter")
    expect(page.locator("#organization-picker")).to_contain_text("Choose the organization.")
    expect(page.get_by_text("Give the opportunity a name.")).to_be_visible()

    # Enter in the search box searches (it does not submit the form).
    page.get_by_label("Search organizations").fill("bion")
    page.get_by_label("Search organizations").press("Enter")
    page.get_by_label("Bionic Systems GmbH").check()
    page.get_by_label("Name", exact=True).fill("CRM rollout")
    page.get_by_label("Name", exact=True).press("Enter")

    expect(page).to_have_url(re.compile(r"/opportunities/BION-1/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("CRM rollout")
    assert Opportunity.objects.get().name == "CRM rollout"
