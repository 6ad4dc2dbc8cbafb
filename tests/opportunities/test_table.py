import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.csv_export import csv_cell
from opportunities.models import Opportunity, SavedView
from tests import factories

URL = reverse("opportunities:opportunity-list")


def _short_names(response) -> list[str]:
    """Short names of the table rows, in order."""
    return [opportunity.short_name for opportunity in response.context["rows"]]


@pytest.fixture
def pipeline(sales_user, other_sales_user):
    bion = factories.make_organization(name="Bionic Systems GmbH", code="BION")
    acme = factories.make_organization(name="Acme Maschinenbau AG", code="ACME")
    return {
        "mine": factories.make_opportunity(
            organization=bion,
            owner=sales_user,
            name="CRM rollout",
            value=Decimal("50000"),
            phase=factories.phase("Research"),
        ),
        "other": factories.make_opportunity(
            organization=acme,
            owner=other_sales_user,
            name="Wartungsvertrag",
            value=Decimal("12000"),
            phase=factories.phase("Contact made"),
            description="Jährliche Wartung der Anlagen",
        ),
        "won": factories.make_opportunity(
            organization=acme,
            owner=sales_user,
            name="Onboarding Süd",
            value=Decimal("8000"),
            phase=factories.phase("Won"),
        ),
    }


def test_table_lists_opportunities_with_their_columns(sales_client, pipeline):
    response = sales_client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "BION-1" in html and "CRM rollout" in html and "Bionic Systems GmbH" in html
    assert "Wartungsvertrag" in html
    assert response.context["page"].paginator.count == 3


def test_unfiltered_count_leaves_out_the_trash(sales_client, pipeline):
    # Without filters the count comes from BoardFigure (kept by triggers), not COUNT(*).
    Opportunity.objects.filter(pk=pipeline["other"].pk).update(deleted_at=timezone.now())
    Opportunity.objects.filter(pk=pipeline["won"].pk).delete()

    response = sales_client.get(URL, {"sort": "name", "per_page": "50"})

    assert response.context["page"].paginator.count == 1 == Opportunity.objects.count()
    assert _short_names(response) == ["BION-1"]
    assert "1 opportunity" in response.content.decode()


def test_filter_by_phase_and_owner_me(sales_client, pipeline):
    research = factories.phase("Research")

    response = sales_client.get(URL, {"phase": research.pk, "owner": "me"})

    assert _short_names(response) == ["BION-1"]


def test_filter_open_won_lost(sales_client, pipeline):
    assert _short_names(sales_client.get(URL, {"state": "won"})) == ["ACME-2"]
    assert sorted(_short_names(sales_client.get(URL, {"state": "open"}))) == ["ACME-1", "BION-1"]


def test_search_matches_prefix_of_name_organization_and_description(sales_client, pipeline):
    assert _short_names(sales_client.get(URL, {"q": "bion"})) == ["BION-1"]
    assert _short_names(sales_client.get(URL, {"q": "wartung anlagen"})) == ["ACME-1"]
    assert _short_names(sales_client.get(URL, {"q": "ACME-2"})) == ["ACME-2"]


def test_filter_by_organization_and_tag(sales_client, pipeline, sales_user):
    tag = factories.make_tag(name="Bavaria")
    pipeline["other"].tags.add(tag)

    assert _short_names(sales_client.get(URL, {"tag": tag.pk})) == ["ACME-1"]
    acme = pipeline["other"].organization
    assert sorted(_short_names(sales_client.get(URL, {"organization": acme.pk}))) == ["ACME-1", "ACME-2"]


def test_value_range_filter(sales_client, pipeline):
    assert sorted(_short_names(sales_client.get(URL, {"value_min": "10000", "value_max": "60000"}))) == [
        "ACME-1",
        "BION-1",
    ]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"phase": "999999"}, "Select a valid choice"),
        ({"value_min": "lots"}, "Enter a number"),
        ({"close_after": "31.02.2026"}, "Enter a valid date"),
        ({"organization": "abc"}, "Select a valid choice"),
        ({"state": "maybe"}, "Select a valid choice"),
    ],
)
def test_bad_filter_input_gets_a_message_not_an_ignored_filter(sales_client, pipeline, params, message):
    response = sales_client.get(URL, params)

    assert response.status_code == 400
    html = response.content.decode()
    assert "This filter cannot be applied" in html
    assert message in html
    assert "CRM rollout" not in html  # no unfiltered results pretending to be filtered


