"""Personal data of contact persons (GDPR): export everything about one member, anonymise on request."""

import json

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.test import Client
from django.urls import reverse

from organizations import services
from organizations.models import Member
from tests import factories

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
PERSONAL = {
    "academic_title": "Dr.",
    "first_name": "Anna",
    "last_name": "Becker",
    "job_title": "Head of IT",
    "department": "IT",
    "email": "anna.becker@bionic.example",
    "phone": "+49 30 1234567",
    "street": "Hauptstraße 1",
    "postal_code": "10115",
    "city": "Berlin",
    "country": "Germany",
    "influence_level": "top",
    "attitude": "skeptical",
    "personality": "conscientious",
    "notes": "Prefers calls before 9; two children.",
}


@pytest.fixture
def anna(sales_user):
    organization = factories.make_organization(name="Bionic Systems", code="BION")
    return services.member_create(organization=organization, data=PERSONAL, user=sales_user)


def export_url(member):
    return reverse("organizations:member-export", args=[member.organization_id, member.pk])


def anonymise_url(member):
    return reverse("organizations:member-anonymise", args=[member.organization_id, member.pk])


def detail_url(member):
    return reverse("organizations:organization-detail", args=[member.organization_id])


# Export -----------------------------------------------------------------


def test_export_holds_member_organization_opportunities_documents_and_history(
    manager_client, sales_client, sales_user, manager, anna
):
    organization = anna.organization
    other = factories.make_member(organization=organization, last_name="Other")
    primary = factories.make_opportunity(
        organization=organization, owner=sales_user, name="Rollout", contacts=[anna], primary_contact=anna
    )
    factories.make_opportunity(organization=organization, owner=sales_user, name="Pilot", contacts=[anna, other])
    factories.make_opportunity(organization=organization, owner=sales_user, name="Elsewhere", contacts=[other])
    offer = factories.make_document(opportunity=primary, recipient=anna, title="Offer Rollout")
    factories.make_document(opportunity=primary, recipient=other, title="Not hers")
    factories.make_journal_entry(opportunity=primary, author=sales_user, text="Anna Becker liked the demo.")
    sales_client.post(
        reverse("organizations:member-update", args=[organization.pk, anna.pk]), PERSONAL | {"phone": "+49 30 7"}
    )

    response = manager_client.get(export_url(anna))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == f'attachment; filename="member-{anna.pk}.json"'
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert {key: data["member"][key] for key in PERSONAL} == PERSONAL | {"phone": "+49 30 7"}
    assert data["member"]["id"] == anna.pk and data["member"]["created_by"] == "sales1"
    assert data["member"]["anonymised_at"] is None
    assert data["organization"] == {"id": organization.pk, "name": "Bionic Systems", "code": "BION"}
    assert [(o["short_name"], o["name"], o["primary_contact"]) for o in data["opportunities"]] == [
        ("BION-1", "Rollout", True),
        ("BION-2", "Pilot", False),
    ]
    assert [(d["number"], d["title"]) for d in data["documents"]] == [(offer.number, "Offer Rollout")]
    history = [(event["record"], event["event"], event["by"]) for event in data["history"]]
    assert history == [
        ("member", "created", "sales1"),
        ("contact person", "added", "sales1"),
        ("contact person", "added", "sales1"),
        ("member", "changed", "sales1"),
    ]
    assert data["history"][1]["data"]["opportunity"] == "BION-1"
    assert data["history"][3]["data"]["phone"] == "+49 30 7"
    assert data["history"][3]["url"] == f"/organizations/{organization.pk}/members/{anna.pk}/edit/"
    # Journal entries are the team's notes, not the person's data.
    assert "liked the demo" not in response.text


