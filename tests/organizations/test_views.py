import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import IntegrityError
from django.urls import reverse

from organizations import services
from organizations.models import Member, Organization
from tests import factories

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def list_url(**params):
    url = reverse("organizations:organization-list")
    if params:
        url += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return url


def detail_url(organization):
    return reverse("organizations:organization-detail", args=[organization.pk])


def names_in_table(response) -> list[str]:
    """Organization names in table order, as the page shows them."""
    return re.findall(r'class="cell-title" href="/organizations/\d+/">([^<]+)</a>', response.content.decode())


def member_data(**overrides):
    data = {
        "academic_title": "Dr.",
        "first_name": "Anna",
        "last_name": "Becker",
        "department": "IT",
        "job_title": "Head of IT",
        "email": "anna.becker@bionic.example",
        "phone": "+49 30 1234567",
        "street": "",
        "postal_code": "",
        "city": "",
        "country": "",
        "influence_level": "top",
        "attitude": "positive",
        "personality": "conscientious",
        "notes": "",
    }
    data.update(overrides)
    return data


def organization_data(**overrides):
    data = {
        "name": "Bionic Systems GmbH",
        "code": "",
        "street": "Hauptstraße 1",
        "postal_code": "10115",
        "city": "Berlin",
        "country": "Germany",
        "email": "info@bionic.example",
        "phone": "+49 30 999",
        "website": "https://bionic.example",
        "notes": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def viewer(db):
    """Someone who may look at the CRM but change nothing (no group, one view permission)."""
    user = factories.make_user(username="viewer", role=None, display_name="Vera Viewer")
    user.user_permissions.add(Permission.objects.get(codename="view_opportunity"))
    return user


@pytest.fixture
def nobody(db):
    return factories.make_user(username="nobody", role=None)


# List -------------------------------------------------------------------


def test_organization_list_shows_counts_code_city_and_website(sales_client, sales_user):
    bionic = factories.make_organization(
        name="Bionic Systems", code="BION", city="Berlin", country="Germany", website="https://www.bionic.example"
    )
    factories.make_member(organization=bionic, last_name="Becker")
    factories.make_member(organization=bionic, last_name="Adler")
    factories.make_opportunity(organization=bionic, owner=sales_user)
    factories.make_opportunity(organization=bionic, owner=sales_user, phase=factories.phase("Won"))

    response = sales_client.get(list_url())

    html = response.content.decode()
    assert names_in_table(response) == ["Bionic Systems"]
    assert "BION" in html and "Berlin" in html and "Germany" in html
    row = html[html.index("Bionic Systems") :]
    # 2 members; 1 open opportunity of 2 in total.
    assert re.search(r'<td class="num">2</td>', row)
    assert re.search(r"<strong>1</strong>\s*<span[^>]*> / 2</span>", row)
    assert 'href="https://www.bionic.example" target="_blank" rel="noopener noreferrer"' in html
    assert "New organization" in html


def test_organization_list_search_matches_name_code_city_and_email(sales_client):
    factories.make_organization(name="Bionic Systems", code="BION", city="Berlin")
    factories.make_organization(name="Acme Tools", code="ACME", city="Hamburg", email="sales@acme.example")
    factories.make_organization(name="Zeta Labs", code="ZETA", city="München")

    assert names_in_table(sales_client.get(list_url(q="bion"))) == ["Bionic Systems"]
    assert names_in_table(sales_client.get(list_url(q="zeta"))) == ["Zeta Labs"]
    assert names_in_table(sales_client.get(list_url(q="hamb"))) == ["Acme Tools"]
    assert names_in_table(sales_client.get(list_url(q="sales@acme"))) == ["Acme Tools"]
    empty = sales_client.get(list_url(q="nothing-like-this"))
    assert names_in_table(empty) == []
    assert "No organizations found" in empty.content.decode()
    # The search box keeps what was typed.
    assert 'value="nothing-like-this"' in empty.content.decode()


def test_organization_list_sorts_by_name_city_opportunities_and_created(sales_client, sales_user):
    berlin = factories.make_organization(name="beta GmbH", city="Berlin")
    aachen = factories.make_organization(name="Alpha AG", city="Aachen")
    no_city = factories.make_organization(name="Gamma KG", city="")
    for _ in range(2):
        factories.make_opportunity(organization=no_city, owner=sales_user)
    factories.make_opportunity(organization=berlin, owner=sales_user)

    assert names_in_table(sales_client.get(list_url())) == ["Alpha AG", "beta GmbH", "Gamma KG"]
    assert names_in_table(sales_client.get(list_url(sort="-name"))) == ["Gamma KG", "beta GmbH", "Alpha AG"]
    # Without a city last, in both directions.
    assert names_in_table(sales_client.get(list_url(sort="city"))) == ["Alpha AG", "beta GmbH", "Gamma KG"]
    assert names_in_table(sales_client.get(list_url(sort="-city"))) == ["beta GmbH", "Alpha AG", "Gamma KG"]
    assert names_in_table(sales_client.get(list_url(sort="-opportunities"))) == ["Gamma KG", "beta GmbH", "Alpha AG"]
    assert names_in_table(sales_client.get(list_url(sort="-created"))) == ["Gamma KG", "Alpha AG", "beta GmbH"]
    assert aachen.pk  # created between the two others
    # Unknown sort keys fall back to the name.
    assert names_in_table(sales_client.get(list_url(sort="password"))) == ["Alpha AG", "beta GmbH", "Gamma KG"]


def test_organization_list_ties_break_by_id_so_pages_do_not_overlap(sales_client):
    created = [factories.make_organization(name="Same Name") for _ in range(30)]

    first = sales_client.get(list_url(per_page=25))
    second = sales_client.get(list_url(per_page=25, page=2))

    ids = re.findall(r'href="/organizations/(\d+)/"', first.content.decode() + second.content.decode())
    assert [int(pk) for pk in ids] == [organization.pk for organization in created]


def test_organization_list_paginates_with_total_count_and_page_size(sales_client):
    for n in range(60):
        factories.make_organization(name=f"Company {n:02d}")

    first = sales_client.get(list_url())
    assert len(names_in_table(first)) == 25
    assert "1–25 of 60" in first.content.decode()

    third = sales_client.get(list_url(page=3))
    assert names_in_table(third) == [f"Company {n:02d}" for n in range(50, 60)]
    assert "51–60 of 60" in third.content.decode()

    fifty = sales_client.get(list_url(per_page=50, page=2))
    assert len(names_in_table(fifty)) == 10
    # Page links keep the page size and search.
    assert "per_page=50" in fifty.content.decode()

    # Nonsense page numbers and sizes fall back instead of failing.
    assert len(names_in_table(sales_client.get(list_url(page="abc", per_page=7)))) == 25


def test_organization_list_survives_odd_query_strings(sales_client):
    factories.make_organization(name="Bionic Systems")

    assert sales_client.get(list_url(q="bio%00nic")).status_code == 200
    assert sales_client.get(list_url(page=99999, sort="-city", per_page=100)).status_code == 200
    assert sales_client.get(reverse("organizations:organization-code-suggestion") + "?name=a%00b").status_code == 200


def test_organization_list_htmx_request_returns_only_the_table(sales_client):
    factories.make_organization(name="Bionic Systems")

    response = sales_client.get(list_url(q="bion"), **HTMX)

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="organization-table"')
    assert "<html" not in html
    assert names_in_table(response) == ["Bionic Systems"]
    assert response["Vary"] and "HX-Request" in response["Vary"]


def test_organization_list_query_count_does_not_grow_with_rows(sales_client, sales_user, django_assert_num_queries):
    def make(count):
        for n in range(count):
            organization = factories.make_organization(name=f"Org {n}")
            factories.make_member(organization=organization)
            factories.make_opportunity(organization=organization, owner=sales_user)

    # 1 session, 2 user with permissions (crm.auth_backends), 3 count for the
    # paginator, 4 the page of organizations with three counting subqueries, 5 the
    # navigation's reminder badge (journal.context_processors: one COUNT on full pages).
    make(3)
    with django_assert_num_queries(5):
        response = sales_client.get(list_url())
    assert len(names_in_table(response)) == 3

    make(27)
    with django_assert_num_queries(5):
        response = sales_client.get(list_url())
    assert len(names_in_table(response)) == 25


# Detail -----------------------------------------------------------------


def test_organization_detail_shows_contact_details_members_and_opportunities(sales_client, sales_user):
    bionic = factories.make_organization(
        name="Bionic Systems",
        code="BION",
        street="Hauptstraße 1",
        postal_code="10115",
        city="Berlin",
        email="info@bionic.example",
        phone="+49 30 999 0",
        website="https://bionic.example",
        notes="Met at the trade fair.",
    )
    factories.make_member(
        organization=bionic,
        academic_title="Dr.",
        first_name="Anna",
        last_name="Becker",
        department="IT",
        job_title="Head of IT",
        email="anna@bionic.example",
        phone="+49 30 1",
        street="Nebenweg 2",
        postal_code="10117",
        city="Berlin",
        influence_level="top",
        attitude="skeptical",
        personality="dominant",
    )
    factories.make_opportunity(organization=bionic, owner=sales_user, name="CRM rollout", value=Decimal("12500"))

    response = sales_client.get(detail_url(bionic))

    html = response.content.decode()
    assert "<h1>Bionic Systems</h1>" in html
    assert "Hauptstraße 1<br>10115 Berlin" in html
    assert 'href="mailto:info@bionic.example"' in html
    assert 'href="tel:+49309990"' in html
    assert 'href="https://bionic.example" target="_blank" rel="noopener noreferrer"' in html
    assert "Met at the trade fair." in html
    # Member with title, role, contact, address and explained badges.
    assert "Dr. Anna Becker" in html
    assert "Head of IT · IT" in html
    assert 'href="mailto:anna@bionic.example"' in html
    assert "Nebenweg 2, 10117 Berlin" in html
    assert (
        'data-influence="top" title="Influence level: Top decision maker. Makes the final decision and signs."' in html
    )
    assert 'title="Attitude: Skeptical. Has doubts that need answers."' in html
    assert "Direct and results-driven: be brief, lead with outcomes." in html
    # Opportunity row: short name link, phase badge, status, owner, value.
    assert 'href="/opportunities/BION-1/">BION-1</a>' in html
    assert "CRM rollout" in html
    assert "badge badge-phase phase-" in html and ">Uncontacted<" in html
    assert ">Sales<" in html
    assert "Sandra Sales" in html
    assert "12,500" in html
    # Sales may add members and change the organization.
    assert "Add member" in html and "/edit/" in html


def test_organization_detail_query_count_does_not_grow_with_rows(sales_client, sales_user, django_assert_num_queries):
    organization = factories.make_organization(name="Bionic Systems")

    def make(count):
        for _ in range(count):
            factories.make_member(organization=organization)
            factories.make_opportunity(organization=organization, owner=sales_user)

    # 1 session, 2 user with permissions, 3 organization, 4 members,
    # 5 opportunities with phase, status and owner (one join), 6 the navigation's
    # reminder badge (journal.context_processors: one COUNT on full pages).
    make(3)
    with django_assert_num_queries(6):
        response = sales_client.get(detail_url(organization))
    assert response.content.decode().count('class="member"') == 3

    make(27)
    with django_assert_num_queries(6):
        response = sales_client.get(detail_url(organization))
    assert response.content.decode().count('class="member"') == 30


def test_organization_detail_of_unknown_id_is_404(sales_client):
    response = sales_client.get(reverse("organizations:organization-detail", args=[999999]))

    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_organization_detail_shows_empty_states(sales_client):
    organization = factories.make_organization(name="Empty Inc", code="EMPTY")

    html = sales_client.get(detail_url(organization)).content.decode()

    assert "No members yet" in html
    assert "No opportunities yet" in html
    assert "EMPTY-1" in html


# Create and edit --------------------------------------------------------


def test_organization_create_saves_and_opens_the_new_organization(sales_client):
    response = sales_client.post(reverse("organizations:organization-create"), organization_data(code="bion"))

    organization = Organization.objects.get(name="Bionic Systems GmbH")
    assert response.status_code == 302
    assert response["Location"] == detail_url(organization)
    assert organization.code == "BION"
    assert organization.city == "Berlin"
    follow = sales_client.get(response["Location"])
    assert "Organization “Bionic Systems GmbH” created." in follow.content.decode()


def test_organization_create_with_blank_code_uses_the_suggestion(sales_client):
    factories.make_organization(name="Bionic Old", code="BION")

    sales_client.post(reverse("organizations:organization-create"), organization_data(code=""))

    assert Organization.objects.get(name="Bionic Systems GmbH").code == "BION2"


def test_organization_code_suggestion_follows_the_typed_name(sales_client):
    response = sales_client.get(
        reverse("organizations:organization-code-suggestion"), {"name": "Bionic Systems GmbH"}, **HTMX
    )

    html = response.content.decode()
    assert html.startswith('<div class="field-help" id="id_code_helptext"')
    assert "Suggested: <strong>BION</strong>" in html


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"code": "BI ON!"}, "code", "Use 2 to 10 letters A–Z or digits"),
        ({"code": "TAKEN"}, "code", "TAKEN is already used by Taken Corp."),
        ({"name": ""}, "name", "This field is required."),
    ],
)
def test_organization_create_with_bad_input_keeps_input_and_explains(sales_client, overrides, field, message):
    factories.make_organization(name="Taken Corp", code="TAKEN")
    data = organization_data(**overrides)

    response = sales_client.post(reverse("organizations:organization-create"), data)

    html = response.content.decode()
    assert response.status_code == 422
    assert not Organization.objects.filter(city="Berlin").exists()
    # The message sits in the field's error list, next to the field.
    errors = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', html, re.S)
    assert errors and message in errors.group(1)
    assert 'aria-invalid="true"' in html
    for key in ("street", "city", "email", "website"):
        assert f'value="{data[key]}"' in html