def test_out_of_range_page_says_so_and_shows_last_page(sales_client, pipeline):
    response = sales_client.get(URL, {"page": "99"})

    assert response.status_code == 200
    assert "There is no page “99”" in response.content.decode()
    assert response.context["page"].number == 1


def test_sort_by_value_both_directions(sales_client, pipeline):
    assert _short_names(sales_client.get(URL, {"sort": "value"})) == ["ACME-2", "ACME-1", "BION-1"]
    assert _short_names(sales_client.get(URL, {"sort": "-value"})) == ["BION-1", "ACME-1", "ACME-2"]


def test_sort_is_stable_for_equal_values(sales_client, sales_user):
    org = factories.make_organization(code="SAME")
    for _ in range(4):
        factories.make_opportunity(organization=org, owner=sales_user, value=Decimal("100"))

    ascending = _short_names(sales_client.get(URL, {"sort": "value"}))
    descending = _short_names(sales_client.get(URL, {"sort": "-value"}))

    assert ascending == ["SAME-1", "SAME-2", "SAME-3", "SAME-4"]
    assert descending == list(reversed(ascending))


def test_group_by_phase_shows_headers_with_count_and_sum(sales_client, pipeline, sales_user):
    factories.make_opportunity(
        organization=pipeline["mine"].organization,
        owner=sales_user,
        value=Decimal("1000"),
        phase=factories.phase("Research"),
    )

    response = sales_client.get(URL, {"group": "phase"})

    headers = [item for item in response.context["grouped"] if item["header"]]
    research = next(h for h in headers if h["label"] == "Research")
    assert research["count"] == 2
    assert research["total"] == Decimal("51000")
    assert "group-header" in response.content.decode()


def test_page_size_choice(sales_client, sales_user):
    org = factories.make_organization(code="MANY")
    for _ in range(30):
        factories.make_opportunity(organization=org, owner=sales_user)

    assert len(_short_names(sales_client.get(URL))) == 25
    assert len(_short_names(sales_client.get(URL, {"per_page": "50"}))) == 30
    assert sales_client.get(URL, {"per_page": "50"}).context["page"].paginator.count == 30


def test_column_choice_is_remembered_per_user(sales_client, sales_user, pipeline):
    response = sales_client.post(
        reverse("opportunities:opportunity-columns"),
        {"columns": ["value", "short_name", "name"], "next": URL},
    )
    assert response.status_code == 302

    sales_user.refresh_from_db()
    assert sales_user.preferences["table_columns"] == ["value", "short_name", "name"]
    columns = [column.key for column in sales_client.get(URL).context["columns"]]
    assert columns == ["value", "short_name", "name"]


def test_saved_view_is_stored_and_offered(sales_client, sales_user, pipeline):
    response = sales_client.post(
        reverse("opportunities:saved-view-create"),
        {"name": "My open deals in Bavaria", "query": "owner=me&state=open"},
    )

    assert response.status_code == 302
    assert response["Location"].endswith("?owner=me&state=open")
    view = SavedView.objects.get(owner=sales_user)
    assert view.name == "My open deals in Bavaria"
    assert "My open deals in Bavaria" in sales_client.get(URL).content.decode()
    # The shared defaults are there too.
    assert "My open opportunities" in sales_client.get(URL).content.decode()