def test_export_query_count_does_not_grow_with_data(manager_client, sales_user, anna, django_assert_num_queries):
    def grow(count):
        for number in range(count):
            opportunity = factories.make_opportunity(organization=anna.organization, owner=sales_user, contacts=[anna])
            factories.make_document(opportunity=opportunity, recipient=anna)
            services.member_update(member=anna, data={"notes": f"Note {number}"}, user=sales_user)

    # 1 session, 2 user with permissions (crm.auth_backends), 3 member with
    # organization, 4 opportunity links with opportunity and phase, 5 documents,
    # 6 member events, 7 contact person events, 8 the opportunities those name,
    # 9 the users who acted.
    grow(1)
    with django_assert_num_queries(9):
        few = manager_client.get(export_url(anna))
    grow(10)
    with django_assert_num_queries(9):
        many = manager_client.get(export_url(anna))

    assert len(json.loads(many.content)["history"]) > len(json.loads(few.content)["history"])


def test_export_is_for_managers_only(sales_client, anna):
    assert sales_client.get(export_url(anna)).status_code == 403
    assert sales_client.get(export_url(anna), **HTMX).status_code == 403
    response = Client().get(export_url(anna))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_export_of_a_member_of_another_organization_is_404(manager_client, anna):
    elsewhere = factories.make_organization()

    response = manager_client.get(reverse("organizations:member-export", args=[elsewhere.pk, anna.pk]))

    assert response.status_code == 404


# Anonymise --------------------------------------------------------------


def test_anonymise_removes_personal_data_and_keeps_links_journal_and_history(
    manager_client, manager, sales_user, anna, admin_user
):
    opportunity = factories.make_opportunity(
        organization=anna.organization, owner=sales_user, contacts=[anna], primary_contact=anna
    )
    document = factories.make_document(opportunity=opportunity, recipient=anna)
    entry = factories.make_journal_entry(opportunity=opportunity, author=sales_user, text="Anna Becker called back.")
    services.member_update(member=anna, data={"email": "anna@private.example"}, user=sales_user)
    LogEntry.objects.log_actions(
        user_id=admin_user.pk, queryset=[anna], action_flag=CHANGE, change_message="Changed e-mail.", single_object=True
    )
    url = anonymise_url(anna)

    response = manager_client.post(url)

    assert response.status_code == 302 and response["Location"] == f"{detail_url(anna)}#member-{anna.pk}"
    anna.refresh_from_db()
    assert anna.full_name == "Anonymised contact"
    assert anna.anonymised_at is not None
    for field in ["academic_title", "first_name", "job_title", "email", "phone", "street", "postal_code", "city"]:
        assert getattr(anna, field) == "", field
    assert (anna.influence_level, anna.attitude, anna.personality, anna.notes) == ("", "", "", "")
    assert anna.department == "IT"
    # Links and the team's notes stay.
    assert list(opportunity.contact_links.values_list("member", "is_primary")) == [(anna.pk, True)]
    document.refresh_from_db()
    assert document.recipient == anna
    entry.refresh_from_db()
    assert entry.text == "Anna Becker called back."
    # History stays (what happened, when, by whom) but no longer holds the removed values.
    events = list(anna.events.select_related("pgh_context").order_by("pgh_id"))
    assert [event.pgh_label for event in events] == ["created", "changed", "anonymised"]
    assert events[-1].pgh_context.metadata == {"user": manager.pk, "url": url}
    assert events[1].pgh_context.metadata == {"user": sales_user.pk}
    stored = json.dumps([[str(getattr(event, field)) for field in PERSONAL] for event in events])
    for value in [*PERSONAL.values(), "anna@private.example"]:
        if value != "IT":
            assert value not in stored
    assert LogEntry.objects.get(object_id=str(anna.pk)).object_repr == "Anonymised contact"


def test_anonymised_member_export_shows_no_old_values(manager_client, anna):
    manager_client.post(anonymise_url(anna))

    response = manager_client.get(export_url(anna))

    for value in ["Anna", "Becker", "anna.becker@bionic.example", "Hauptstraße", "two children", "skeptical"]:
        assert value not in response.text
    assert json.loads(response.content)["history"][-1]["event"] == "anonymised"