def test_organization_create_losing_a_race_for_the_code_explains_instead_of_failing(sales_client, monkeypatch):
    def taken_meanwhile(**kwargs):
        raise IntegrityError("duplicate key value violates unique constraint organization_code_unique")

    monkeypatch.setattr(services, "organization_create", taken_meanwhile)

    response = sales_client.post(reverse("organizations:organization-create"), organization_data(code="BION"))

    assert response.status_code == 422
    assert "This code was just taken by another organization." in response.content.decode()
    assert 'value="Bionic Systems GmbH"' in response.content.decode()


def test_organization_update_saves_changes(sales_client):
    organization = factories.make_organization(name="Bionic", code="BION", city="Berlin")

    response = sales_client.post(
        reverse("organizations:organization-update", args=[organization.pk]),
        organization_data(name="Bionic Systems", code="BIO", city="Potsdam"),
    )

    organization.refresh_from_db()
    assert response.status_code == 302
    assert (organization.name, organization.code, organization.city) == ("Bionic Systems", "BIO", "Potsdam")


def test_organization_update_keeps_the_code_once_opportunities_use_it(sales_client, sales_user):
    organization = factories.make_organization(name="Bionic", code="BION")
    factories.make_opportunity(organization=organization, owner=sales_user)

    page = sales_client.get(reverse("organizations:organization-update", args=[organization.pk]))
    sales_client.post(
        reverse("organizations:organization-update", args=[organization.pk]),
        organization_data(name="Bionic", code="NEW"),
    )

    assert "Fixed: the opportunities’ short names (BION-1, …)" in page.content.decode()
    organization.refresh_from_db()
    assert organization.code == "BION"


