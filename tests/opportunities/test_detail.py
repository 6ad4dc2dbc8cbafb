"""The opportunity detail page: regions, inline edits, members, tasks, win/lose/reopen, history, speed."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from documents.models import Document
from journal.models import JournalEntry
from opportunities import selectors, services
from opportunities.models import Category, CustomField, Opportunity, OpportunityContact, Status, Tag, Task
from organizations.models import Member, Organization
from tests import factories

HX = {"HTTP_HX_REQUEST": "true"}


def url(name, opportunity, *args):
    return reverse(f"opportunities:opportunity-{name}", args=[opportunity.short_name, *args])


def field_url(opportunity, key):
    return url("field", opportunity, key)


def text(response) -> str:
    """The response's visible text, whitespace collapsed (for asserting what a person reads)."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def org(db):
    return factories.make_organization(
        name="Bionic Systems GmbH",
        code="BION",
        street="Hauptstraße 1",
        postal_code="80331",
        city="München",
        email="info@bionic.example",
        phone="+49 89 123456",
        website="https://bionic.example",
    )


@pytest.fixture
def deal(org, sales_user):
    return factories.make_opportunity(
        organization=org,
        owner=sales_user,
        name="CRM rollout",
        phase=factories.phase("Research"),
        description="First line\nSecond line",
        value=Decimal("12500"),
    )


def fresh(opportunity) -> Opportunity:
    return Opportunity.objects.get(pk=opportunity.pk)


# The page -------------------------------------------------------------------------------------


def test_detail_shows_organization_members_tasks_and_history(sales_client, deal, org, sales_user):
    member = factories.make_member(
        organization=org, first_name="Eva", last_name="Berg", academic_title="Dr.", influence_level="top"
    )
    OpportunityContact.objects.create(opportunity=deal, member=member, is_primary=True)
    factories.make_task(opportunity=deal, title="Send price indication", assignee=sales_user)
    factories.make_opportunity(organization=org, owner=sales_user, name="Second deal")

    response = sales_client.get(deal.get_absolute_url())

    page = text(response)
    assert response.status_code == 200
    assert "BION-1" in page and "CRM rollout" in page
    assert "Hauptstraße 1" in page and "80331 München" in page
    html = response.content.decode()
    assert 'href="mailto:info@bionic.example"' in html
    assert 'href="tel:+4989123456"' in html
    assert 'href="https://bionic.example" target="_blank" rel="noopener noreferrer"' in html
    assert "1 other opportunity" in page
    assert "Dr. Eva Berg" in page and "Primary contact" in page
    assert 'title="Influence level: Top decision maker. Makes the final decision and signs."' in html
    assert "Send price indication" in page
    assert "created the opportunity" in page
    # Line breaks of the description are kept (pre-line), and the journal/documents sections are hosted.
    assert "First line\nSecond line" in html
    assert 'id="journal"' in html and 'id="documents"' in html


def test_detail_of_unknown_short_name_is_a_404_with_a_search_box(sales_client):
    response = sales_client.get(reverse("opportunities:opportunity-detail", args=["NOPE-99"]))

    assert response.status_code == 404
    assert 'name="q"' in response.content.decode()


def test_sales_see_no_edit_controls_on_someone_elses_opportunity(client, other_sales_user, deal):
    client.force_login(other_sales_user)

    response = client.get(deal.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert "Mark as won" not in html
    assert field_url(deal, "value") not in html
    assert url("tasks", deal) not in html
    assert client.post(field_url(deal, "name"), {"value": "Mine now", "version": deal.version}).status_code == 403
    assert fresh(deal).name == "CRM rollout"


def test_detail_query_count_is_constant(sales_client, deal, org, sales_user, django_assert_max_num_queries):
    """At most 15 queries, the same number for a small and a large opportunity.

    Ours (7): session, user with permissions, configuration (phases, statuses, categories, sources,
    tags, custom fields, users in one), the opportunity (+ organization, tag ids and the
    organization's opportunity count), tasks, members (+ contact flags), history (one UNION: the
    newest 20 events and the total, however long the history is).
    The hosted sections add theirs: the reminder badge's count, journal entries with authors,
    documents with authors and their lines.
    """

    def grow(*, journal, tasks, members, documents):
        JournalEntry.objects.bulk_create(
            JournalEntry(opportunity=deal, author=sales_user, text=f"Call {i}") for i in range(journal)
        )
        Task.objects.bulk_create(Task(opportunity=deal, title=f"Task {i}", assignee=sales_user) for i in range(tasks))
        people = Member.objects.bulk_create(Member(organization=org, last_name=f"Person {i}") for i in range(members))
        OpportunityContact.objects.bulk_create(OpportunityContact(opportunity=deal, member=m) for m in people[:3])
        start = Document.objects.count()
        Document.objects.bulk_create(
            Document(
                opportunity=deal,
                year=2026,
                sequence=start + i + 1,
                number=f"2026-{start + i + 1:04d}",
                title=f"Offer {i}",
                created_by=sales_user,
            )
            for i in range(documents)
        )
        for index in range(3):
            services.opportunity_field_update(
                opportunity_id=deal.pk, version=fresh(deal).version, data={"probability": 20 + index}, user=sales_user
            )

    grow(journal=2, tasks=2, members=2, documents=1)
    with django_assert_max_num_queries(15) as small:
        assert sales_client.get(deal.get_absolute_url()).status_code == 200

    grow(journal=198, tasks=28, members=18, documents=9)
    with django_assert_max_num_queries(15) as large:
        response = sales_client.get(deal.get_absolute_url())
    assert response.status_code == 200
    assert len(response.context["tasks"]) == 30 and len(response.context["members"]) == 20
    assert len(small.captured_queries) == len(large.captured_queries)


# Inline edits ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("name", "  CRM   rollout  phase 2 ", "CRM rollout phase 2"),
        ("value", "12,500.50", Decimal("12500.50")),
        ("probability", "40", 40),
        ("expected_close_date", "2027-03-31", datetime.date(2027, 3, 31)),
        ("description", "Needs:\n- SSO\n- Export", "Needs:\n- SSO\n- Export"),
    ],
)
def test_inline_edit_saves_the_field(sales_client, deal, key, value, expected):
    response = sales_client.post(field_url(deal, key), {"value": value, "version": deal.version}, **HX)

    assert response.status_code == 200
    assert getattr(fresh(deal), key) == expected
    assert fresh(deal).version == deal.version + 1
    # Forms on the page that showed the old version are brought up to date out of band.
    assert f"""hx-swap-oob='outerHTML:input[data-version="{deal.version}"]'""" in response.content.decode()
    assert response.headers["HX-Trigger"].startswith('{"opportunityChanged"')


