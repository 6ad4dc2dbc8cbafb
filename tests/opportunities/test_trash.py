"""The trash: deleting an opportunity or organization hides it everywhere, keeps all it holds,
and managers restore it for 30 days; after that purge_trash deletes it for good."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from crm import trash
from documents.models import Document, DocumentLine
from journal.models import JournalEntry
from opportunities import services
from opportunities.models import Opportunity, Task
from organizations import services as org_services
from organizations.models import Member, Organization
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal(sales_user):
    organization = factories.make_organization(name="Bionext GmbH", code="BION")
    factories.make_member(organization=organization, first_name="Lena", last_name="Hoffmann")
    opportunity = factories.make_opportunity(organization=organization, owner=sales_user, name="CRM rollout")
    factories.make_task(opportunity=opportunity, title="Send the offer")
    factories.make_journal_entry(
        opportunity=opportunity,
        author=sales_user,
        text="Call them back.",
        reminder_date=timezone.localdate() - dt.timedelta(days=1),
    )
    factories.make_document(opportunity=opportunity, lines=[{"description": "Setup", "quantity": Decimal(1)}])
    return opportunity


def test_a_trashed_opportunity_leaves_every_page_and_comes_back_whole(deal, sales_client, manager_client, manager):
    table = reverse("opportunities:opportunity-list")
    board = reverse("opportunities:opportunity-board")
    assert "CRM rollout" in sales_client.get(table).content.decode()

    response = manager_client.post(reverse("opportunities:opportunity-delete", args=[deal.short_name]))

    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.deleted_at is not None and deal.deleted_by == manager
    for url in [
        table,
        board,
        f"{table}?q=rollout",
        reverse("journal:reminder-list"),
        deal.organization.get_absolute_url(),
    ]:
        assert "CRM rollout" not in sales_client.get(url).content.decode(), url
    assert sales_client.get(deal.get_absolute_url()).status_code == 404
    # Nothing that belongs to it was deleted.
    assert Task.objects.filter(opportunity=deal).count() == 1
    assert JournalEntry.objects.filter(opportunity=deal).count() == 1
    assert Document.objects.filter(opportunity=deal).count() == 1

    trash_page = manager_client.get(reverse("opportunities:trash")).content.decode()
    assert "CRM rollout" in trash_page and "Maria Manager" in trash_page

    response = manager_client.post(reverse("opportunities:opportunity-restore", args=[deal.pk]))

    assert response.status_code == 302 and response["Location"] == deal.get_absolute_url()
    page = sales_client.get(deal.get_absolute_url()).content.decode()
    assert "Send the offer" in page and "Call them back." in page
    assert "moved it to the trash" in page and "restored it from the trash" in page
    assert "CRM rollout" in sales_client.get(table).content.decode()


def test_the_delete_confirmation_says_what_stays_with_it_and_until_when(deal, manager_client):
    response = manager_client.get(reverse("opportunities:opportunity-delete", args=[deal.short_name]))

    page = response.content.decode()
    assert "1 task" in page and "1 journal entry" in page and "1 document" in page
    assert (timezone.now() + dt.timedelta(days=30)).strftime("%-d %b %Y") in page
    Opportunity.objects.get(pk=deal.pk)  # a GET deletes nothing


def test_the_message_after_deleting_offers_undo(deal, manager_client):
    response = manager_client.post(reverse("opportunities:opportunity-delete", args=[deal.short_name]), follow=True)

    page = response.content.decode()
    restore_url = reverse("opportunities:opportunity-restore", args=[deal.pk])
    assert f"{deal} moved to the trash." in page
    assert f'action="{restore_url}"' in page and "Undo" in page


def test_sales_may_not_delete_restore_or_see_the_trash(deal, sales_client, manager):
    assert sales_client.get(reverse("opportunities:opportunity-delete", args=[deal.short_name])).status_code == 403
    assert sales_client.post(reverse("opportunities:opportunity-delete", args=[deal.short_name])).status_code == 403
    assert sales_client.get(reverse("opportunities:trash")).status_code == 403
    services.opportunity_trash(opportunity=deal, user=manager)
    assert sales_client.post(reverse("opportunities:opportunity-restore", args=[deal.pk])).status_code == 403
    assert Opportunity.all_objects.get(pk=deal.pk).deleted_at is not None
    # Neither the button nor the menu entry is shown to them.
    services.opportunity_restore(opportunity_id=deal.pk, user=manager)
    page = sales_client.get(deal.get_absolute_url()).content.decode()
    assert reverse("opportunities:opportunity-delete", args=[deal.short_name]) not in page
    assert reverse("opportunities:trash") not in page


def test_a_manager_sees_the_delete_button_and_the_trash_in_the_menu(deal, manager_client):
    page = manager_client.get(deal.get_absolute_url()).content.decode()

    assert reverse("opportunities:opportunity-delete", args=[deal.short_name]) in page
    assert reverse("opportunities:trash") in page


def test_a_form_still_open_on_a_trashed_opportunity_is_refused(deal, sales_user, manager):
    version = deal.version
    services.opportunity_trash(opportunity=deal, user=manager)

    with pytest.raises(Opportunity.DoesNotExist):
        services.opportunity_update(opportunity_id=deal.pk, version=version, data={"name": "Late edit"}, user=manager)
    assert Opportunity.all_objects.get(pk=deal.pk).name == "CRM rollout"


def test_an_organization_goes_to_the_trash_with_its_opportunities_and_comes_back_with_them(
    deal, sales_user, manager, manager_client, sales_client
):
    organization = deal.organization
    earlier = factories.make_opportunity(organization=organization, owner=sales_user, name="Earlier deal")
    services.opportunity_trash(opportunity=earlier, user=manager)

    response = manager_client.post(reverse("organizations:organization-delete", args=[organization.pk]), follow=True)

    assert "Bionext GmbH and its 1 opportunity moved to the trash." in response.content.decode()
    assert sales_client.get(organization.get_absolute_url()).status_code == 404
    assert "Bionext" not in sales_client.get(reverse("organizations:organization-list")).content.decode()
    member = Member.objects.get(organization=organization)
    member_url = reverse("organizations:member-update", args=[organization.pk, member.pk])
    assert sales_client.get(member_url).status_code == 404
    trash_page = manager_client.get(reverse("opportunities:trash")).content.decode()
    assert "Bionext GmbH" in trash_page
    # Listed on its own: the opportunity deleted before its organization, not the one that went with it.
    assert "Earlier deal" in trash_page and "CRM rollout" not in trash_page

    # An opportunity cannot come back while its organization is in the trash.
    with pytest.raises(ValidationError, match="restore the organization first"):
        services.opportunity_restore(opportunity_id=earlier.pk, user=manager)

    manager_client.post(reverse("organizations:organization-restore", args=[organization.pk]))

    assert Organization.objects.filter(pk=organization.pk).exists()
    assert set(Opportunity.objects.filter(organization=organization).values_list("name", flat=True)) == {"CRM rollout"}
    # The one deleted on its own stays in the trash until someone restores it.
    services.opportunity_restore(opportunity_id=earlier.pk, user=manager)
    assert Opportunity.objects.filter(organization=organization).count() == 2


def test_an_organization_in_the_trash_keeps_its_code(deal, manager, sales_client):
    org_services.organization_trash(organization=deal.organization, user=manager)

    response = sales_client.post(reverse("organizations:organization-create"), {"name": "Bionic AG", "code": "BION"})

    assert response.status_code == 422
    assert "BION is used by Bionext GmbH, which is in the trash." in response.content.decode()
    assert org_services.organization_code_suggest(name="Bionext Systems") != "BION"


def test_sales_may_not_delete_an_organization(deal, sales_client):
    url = reverse("organizations:organization-delete", args=[deal.organization.pk])
    assert sales_client.get(url).status_code == 403
    assert sales_client.post(url).status_code == 403
    assert Organization.objects.filter(pk=deal.organization.pk).exists()


def test_the_organization_delete_confirmation_lists_what_goes_with_it(deal, manager_client):
    page = manager_client.get(reverse("organizations:organization-delete", args=[deal.organization.pk])).content
    page = page.decode()

    assert "Its opportunity goes to the trash with it:" in page
    assert deal.short_name in page and "CRM rollout" in page
    assert "Its 1 contact person stays with it" in page


def test_purge_deletes_only_what_has_been_in_the_trash_for_30_days(deal, sales_user, manager):
    fresh = factories.make_opportunity(organization=deal.organization, owner=sales_user, name="Fresh")
    services.opportunity_trash(opportunity=deal, user=manager)
    services.opportunity_trash(opportunity=fresh, user=manager)
    Opportunity.all_objects.filter(pk=deal.pk).update(deleted_at=timezone.now() - dt.timedelta(days=31))

    purged = services.trash_purge()

    assert purged.opportunities == [deal.short_name]
    assert not Opportunity.all_objects.filter(pk=deal.pk).exists()
    assert not Task.objects.filter(opportunity_id=deal.pk).exists()
    assert not JournalEntry.objects.filter(opportunity_id=deal.pk).exists()
    assert not DocumentLine.objects.filter(document__opportunity_id=deal.pk).exists()
    assert Opportunity.all_objects.filter(pk=fresh.pk).exists()


def test_purge_trash_command_deletes_an_old_organization_with_its_opportunities_and_members(deal, manager, capsys):
    org_services.organization_trash(organization=deal.organization, user=manager)
    long_ago = timezone.now() - dt.timedelta(days=trash.RETENTION_DAYS + 1)
    Organization.all_objects.filter(pk=deal.organization_id).update(deleted_at=long_ago)
    Opportunity.all_objects.filter(pk=deal.pk).update(deleted_at=long_ago)

    call_command("purge_trash")

    assert f"Deleted opportunity {deal.short_name}" in capsys.readouterr().out
    assert not Organization.all_objects.filter(pk=deal.organization_id).exists()
    assert not Member.objects.filter(organization_id=deal.organization_id).exists()


def test_only_managers_trash_through_the_service(deal, sales_user):
    with pytest.raises(PermissionDenied):
        services.opportunity_trash(opportunity=deal, user=sales_user)
    with pytest.raises(PermissionDenied):
        org_services.organization_trash(organization=deal.organization, user=sales_user)


def test_trash_page_queries_do_not_grow_with_its_rows(
    deal, sales_user, manager, manager_client, django_assert_num_queries
):
    def fill(count):
        for index in range(count):
            organization = factories.make_organization(name=f"Gone {index}")
            opportunity = factories.make_opportunity(organization=organization, owner=sales_user)
            services.opportunity_trash(opportunity=opportunity, user=manager)
            org_services.organization_trash(organization=organization, user=manager)
            other = factories.make_opportunity(organization=deal.organization, owner=sales_user)
            services.opportunity_trash(opportunity=other, user=manager)

    url = reverse("opportunities:trash")
    fill(2)
    manager_client.get(url)
    # session, user with permissions, opportunity count, opportunity page, organizations, reminder badge
    with django_assert_num_queries(6):
        manager_client.get(url)
    fill(10)
    with django_assert_num_queries(6):
        assert manager_client.get(url).status_code == 200


def test_managers_move_selected_rows_to_the_trash_from_the_table(deal, sales_user, manager_client, sales_client):
    other = factories.make_opportunity(organization=deal.organization, owner=sales_user, name="Second deal")
    kept = factories.make_opportunity(organization=deal.organization, owner=sales_user, name="Kept deal")
    table = reverse("opportunities:opportunity-list")
    assert '<option value="trash">' in manager_client.get(table).content.decode()
    assert '<option value="trash">' not in sales_client.get(table).content.decode()

    response = manager_client.post(
        reverse("opportunities:opportunity-bulk"), {"ids": [deal.pk, other.pk], "choice": "trash"}, follow=True
    )

    assert "2 opportunities moved to the trash." in response.content.decode()
    assert list(Opportunity.objects.filter(organization=deal.organization)) == [kept]
    # Sales may not, whatever they post.
    response = sales_client.post(reverse("opportunities:opportunity-bulk"), {"ids": [kept.pk], "choice": "trash"})
    assert response.status_code == 403
    assert Opportunity.objects.filter(pk=kept.pk).exists()