def test_organization_update_with_bad_input_keeps_the_typed_values(sales_client):
    organization = factories.make_organization(name="Bionic", code="BION")

    response = sales_client.post(
        reverse("organizations:organization-update", args=[organization.pk]),
        organization_data(name="Bionic renamed", email="broken@", code="BION"),
    )

    html = response.content.decode()
    assert response.status_code == 422
    assert 'value="Bionic renamed"' in html and 'value="broken@"' in html
    assert "Enter a valid email address." in html
    # The heading still shows the stored name.
    assert "<h1>Edit Bionic</h1>" in html
    organization.refresh_from_db()
    assert organization.name == "Bionic"


def test_organization_update_of_unknown_id_is_404(sales_client):
    assert sales_client.get(reverse("organizations:organization-update", args=[999999])).status_code == 404


# Members ----------------------------------------------------------------


def test_add_member_form_opens_inline_with_htmx(sales_client):
    organization = factories.make_organization()

    response = sales_client.get(reverse("organizations:member-create", args=[organization.pk]), **HTMX)

    html = response.content.decode()
    assert html.lstrip().startswith('<form class="form inline-form" id="member-form-new"')
    assert f'hx-post="/organizations/{organization.pk}/members/new/"' in html
    assert "<html" not in html


def test_add_member_with_htmx_returns_the_new_row_and_closes_the_form(sales_client, sales_user):
    organization = factories.make_organization()
    factories.make_member(organization=organization, last_name="Adler")

    response = sales_client.post(reverse("organizations:member-create", args=[organization.pk]), member_data(), **HTMX)

    member = Member.objects.get(last_name="Becker")
    html = response.content.decode()
    assert response.status_code == 200
    assert member.organization == organization and member.created_by == sales_user
    assert member.influence_level == "top"
    # No form in the answer: the form (the target) is replaced by nothing.
    assert "<form" not in html
    assert 'hx-swap-oob="beforeend:#member-list"' in html
    assert f'<article class="member is-new" id="member-{member.pk}">' in html
    assert "Dr. Anna Becker" in html
    assert '<span class="count" id="member-count" hx-swap-oob="true">2</span>' in html
    assert "membersChanged" in response["HX-Trigger"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"last_name": ""}, "last_name", "This field is required."),
        ({"email": "anna@"}, "email", "Enter a valid email address."),
        ({"influence_level": "emperor"}, "influence_level", "Select a valid choice."),
    ],
)
def test_add_member_with_bad_input_rerenders_the_form_with_messages_and_input(sales_client, overrides, field, message):
    organization = factories.make_organization()
    data = member_data(**overrides)

    response = sales_client.post(reverse("organizations:member-create", args=[organization.pk]), data, **HTMX)

    html = response.content.decode()
    assert response.status_code == 422
    assert not Member.objects.exists()
    assert html.lstrip().startswith('<form class="form inline-form" id="member-form-new"')
    errors = re.search(rf'<ul class="errorlist" id="new-member-{field}_error">(.*?)</ul>', html, re.S)
    assert errors and message in errors.group(1)
    for key in ("first_name", "job_title", "phone"):
        assert f'value="{data[key]}"' in html