@pytest.mark.parametrize(
    ("key", "value"),
    [("name", "CRM rollout phase 2"), ("value", "20000"), ("status", None), ("phase", "Contact made")],
)
def test_inline_edit_reads_the_opportunity_once_before_writing_it(
    sales_client, deal, key, value, django_assert_num_queries
):
    if key == "status":
        value = Status.objects.active().exclude(pk=deal.status_id).first().pk
    elif key == "phase":
        value = factories.phase(value).pk

    # 1 session, 2 user with permissions, 3 configuration, 4 the opportunity
    # (the detail row for the header fields), 5 SAVEPOINT (BEGIN outside a
    # test), 6 the row locked, 7 its UPDATE (the history row by trigger),
    # 8 RELEASE (COMMIT). The answer is drawn from the written row: no read after it.
    with django_assert_num_queries(8):
        response = sales_client.post(field_url(deal, key), {"value": value, "version": deal.version}, **HX)

    assert response.status_code == 200
    assert fresh(deal).version == deal.version + 1
    assert f'data-version="{deal.version + 1}"' in response.content.decode()
    if key in ("status", "phase"):
        # The header, drawn from the written row and the first read's organization.
        assert f"{fresh(deal).status.name} " in text(response)
        assert "Bionic Systems GmbH" in text(response)


def test_inline_edit_of_category_uses_the_configured_values(sales_client, deal):
    consulting = Category.objects.get(name="Consulting")

    response = sales_client.post(field_url(deal, "category"), {"value": consulting.pk, "version": deal.version}, **HX)

    assert response.status_code == 200
    assert fresh(deal).category == consulting
    assert "Consulting" in text(response)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("probability", "150", "less than or equal to 100"),
        ("value", "-5", "greater than or equal to 0"),
        ("value", "a lot", "Enter an amount like 1,234.56 / 1234.56."),
        ("expected_close_date", "31.02.2027", "Enter a valid date"),
        ("name", "   ", "This field is required"),
        ("category", "999999", "Select a valid choice"),
    ],
)
def test_invalid_inline_edit_shows_the_message_and_keeps_the_input(sales_client, deal, key, value, message):
    response = sales_client.post(field_url(deal, key), {"value": value, "version": deal.version}, **HX)

    assert response.status_code == 422
    assert message in text(response)
    if key not in ("category", "name"):
        assert f'value="{value}"' in response.content.decode()
    assert fresh(deal).version == deal.version


@pytest.mark.parametrize(
    ("language", "typed", "stored"),
    [
        ("en", "1234.56", Decimal("1234.56")),
        ("en", "1,234.56", Decimal("1234.56")),
        ("en", "1,234", Decimal("1234")),
        ("en", " 12 500 ", Decimal("12500")),
        ("en", "99.5", Decimal("99.5")),
        ("de", "1.234,56", Decimal("1234.56")),
        ("de", "1234,56", Decimal("1234.56")),
        ("de", "1234.56", Decimal("1234.56")),
        ("de", "1.234", Decimal("1234")),
        ("de", "99,5 €", Decimal("99.5")),
    ],
)
def test_money_is_read_as_a_plain_decimal_or_in_the_users_language(sales_client, deal, language, typed, stored):
    sales_client.cookies["django_language"] = language

    response = sales_client.post(field_url(deal, "value"), {"value": typed, "version": deal.version}, **HX)

    assert response.status_code == 200
    assert fresh(deal).value == stored


