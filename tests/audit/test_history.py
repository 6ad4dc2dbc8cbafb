"""Audit trail: every write to organizations, members, journal entries and documents is recorded
by database triggers, with who made it and from where."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from documents import services as document_services
from documents.models import Document, DocumentLine
from journal import services as journal_services
from journal.models import JournalEntry
from organizations import services as organization_services
from organizations.models import Member, Organization
from tests import factories

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def labels(obj, pk=None) -> list[str]:
    events = type(obj).events.rel.related_model.objects.filter(pgh_obj_id=pk or obj.pk)
    return list(events.order_by("pgh_id").values_list("pgh_label", flat=True))


def latest(obj):
    return obj.events.select_related("pgh_context").latest("pgh_id")


def member_form(member, **changes):
    fields = [
        "academic_title", "first_name", "last_name", "department", "job_title", "email", "phone", "street",
        "postal_code", "city", "country", "influence_level", "attitude", "personality", "notes",
    ]  # fmt: skip
    return {name: getattr(member, name) for name in fields} | changes


def test_creation_change_and_deletion_of_each_tracked_record_are_recorded(sales_user):
    organization = factories.make_organization(name="Acme")
    member = factories.make_member(organization=organization, last_name="Adler")
    opportunity = factories.make_opportunity(organization=organization, owner=sales_user)
    entry = factories.make_journal_entry(opportunity=opportunity, author=sales_user, text="Called Adler.")
    document = factories.make_document(opportunity=opportunity, lines=[{"description": "Licence"}])
    line = document.lines.get()
    line_pk, entry_pk = line.pk, entry.pk

    organization.city = "Kiel"
    organization.save()
    member.phone = "+49 431 1"
    member.save()
    entry.text = "Called Adler twice."
    entry.save()
    document.title = "Offer, second try"
    document.save()
    line.unit_price = Decimal("99.00")
    line.save()
    line.delete()
    entry.delete()

    assert labels(organization) == ["created", "changed"]
    assert labels(member) == ["created", "changed"]
    assert labels(entry, entry_pk) == ["created", "changed", "deleted"]
    assert labels(document) == ["created", "changed"]
    assert labels(line, line_pk) == ["added", "changed", "removed"]
    assert latest(organization).city == "Kiel"
    assert latest(document).title == "Offer, second try"
    assert labels(member) == ["created", "changed"] and latest(member).phone == "+49 431 1"
    # A deleted record's last row keeps what it held.
    removed = DocumentLine.events.rel.related_model.objects.filter(pgh_obj_id=line_pk).latest("pgh_id")
    assert (removed.description, removed.unit_price) == ("Licence", Decimal("99.00"))


def test_bulk_updates_are_recorded_row_by_row(sales_user):
    # QuerySet.update() sends no signal and calls no save(): only a trigger sees it.
    organization = factories.make_organization()
    members = [factories.make_member(organization=organization) for _ in range(3)]
    opportunity = factories.make_opportunity(organization=organization, owner=sales_user)
    entries = [factories.make_journal_entry(opportunity=opportunity, author=sales_user) for _ in range(2)]
    document = factories.make_document(opportunity=opportunity, lines=[{"description": "A"}, {"description": "B"}])

    assert Member.objects.filter(organization=organization).update(department="Purchasing") == 3
    JournalEntry.objects.filter(opportunity=opportunity).update(mood="happy")
    Organization.objects.filter(pk=organization.pk).update(notes="Key account")
    Document.objects.filter(pk=document.pk).update(status="approved")
    DocumentLine.objects.filter(document=document).update(discount=Decimal("10"))

    for member in members:
        assert labels(member) == ["created", "changed"]
        assert latest(member).department == "Purchasing"
    for entry in entries:
        assert latest(entry).mood == "happy"
    assert latest(organization).notes == "Key account"
    assert latest(document).status == "approved"
    assert [latest(line).discount for line in document.lines.all()] == [Decimal("10")] * 2


def test_derived_and_bookkeeping_columns_make_no_history_rows(sales_user):
    organization = factories.make_organization()
    factories.make_opportunity(organization=organization, owner=sales_user)  # bumps opportunity_counter
    opportunity = factories.make_opportunity(organization=organization, owner=sales_user)
    document = factories.make_document(
        opportunity=opportunity, lines=[{"description": "A"}, {"description": "B"}, {"description": "C"}]
    )
    first, second, third = document.lines.all()

    Organization.objects.filter(pk=organization.pk).update(opportunity_counter=F("opportunity_counter") + 1)
    Organization.objects.filter(pk=organization.pk).update(updated_at=timezone.now())
    document_services.document_lines_reorder(
        document_id=document.pk, user=opportunity.owner, line_ids=[third.pk, first.pk, second.pk]
    )
    # An autosave that changes nothing.
    document_services.document_update(document_id=document.pk, user=opportunity.owner, data={})

    assert labels(organization) == ["created"]
    assert labels(document) == ["created"]
    assert [labels(line) for line in (first, second, third)] == [["added"]] * 3
    # The position rides along in each row for whoever reads the trail.
    assert [latest(line).position for line in (first, second, third)] == [1, 2, 3]


def test_a_write_through_the_web_names_the_user_and_the_url(sales_client, sales_user):
    organization = factories.make_organization()
    member = factories.make_member(organization=organization, last_name="Becker")
    url = reverse("organizations:member-update", args=[organization.pk, member.pk])

    response = sales_client.post(url, member_form(member, phone="+49 30 555"), **HTMX)

    assert response.status_code == 200
    event = latest(member)
    assert (event.pgh_label, event.phone) == ("changed", "+49 30 555")
    assert event.pgh_context.metadata == {"user": sales_user.pk, "url": url}


def test_a_page_view_writes_no_history_context(sales_client):
    organization = factories.make_organization()

    with CaptureQueriesContext(connection) as queries:
        sales_client.get(reverse("organizations:organization-detail", args=[organization.pk]))

    # PGHISTORY_MIDDLEWARE_METHODS leaves GET out: a read pays nothing for the trail.
    assert not [query for query in queries.captured_queries if "pghistory" in query["sql"]]


def test_a_service_called_outside_a_request_names_its_user(sales_user, manager):
    # A management command, a cron job or the shell: no middleware, the service's user.
    organization = organization_services.organization_create(data={"name": "Acme GmbH"}, user=manager)
    member = organization_services.member_create(organization=organization, data={"last_name": "Adler"}, user=manager)
    organization_services.member_update(member=member, data={"email": "adler@acme.example"}, user=manager)
    opportunity = factories.make_opportunity(organization=organization, owner=sales_user)
    entry = journal_services.journal_entry_post(
        opportunity=opportunity, author=sales_user, text="Met Adler.", reminder_date=datetime.date(2030, 1, 2)
    )
    journal_services.reminder_complete(entry=entry, user=manager)
    document = document_services.document_create(opportunity=opportunity, user=sales_user)

    assert latest(organization).pgh_context.metadata == {"user": manager.pk}
    assert [event.pgh_context.metadata for event in member.events.select_related("pgh_context").order_by("pgh_id")] == [
        {"user": manager.pk},
        {"user": manager.pk},
    ]
    assert [event.pgh_context.metadata for event in entry.events.select_related("pgh_context").order_by("pgh_id")] == [
        {"user": sales_user.pk},
        {"user": manager.pk},
    ]
    assert latest(document).pgh_context.metadata == {"user": sales_user.pk}


def test_a_write_without_a_user_is_recorded_without_a_name():
    organization = factories.make_organization()
    Member.objects.create(organization=organization, last_name="Raw")

    event = Member.objects.get().events.get()
    assert (event.pgh_label, event.pgh_context) == ("created", None)


def test_admin_writes_are_recorded_with_the_admin_and_the_admin_url(admin_client, admin_user):
    organization = factories.make_organization(name="Acme", code="ACME")
    url = reverse("admin:organizations_organization_change", args=[organization.pk])
    data = {
        "name": "Acme Corporation",
        "code": "ACME",
        "street": "",
        "postal_code": "",
        "city": "",
        "country": "",
        "email": "",
        "phone": "",
        "website": "",
        "notes": "",
        "members-TOTAL_FORMS": "0",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "1000",
    }

    response = admin_client.post(url, data)

    assert response.status_code == 302
    event = latest(organization)
    assert (event.pgh_label, event.name) == ("changed", "Acme Corporation")
    assert event.pgh_context.metadata == {"user": admin_user.pk, "url": url}


def history_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_history", args=[obj.pk])


def test_admin_history_shows_every_change_with_user_and_url(admin_client, sales_client, sales_user):
    organization = factories.make_organization(name="Acme")
    member = factories.make_member(organization=organization, last_name="Becker", email="old@acme.example")
    update_url = reverse("organizations:member-update", args=[organization.pk, member.pk])
    Member.objects.filter(pk=member.pk).update(job_title="CFO")  # a bulk update, no request
    member.refresh_from_db()
    sales_client.post(update_url, member_form(member, email="new@acme.example"), **HTMX)

    response = admin_client.get(history_url(member))

    rows = response.context["rows"]
    assert [row.event for row in rows] == ["changed", "changed", "created"]
    web, bulk, created = rows
    assert (bulk.user, bulk.url, [(c.label, c.old, c.new) for c in bulk.changes]) == (
        None,
        "",
        [("Job title", "—", "CFO")],
    )
    assert (web.user, web.url) == (sales_user, update_url)
    assert [(c.label, c.old, c.new) for c in web.changes] == [("E-mail", "old@acme.example", "new@acme.example")]
    assert ("Last name", None, "Becker") in [(c.label, c.old, c.new) for c in created.changes]
    assert "sales1" in response.text and update_url in response.text


def test_admin_history_of_a_document_includes_its_lines_and_names_users(admin_client, manager, sales_user):
    opportunity = factories.make_opportunity(owner=sales_user)
    document = factories.make_document(opportunity=opportunity, lines=[{"description": "Licence"}])
    document_services.document_approve(document_id=document.pk, user=manager)

    response = admin_client.get(history_url(document))

    rows = response.context["rows"]
    assert [(row.record.split()[0], row.event) for row in rows] == [
        ("document", "changed"),
        ("line", "added"),
        ("document", "created"),
    ]
    approved = {change.label: change.new for change in rows[0].changes}
    assert approved["Approved by"] == manager
    assert rows[0].user == manager


def test_admin_history_of_an_organization_leaves_out_its_opportunities(admin_client, sales_user):
    organization = factories.make_organization()
    factories.make_member(organization=organization)
    factories.make_opportunity(organization=organization, owner=sales_user)

    response = admin_client.get(history_url(organization))

    assert [row.record.split()[0] for row in response.context["rows"]] == ["member", "organization"]


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda owner: factories.make_organization(), id="organization"),
        pytest.param(lambda owner: factories.make_member(organization=factories.make_organization()), id="member"),
        pytest.param(lambda owner: factories.make_opportunity(owner=owner), id="opportunity"),
        pytest.param(
            lambda owner: factories.make_journal_entry(
                opportunity=factories.make_opportunity(owner=owner), author=owner
            ),
            id="journal entry",
        ),
        pytest.param(
            lambda owner: factories.make_document(opportunity=factories.make_opportunity(owner=owner)), id="document"
        ),
    ],
)
def test_admin_history_query_count_does_not_grow_with_events(
    admin_client, sales_user, manager, make, django_assert_num_queries
):
    obj = make(sales_user)

    def change(times):
        for number in range(times):
            user = (sales_user, manager)[number % 2]
            match obj:
                case Organization():
                    organization_services.organization_update(
                        organization=Organization.objects.get(pk=obj.pk), data={"notes": f"Note {number}"}, user=user
                    )
                case Member():
                    organization_services.member_update(
                        member=Member.objects.get(pk=obj.pk), data={"notes": f"Note {number}"}, user=user
                    )
                case JournalEntry():
                    journal_services.journal_entry_update(
                        entry=JournalEntry.objects.get(pk=obj.pk), user=manager, text=f"Text {number}", mood="happy",
                        reminder_date=datetime.date(2030, 1, 1 + number % 28), reminder_assignee=user,
                    )  # fmt: skip
                case Document():
                    document_services.document_update(document_id=obj.pk, user=manager, data={"title": f"T{number}"})
                case _:
                    factories.make_task(opportunity=obj, title=f"Task {number}", assignee=user)

    # 1 session, 2 user, 3 the object, 4 count of its events, 5 the page of
    # events (each with its difference to the row before), 6 the users named.
    change(2)
    with django_assert_num_queries(6):
        few = admin_client.get(history_url(obj))
    change(20)
    with django_assert_num_queries(6):
        many = admin_client.get(history_url(obj))

    assert len(many.context["rows"]) > len(few.context["rows"]) >= 3


def test_admin_history_pages_long_histories(admin_client):
    organization = factories.make_organization()
    for number in range(120):
        Organization.objects.filter(pk=organization.pk).update(notes=f"Note {number}")

    first = admin_client.get(history_url(organization))
    second = admin_client.get(history_url(organization) + "?p=2")

    assert (len(first.context["rows"]), len(second.context["rows"])) == (100, 21)
    assert "121 events" in first.text