def test_add_member_without_htmx_is_a_page_that_redirects_back(sales_client):
    organization = factories.make_organization(name="Bionic Systems")

    page = sales_client.get(reverse("organizations:member-create", args=[organization.pk]))
    response = sales_client.post(reverse("organizations:member-create", args=[organization.pk]), member_data())

    assert "<html" in page.content.decode() and "Add a member to Bionic Systems" in page.content.decode()
    member = Member.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{detail_url(organization)}#member-{member.pk}"
    follow = sales_client.get(detail_url(organization))
    assert "Dr. Anna Becker added." in follow.content.decode()


def test_add_member_without_htmx_with_bad_input_shows_the_page_again(sales_client):
    organization = factories.make_organization()

    response = sales_client.post(
        reverse("organizations:member-create", args=[organization.pk]), member_data(last_name="", first_name="Anna")
    )

    html = response.content.decode()
    assert response.status_code == 422
    assert "<html" in html and "This field is required." in html and 'value="Anna"' in html


def test_edit_member_with_htmx_swaps_form_and_row(sales_client):
    organization = factories.make_organization()
    member = factories.make_member(organization=organization, first_name="Anna", last_name="Becker")
    url = reverse("organizations:member-update", args=[organization.pk, member.pk])

    form = sales_client.get(url, **HTMX).content.decode()
    response = sales_client.post(url, member_data(first_name="Anne", job_title="CTO"), **HTMX)

    assert form.lstrip().startswith(f'<form class="form inline-form" id="member-form-{member.pk}"')
    assert f'id="member-{member.pk}-first_name"' in form and 'value="Anna"' in form
    # Cancel brings the row back without reloading.
    assert f'hx-get="/organizations/{organization.pk}/members/{member.pk}/"' in form
    html = response.content.decode()
    assert html.lstrip().startswith(f'<article class="member is-new" id="member-{member.pk}">')
    assert "Dr. Anne Becker" in html and "CTO" in html
    member.refresh_from_db()
    assert (member.first_name, member.job_title) == ("Anne", "CTO")