@pytest.mark.parametrize(
    ("language", "typed", "message"),
    [
        ("en", "0.005", "An amount has at most two decimal places (cents)."),
        ("en", "4.800", "An amount has at most two decimal places (cents)."),
        ("en", "1,2,3", "Enter an amount like 1,234.56 / 1234.56."),
        ("en", "1.2.3,4", "Enter an amount like 1,234.56 / 1234.56."),
        ("en", "12,5", "Enter an amount like 1,234.56 / 1234.56."),
        ("en", "1.234,56", "Enter an amount like 1,234.56 / 1234.56."),
        ("de", "0,005", "Ein Betrag hat höchstens zwei Nachkommastellen (Cent)."),
        ("de", "1,2,3", "Geben Sie einen Betrag wie 1.234,56 / 1234.56 ein."),
        ("de", "1.2.3,4", "Geben Sie einen Betrag wie 1.234,56 / 1234.56 ein."),
        ("de", "1,234.56", "Geben Sie einen Betrag wie 1.234,56 / 1234.56 ein."),
    ],
)
def test_money_in_another_format_is_refused_next_to_the_field(sales_client, deal, language, typed, message):
    sales_client.cookies["django_language"] = language

    response = sales_client.post(field_url(deal, "value"), {"value": typed, "version": deal.version}, **HX)

    assert response.status_code == 422
    html = response.content.decode()
    assert message in text(response)
    assert f'value="{typed}"' in html  # what the user typed stays in the field
    # The message sits with the field: its error list, which the input points to.
    assert 'aria-describedby="edit-value-value_error"' in html and 'id="edit-value-value_error"' in html
    stored = fresh(deal)
    assert (stored.value, stored.version) == (deal.value, deal.version)


@pytest.mark.parametrize(("language", "typed"), [("en", "0.005"), ("en", "1,2,3"), ("de", "1.2.3,4")])
def test_new_opportunity_with_a_bad_amount_is_not_created(sales_client, org, sales_user, language, typed):
    sales_client.cookies["django_language"] = language
    data = {"organization": org.pk, "name": "Support", "phase": factories.phase("Research").pk, "value": typed}

    response = sales_client.post(reverse("opportunities:opportunity-create"), data)

    assert response.status_code == 422
    assert response.context["form"].errors["value"]
    assert f'value="{typed}"' in response.content.decode()
    assert not Opportunity.objects.filter(name="Support").exists()


def test_stale_inline_edit_is_refused_with_the_current_value(sales_client, manager, deal):
    services.opportunity_field_update(
        opportunity_id=deal.pk, version=deal.version, data={"value": Decimal("99000")}, user=manager
    )

    response = sales_client.post(field_url(deal, "value"), {"value": "15000", "version": deal.version}, **HX)

    page = text(response)
    assert response.status_code == 409
    assert "Maria Manager changed the value of BION-1" in page and "Your change was not saved" in page
    assert "Current value: €99,000" in page
    assert 'value="15000"' in response.content.decode()  # what the user typed is kept
    assert f'data-version="{deal.version + 1}"' in response.content.decode()
    assert fresh(deal).value == Decimal("99000")


def test_invalid_version_is_a_400_not_a_500(sales_client, deal):
    response = sales_client.post(field_url(deal, "name"), {"value": "X", "version": "abc"}, **HX)

    assert response.status_code == 400
    stored = fresh(deal)
    assert (stored.name, stored.version, stored.updated_at) == (deal.name, deal.version, deal.updated_at)


def test_unknown_field_is_a_404(sales_client, deal):
    assert sales_client.get(field_url(deal, "version") + "?edit=1", **HX).status_code == 404


def test_edit_form_without_javascript_opens_in_the_page(sales_client, deal):
    response = sales_client.get(deal.get_absolute_url() + "?edit=value")

    assert response.status_code == 200
    assert f'action="{field_url(deal, "value")}"' in response.content.decode()


def test_header_phase_change_redraws_the_header_and_probability(sales_client, deal):
    contact_made = factories.phase("Contact made")

    response = sales_client.post(field_url(deal, "phase"), {"value": contact_made.pk, "version": deal.version}, **HX)

    html = response.content.decode()
    assert response.status_code == 200
    assert fresh(deal).phase == contact_made
    assert fresh(deal).probability == contact_made.default_probability
    assert 'id="header"' in html and 'aria-current="step">Contact made' in html
    assert 'id="field-probability" hx-swap-oob="true"' in html


def test_stale_phase_change_shows_the_conflict_in_the_header(sales_client, manager, deal):
    services.opportunity_field_update(
        opportunity_id=deal.pk, version=deal.version, data={"phase": factories.phase("Reminder")}, user=manager
    )

    response = sales_client.post(
        field_url(deal, "phase"), {"value": factories.phase("Contact made").pk, "version": deal.version}, **HX
    )

    assert response.status_code == 409
    assert "the phase (now “Reminder”)" in text(response)
    assert fresh(deal).phase.name == "Reminder"


