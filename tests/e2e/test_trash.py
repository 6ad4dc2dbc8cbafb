"""A manager deletes an opportunity, undoes it, deletes its organization and restores it from the trash."""

import pytest
from playwright.sync_api import expect

from opportunities.models import Opportunity
from organizations.models import Organization
from tests import factories
from tests.e2e.helpers import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_delete_undo_and_restore_from_the_trash(page):
    manager = factories.make_user(username="maria", role="Managers", display_name="Maria Manager")
    organization = factories.make_organization(name="Bionext GmbH", code="BION")
    opportunity = factories.make_opportunity(organization=organization, owner=manager, name="CRM rollout")
    login(page, username="maria")

    page.goto(opportunity.get_absolute_url())
    page.get_by_role("link", name="Move BION-1 to the trash").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Move BION-1 “CRM rollout” to the trash?")
    page.get_by_role("button", name="Move to trash").click()

    expect(page.get_by_text("BION-1 CRM rollout moved to the trash.")).to_be_visible()
    expect(page.get_by_text("No opportunities yet.")).to_be_visible()
    page.get_by_role("button", name="Undo").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("CRM rollout")
    assert Opportunity.objects.filter(pk=opportunity.pk).exists()

    page.goto(organization.get_absolute_url())
    page.get_by_role("link", name="Move Bionext GmbH to the trash").click()
    expect(page.get_by_text("Its opportunity goes to the trash with it:")).to_be_visible()
    page.get_by_role("button", name="Move to trash").click()
    expect(page.get_by_text("Bionext GmbH and its 1 opportunity moved to the trash.")).to_be_visible()
    assert not Organization.objects.filter(pk=organization.pk).exists()

    # The trash is in the account menu.
    page.get_by_label("Account menu").click()
    page.get_by_role("link", name="Trash").click()
    row = page.locator(f"#trash-organization-{organization.pk}")
    expect(row).to_contain_text("Bionext GmbH")
    expect(row).to_contain_text("Maria Manager")
    row.get_by_role("button", name="Restore Bionext GmbH").click()

    expect(page.get_by_text("Bionext GmbH is back, with 1 opportunity.")).to_be_visible()
    expect(page.locator(f"#trash-organization-{organization.pk}")).to_have_count(0)
    page.goto(opportunity.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_contain_text("CRM rollout")
