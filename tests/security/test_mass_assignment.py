"""Mass assignment: fields a form does not offer, posted anyway, change nothing."""

import pytest
from django.urls import reverse

from documents.models import Document
from journal.models import JournalEntry
from opportunities.models import Opportunity, Phase, SavedView, Status, Task
from organizations.models import Member
from tests import factories

pytestmark = pytest.mark.django_db

GUARDED = ["organization_id", "number", "short_name", "owner_id", "created_by_id", "won_at", "lost_at", "created_at"]


@pytest.fixture
def elsewhere(world):
    return factories.make_organization(name="Elsewhere AG", code="ELSE")


def extras(world, elsewhere, **more):
    """Everything an attacker would like to set on the sales user's own opportunity."""
    return {
        "owner": world.other.pk,
        "owner_id": world.other.pk,
        "organization": elsewhere.pk,
        "organization_id": elsewhere.pk,
        "number": "999",
        "short_name": "ELSE-999",
        "created_by": world.other.pk,
        "updated_by": world.other.pk,
        "won_at": "2020-01-01T00:00:00Z",
        "lost_at": "2020-01-01T00:00:00Z",
        "created_at": "2000-01-01T00:00:00Z",
        "id": 1,
        "pk": 1,
        **more,
    }


def guarded(opportunity):
    opportunity.refresh_from_db()
    return {name: getattr(opportunity, name) for name in GUARDED}


def _other_open_phase(opportunity):
    return Phase.objects.filter(kind="open", is_active=True).exclude(pk=opportunity.phase_id).order_by("position")[0]


def test_quick_edit_changes_only_the_named_field(world, clients, elsewhere):
    mine = world.mine
    before = guarded(mine)
    status = Status.objects.exclude(pk=mine.status_id).filter(is_active=True).first()

    response = clients["sales"].post(
        reverse("opportunities:opportunity-quick-edit", args=[mine.short_name]),
        {"field": "status", "value": status.pk, "version": mine.version, **extras(world, elsewhere)},
    )

    assert response.status_code == 302
    assert guarded(mine) == before
    assert mine.status_id == status.pk


def test_board_move_changes_only_the_column(world, clients, elsewhere):
    mine = world.mine
    before = guarded(mine)
    target = _other_open_phase(mine)

    clients["sales"].post(
        reverse("opportunities:opportunity-move", args=[mine.short_name]),
        {"group": "phase", "to": target.pk, "version": mine.version, **extras(world, elsewhere)},
    )

    assert guarded(mine) == before
    assert mine.phase_id == target.pk


def test_inline_edit_changes_only_its_field(world, clients, elsewhere):
    mine = world.mine
    before = guarded(mine)
    description = mine.description

    clients["sales"].post(
        reverse("opportunities:opportunity-field", args=[mine.short_name, "name"]),
        {"value": "Renamed", "version": mine.version, **extras(world, elsewhere, description="Overwritten")},
    )

    assert guarded(mine) == before
    assert (mine.name, mine.description) == ("Renamed", description)


def test_a_version_in_the_body_cannot_skip_the_conflict_check(world, clients):
    mine = world.mine
    stale = mine.version
    factories.make_task(opportunity=mine)  # unrelated; the version moves on with an edit:
    Opportunity.objects.filter(pk=mine.pk).update(version=stale + 1)

    response = clients["sales"].post(
        reverse("opportunities:opportunity-field", args=[mine.short_name, "name"]),
        {"value": "Renamed", "version": stale},
    )

    mine.refresh_from_db()
    assert response.status_code == 409
    assert mine.name == "Mine"


def test_sales_cannot_create_an_opportunity_for_someone_else(world, clients, elsewhere):
    response = clients["sales"].post(
        reverse("opportunities:opportunity-create"),
        {
            "organization": world.organization.pk,
            "name": "For someone else?",
            "phase": _other_open_phase(world.mine).pk,
            **extras(world, elsewhere, organization=world.organization.pk),
        },
    )

    created = Opportunity.objects.get(name="For someone else?")
    assert response.status_code == 302
    assert (created.owner, created.created_by, created.organization) == (world.sales, world.sales, world.organization)
    assert created.short_name == f"BION-{created.number}" and created.won_at is None