def test_phase_select_does_not_cross_into_lost(sales_client, deal):
    response = sales_client.post(
        field_url(deal, "phase"), {"value": factories.phase("Lost").pk, "version": deal.version}, **HX
    )

    assert response.status_code == 422
    assert fresh(deal).lost_at is None


def test_sales_cannot_reassign_but_managers_can(sales_client, manager_client, deal, manager):
    assert (
        sales_client.post(field_url(deal, "owner"), {"value": manager.pk, "version": deal.version}, **HX).status_code
        == 403
    )

    response = manager_client.post(field_url(deal, "owner"), {"value": manager.pk, "version": deal.version}, **HX)

    assert response.status_code == 200
    assert fresh(deal).owner == manager


# Custom fields ---------------------------------------------------------------------------------


@pytest.fixture
def custom_fields(db):
    CustomField.objects.all().delete()
    specs = [
        ("region", "text", [], True),
        ("seats", "integer", [], False),
        ("budget", "decimal", [], False),
        ("kickoff", "date", [], False),
        ("intranet", "url", [], False),
        ("segment", "choice", ["SMB", "Enterprise"], False),
        ("modules", "multi_choice", ["CRM", "ERP"], False),
        ("signed_nda", "boolean", [], False),
    ]
    for position, (key, field_type, choices, required) in enumerate(specs):
        CustomField.objects.create(
            key=key,
            label=key.replace("_", " ").title(),
            field_type=field_type,
            choices=choices,
            required=required,
            position=position,
        )


@pytest.mark.parametrize(
    ("key", "value", "stored"),
    [
        ("region", " Bavaria ", "Bavaria"),
        ("seats", "25", 25),
        ("budget", "1250,50", "1250.50"),
        ("kickoff", "2027-01-15", "2027-01-15"),
        ("intranet", "https://intranet.example/crm", "https://intranet.example/crm"),
        ("segment", "Enterprise", "Enterprise"),
        ("modules", ["CRM", "ERP"], ["CRM", "ERP"]),
        ("signed_nda", "true", True),
    ],
)
def test_custom_field_saves_by_type(sales_client, deal, custom_fields, key, value, stored):
    response = sales_client.post(field_url(deal, f"cf_{key}"), {"value": value, "version": deal.version}, **HX)

    assert response.status_code == 200, text(response)
    assert fresh(deal).custom_values[key] == stored


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("region", "", "This field is required."),
        ("seats", "2.5", "Enter a whole number."),
        ("budget", "lots", "Enter a number."),
        ("kickoff", "15.01.2027", "Enter a valid date (YYYY-MM-DD)."),
        ("intranet", "javascript:alert(1)", "Enter a valid web address starting with http:// or https://."),
        ("segment", "Government", "“Government” is not one of the choices."),
        ("modules", ["CRM", "HR"], "“HR” is not one of the choices."),
        ("signed_nda", "maybe", "Choose yes or no."),
    ],
)
def test_custom_field_is_validated_by_type(sales_client, deal, custom_fields, key, value, message):
    response = sales_client.post(field_url(deal, f"cf_{key}"), {"value": value, "version": deal.version}, **HX)

    assert response.status_code == 422
    assert message in text(response)
    assert key not in fresh(deal).custom_values


def test_custom_fields_have_inputs_fitting_their_type(sales_client, deal, custom_fields):
    html = sales_client.get(field_url(deal, "cf_kickoff") + "?edit=1", **HX).content.decode()
    assert 'type="date"' in html
    html = sales_client.get(field_url(deal, "cf_intranet") + "?edit=1", **HX).content.decode()
    assert 'type="url"' in html
    html = sales_client.get(field_url(deal, "cf_segment") + "?edit=1", **HX).content.decode()
    assert '<option value="Enterprise">' in html
    html = sales_client.get(field_url(deal, "cf_modules") + "?edit=1", **HX).content.decode()
    assert 'type="checkbox"' in html


def test_editing_one_custom_field_is_not_blocked_by_another_required_one(sales_client, deal, custom_fields):
    # "region" is required but empty on this older opportunity.
    response = sales_client.post(field_url(deal, "cf_seats"), {"value": "10", "version": deal.version}, **HX)

    assert response.status_code == 200
    assert fresh(deal).custom_values == {"seats": 10}


# Tags -----------------------------------------------------------------------------------------


def test_tags_are_added_created_and_removed(sales_client, deal):
    existing = factories.make_tag(name="Hot lead")

    sales_client.post(url("tags", deal), {"name": "hot lead"}, **HX)
    response = sales_client.post(url("tags", deal), {"name": "  Needs   SSO "}, **HX)

    assert response.status_code == 200
    assert set(fresh(deal).tags.values_list("name", flat=True)) == {"Hot lead", "Needs SSO"}
    assert Tag.objects.filter(name__iexact="hot lead").count() == 1

    sales_client.post(url("tag-remove", deal, existing.pk), **HX)
    assert list(fresh(deal).tags.values_list("name", flat=True)) == ["Needs SSO"]


