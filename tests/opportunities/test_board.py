import re
from decimal import Decimal

import psycopg
import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.urls import reverse

from opportunities import services
from opportunities.models import Opportunity, Phase
from tests import factories

URL = reverse("opportunities:opportunity-board")


def _move_url(opportunity):
    return reverse("opportunities:opportunity-move", args=[opportunity.short_name])


def _column(response, name):
    return next(column for column in response.context["board"].columns if column.name == name)


@pytest.fixture
def deals(sales_user, other_sales_user):
    org = factories.make_organization(name="Bionic Systems GmbH", code="BION")
    research = factories.phase("Research")
    return {
        "a": factories.make_opportunity(
            organization=org, owner=sales_user, value=Decimal("10000"), phase=research, probability=10
        ),
        "b": factories.make_opportunity(
            organization=org, owner=sales_user, value=Decimal("2500.50"), phase=research, probability=40
        ),
        "c": factories.make_opportunity(
            organization=org,
            owner=other_sales_user,
            value=Decimal("7000"),
            phase=factories.phase("Reminder"),
            probability=30,
        ),
    }


def test_board_columns_follow_the_admin_order_with_hand_computed_figures(sales_client, deals):
    response = sales_client.get(URL)

    assert response.status_code == 200
    names = [column.name for column in response.context["board"].columns]
    assert names == list(Phase.objects.filter(is_active=True).order_by("position").values_list("name", flat=True))
    research = _column(response, "Research")
    assert research.count == 2
    assert research.total == Decimal("12500.50")
    # 10000 × 10 % + 2500.50 × 40 % = 1000 + 1000.20
    assert research.weighted == Decimal("2000.20")
    board = response.context["board"]
    assert board.count == 3
    assert board.open_weighted == Decimal("4100.20")  # + 7000 × 30 %
    html = response.content.decode()
    assert "BION-1" in html and "Bionic Systems GmbH" in html


def test_board_by_status_and_with_the_table_filters(sales_client, deals):
    by_status = sales_client.get(URL, {"group": "status"})
    assert _column(by_status, "Sales").count == 3

    mine = sales_client.get(URL, {"owner": "me"})
    assert mine.context["board"].count == 2


@pytest.mark.parametrize(
    ("order", "expected"),
    [("close", ["BION-3", "BION-1", "BION-5"]), ("value", ["BION-5", "BION-1", "BION-3"])],
)
def test_cards_keep_their_order_in_every_column(sales_client, sales_user, order, expected):
    org = factories.make_organization(name="Bionic Systems GmbH", code="BION")
    for value, close in [("5000", "2027-03-01"), ("100", "2027-01-01"), ("90000", "2027-06-01")]:
        for phase in ("Research", "Contact made"):
            factories.make_opportunity(
                organization=org,
                owner=sales_user,
                value=Decimal(value),
                expected_close_date=close,
                phase=factories.phase(phase),
            )

    response = sales_client.get(URL, {"order": order})

    # Research holds BION-1, -3, -5 and Contact made BION-2, -4, -6, in the same order.
    assert [card.short_name for card in _column(response, "Research").cards] == expected
    shifted = [f"BION-{int(name.split('-')[1]) + 1}" for name in expected]
    assert [card.short_name for card in _column(response, "Contact made").cards] == shifted


def test_board_card_shows_primary_contact_and_tags(sales_client, sales_user):
    org = factories.make_organization(code="ACME")
    anna = factories.make_member(organization=org, first_name="Anna", last_name="Adler")
    tag = factories.make_tag(name="Enterprise")
    factories.make_opportunity(organization=org, owner=sales_user, primary_contact=anna, tags=[tag])

    html = sales_client.get(URL).content.decode()

    assert "Anna Adler" in html
    assert "Enterprise" in html


def test_a_cards_mood_is_a_labelled_face_drawn_from_the_pages_sprite(sales_client, sales_user):
    happy = factories.make_opportunity(owner=sales_user, name="Happy deal")
    factories.make_journal_entry(opportunity=happy, author=sales_user, mood="happy")

    html = sales_client.get(URL).content.decode()

    pattern = rf'<article id="card-{re.escape(happy.short_name)}".*?</article>'
    card = re.search(pattern, html, re.S).group(0)
    assert 'aria-label="Happy"' in card and '<use href="#board-mood-happy"/>' in card
    assert html.count('<symbol id="board-mood-happy"') == 1
    # The sprite stays when htmx replaces the board (filters, grouping): it is outside #board.
    assert html.index('<symbol id="board-mood-happy"') < html.index('<div id="board"')