def test_anonymise_with_htmx_returns_the_changed_row(manager_client, anna):
    response = manager_client.post(anonymise_url(anna), **HTMX)

    page = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Trigger"] == json.dumps({"membersChanged": {"organization": anna.organization_id}})
    assert page.lstrip().startswith(f'<article class="member is-new" id="member-{anna.pk}">')
    assert "Anonymised contact" in page and "Becker" not in page
    assert anonymise_url(anna) not in page  # nothing left to anonymise
    assert export_url(anna) in page


def test_anonymise_twice_changes_nothing_more(manager_client, anna):
    manager_client.post(anonymise_url(anna))
    anna.refresh_from_db()
    first = anna.anonymised_at

    manager_client.post(anonymise_url(anna))

    anna.refresh_from_db()
    assert anna.anonymised_at == first
    assert anna.events.filter(pgh_label="anonymised").count() == 1
    assert "was anonymised on" in manager_client.get(anonymise_url(anna)).text


def test_anonymise_asks_first_and_works_without_javascript(manager_client, anna):
    page = manager_client.get(detail_url(anna)).text
    confirm = manager_client.get(anonymise_url(anna)).text

    url = anonymise_url(anna)
    assert f'href="{url}" hx-post="{url}"' in page
    assert 'hx-confirm="Anonymise Dr. Anna Becker? Their name, contact data, assessments and notes are removed' in page
    assert "Anonymise Dr. Anna Becker at Bionic Systems?" in confirm
    assert f'action="{url}"' in confirm and export_url(anna) in confirm
    assert Member.objects.get(pk=anna.pk).anonymised_at is None


def test_sales_may_neither_anonymise_nor_see_the_buttons(sales_client, anna):
    page = sales_client.get(detail_url(anna)).text

    assert export_url(anna) not in page and anonymise_url(anna) not in page
    assert sales_client.get(anonymise_url(anna)).status_code == 403
    assert sales_client.post(anonymise_url(anna)).status_code == 403
    assert sales_client.post(anonymise_url(anna), **HTMX).status_code == 403
    assert Client().post(anonymise_url(anna)).status_code == 302  # anonymous: to the login page
    anna.refresh_from_db()
    assert (anna.last_name, anna.anonymised_at) == ("Becker", None)


def test_the_service_refuses_sales_too(sales_user, anna):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.member_anonymise(member=anna, user=sales_user)


def test_anonymise_refuses_other_methods(manager_client, anna):
    assert manager_client.put(anonymise_url(anna)).status_code == 405
    assert manager_client.post(export_url(anna)).status_code == 405


def test_a_draft_addressed_to_an_anonymised_member_names_no_one(manager, sales_user, anna):
    from documents.models import Document
    from documents.pdf import recipient_lines

    opportunity = factories.make_opportunity(organization=anna.organization, owner=sales_user, contacts=[anna])
    document = factories.make_document(opportunity=opportunity, recipient=anna)
    services.member_anonymise(member=anna, user=manager)

    lines = recipient_lines(
        Document.objects.select_related("opportunity__organization", "recipient").get(pk=document.pk)
    )

    # The organization's own address instead of the person's.
    assert lines == ["Bionic Systems", "IT", "Anonymised contact"]


def test_organization_page_query_count_is_the_same_for_managers(manager_client, anna, django_assert_num_queries):
    for _ in range(5):
        factories.make_member(organization=anna.organization)

    # As for Sales (tests/organizations): the buttons read permissions already loaded.
    with django_assert_num_queries(6):
        response = manager_client.get(detail_url(anna))

    assert response.text.count(">Anonymised") == 0 and response.text.count("/export.json") == 6


def test_anonymised_member_is_marked_on_the_organization_page(manager_client, sales_client, manager, anna):
    services.member_anonymise(member=anna, user=manager)

    page = sales_client.get(detail_url(anna)).text

    assert '<div class="member-name">Anonymised contact</div>' in page
    assert 'title="Their personal data was removed on their request.">Anonymised ' in page