def test_empty_tag_is_refused_with_a_message(sales_client, deal):
    response = sales_client.post(url("tags", deal), {"name": "   "}, **HX)

    assert response.status_code == 422
    assert "Type a tag." in text(response)


def test_tag_autocomplete_lists_existing_tags(sales_client, deal):
    factories.make_tag(name="Public sector")

    html = sales_client.get(deal.get_absolute_url()).content.decode()

    assert '<datalist id="tag-options"><option value="Public sector">' in html


# Organization and members -----------------------------------------------------------------------


def test_organization_edit_from_the_opportunity_changes_the_organization(sales_client, deal, org, sales_user):
    other = factories.make_opportunity(organization=org, owner=sales_user, name="Other deal")
    form = sales_client.get(url("organization", deal) + "?edit=1", **HX)
    assert "its 1 other opportunity show the new details too" in text(form)

    response = sales_client.post(
        url("organization", deal),
        {
            "street": "Neue Straße 5",
            "postal_code": "10115",
            "city": "Berlin",
            "country": "Germany",
            "email": "hello@bionic.example",
            "phone": "+49 30 555",
            "website": "https://www.bionic.example",
        },
        **HX,
    )

    assert response.status_code == 200
    org.refresh_from_db()
    assert (org.street, org.city, org.email) == ("Neue Straße 5", "Berlin", "hello@bionic.example")
    assert "Neue Straße 5" in text(sales_client.get(other.get_absolute_url()))


def test_invalid_organization_edit_keeps_the_input(sales_client, deal, org):
    response = sales_client.post(url("organization", deal), {"email": "not-an-email", "city": "Köln"}, **HX)

    assert response.status_code == 422
    assert "Enter a valid email address." in text(response)
    assert 'value="not-an-email"' in response.content.decode()
    org.refresh_from_db()
    assert org.city == "München"


def test_add_member_from_the_opportunity_uses_the_organization_form(sales_client, deal, org):
    add_url = reverse("organizations:member-create", args=[org.pk])
    assert add_url in sales_client.get(deal.get_absolute_url()).content.decode()

    response = sales_client.post(add_url, {"first_name": "Jonas", "last_name": "Kurz", "attitude": "positive"}, **HX)

    assert response.headers["HX-Trigger"].startswith('{"membersChanged"')
    members = sales_client.get(url("members", deal), **HX)
    assert "Jonas Kurz" in text(members)
    assert Member.objects.filter(organization=org, last_name="Kurz").exists()


def test_contact_persons_and_primary(sales_client, deal, org):
    anna = factories.make_member(organization=org, first_name="Anna", last_name="Alt")
    ben = factories.make_member(organization=org, first_name="Ben", last_name="Bauer")

    sales_client.post(url("contact", deal, anna.pk), {"contact": "1"}, **HX)
    sales_client.post(url("contact", deal, ben.pk), {"primary": "1"}, **HX)
    response = sales_client.post(url("contact", deal, anna.pk), {"primary": "1"}, **HX)

    assert response.status_code == 200
    links = dict(OpportunityContact.objects.filter(opportunity=deal).values_list("member__last_name", "is_primary"))
    assert links == {"Alt": True, "Bauer": False}

    sales_client.post(url("contact", deal, ben.pk), {"contact": "0"}, **HX)
    assert list(OpportunityContact.objects.filter(opportunity=deal).values_list("member__last_name", flat=True)) == [
        "Alt"
    ]


def test_member_of_another_organization_cannot_be_a_contact(sales_client, deal):
    stranger = factories.make_member(organization=factories.make_organization(), last_name="Fremd")

    response = sales_client.post(url("contact", deal, stranger.pk), {"contact": "1"}, **HX)

    assert response.status_code == 404
    assert not OpportunityContact.objects.exists()
    assert fresh(deal).version == deal.version


# Tasks ------------------------------------------------------------------------------------------


def test_tasks_add_complete_reopen_delete_update_the_open_count(sales_client, deal, manager):
    response = sales_client.post(
        url("tasks", deal), {"title": "Call Dr. Berg", "assignee": manager.pk, "due_date": "2027-01-10"}, **HX
    )
    assert response.status_code == 200
    task = Task.objects.get(opportunity=deal)
    assert (task.title, task.assignee, task.due_date) == ("Call Dr. Berg", manager, datetime.date(2027, 1, 10))
    assert fresh(deal).open_task_count == 1
    html = response.content.decode()
    assert 'id="header-open-tasks" hx-swap-oob="true"' in html and "<strong>1</strong> open task" in html
    assert '"tasksChanged": {"short_name": "BION-1", "open_tasks": 1}' in response.headers["HX-Trigger"]

    response = sales_client.post(url("task-action", deal, task.pk, "complete"), **HX)
    assert fresh(deal).open_task_count == 0
    assert "<strong>0</strong> open tasks" in response.content.decode()
    assert Task.objects.get(pk=task.pk).done_at is not None

    sales_client.post(url("task-action", deal, task.pk, "reopen"), **HX)
    assert Task.objects.get(pk=task.pk).done_at is None

    sales_client.post(url("task-action", deal, task.pk, "delete"), **HX)
    assert not Task.objects.filter(pk=task.pk).exists()
    assert fresh(deal).open_task_count == 0


