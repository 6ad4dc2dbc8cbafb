"""Django admin: configuring the sales process and the records behind it."""

import datetime
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crm import tasks as crm_tasks
from crm.models import JobFailure
from documents.models import Document, DocumentCounter, DocumentLine, Letterhead
from journal.models import BlockedAddress, EmailAttachment, EmailMessage, JournalEntry, Mailbox, MailForwardAddress
from opportunities.models import CustomField, Opportunity, Phase, Tag, Task
from organizations import services as organization_services
from organizations.models import Member, Organization
from tests import factories

IN_USE_RESEARCH = (
    "“Research” is used by 2 opportunities. Deactivate it instead, or move its opportunities to another phase first."
)


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def management_form(prefix, *, total=0, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def phase_names(client):
    response = client.get(url(Phase, "changelist"))
    return [phase.name for phase in response.context["cl"].result_list]


def test_admin_site_is_titled_crm_administration(admin_client):
    response = admin_client.get(reverse("admin:index"))

    assert response.context["site_header"] == "CRM administration"


def test_admin_adds_phase_and_it_appears_in_position_order(admin_client):
    response = admin_client.post(
        url(Phase, "add"),
        {
            "name": "Negotiation",
            "color": "#123456",
            "kind": "open",
            "default_probability": "40",
            "position": "45",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    assert phase_names(admin_client)[3:6] == ["Reminder", "Negotiation", "Implementation"]


def test_phase_list_shows_colour_swatch_and_usage(admin_client, sales_user):
    factories.make_opportunity(owner=sales_user, phase=factories.phase("Research"))

    response = admin_client.get(url(Phase, "changelist"))

    research = next(phase for phase in response.context["cl"].result_list if phase.name == "Research")
    assert research.opportunity_count == 1
    assert '<rect width="16" height="16" rx="3" fill="#60a5fa"/>' in response.text


def test_admin_reorders_phases_with_editable_positions(admin_client):
    phases = list(admin_client.get(url(Phase, "changelist")).context["cl"].result_list)
    data = {**management_form("form", total=len(phases), initial=len(phases)), "_save": "Save"}
    for index, phase in enumerate(phases):
        # Swap the first two phases.
        position = {"Uncontacted": 20, "Research": 10}.get(phase.name, phase.position)
        data |= {f"form-{index}-id": str(phase.pk), f"form-{index}-position": str(position)}
        if phase.is_active:
            data[f"form-{index}-is_active"] = "on"

    response = admin_client.post(url(Phase, "changelist"), data)

    assert response.status_code == 302
    assert phase_names(admin_client)[:3] == ["Research", "Uncontacted", "Contact made"]


def test_move_up_action_moves_selected_phase_before_its_neighbour(admin_client):
    reminder = factories.phase("Reminder")

    admin_client.post(url(Phase, "changelist"), {"action": "move_up", "_selected_action": [reminder.pk]})

    assert phase_names(admin_client)[:4] == ["Uncontacted", "Research", "Reminder", "Contact made"]
    assert list(Phase.objects.values_list("position", flat=True)) == [10, 20, 30, 40, 50, 60, 70, 80]


def test_deactivate_action_keeps_phase_but_makes_it_inactive(admin_client):
    research = factories.phase("Research")

    response = admin_client.post(
        url(Phase, "changelist"), {"action": "deactivate", "_selected_action": [research.pk]}, follow=True
    )

    research.refresh_from_db()
    assert research.is_active is False
    assert messages_of(response) == ["Deactivated 1 phase. Opportunities keep it, but it can no longer be chosen."]


def test_deactivate_action_on_change_page(admin_client):
    research = factories.phase("Research")

    admin_client.post(
        url(Phase, "change", research.pk), {"CHANGE_FORM-action": "deactivate", "_selected_action": [research.pk]}
    )

    research.refresh_from_db()
    assert research.is_active is False


def test_admin_adds_choice_custom_field(admin_client):
    response = admin_client.post(
        url(CustomField, "add"),
        {
            "label": "Sales region",
            "key": "sales-region",
            "field_type": "choice",
            "choices": "North\r\n South \r\n\r\nWest",
            "help_text": "",
            "position": "10",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    field = CustomField.objects.get()
    assert (field.key, field.choices) == ("sales_region", ["North", "South", "West"])


def test_admin_refuses_choice_custom_field_without_choices(admin_client):
    response = admin_client.post(
        url(CustomField, "add"),
        {"label": "Region", "key": "region", "field_type": "choice", "choices": "", "position": "10"},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["choices"] == ["Choice fields need a list of non-empty texts."]
    assert not CustomField.objects.exists()


def test_custom_field_key_is_prepopulated_on_add_and_fixed_afterwards(admin_client):
    field = CustomField.objects.create(label="Region", key="region")

    add_page = admin_client.get(url(CustomField, "add"))
    change_page = admin_client.get(url(CustomField, "change", field.pk))

    assert "id_key" in add_page.context["prepopulated_fields_json"]
    assert "key" not in change_page.context["adminform"].form.fields


def test_deleting_phase_in_use_shows_message_and_keeps_phase(admin_client, sales_user):
    research = factories.phase("Research")
    for _ in range(2):
        factories.make_opportunity(owner=sales_user, phase=research)

    page = admin_client.get(url(Phase, "delete", research.pk), follow=True)
    confirmed = admin_client.post(url(Phase, "delete", research.pk), {"post": "yes"}, follow=True)

    assert page.redirect_chain == [(url(Phase, "change", research.pk), 302)]
    assert messages_of(page) == [IN_USE_RESEARCH]
    assert messages_of(confirmed) == [IN_USE_RESEARCH]
    assert Phase.objects.filter(pk=research.pk).exists()


def test_deleting_unused_phase_deletes_it(admin_client):
    unused = Phase.objects.create(name="Parking", position=90)

    response = admin_client.post(url(Phase, "delete", unused.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not Phase.objects.filter(pk=unused.pk).exists()


def test_bulk_delete_with_one_phase_in_use_deletes_nothing(admin_client, sales_user):
    research = factories.phase("Research")
    for _ in range(2):
        factories.make_opportunity(owner=sales_user, phase=research)
    unused = Phase.objects.create(name="Parking", position=90)

    response = admin_client.post(
        url(Phase, "changelist"),
        {"action": "delete_selected", "_selected_action": [research.pk, unused.pk], "post": "yes"},
        follow=True,
    )

    assert messages_of(response) == [IN_USE_RESEARCH, "Nothing was deleted."]
    assert Phase.objects.filter(pk__in=[research.pk, unused.pk]).count() == 2


def test_bulk_delete_of_unused_phases_deletes_them(admin_client):
    unused = [Phase.objects.create(name=name, position=90) for name in ["Parking", "Later"]]

    admin_client.post(
        url(Phase, "changelist"),
        {"action": "delete_selected", "_selected_action": [phase.pk for phase in unused], "post": "yes"},
    )

    assert not Phase.objects.filter(name__in=["Parking", "Later"]).exists()


def test_deleting_custom_field_with_values_is_refused(admin_client, sales_user):
    field = CustomField.objects.create(label="Region", key="region")
    factories.make_opportunity(owner=sales_user, custom_values={"region": "North"})

    response = admin_client.post(url(CustomField, "delete", field.pk), {"post": "yes"}, follow=True)

    assert messages_of(response) == [
        "“Region” is used by 1 opportunity. Deactivate it instead: its values stay on the opportunities "
        "but the field is hidden."
    ]
    assert CustomField.objects.filter(pk=field.pk).exists()


def opportunity_form(*, phase, status, owner, **fields):
    return {
        "name": "Rollout",
        "description": "",
        "phase": str(phase.pk),
        "status": str(status.pk),
        "category": "",
        "source": "",
        "owner": str(owner.pk),
        "probability": "",
        "expected_close_date": "",
        "value": "2500.00",
        "currency": "EUR",
        "custom_values": "{}",
        **fields,
    }


def test_admin_creates_opportunity_with_next_short_name(admin_client, admin_user, sales_user):
    acme = factories.make_organization(name="Acme", code="ACME")
    anna = factories.make_member(organization=acme, last_name="Adler")
    tag = Tag.objects.create(name="Pilot")
    research = factories.phase("Research")
    data = opportunity_form(phase=research, status=factories.status("Sales"), owner=sales_user)
    data |= {"organization": str(acme.pk), "tags": [str(tag.pk)]}
    data |= management_form("contact_links", total=1) | {"contact_links-0-member": str(anna.pk)}
    data |= {"contact_links-0-is_primary": "on"}
    data |= management_form("tasks", total=1) | {"tasks-0-title": "Send offer"}

    response = admin_client.post(url(Opportunity, "add"), data)

    assert response.status_code == 302
    opportunity = Opportunity.objects.get()
    acme.refresh_from_db()
    assert opportunity.short_name == "ACME-1"
    assert acme.opportunity_counter == 1
    assert opportunity.probability == research.default_probability
    assert opportunity.created_by == admin_user
    assert list(opportunity.tags.all()) == [tag]
    assert [(link.member, link.is_primary) for link in opportunity.contact_links.all()] == [(anna, True)]
    assert [(task.title, task.created_by) for task in opportunity.tasks.all()] == [("Send offer", admin_user)]


def test_admin_moves_primary_contact_to_another_member_in_one_save(admin_client, sales_user):
    acme = factories.make_organization(code="ACME")
    anna = factories.make_member(organization=acme, last_name="Adler")
    bert = factories.make_member(organization=acme, last_name="Berg")
    opportunity = factories.make_opportunity(
        organization=acme, owner=sales_user, contacts=[anna, bert], primary_contact=anna
    )
    links = {link.member: link for link in opportunity.contact_links.all()}
    data = opportunity_form(phase=opportunity.phase, status=opportunity.status, owner=sales_user)
    data |= {"probability": "20", "lost_reason": ""}
    data |= management_form("contact_links", total=2, initial=2) | management_form("tasks")
    for index, member in enumerate([anna, bert]):
        data |= {f"contact_links-{index}-id": links[member].pk, f"contact_links-{index}-member": member.pk}
    data["contact_links-1-is_primary"] = "on"

    response = admin_client.post(url(Opportunity, "change", opportunity.pk), data)

    assert response.status_code == 302
    assert {link.member: link.is_primary for link in opportunity.contact_links.all()} == {anna: False, bert: True}


def test_admin_refuses_two_primary_contacts(admin_client, sales_user):
    acme = factories.make_organization(code="ACME")
    members = [factories.make_member(organization=acme) for _ in range(2)]
    data = opportunity_form(phase=factories.phase("Research"), status=factories.status("Sales"), owner=sales_user)
    data |= {"organization": str(acme.pk)} | management_form("contact_links", total=2) | management_form("tasks")
    for index, member in enumerate(members):
        data |= {f"contact_links-{index}-member": member.pk, f"contact_links-{index}-is_primary": "on"}

    response = admin_client.post(url(Opportunity, "add"), data)

    assert "Only one contact person can be the primary contact." in response.text
    assert not Opportunity.objects.exists()


def test_admin_refuses_contact_from_another_organization(admin_client, sales_user):
    acme = factories.make_organization(code="ACME")
    stranger = factories.make_member(organization=factories.make_organization(), last_name="Fremd")
    data = opportunity_form(phase=factories.phase("Research"), status=factories.status("Sales"), owner=sales_user)
    data |= {"organization": str(acme.pk)}
    data |= management_form("contact_links", total=1) | {"contact_links-0-member": str(stranger.pk)}
    data |= management_form("tasks")

    response = admin_client.post(url(Opportunity, "add"), data)

    assert response.status_code == 200
    assert "Choose a member of the opportunity’s organization." in response.text
    assert not Opportunity.objects.exists()


def test_admin_edit_bumps_version(admin_client, sales_user):
    opportunity = factories.make_opportunity(owner=sales_user, name="Rollout")
    data = opportunity_form(phase=opportunity.phase, status=opportunity.status, owner=sales_user)
    data |= {"name": "Rollout phase 2", "probability": "30", "lost_reason": ""}
    data |= management_form("contact_links") | management_form("tasks")

    response = admin_client.post(url(Opportunity, "change", opportunity.pk), data)

    assert response.status_code == 302
    opportunity.refresh_from_db()
    assert (opportunity.name, opportunity.version) == ("Rollout phase 2", 2)


def test_admin_edit_into_won_phase_stamps_won_and_records_editor(admin_client, admin_user, sales_user):
    opportunity = factories.make_opportunity(owner=sales_user)
    won = factories.phase("Won")
    data = opportunity_form(phase=won, status=opportunity.status, owner=sales_user, probability="10")
    data |= {"lost_reason": ""} | management_form("contact_links") | management_form("tasks")

    response = admin_client.post(url(Opportunity, "change", opportunity.pk), data)

    assert response.status_code == 302
    opportunity.refresh_from_db()
    assert opportunity.won_at is not None
    assert (opportunity.phase, opportunity.status.name) == (won, "Implementation")
    assert (opportunity.version, opportunity.updated_by) == (2, admin_user)


def test_admin_edit_into_lost_phase_needs_a_reason(admin_client, sales_user):
    opportunity = factories.make_opportunity(owner=sales_user)
    data = opportunity_form(phase=factories.phase("Lost"), status=opportunity.status, owner=sales_user)
    data |= {"probability": "0", "lost_reason": ""} | management_form("contact_links") | management_form("tasks")

    refused = admin_client.post(url(Opportunity, "change", opportunity.pk), data)
    accepted = admin_client.post(url(Opportunity, "change", opportunity.pk), data | {"lost_reason": "Budget cut"})

    assert refused.context["adminform"].form.errors["lost_reason"] == ["Say why the opportunity was lost."]
    assert accepted.status_code == 302
    opportunity.refresh_from_db()
    assert (opportunity.lost_reason, opportunity.lost_at is not None, opportunity.version) == ("Budget cut", True, 2)


def test_admin_edit_replaces_custom_values_as_a_whole(admin_client, sales_user):
    CustomField.objects.create(label="Region", key="region")
    CustomField.objects.create(label="Seats", key="seats", field_type="integer")
    opportunity = factories.make_opportunity(owner=sales_user, custom_values={"region": "North", "seats": 5})
    data = opportunity_form(phase=opportunity.phase, status=opportunity.status, owner=sales_user, probability="5")
    data |= {"custom_values": '{"seats": "7"}', "lost_reason": ""}
    data |= management_form("contact_links") | management_form("tasks")

    admin_client.post(url(Opportunity, "change", opportunity.pk), data)

    opportunity.refresh_from_db()
    assert opportunity.custom_values == {"seats": 7}


def test_admin_edit_refuses_invalid_custom_value(admin_client, sales_user):
    CustomField.objects.create(label="Seats", key="seats", field_type="integer")
    opportunity = factories.make_opportunity(owner=sales_user)
    data = opportunity_form(phase=opportunity.phase, status=opportunity.status, owner=sales_user)
    data |= {"custom_values": '{"seats": "many"}', "lost_reason": ""}
    data |= management_form("contact_links") | management_form("tasks")

    response = admin_client.post(url(Opportunity, "change", opportunity.pk), data)

    assert response.context["adminform"].form.errors["custom_values"] == ["seats: Enter a whole number."]
    opportunity.refresh_from_db()
    assert opportunity.version == 1


def test_organization_list_counts_members_and_opportunities(admin_client, sales_user):
    acme = factories.make_organization(name="Acme", code="ACME")
    factories.make_member(organization=acme)
    for _ in range(2):
        factories.make_opportunity(organization=acme, owner=sales_user)

    response = admin_client.get(url(Organization, "changelist"), {"q": "Acme"})

    [row] = response.context["cl"].result_list
    assert (row.member_count, row.opportunity_count, row.opportunity_counter) == (1, 2, 2)


def test_user_list_shows_roles(admin_client, sales_user):
    response = admin_client.get(url(type(sales_user), "changelist"), {"q": "sales1"})

    [row] = response.context["cl"].result_list
    assert admin.site._registry[type(sales_user)].roles(row) == "Sales"


def make_one_of_everything(owner):
    organization = factories.make_organization(name="Acme", code="ACME")
    member = factories.make_member(organization=organization, last_name="Adler")
    opportunity = factories.make_opportunity(
        organization=organization, owner=owner, tags=[Tag.objects.create(name="A")]
    )
    factories.make_task(opportunity=opportunity, assignee=owner)
    CustomField.objects.create(label="Region", key="region")
    JournalEntry.objects.create(opportunity=opportunity, author=owner, text="Called.")
    document = Document.objects.create(
        opportunity=opportunity,
        year=2026,
        sequence=1,
        number="2026-0001",
        title="Offer",
        recipient=member,
        created_by=owner,
    )
    DocumentLine.objects.create(document=document, position=1, description="Licence", unit_price=Decimal("10"))
    DocumentCounter.objects.create(year=2026, last_number=1)
    Letterhead.objects.update_or_create(pk=1, defaults={"company_name": "Acme Letterhead"})
    # A background job that failed once (procrastinate's job table and our failure log).
    job_id = crm_tasks.retry_stalled_jobs.defer(timestamp=0)
    JobFailure.objects.create(job_id=job_id, task_name="crm.tasks.retry_stalled_jobs", attempt=1, error="Boom")
    # Mail: a mailbox, a logged e-mail with an attachment, a block-list entry, a forward address.
    Mailbox.objects.create(name="Sales", host="imap.example.com", username="crm", password_env="CRM_IMAP_PASSWORD")
    message = EmailMessage.objects.create(
        message_id="m1@example.com",
        status="logged",
        direction="in",
        source="upload",
        from_address="a@acme.test",
        subject="Hello",
        sent_at=timezone.now(),
        raw="mail/m1.eml",
        entry=JournalEntry.objects.create(opportunity=opportunity, author=owner, kind="email", text="Hello"),
    )
    EmailAttachment.objects.create(message=message, filename="a.pdf", content_type="application/pdf", size=1, file="a")
    BlockedAddress.objects.create(pattern="@spam.test")
    MailForwardAddress.objects.create(user=owner, token="t0k3n")  # noqa: S106
    # A failed login: the throttle's attempt and failure log (django-axes) have rows too.
    Client().post(reverse("login"), {"username": owner.username, "password": "wrong"})


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda model: model._meta.label)
def test_every_admin_page_shows_rows(admin_client, sales_user, model):
    make_one_of_everything(sales_user)
    model_admin = admin.site._registry[model]

    changelist = admin_client.get(url(model, "changelist"))
    first = changelist.context["cl"].result_list[0]
    change = admin_client.get(url(model, "change", first.pk))

    assert changelist.context["cl"].result_count >= 1
    assert change.context["original"] == first
    if model_admin.has_add_permission(changelist.wsgi_request):
        assert admin_client.get(url(model, "add")).context["add"] is True


def test_groups_are_the_roles(admin_client):
    response = admin_client.get(url(Group, "changelist"))

    assert {group.name for group in response.context["cl"].result_list} >= {"Sales", "Managers"}


def test_opportunity_changelist_query_count_does_not_grow_with_rows(
    admin_client, sales_user, django_assert_num_queries
):
    def count_queries():
        with CaptureQueriesContext(connection) as context:
            response = admin_client.get(url(Opportunity, "changelist"))
        return response.context["cl"].result_count, len(context.captured_queries)

    for _ in range(3):
        factories.make_opportunity(owner=sales_user, expected_close_date=datetime.date(2026, 6, 30))
    few = count_queries()
    for _ in range(17):
        factories.make_opportunity(owner=sales_user)
    many = count_queries()

    assert (few[0], many[0]) == (3, 20)
    assert few[1] == many[1]
    # Session, user, the choices of the phase, status, category, owner and
    # source filters, the count, and the page of rows with organization,
    # phase, status and owner joined.
    with django_assert_num_queries(9):
        admin_client.get(url(Opportunity, "changelist"))


def test_task_list_filters_open_tasks(admin_client, sales_user):
    opportunity = factories.make_opportunity(owner=sales_user)
    factories.make_task(opportunity=opportunity, title="Open one")
    factories.make_task(opportunity=opportunity, title="Done one", done_at=datetime.datetime.now(datetime.UTC))

    response = admin_client.get(url(Task, "changelist"), {"state": "open"})

    assert [task.title for task in response.context["cl"].result_list] == ["Open one"]


def test_document_counter_cannot_go_below_used_numbers(admin_client, sales_user):
    make_one_of_everything(sales_user)
    Document.objects.filter(number="2026-0001").update(sequence=5, number="2026-0005")

    response = admin_client.post(url(DocumentCounter, "change", 2026), {"last_number": "2"})

    assert response.context["adminform"].form.errors["last_number"] == [
        "Documents up to number 5 exist for 2026; numbers must not be reused."
    ]


def test_a_trashed_organizations_members_leave_admin_until_it_is_restored(admin_client, admin_user):
    organization = factories.make_organization(name="Papierkorb GmbH")
    member = factories.make_member(organization=organization, first_name="Tara", last_name="Trashed")
    factories.make_member(organization=factories.make_organization(name="Live AG"), first_name="Lena", last_name="Live")
    organization_services.organization_trash(organization=organization, user=admin_user)

    page = admin_client.get(url(Member, "changelist")).content.decode()
    assert "Live" in page
    assert "Trashed" not in page
    assert admin_client.get(url(Member, "change", member.pk)).status_code == 302  # "does not exist" message

    organization_services.organization_restore(organization_id=organization.pk, user=admin_user)

    assert "Trashed" in admin_client.get(url(Member, "changelist")).content.decode()