def test_edit_member_with_htmx_and_bad_input_keeps_input(sales_client):
    organization = factories.make_organization()
    member = factories.make_member(organization=organization, last_name="Becker")
    url = reverse("organizations:member-update", args=[organization.pk, member.pk])

    response = sales_client.post(url, member_data(last_name="", email="x@", first_name="Typed"), **HTMX)

    html = response.content.decode()
    assert response.status_code == 422
    assert "This field is required." in html and "Enter a valid email address." in html
    assert 'value="Typed"' in html and 'value="x@"' in html
    member.refresh_from_db()
    assert member.last_name == "Becker"


def test_edit_member_without_htmx_redirects_back(sales_client):
    organization = factories.make_organization()
    member = factories.make_member(organization=organization, last_name="Becker")
    url = reverse("organizations:member-update", args=[organization.pk, member.pk])

    page = sales_client.get(url)
    response = sales_client.post(url, member_data(last_name="Berger"))

    assert "<html" in page.content.decode()
    assert response.status_code == 302
    assert response["Location"] == f"{detail_url(organization)}#member-{member.pk}"
    member.refresh_from_db()
    assert member.last_name == "Berger"


def test_member_row_endpoint_returns_row_for_htmx_and_redirects_otherwise(sales_client):
    organization = factories.make_organization()
    member = factories.make_member(organization=organization, last_name="Becker")
    url = reverse("organizations:member-detail", args=[organization.pk, member.pk])

    row = sales_client.get(url, **HTMX).content.decode()
    redirect = sales_client.get(url)

    assert row.lstrip().startswith(f'<article class="member" id="member-{member.pk}">')
    assert redirect.status_code == 302 and redirect["Location"].endswith(f"#member-{member.pk}")