def test_move_service_changes_phase_and_bumps_version(sales_user, deals):
    moved = services.opportunity_move(
        opportunity_id=deals["a"].pk, version=1, user=sales_user, phase=factories.phase("Contact made")
    )

    assert moved.phase.name == "Contact made"
    assert moved.version == 2
    assert moved.probability == moved.phase.default_probability


@pytest.mark.django_db(transaction=True)
def test_move_and_bulk_change_lock_the_opportunities_but_not_their_phases(sales_user, manager, deals):
    # Two concurrent moves that locked their phase rows too deadlocked at COMMIT,
    # where each one's foreign-key check needs KEY SHARE on the phase the other
    # held FOR UPDATE (bench/failure.py found it). A second connection does what
    # such a check does while the first transaction is still open.
    phases = [factories.phase(name) for name in ("Research", "Contact made", "Reminder")]
    other = connection.get_new_connection(connection.get_connection_params())
    try:
        with transaction.atomic():
            services.opportunity_move(opportunity_id=deals["a"].pk, version=1, user=sales_user, phase=phases[1])
            services.opportunity_bulk_update(ids=[deals["b"].pk], user=manager, data={"phase": phases[2]})
            for phase in phases:
                locked = other.execute(
                    "SELECT id FROM opportunities_phase WHERE id = %s FOR KEY SHARE NOWAIT", [phase.pk]
                ).fetchall()
                assert locked == [(phase.pk,)]
            other.rollback()
            # The opportunities themselves stay locked until the change commits.
            with pytest.raises(psycopg.errors.LockNotAvailable):
                other.execute(
                    "SELECT id FROM opportunities_opportunity WHERE id = %s FOR UPDATE NOWAIT", [deals["a"].pk]
                )
    finally:
        other.close()


def test_move_into_won_phase_needs_confirmation_and_records_the_win(sales_user, deals):
    won = factories.phase("Won")
    with pytest.raises(services.MoveNeedsInput):
        services.opportunity_move(opportunity_id=deals["a"].pk, version=1, user=sales_user, phase=won)

    moved = services.opportunity_move(
        opportunity_id=deals["a"].pk, version=1, user=sales_user, phase=won, confirmed=True
    )

    assert moved.won_at is not None
    assert moved.status.name == "Implementation"


def test_move_into_lost_phase_needs_a_reason(sales_user, deals):
    lost = factories.phase("Lost")
    with pytest.raises(services.MoveNeedsInput):
        services.opportunity_move(opportunity_id=deals["a"].pk, version=1, user=sales_user, phase=lost)

    moved = services.opportunity_move(
        opportunity_id=deals["a"].pk, version=1, user=sales_user, phase=lost, lost_reason="Budget frozen"
    )

    assert moved.lost_at is not None
    assert moved.lost_reason == "Budget frozen"


def test_move_with_stale_version_is_refused(sales_user, manager, deals):
    services.opportunity_move(opportunity_id=deals["a"].pk, version=1, user=manager, phase=factories.phase("Reminder"))

    with pytest.raises(services.VersionConflict):
        services.opportunity_move(
            opportunity_id=deals["a"].pk, version=1, user=sales_user, phase=factories.phase("Contact made")
        )
    assert Opportunity.objects.get(pk=deals["a"].pk).phase.name == "Reminder"


def test_sales_may_not_move_someone_elses_card(sales_user, deals):
    with pytest.raises(PermissionDenied):
        services.opportunity_move(
            opportunity_id=deals["c"].pk, version=1, user=sales_user, phase=factories.phase("Research")
        )