def test_task_without_title_is_refused_with_a_message(sales_client, deal):
    response = sales_client.post(url("tasks", deal), {"title": "  ", "due_date": "soon"}, **HX)

    assert response.status_code == 422
    assert "Say what needs doing." in text(response) and "Enter a valid date." in text(response)
    assert not Task.objects.exists()


def test_tasks_list_open_ones_first(sales_client, deal):
    factories.make_task(opportunity=deal, title="Done one", done_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    factories.make_task(opportunity=deal, title="Later", due_date=datetime.date(2027, 5, 1))
    factories.make_task(opportunity=deal, title="Sooner", due_date=datetime.date(2027, 1, 1))

    response = sales_client.get(deal.get_absolute_url())

    assert [task.title for task in response.context["tasks"]] == ["Sooner", "Later", "Done one"]


def test_unknown_task_action_or_task_is_a_404(sales_client, deal):
    task = factories.make_task(opportunity=deal)
    other_task = factories.make_task(opportunity=factories.make_opportunity(owner=deal.owner))

    assert sales_client.post(url("task-action", deal, task.pk, "explode"), **HX).status_code == 404
    assert sales_client.post(url("task-action", deal, other_task.pk, "complete"), **HX).status_code == 404
    assert sales_client.post(url("task-action", deal, other_task.pk, "delete"), **HX).status_code == 404

    tasks = Task.objects.order_by("pk").values_list("pk", "title", "done_at")
    assert list(tasks) == [(task.pk, task.title, None), (other_task.pk, other_task.title, None)]


# Won, lost, reopened ------------------------------------------------------------------------------


def test_mark_as_won_records_won_at_and_the_implementation_status(sales_client, deal):
    response = sales_client.post(url("win", deal), {"version": deal.version, "confirm": "1"}, **HX)

    deal = fresh(deal)
    assert response.status_code == 200
    assert deal.won_at is not None and deal.phase.kind == "won"
    assert deal.status.name == "Implementation"
    assert "Now an implementation project — status “Implementation”." in text(response)


def test_mark_as_won_without_confirmation_asks_first(sales_client, deal):
    response = sales_client.post(url("win", deal), {"version": deal.version})

    assert response.status_code == 302 and response["Location"].endswith("?action=win#actions")
    page = text(sales_client.get(response["Location"]))
    assert "Mark BION-1 as won?" in page
    assert fresh(deal).won_at is None


def test_mark_as_lost_needs_a_reason(sales_client, deal):
    response = sales_client.post(url("lose", deal), {"version": deal.version, "lost_reason": "  "}, **HX)
    assert response.status_code == 422
    assert "Say why the opportunity was lost." in text(response)
    assert fresh(deal).lost_at is None

    response = sales_client.post(url("lose", deal), {"version": deal.version, "lost_reason": "Budget cut"}, **HX)
    assert response.status_code == 200
    deal = fresh(deal)
    assert deal.lost_at is not None and deal.lost_reason == "Budget cut" and deal.phase.kind == "lost"
    assert "Budget cut" in text(response)


def test_reopen_restores_phase_and_status_from_before(sales_client, deal):
    reminder = factories.phase("Reminder")
    sales_client.post(field_url(deal, "phase"), {"value": reminder.pk, "version": deal.version}, **HX)
    sales_client.post(url("win", deal), {"version": fresh(deal).version, "confirm": "1"}, **HX)
    assert fresh(deal).status.name == "Implementation"

    response = sales_client.post(url("reopen", deal), {"version": fresh(deal).version}, **HX)

    deal = fresh(deal)
    assert response.status_code == 200
    assert deal.phase == reminder and deal.status.name == "Sales" and deal.won_at is None


def test_stale_win_is_refused(sales_client, manager, deal):
    services.opportunity_field_update(opportunity_id=deal.pk, version=deal.version, data={"name": "X"}, user=manager)

    response = sales_client.post(url("win", deal), {"version": deal.version, "confirm": "1"}, **HX)

    assert response.status_code == 409
    assert fresh(deal).won_at is None


# History --------------------------------------------------------------------------------------------


def test_history_names_who_changed_what(sales_client, deal, org, manager_client):
    anna = factories.make_member(organization=org, first_name="Anna", last_name="Alt")
    sales_client.post(
        field_url(deal, "phase"), {"value": factories.phase("Contact made").pk, "version": deal.version}, **HX
    )
    manager_client.post(field_url(deal, "value"), {"value": "20000", "version": fresh(deal).version}, **HX)
    sales_client.post(url("tasks", deal), {"title": "Send offer"}, **HX)
    task = Task.objects.get(opportunity=deal)
    sales_client.post(url("task-action", deal, task.pk, "complete"), **HX)
    sales_client.post(url("contact", deal, anna.pk), {"primary": "1"}, **HX)
    sales_client.post(url("lose", deal), {"version": fresh(deal).version, "lost_reason": "Chose a competitor"}, **HX)

    page = text(sales_client.get(url("history", deal), **HX))

    assert "Sandra Sales marked it as lost" in page and "Chose a competitor" in page
    assert "Sandra Sales made Anna Alt the primary contact" in page
    assert "Sandra Sales completed “Send offer”" in page
    assert "Sandra Sales added the task “Send offer”" in page
    assert "Maria Manager edited it" in page and "Value €12,500 → €20,000" in page
    assert "Sandra Sales moved it to another phase" in page and "Phase Research → Contact made" in page
    assert "created the opportunity" in page
    # Newest first.
    assert page.index("marked it as lost") < page.index("moved it to another phase") < page.index("created the")


def test_history_records_changes_made_outside_the_services(sales_client, deal, manager):
    # A bulk update (admin, SQL) is history too: the trigger records it.
    Opportunity.objects.filter(pk=deal.pk).update(phase=factories.phase("Reminder"), updated_by=manager)

    page = text(sales_client.get(url("history", deal), **HX))

    assert "Maria Manager moved it to another phase" in page and "Phase Research → Reminder" in page


def test_history_ignores_derived_columns(sales_client, deal, sales_user):
    JournalEntry.objects.create(opportunity=deal, author=sales_user, text="Called", reminder_date="2027-01-01")
    factories.make_task(opportunity=deal)

    rows, _total = selectors.opportunity_history_rows(opportunity=deal)

    # The journal's trigger updated last activity, mood and reminder; the task's, the open-task count.
    assert fresh(deal).open_task_count == 1 and fresh(deal).next_reminder_date is not None
    assert [row.source for row in rows] == ["task"]


def test_history_shows_the_latest_20_and_more_on_request(sales_client, deal, sales_user):
    for probability in range(1, 46):  # 45 changes after the creation (10 %)
        services.opportunity_field_update(
            opportunity_id=deal.pk, version=fresh(deal).version, data={"probability": probability}, user=sales_user
        )

    page = sales_client.get(deal.get_absolute_url())
    assert len(page.context["history"]) == 20
    assert "Probability 44 % → 45 %" in text(page) and "Probability 25 % → 26 %" in text(page)
    assert "Probability 24 % → 25 %" not in text(page) and "created the opportunity" not in text(page)
    assert f'hx-get="{url("history", deal)}?shown=20"' in page.content.decode()

    # "Show more" (htmx): the next 20, and another "Show more" for the rest.
    more = sales_client.get(url("history", deal) + "?shown=20", **HX)
    assert len(more.context["history"]) == 20
    assert "Probability 24 % → 25 %" in text(more) and "Probability 5 % → 6 %" in text(more)
    assert "Probability 4 % → 5 %" not in text(more) and "Probability 25 % → 26 %" not in text(more)
    assert f'hx-get="{url("history", deal)}?shown=40"' in more.content.decode()
    last = sales_client.get(url("history", deal) + "?shown=40", **HX)
    assert len(last.context["history"]) == 6
    assert "Probability 10 % → 1 %" in text(last) and "created the opportunity" in text(last)
    assert 'id="history-more"' not in last.content.decode()

    # Without JavaScript the link asks for the page with 40 entries.
    assert 'href="/opportunities/BION-1/?history=40#history-more"' in page.content.decode()
    page = sales_client.get(deal.get_absolute_url() + "?history=40")
    assert len(page.context["history"]) == 40 and "Probability 5 % → 6 %" in text(page)
    page = sales_client.get(deal.get_absolute_url() + "?history=60")
    assert len(page.context["history"]) == 46 and "created the opportunity" in text(page)
    assert sales_client.get(url("history", deal) + "?shown=20")["Location"].endswith("?history=40#history-more")


# New opportunity ------------------------------------------------------------------------------------


def test_new_opportunity_from_an_organization(sales_client, org, sales_user):
    form = sales_client.get(reverse("opportunities:opportunity-create") + f"?organization={org.pk}")
    assert "Bionic Systems GmbH" in text(form)

    response = sales_client.post(
        reverse("opportunities:opportunity-create"),
        {
            "organization": org.pk,
            "name": "Support contract",
            "phase": factories.phase("Research").pk,
            "owner": sales_user.pk,
            "value": "4,800",
            "expected_close_date": "2027-02-01",
        },
    )

    assert response.status_code == 302, response.context["form"].errors
    opportunity = Opportunity.objects.get(name="Support contract")
    assert response.status_code == 302 and response["Location"] == opportunity.get_absolute_url()
    assert opportunity.short_name == "BION-1" and opportunity.value == Decimal("4800")
    assert opportunity.probability == factories.phase("Research").default_probability


def test_new_opportunity_form_validates_and_keeps_the_input(sales_client, org, custom_fields):
    response = sales_client.post(
        reverse("opportunities:opportunity-create"),
        {"organization": org.pk, "name": "", "phase": "abc", "cf_seats": "many", "description": "Keep me"},
    )

    page = text(response)
    assert response.status_code == 422
    assert "Give the opportunity a name." in page
    assert "This field is required." in page  # region is required
    assert "Enter a whole number." in page
    assert "Keep me" in response.content.decode()
    assert not Opportunity.objects.exists()


def test_new_opportunity_organization_search(sales_client, org):
    response = sales_client.get(reverse("opportunities:opportunity-create") + "?organization_search=bion", **HX)

    assert response.status_code == 200
    assert f'value="{org.pk}"' in response.content.decode() and "Bionic Systems GmbH" in text(response)


def test_sales_create_opportunities_for_themselves(sales_client, org, sales_user, manager):
    sales_client.post(
        reverse("opportunities:opportunity-create"),
        {"organization": org.pk, "name": "Mine", "phase": factories.phase("Research").pk, "owner": manager.pk},
    )

    assert Opportunity.objects.get(name="Mine").owner == sales_user


def test_new_opportunity_with_unknown_organization_is_a_form_error(sales_client):
    response = sales_client.post(
        reverse("opportunities:opportunity-create"),
        {"organization": "999999", "name": "Ghost", "phase": factories.phase("Research").pk},
    )

    assert response.status_code == 422
    assert "That organization does not exist" in text(response)
    assert not Organization.objects.exists()


# Previous / next in the list the user came from --------------------------------------------------


def test_previous_and_next_follow_the_table_the_user_came_from(sales_client, org, sales_user):
    for name in ["Alpha", "Bravo", "Charlie"]:
        factories.make_opportunity(organization=org, owner=sales_user, name=name)
    bravo = Opportunity.objects.get(name="Bravo")
    list_url = reverse("opportunities:opportunity-list") + "?sort=name"

    response = sales_client.get(bravo.get_absolute_url(), HTTP_REFERER=f"http://testserver{list_url}")

    neighbours = response.context["neighbours"]
    assert neighbours.position == 2
    assert neighbours.previous.startswith(Opportunity.objects.get(name="Alpha").get_absolute_url() + "?list=")
    assert neighbours.next.startswith(Opportunity.objects.get(name="Charlie").get_absolute_url() + "?list=")
    assert neighbours.list_url == reverse("opportunities:opportunity-list") + "?sort=name&page=1"

    # The list travels along: from Charlie, back to Bravo; Charlie is the last.
    charlie = sales_client.get(neighbours.next)
    assert charlie.context["opportunity"].name == "Charlie"
    assert charlie.context["neighbours"].next == ""
    assert "Bravo" in sales_client.get(charlie.context["neighbours"].previous).context["opportunity"].name


def test_no_pager_without_a_list_or_with_a_broken_one(sales_client, deal):
    assert sales_client.get(deal.get_absolute_url()).context["neighbours"] is None
    response = sales_client.get(deal.get_absolute_url() + "?list=phase%3Dnot-a-number%26page%3D-3")
    assert response.status_code == 200 and response.context["neighbours"] is None
    response = sales_client.get(deal.get_absolute_url() + "?list=q%3Dab%2500c")
    assert response.status_code == 200 and response.context["neighbours"] is None
    response = sales_client.get(deal.get_absolute_url(), HTTP_REFERER="https://evil.example/opportunities/")
    assert response.context["neighbours"] is None


@pytest.mark.parametrize(
    ("name", "args", "data"),
    [
        ("field", ["name"], {"value": "a\x00b", "version": "1"}),
        ("field", ["value"], {"value": "1e309", "version": "99999999999999999999"}),
        ("field", ["probability"], {"value": ["1", "2"], "version": "-1"}),
        ("field", ["phase"], {"value": "x"}),
        ("field", ["expected_close_date"], {"value": "9999-99-99", "version": "1"}),
        ("tags", [], {"name": "x" * 500}),
        ("tags", [], {"name": "\x00"}),
        ("tasks", [], {"title": "x" * 5000, "assignee": "abc", "due_date": "tomorrow"}),
        ("organization", [], {"website": "javascript:alert(1)", "email": "\x00"}),
        ("win", [], {"confirm": "1", "version": "abc"}),
        ("lose", [], {"version": "1", "lost_reason": "\x00"}),
        ("reopen", [], {}),
    ],
)
def test_bad_input_is_answered_never_with_a_500(sales_client, deal, name, args, data):
    before = _rows_a_detail_post_may_touch(deal)

    response = sales_client.post(url(name, deal, *args), data, **HX)

    assert 400 <= response.status_code < 500
    assert _rows_a_detail_post_may_touch(deal) == before


def _rows_a_detail_post_may_touch(deal) -> dict:
    """The opportunity's fields, its tags, tasks and contacts, its organization's contact details, the tag list."""
    opportunity = Opportunity.objects.values().get(pk=deal.pk)
    organization = Organization.objects.values().get(pk=deal.organization_id)
    return {
        "opportunity": opportunity,
        "organization": organization,
        "tags": sorted(Tag.objects.values_list("pk", "name")),
        "tag_links": sorted(deal.tags.values_list("pk", flat=True)),
        "tasks": sorted(Task.objects.values_list("pk", "title", "assignee_id", "due_date", "done_at")),
        "contacts": sorted(OpportunityContact.objects.values_list("pk", "member_id", "is_primary")),
    }