def test_delete_member_with_htmx_removes_the_row_and_updates_the_count(manager_client):
    organization = factories.make_organization()
    member = factories.make_member(organization=organization, last_name="Becker")
    factories.make_member(organization=organization, last_name="Adler")

    response = manager_client.post(reverse("organizations:member-delete", args=[organization.pk, member.pk]), **HTMX)

    assert response.status_code == 200
    assert not Member.objects.filter(pk=member.pk).exists()
    assert response.content.decode().strip() == ('<span class="count" id="member-count" hx-swap-oob="true">1</span>')


def test_delete_button_asks_for_confirmation_and_works_without_javascript(manager_client, sales_user):
    organization = factories.make_organization()
    member = factories.make_member(organization=organization, first_name="Anna", last_name="Becker")
    factories.make_opportunity(organization=organization, owner=sales_user, contacts=[member])
    url = reverse("organizations:member-delete", args=[organization.pk, member.pk])

    detail = manager_client.get(detail_url(organization)).content.decode()
    confirm = manager_client.get(url).content.decode()
    response = manager_client.post(url)

    assert f'href="{url}" hx-post="{url}"' in detail
    assert 'hx-confirm="Delete Anna Becker? This cannot be undone."' in detail
    assert "Delete Anna Becker from" in confirm and "contact person on 1 opportunity" in confirm
    assert response.status_code == 302 and response["Location"] == detail_url(organization)
    assert not Member.objects.exists()


def test_member_of_another_organization_is_404(manager_client):
    organization = factories.make_organization()
    other = factories.make_organization()
    member = factories.make_member(organization=other)

    for name in ("member-detail", "member-update", "member-delete"):
        response = manager_client.get(reverse(f"organizations:{name}", args=[organization.pk, member.pk]), **HTMX)
        assert response.status_code == 404
    response = manager_client.post(reverse("organizations:member-delete", args=[organization.pk, member.pk]), **HTMX)
    assert response.status_code == 404
    assert Member.objects.filter(pk=member.pk).exists()


def test_add_member_to_unknown_organization_is_404(sales_client):
    assert sales_client.post(reverse("organizations:member-create", args=[999999]), member_data()).status_code == 404


# Access -----------------------------------------------------------------