def test_organization_form_keeps_its_fixed_code_and_counter(world, clients):
    organization = world.organization
    organization.refresh_from_db()
    counter, created_at = organization.opportunity_counter, organization.created_at
    assert counter == 2

    clients["sales"].post(
        reverse("organizations:organization-update", args=[organization.pk]),
        {"name": "Bionext AG", "code": "HACK", "opportunity_counter": "0", "created_at": "2000-01-01", "id": 1},
    )

    organization.refresh_from_db()
    assert (organization.name, organization.code) == ("Bionext AG", "BION")
    assert (organization.opportunity_counter, organization.created_at) == (counter, created_at)


def test_organization_contact_form_on_the_opportunity_page_changes_only_contact_data(world, clients):
    organization = world.organization

    clients["sales"].post(
        reverse("opportunities:opportunity-organization", args=[world.theirs.short_name]),
        {"city": "Hamburg", "name": "Renamed GmbH", "code": "HACK", "notes": "Overwritten"},
    )

    organization.refresh_from_db()
    assert (organization.city, organization.name, organization.code, organization.notes) == (
        "Hamburg",
        "Bionext GmbH",
        "BION",
        "",
    )


def test_member_forms_cannot_move_a_member_to_another_organization(world, clients, elsewhere):
    member = world.member
    body = {"last_name": "Hoffmann-Berg", "organization": elsewhere.pk, "created_by": world.other.pk}

    clients["sales"].post(reverse("organizations:member-update", args=[world.organization.pk, member.pk]), body)
    clients["sales"].post(reverse("organizations:member-create", args=[world.organization.pk]), body)

    member.refresh_from_db()
    assert (member.last_name, member.organization) == ("Hoffmann-Berg", world.organization)
    added = Member.objects.exclude(pk=member.pk).get(last_name="Hoffmann-Berg")
    assert (added.organization, added.created_by) == (world.organization, world.sales)
    assert not elsewhere.members.exists()


def test_journal_entries_are_written_by_whoever_posts_them(world, clients, elsewhere):
    clients["sales"].post(
        reverse("journal:journal-entry-create", args=[world.mine.short_name]),
        {
            "mood": "happy",
            "text": "Signed!",
            "author": world.other.pk,
            "opportunity": world.theirs.pk,
            "created_at": "2000-01-01T00:00:00Z",
        },
    )
    entry = JournalEntry.objects.get(text="Signed!")
    clients["sales"].post(
        reverse("journal:journal-entry-update", args=[entry.pk]),
        {"mood": "sad", "text": "Not signed.", "author": world.other.pk, "opportunity": world.theirs.pk},
    )

    entry.refresh_from_db()
    assert (entry.author, entry.opportunity, entry.text) == (world.sales, world.mine, "Not signed.")
    assert entry.created_at.year > 2000


def test_tasks_belong_to_the_opportunity_in_the_url(world, clients):
    clients["sales"].post(
        reverse("opportunities:opportunity-tasks", args=[world.mine.short_name]),
        {
            "title": "Prepare demo",
            "opportunity": world.theirs.pk,
            "created_by": world.other.pk,
            "done_at": "2020-01-01",
        },
    )

    task = Task.objects.get(title="Prepare demo")
    assert (task.opportunity, task.created_by, task.done_at) == (world.mine, world.sales, None)


def test_saved_views_belong_to_whoever_saves_them(world, clients):
    clients["sales"].post(
        reverse("opportunities:saved-view-create"), {"name": "Hot deals", "query": "tags=1", "owner": world.other.pk}
    )

    assert SavedView.objects.get(name="Hot deals").owner == world.sales


def test_document_editor_changes_only_the_draft_fields(world, clients):
    document = world.my_document
    fields = ["opportunity_id", "number", "year", "sequence", "status", "created_by_id", "approved_by_id", "pdf"]
    before = {name: getattr(document, name) for name in fields}

    clients["sales"].post(
        document.get_absolute_url(),
        {
            "action": "save",
            "title": "Offer: setup",
            "doc_type": document.doc_type,
            "language": document.language,
            "currency": document.currency,
            "vat_rate": "19",
            "valid_until": document.valid_until.isoformat(),
            "recipient": "",
            "intro": "",
            "terms": "",
            "opportunity": world.theirs.pk,
            "number": "2000-0001",
            "status": "approved",
            "created_by": world.other.pk,
            "approved_by": world.manager.pk,
            "pdf": "documents/forged.pdf",
        },
    )

    document = Document.objects.get(pk=document.pk)
    assert document.title == "Offer: setup"
    assert {name: getattr(document, name) for name in fields} == before