def test_drop_of_someone_elses_card_is_refused_and_changes_nothing(sales_client, deals):
    response = sales_client.post(
        _move_url(deals["c"]),
        {"group": "phase", "to": factories.phase("Research").pk, "version": 1},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 403
    after = Opportunity.objects.get(pk=deals["c"].pk)
    assert (after.phase.name, after.version, after.events.count()) == ("Reminder", 1, 1)


def test_drop_returns_card_for_new_column_and_fresh_figures(sales_client, deals):
    target = factories.phase("Contact made")

    response = sales_client.post(
        _move_url(deals["a"]),
        {"group": "phase", "to": target.pk, "version": 1, "board_query": ""},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert f'hx-swap-oob="afterbegin:#cards-{target.pk}"' in html
    assert 'id="card-BION-1"' in html
    research_head = html[html.index(f'id="column-head-{factories.phase("Research").pk}"') :]
    assert ">1<" in research_head[:600]  # Research now counts one card
    assert Opportunity.objects.get(pk=deals["a"].pk).phase == target


def test_stale_drop_gets_409_and_says_who_moved_it_where(sales_client, manager, deals):
    services.opportunity_move(opportunity_id=deals["a"].pk, version=1, user=manager, phase=factories.phase("Reminder"))

    response = sales_client.post(
        _move_url(deals["a"]),
        {"group": "phase", "to": factories.phase("Contact made").pk, "version": 1},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert "Maria Manager changed the phase (now “Reminder”) of BION-1" in html
    assert 'data-version="2"' in html  # the current card, to try again from


def test_drop_reads_the_card_once_with_its_lock(sales_client, deals, django_assert_num_queries):
    target = factories.phase("Contact made")

    # 1 session, 2 user with permissions, 3 configuration, 4 SAVEPOINT (BEGIN
    # outside a test), 5 the card locked with what it shows and the column it
    # leaves, 6 its UPDATE (the history row and board figures by trigger),
    # 7 RELEASE (COMMIT), 8 the two columns' figures.
    with django_assert_num_queries(8):
        response = sales_client.post(
            _move_url(deals["a"]), {"group": "phase", "to": target.pk, "version": 1}, headers={"HX-Request": "true"}
        )

    assert response.status_code == 200
    assert 'data-version="2"' in response.content.decode()
    assert Opportunity.objects.get(pk=deals["a"].pk).phase == target
    assert Opportunity.objects.get(pk=deals["a"].pk).events.count() == 2


@pytest.mark.parametrize(
    ("to", "message"),
    [("999999", "That column does not exist"), ("abc", "Enter a whole number")],
)
def test_drop_on_unknown_column_is_refused_with_a_message(sales_client, deals, to, message):
    response = sales_client.post(
        _move_url(deals["a"]), {"group": "phase", "to": to, "version": 1}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert Opportunity.objects.get(pk=deals["a"].pk).phase.name == "Research"


def test_drop_on_inactive_phase_is_refused(sales_client, deals):
    old = factories.phase("Reminder")
    old.is_active = False
    old.save()

    response = sales_client.post(
        _move_url(deals["a"]), {"group": "phase", "to": old.pk, "version": 1}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 400
    assert "no longer in use" in response.content.decode()


def test_drop_into_lost_asks_for_reason_in_a_dialog(sales_client, deals):
    lost = factories.phase("Lost")

    response = sales_client.post(
        _move_url(deals["a"]), {"group": "phase", "to": lost.pk, "version": 1}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Why was BION-1 lost" in html
    assert 'name="lost_reason"' in html
    assert Opportunity.objects.get(pk=deals["a"].pk).lost_at is None


def test_move_to_menu_works_without_javascript(sales_client, deals):
    response = sales_client.post(
        _move_url(deals["a"]), {"group": "phase", "to": factories.phase("Reminder").pk, "version": 1}
    )

    assert response.status_code == 302
    assert Opportunity.objects.get(pk=deals["a"].pk).phase.name == "Reminder"


def test_move_to_won_without_javascript_asks_for_confirmation_on_a_page(sales_client, deals):
    won = factories.phase("Won")

    response = sales_client.post(_move_url(deals["a"]), {"group": "phase", "to": won.pk, "version": 1})

    assert response.status_code == 200
    assert "Mark BION-1 as won" in response.content.decode()
    response = sales_client.post(_move_url(deals["a"]), {"group": "phase", "to": won.pk, "version": 1, "confirm": "on"})
    assert response.status_code == 302
    assert Opportunity.objects.get(pk=deals["a"].pk).won_at is not None


def test_move_by_status(sales_client, deals):
    on_hold = factories.status("On hold")

    response = sales_client.post(
        _move_url(deals["a"]), {"group": "status", "to": on_hold.pk, "version": 1}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert Opportunity.objects.get(pk=deals["a"].pk).status == on_hold
    # Both columns' heads come back: the one it left (the status it had) and On hold.
    html = response.content.decode()
    left = deals["a"].status_id
    assert f'id="column-head-{left}"' in html
    assert f'id="column-head-{on_hold.pk}"' in html
    assert ">1<" in html[html.index(f'id="column-head-{on_hold.pk}"') :][:600]


def test_load_more_returns_the_next_cards(sales_client, sales_user):
    org = factories.make_organization(code="MANY")
    research = factories.phase("Research")
    for _ in range(35):
        factories.make_opportunity(organization=org, owner=sales_user, phase=research)

    first = sales_client.get(URL)
    assert len(_column(first, "Research").cards) == 30
    assert _column(first, "Research").has_more

    more = sales_client.get(reverse("opportunities:opportunity-board-cards"), {"column": research.pk, "offset": 30})

    assert more.status_code == 200
    assert more.content.decode().count('class="board-card') == 5


@pytest.mark.parametrize("per_column", [3, 30])
def test_board_query_count_is_constant(sales_client, sales_user, django_assert_num_queries, per_column):
    org = factories.make_organization(code="QC")
    for phase_name in ["Uncontacted", "Research", "Contact made"]:
        for _ in range(per_column):
            factories.make_opportunity(organization=org, owner=sales_user, phase=factories.phase(phase_name))

    # 1 session, 2 user with permissions, 3 configuration, 4 column figures,
    # 5 the card ids of every open column (a LIMITed scan per column, joined by
    # UNION ALL), 6 what those cards show, 7 the navigation's reminder badge
    # (journal.context_processors: one COUNT on full pages).
    with django_assert_num_queries(7):
        response = sales_client.get(URL)
    assert sum(len(column.cards) for column in response.context["board"].columns) == 3 * per_column


def test_board_totals_refresh_endpoint_gives_the_forecast_for_the_filters(sales_client, deals):
    response = sales_client.get(reverse("opportunities:opportunity-board-totals"), {"owner": "me"})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="board-totals"' in html
    assert "€2,000.20" in html  # weighted forecast of sales1's two Research deals: 1000 + 1000.20


def test_move_to_form_opens_in_the_card_and_as_a_page(sales_client, deals):
    url = _move_url(deals["a"])

    in_card = sales_client.get(url, {"group": "phase"}, headers={"HX-Request": "true"})
    page = sales_client.get(url, {"group": "phase"})

    assert 'name="to"' in in_card.content.decode() and "<html" not in in_card.content.decode()
    assert "Move BION-1" in page.content.decode() and "<html" in page.content.decode()
    assert sales_client.get(_move_url(deals["c"]), {"group": "phase"}).status_code == 403


def test_board_figures_kept_by_triggers_equal_the_aggregate_after_every_kind_of_write(sales_user, manager):
    """BoardFigure (the unfiltered board's column figures) against a fresh aggregate of the opportunities."""
    from django.db.models import F

    from opportunities.board import GROUPINGS, column_figures
    from organizations import services as org_services

    def same():
        for field_name in GROUPINGS.values():
            live = Opportunity.objects.all()
            assert column_figures(live, field_name=field_name, summary=True) == column_figures(
                live, field_name=field_name
            )

    organization = factories.make_organization(name="Bionext GmbH", code="BION")
    other = factories.make_organization(name="Nordlicht AG", code="NORD")
    deals = [
        factories.make_opportunity(organization=organization, owner=sales_user, value=Decimal(v))
        for v in ("1000.00", "2500.50", "99.99")
    ]
    moved = factories.make_opportunity(organization=other, owner=sales_user, value=Decimal("7000.00"))
    same()
    services.opportunity_move(
        opportunity_id=moved.pk, version=moved.version, phase=factories.phase("Contact made"), user=sales_user
    )
    same()
    services.opportunity_update(
        opportunity_id=deals[0].pk, version=None, data={"value": Decimal("1234.56"), "probability": 70}, user=manager
    )
    same()
    services.opportunity_bulk_update(
        ids=[d.pk for d in deals], user=manager, data={"status": factories.status("On hold")}
    )
    same()
    services.opportunity_trash(opportunity=deals[1], user=manager)
    same()
    org_services.organization_trash(organization=other, user=manager)
    same()
    org_services.organization_restore(organization_id=other.pk, user=manager)
    services.opportunity_restore(opportunity_id=deals[1].pk, user=manager)
    same()
    Opportunity.objects.filter(pk=deals[2].pk).update(value=F("value") * 2)  # raw bulk update
    same()
    Opportunity.all_objects.filter(pk=deals[2].pk).delete()
    same()


def test_query_count_stays_with_more_columns_expanded(sales_client, sales_user, django_assert_num_queries):
    org = factories.make_organization(code="QC")
    phases = ["Uncontacted", "Research", "Contact made", "Reminder", "Implementation", "Won", "Finished", "Lost"]
    for phase_name in phases:
        factories.make_opportunity(organization=org, owner=sales_user, phase=factories.phase(phase_name))
    expand = [factories.phase(name).pk for name in ("Won", "Finished", "Lost")]

    # The same seven queries as above: the cards of all eight columns are still two queries.
    with django_assert_num_queries(7):
        response = sales_client.get(URL, {"expand": expand, "owner": "me"})
    assert sum(len(column.cards) for column in response.context["board"].columns) == len(phases)


def test_cards_of_other_reps_cannot_be_moved_from_the_board(sales_client, deals):
    html = sales_client.get(URL).content.decode()

    mine = re.search(r'<article id="card-BION-1".*?</article>', html, re.S).group(0)
    theirs = re.search(r'<article id="card-BION-3".*?</article>', html, re.S).group(0)
    assert 'data-move-url="/opportunities/BION-1/move/"' in mine and "Move to…" in mine
    assert "data-move-url" not in theirs and "Move to…" not in theirs


def test_card_text_is_escaped(sales_client, sales_user):
    org = factories.make_organization(name="<b>Evil</b> AG", code="EVIL")
    factories.make_opportunity(organization=org, owner=sales_user, name='<script>alert("x")</script>')

    html = sales_client.get(URL).content.decode()

    assert "<script>alert" not in html and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "<b>Evil</b>" not in html and "&lt;b&gt;Evil&lt;/b&gt; AG" in html


def test_a_stale_drop_after_a_status_change_says_the_status_changed(sales_client, manager, deals):
    on_hold = factories.status("On hold")
    services.opportunity_move(opportunity_id=deals["a"].pk, version=1, user=manager, status=on_hold)

    response = sales_client.post(
        _move_url(deals["a"]),
        {"group": "phase", "to": factories.phase("Contact made").pk, "version": 1},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert "Maria Manager changed the status (now “On hold”) of BION-1" in html
    assert "phase" not in re.search(r'<p class="card-message".*?</p>', html, re.S).group(0)
    assert Opportunity.objects.get(pk=deals["a"].pk).phase.name == "Research"


def test_a_stale_drop_after_a_change_in_another_tab_says_so(sales_client, sales_user, deals):
    # The same user moved the card in a second tab; this tab still shows version 1.
    services.opportunity_move(
        opportunity_id=deals["a"].pk, version=1, user=sales_user, phase=factories.phase("Reminder")
    )

    response = sales_client.post(
        _move_url(deals["a"]),
        {"group": "phase", "to": factories.phase("Contact made").pk, "version": 1},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert "You changed the phase (now “Reminder”) of BION-1 in another tab" in html
    assert "Sandra Sales" not in re.search(r'<p class="card-message".*?</p>', html, re.S).group(0)
    assert Opportunity.objects.get(pk=deals["a"].pk).phase.name == "Reminder"


def test_trashed_opportunities_leave_the_figures_of_a_filtered_board_and_its_totals(sales_client, manager, deals):
    # deals a and b are sales1's two Research opportunities; a goes to the trash.
    services.opportunity_trash(opportunity=deals["a"], user=manager)
    research = factories.phase("Research")

    board = sales_client.get(URL, {"owner": "me"})
    totals = sales_client.get(reverse("opportunities:opportunity-board-totals"), {"owner": "me"})

    column = _column(board, "Research")
    assert (column.count, column.total) == (1, Decimal("2500.50"))
    assert [card.short_name for card in column.cards] == ["BION-2"]
    html = board.content.decode()
    head = html[html.index(f'id="column-head-{research.pk}"') :][:600]
    assert '<span class="column-count"' in head and ">1</span>" in head and "€2,500.50" in head
    assert totals.context["board"].count == 1
    assert "<dd>1</dd>" in totals.content.decode() and "<dd>€2,500.50</dd>" in totals.content.decode()


@pytest.mark.parametrize("phase_name", ["Won", "Lost"])
def test_a_stale_drop_on_won_or_lost_is_a_conflict_not_a_dialog(sales_client, manager, deals, phase_name):
    services.opportunity_move(opportunity_id=deals["a"].pk, version=1, user=manager, phase=factories.phase("Reminder"))

    response = sales_client.post(
        _move_url(deals["a"]),
        {"group": "phase", "to": factories.phase(phase_name).pk, "version": 1},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert 'id="card-BION-1"' in html and 'data-version="2"' in html
    assert "<dialog" not in html
    after = Opportunity.objects.get(pk=deals["a"].pk)
    assert (after.phase.name, after.version, after.won_at, after.lost_at) == ("Reminder", 2, None, None)


@pytest.mark.parametrize("phase_name", ["Won", "Lost"])
def test_another_reps_card_dropped_on_won_or_lost_is_refused_without_a_dialog(sales_client, deals, phase_name):
    response = sales_client.post(
        _move_url(deals["c"]),
        {"group": "phase", "to": factories.phase(phase_name).pk, "version": 1},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 403
    assert "<dialog" not in response.content.decode()
    after = Opportunity.objects.get(pk=deals["c"].pk)
    assert (after.phase.name, after.version, after.won_at, after.lost_at, after.events.count()) == (
        "Reminder",
        1,
        None,
        None,
        1,
    )