def test_anonymous_people_are_sent_to_the_login_page(client):
    organization = factories.make_organization()
    member = factories.make_member(organization=organization)
    urls = [
        list_url(),
        detail_url(organization),
        reverse("organizations:organization-create"),
        reverse("organizations:organization-update", args=[organization.pk]),
        reverse("organizations:member-create", args=[organization.pk]),
        reverse("organizations:member-update", args=[organization.pk, member.pk]),
        reverse("organizations:member-delete", args=[organization.pk, member.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(f"{reverse('login')}?next=")
    response = client.post(reverse("organizations:member-delete", args=[organization.pk, member.pk]))
    assert response.status_code == 302
    assert Member.objects.filter(pk=member.pk).exists()


def test_user_without_a_role_gets_403_everywhere(client, nobody):
    organization = factories.make_organization()
    member = factories.make_member(organization=organization)
    client.force_login(nobody)
    gets = [
        list_url(),
        detail_url(organization),
        reverse("organizations:organization-create"),
        reverse("organizations:organization-code-suggestion") + "?name=X",
        reverse("organizations:organization-update", args=[organization.pk]),
        reverse("organizations:member-create", args=[organization.pk]),
        reverse("organizations:member-detail", args=[organization.pk, member.pk]),
        reverse("organizations:member-update", args=[organization.pk, member.pk]),
        reverse("organizations:member-delete", args=[organization.pk, member.pk]),
    ]
    for url in gets:
        assert client.get(url).status_code == 403, url
        assert client.get(url, **HTMX).status_code == 403, url
    posts = [
        reverse("organizations:organization-create"),
        reverse("organizations:organization-update", args=[organization.pk]),
        reverse("organizations:member-create", args=[organization.pk]),
        reverse("organizations:member-update", args=[organization.pk, member.pk]),
        reverse("organizations:member-delete", args=[organization.pk, member.pk]),
    ]
    for url in posts:
        assert client.post(url, member_data(), **HTMX).status_code == 403, url
    assert Member.objects.filter(pk=member.pk).exists()
    assert Organization.objects.count() == 1
    assert "You are not allowed to do this" in client.get(list_url()).content.decode()


def test_viewer_sees_no_buttons_they_cannot_use(client, viewer):
    organization = factories.make_organization()
    factories.make_member(organization=organization, last_name="Becker")
    client.force_login(viewer)

    listing = client.get(list_url()).content.decode()
    detail = client.get(detail_url(organization)).content.decode()

    assert "New organization" not in listing
    assert "Becker" in detail
    assert "Add member" not in detail
    assert "/edit/" not in detail
    assert "/delete/" not in detail
    assert "New opportunity" not in detail
    response = client.post(reverse("organizations:member-create", args=[organization.pk]), member_data(), **HTMX)
    assert response.status_code == 403


def test_manager_may_do_everything_sales_may(manager_client):
    organization = factories.make_organization()

    response = manager_client.post(
        reverse("organizations:member-create", args=[organization.pk]), member_data(), **HTMX
    )

    assert response.status_code == 200
    assert Member.objects.filter(organization=organization).count() == 1


def test_write_endpoints_refuse_other_methods(sales_client):
    organization = factories.make_organization()

    assert sales_client.put(reverse("organizations:organization-create")).status_code == 405
    assert sales_client.post(list_url()).status_code == 405
    assert sales_client.post(detail_url(organization)).status_code == 405


def test_sales_edit_contact_persons_but_only_managers_delete_them(sales_client, manager_client):
    organization = factories.make_organization()
    member = factories.make_member(organization=organization, first_name="Anna", last_name="Becker")
    url = reverse("organizations:member-delete", args=[organization.pk, member.pk])

    assert url not in sales_client.get(detail_url(organization)).content.decode()
    assert f'href="{reverse("organizations:member-update", args=[organization.pk, member.pk])}"' in (
        sales_client.get(detail_url(organization)).content.decode()
    )
    assert sales_client.get(url).status_code == 403
    assert sales_client.post(url, **HTMX).status_code == 403
    assert Member.objects.filter(pk=member.pk).exists()
    assert url in manager_client.get(detail_url(organization)).content.decode()