def test_quick_edit_changes_phase_and_returns_the_row(sales_client, pipeline):
    opportunity = pipeline["mine"]
    contact_made = factories.phase("Contact made")

    response = sales_client.post(
        reverse("opportunities:opportunity-quick-edit", args=[opportunity.short_name]),
        {"field": "phase", "value": contact_made.pk, "version": opportunity.version},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert 'id="row-BION-1"' in response.content.decode()
    opportunity.refresh_from_db()
    assert opportunity.phase == contact_made
    assert opportunity.version == 2


def test_quick_edit_with_stale_version_is_refused_with_409_and_fresh_row(sales_client, manager, pipeline):
    from opportunities.services import opportunity_update

    opportunity = pipeline["mine"]
    opportunity_update(
        opportunity_id=opportunity.pk, version=1, data={"phase": factories.phase("Reminder")}, user=manager
    )

    response = sales_client.post(
        reverse("opportunities:opportunity-quick-edit", args=[opportunity.short_name]),
        {"field": "phase", "value": factories.phase("Contact made").pk, "version": 1},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert "Maria Manager changed the phase (now “Reminder”) of BION-1" in html
    assert "Reminder" in html
    opportunity.refresh_from_db()
    assert opportunity.phase.name == "Reminder"


def test_sales_may_not_quick_edit_someone_elses_opportunity(sales_client, pipeline):
    opportunity = pipeline["other"]

    response = sales_client.post(
        reverse("opportunities:opportunity-quick-edit", args=[opportunity.short_name]),
        {"field": "phase", "value": factories.phase("Research").pk, "version": opportunity.version},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 403
    opportunity.refresh_from_db()
    assert opportunity.phase.name == "Contact made"


def test_bulk_change_phase_skips_what_the_user_may_not_change(sales_client, pipeline):
    reminder = factories.phase("Reminder")
    ids = [pipeline["mine"].pk, pipeline["other"].pk]

    response = sales_client.post(
        reverse("opportunities:opportunity-bulk"), {"ids": ids, "choice": f"phase:{reminder.pk}"}, follow=True
    )

    phases = dict(Opportunity.objects.filter(pk__in=ids).values_list("short_name", "phase__name"))
    assert phases == {"BION-1": "Reminder", "ACME-1": "Contact made"}
    html = response.content.decode()
    assert "Updated 1 opportunity" in html
    assert "ACME-1" in html


def test_bulk_add_tag_creates_it_once(manager_client, pipeline):
    ids = [pipeline["mine"].pk, pipeline["other"].pk]

    manager_client.post(reverse("opportunities:opportunity-bulk"), {"ids": ids, "choice": "tag", "tag_name": "Urgent"})
    manager_client.post(reverse("opportunities:opportunity-bulk"), {"ids": ids, "choice": "tag", "tag_name": "urgent"})

    for opportunity in Opportunity.objects.filter(pk__in=ids):
        assert [tag.name for tag in opportunity.tags.all()] == ["Urgent"]


def test_bulk_reassign_needs_a_manager(sales_client, manager_client, pipeline, other_sales_user):
    ids = [pipeline["mine"].pk]

    sales_client.post(reverse("opportunities:opportunity-bulk"), {"ids": ids, "choice": f"owner:{other_sales_user.pk}"})
    assert Opportunity.objects.get(pk=ids[0]).owner.username == "sales1"

    manager_client.post(
        reverse("opportunities:opportunity-bulk"), {"ids": ids, "choice": f"owner:{other_sales_user.pk}"}
    )
    assert Opportunity.objects.get(pk=ids[0]).owner.username == "sales2"


def test_csv_export_is_the_filtered_view_with_bom_and_neutralised_formulas(sales_client, sales_user):
    org = factories.make_organization(name="Müller & Söhne", code="MUEL")
    factories.make_opportunity(organization=org, owner=sales_user, name='=HYPERLINK("http://evil")')
    factories.make_opportunity(organization=org, owner=sales_user, name="+49 call", phase=factories.phase("Won"))
    factories.make_opportunity(organization=org, owner=sales_user, name="@SUM(A1)")

    response = sales_client.get(
        reverse("opportunities:opportunity-export"),
        {"state": "open", "sort": "short_name", "cols": "short_name,name,organization"},
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0] == ["Short name", "Name", "Organization"]
    assert rows[1:] == [
        ["MUEL-1", '\'=HYPERLINK("http://evil")', "Müller & Söhne"],
        ["MUEL-3", "'@SUM(A1)", "Müller & Söhne"],
    ]


def test_empty_filter_result_offers_to_clear(sales_client, pipeline):
    response = sales_client.get(URL, {"q": "nothingmatchesthis"})

    html = response.content.decode()
    assert "No opportunity matches these filters." in html
    assert "Clear all filters" in html


def test_htmx_request_renders_only_the_table(sales_client, pipeline):
    response = sales_client.get(URL, {"sort": "value"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="opportunity-table"')
    assert "<html" not in html


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("rows", [3, 30])
def test_table_query_count_is_constant(sales_client, sales_user, django_assert_num_queries, rows):
    org = factories.make_organization(code="QC")
    tag = factories.make_tag(name="Enterprise")
    for _ in range(rows):
        opportunity = factories.make_opportunity(organization=org, owner=sales_user)
        opportunity.tags.add(tag)
        factories.make_task(opportunity=opportunity)

    # 1 session, 2 user with permissions (one query, crm.auth_backends),
    # 3 configuration (phases, statuses, categories, sources, tags, custom
    # fields, users, saved views in one query), 4 count, 5 page rows with
    # organization and tag names, 6 the navigation's reminder badge
    # (journal.context_processors: one COUNT on full pages).
    with django_assert_num_queries(6):
        response = sales_client.get(URL, {"per_page": "50"})
    assert len(response.context["rows"]) == rows

    # Grouping adds one query for the group totals.
    with django_assert_num_queries(7):
        sales_client.get(URL, {"per_page": "50", "group": "organization"})


# Filter URLs carry only what is set (issue 14 #7) ---------------------------------------------


def test_filter_form_without_js_is_redirected_to_the_set_parameters(sales_client, pipeline):
    research = factories.phase("Research")

    response = sales_client.get(f"{URL}?q=&phase={research.pk}&organization=&state=&reminder=&value_min=&cols=")

    assert response.status_code == 302
    assert response["Location"] == f"{URL}?phase={research.pk}"
    assert _short_names(sales_client.get(response["Location"])) == ["BION-1"]


def test_htmx_filter_request_with_empty_fields_pushes_the_short_url(sales_client, pipeline):
    research = factories.phase("Research")

    response = sales_client.get(f"{URL}?q=&phase={research.pk}&owner=me&organization=", headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response["HX-Push-Url"] == f"{URL}?phase={research.pk}&owner=me"
    assert _short_names(response) == ["BION-1"]
    # The links in the table (sorting, grouping, pages) are built from the short query too.
    html = response.content.decode()
    assert "q=&amp;" not in html and "organization=&amp;" not in html


def test_filter_without_empty_fields_is_answered_directly(sales_client, pipeline):
    response = sales_client.get(URL, {"owner": "me"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert "HX-Push-Url" not in response


# Rows as the user sees them ---------------------------------------------------------------------


def _row(html: str, short_name: str) -> str:
    start = html.index(f'<tr id="row-{short_name}"')
    return html[start : html.index("</tr>", start) + len("</tr>")]


def test_quick_edit_answers_with_the_same_row_as_the_page(sales_client, pipeline):
    opportunity = pipeline["mine"]

    response = sales_client.post(
        reverse("opportunities:opportunity-quick-edit", args=[opportunity.short_name]),
        {"field": "phase", "value": factories.phase("Contact made").pk, "version": opportunity.version},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    page = sales_client.get(URL).content.decode()
    assert _row(response.content.decode(), "BION-1") == _row(page, "BION-1")


@pytest.mark.parametrize(("language", "amount"), [("en", "€50,000"), ("de", "50.000\N{NO-BREAK SPACE}€")])
def test_row_shows_money_dates_and_links_in_the_users_language(sales_client, pipeline, language, amount):
    opportunity = pipeline["mine"]
    Opportunity.objects.filter(pk=opportunity.pk).update(expected_close_date=datetime.date(2031, 3, 9))

    response = sales_client.get(URL, headers={"Accept-Language": language})

    row = _row(response.content.decode(), "BION-1")
    assert amount in row
    assert '<time datetime="2031-03-09">' in row
    assert ("09.03.2031" if language == "de" else "9 Mar 2031") in row
    assert f'href="{opportunity.get_absolute_url()}"' in row
    assert f'href="{opportunity.organization.get_absolute_url()}"' in row


def test_long_name_is_clamped_with_the_whole_name_as_tooltip(sales_client, sales_user):
    name = "Rahmenvertrag " + "sehr " * 36 + "lange"  # 199 characters
    factories.make_opportunity(organization=factories.make_organization(code="LONG"), owner=sales_user, name=name)
    assert len(name) == 199

    row = _row(sales_client.get(URL).content.decode(), "LONG-1")

    assert f'class="cell-name" href="/opportunities/LONG-1/" title="{name}">{name}</a>' in row


def test_row_escapes_what_users_typed(sales_client, sales_user):
    payload = '<img src=x onerror="alert(1)">'
    organization = factories.make_organization(name=payload, code="XSS")
    factories.make_opportunity(organization=organization, owner=sales_user, name=payload)

    row = _row(sales_client.get(URL).content.decode(), "XSS-1")

    assert "<img" not in row
    assert "&lt;img src=x onerror=" in row  # quotes as Jinja2 writes them: &#34;


# CSV export (issue 14 #15) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("\x01=1+1", "'\x01=1+1"),
        (" =1+1", "' =1+1"),
        ("\u00a0\u200b@SUM(A1)", "'\u00a0\u200b@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\tplain", "'\tplain"),
        ("\rplain", "'\rplain"),
        ("-2+3", "'-2+3"),
        ("Wartung = Service", "Wartung = Service"),
        ("a-b", "a-b"),
        ("", ""),
        (None, ""),
        (Decimal("-1500.50"), "-1500.50"),
        (-3, "-3"),
    ],
)
def test_csv_cell_neutralises_formulas_after_control_characters_and_spaces(value, cell):
    assert csv_cell(value) == cell


def test_csv_export_neutralises_a_formula_behind_a_control_character(sales_client, sales_user):
    org = factories.make_organization(name=" =1+1", code="CSV")
    factories.make_opportunity(organization=org, owner=sales_user, name="\x01=1+1")

    response = sales_client.get(reverse("opportunities:opportunity-export"), {"cols": "short_name,name,organization"})

    body = b"".join(response.streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[1] == ["CSV-1", "'\x01=1+1", "' =1+1"]


# A sales rep may not hand their own opportunity to someone else (issue 20 #1) ---------------------


def test_sales_rep_cannot_reassign_through_quick_edit(sales_client, pipeline, other_sales_user):
    opportunity = pipeline["mine"]

    response = sales_client.post(
        reverse("opportunities:opportunity-quick-edit", args=[opportunity.short_name]),
        {"field": "owner", "value": other_sales_user.pk, "version": opportunity.version},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 403
    stored = Opportunity.objects.get(pk=opportunity.pk)
    assert (stored.owner_id, stored.version) == (opportunity.owner_id, opportunity.version)


def test_sales_rep_cannot_reassign_through_quick_edit_without_js(sales_client, pipeline, other_sales_user):
    opportunity = pipeline["mine"]

    response = sales_client.post(
        reverse("opportunities:opportunity-quick-edit", args=[opportunity.short_name]),
        {"field": "owner", "value": other_sales_user.pk, "version": opportunity.version, "next": URL},
    )

    assert response.status_code == 403
    assert Opportunity.objects.get(pk=opportunity.pk).owner_id == opportunity.owner_id


def test_sales_rep_cannot_reassign_through_the_detail_owner_field(sales_client, pipeline, other_sales_user):
    opportunity = pipeline["mine"]

    response = sales_client.post(
        reverse("opportunities:opportunity-field", args=[opportunity.short_name, "owner"]),
        {"value": other_sales_user.pk, "version": opportunity.version},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 403
    stored = Opportunity.objects.get(pk=opportunity.pk)
    assert (stored.owner_id, stored.version) == (opportunity.owner_id, opportunity.version)


def test_manager_can_reassign_through_quick_edit(manager_client, pipeline, other_sales_user):
    opportunity = pipeline["mine"]

    response = manager_client.post(
        reverse("opportunities:opportunity-quick-edit", args=[opportunity.short_name]),
        {"field": "owner", "value": other_sales_user.pk, "version": opportunity.version},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert other_sales_user.name in _row(response.content.decode(), opportunity.short_name)
    assert Opportunity.objects.get(pk=opportunity.pk).owner == other_sales_user
