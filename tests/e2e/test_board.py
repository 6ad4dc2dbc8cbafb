"""Browser tests for the pipeline board: dragging, refused moves, collapsed columns, and how it looks."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from opportunities.models import Opportunity
from tests import factories
from tests.e2e.helpers import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def pipeline():
    sales = factories.make_user(username="sales1", role="Sales", display_name="Sandra Sales")
    other = factories.make_user(username="sales2", role="Sales", display_name="Oskar Other")
    factories.make_user(username="manager", role="Managers", display_name="Maria Manager")
    bion = factories.make_organization(name="Bionic Systems GmbH", code="BION")
    acme = factories.make_organization(name="Acme AG", code="ACME")
    research, contact_made = factories.phase("Research"), factories.phase("Contact made")
    factories.make_opportunity(organization=bion, owner=sales, name="CRM rollout", phase=research)
    factories.make_opportunity(organization=acme, owner=other, name="Wartung", phase=research)
    factories.make_opportunity(organization=acme, owner=sales, name="Onboarding", phase=contact_made)
    return {"sales": sales, "other": other}


def _drag_to(page, card, x, y):
    """Press on the card (below its links), move in steps with real pointer events, release at (x, y)."""
    box = card.bounding_box()
    start_x, start_y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(start_x, start_y)
    page.mouse.down()
    page.mouse.move(start_x + 10, start_y + 10, steps=3)
    page.mouse.move(x, y, steps=12)
    page.mouse.up()


def _drag(page, card, target):
    goal = target.bounding_box()
    _drag_to(page, card, goal["x"] + goal["width"] / 2, goal["y"] + 60)


def _cursor(locator):
    return locator.evaluate("element => getComputedStyle(element).cursor")


def test_a_card_of_another_rep_cannot_be_dragged(page, pipeline):
    login(page, username="sales1")
    page.goto("/opportunities/board/")
    research, contact_made = factories.phase("Research"), factories.phase("Contact made")
    theirs, mine = page.locator("#card-ACME-1"), page.locator("#card-BION-1")
    expect(theirs).to_be_visible()
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)

    assert _cursor(mine) == "grab"
    assert _cursor(theirs) != "grab"
    _drag(page, theirs, page.locator(f"#cards-{contact_made.pk}"))

    page.wait_for_timeout(500)
    assert posts == []
    expect(page.locator(".drag-ghost")).to_have_count(0)
    expect(page.locator(f"#cards-{research.pk} #card-ACME-1")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pipeline board")
    assert Opportunity.objects.get(short_name="ACME-1").phase == research


def test_a_refused_move_shows_a_message_and_leaves_the_board_as_it_was(page, pipeline):
    login(page, username="sales1")
    page.goto("/opportunities/board/")
    research, contact_made = factories.phase("Research"), factories.phase("Contact made")
    expect(page.locator("#card-BION-1")).to_be_visible()
    # Meanwhile the manager gives BION-1 to another rep (same version: a 403, not a conflict).
    Opportunity.objects.filter(short_name="BION-1").update(owner=pipeline["other"])

    _drag(page, page.locator("#card-BION-1"), page.locator(f"#cards-{contact_made.pk}"))

    expect(page.locator(".toast")).to_have_text("You are not allowed to do that.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pipeline board")
    expect(page.locator(f"#cards-{research.pk} #card-BION-1")).to_be_visible()
    expect(page.locator(f"#column-head-{research.pk} .column-count")).to_have_text("2")
    expect(page.locator("#card-BION-1")).not_to_have_class("board-card is-moving")
    assert Opportunity.objects.get(short_name="BION-1").phase == research

    # A server error and a lost connection leave the board as it was, too.
    page.route("**/ACME-2/move/", lambda route: route.fulfill(status=500, body="<title>Server Error</title>"))
    _drag(page, page.locator("#card-ACME-2"), page.locator(f"#cards-{research.pk}"))
    expect(page.locator(".toast", has_text="That did not work")).to_be_visible()
    page.unroute("**/ACME-2/move/")
    page.route("**/ACME-2/move/", lambda route: route.abort())
    _drag(page, page.locator("#card-ACME-2"), page.locator(f"#cards-{research.pk}"))
    expect(page.locator(".toast", has_text="The server cannot be reached")).to_be_visible()
    expect(page.locator(f"#cards-{contact_made.pk} #card-ACME-2")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pipeline board")
    assert Opportunity.objects.get(short_name="ACME-2").phase == contact_made


def test_a_collapsed_column_takes_a_drop_anywhere_after_scrolling_down(page):
    sales = factories.make_user(username="sales1", role="Sales", display_name="Sandra Sales")
    organization = factories.make_organization(name="Bionic Systems GmbH", code="BION")
    implementation, lost = factories.phase("Implementation"), factories.phase("Lost")
    for _ in range(40):
        factories.make_opportunity(organization=organization, owner=sales, phase=implementation)
    login(page, username="sales1")
    page.goto("/opportunities/board/")
    expect(page.locator("#card-BION-1")).to_be_visible()
    board = page.locator(".board-scroll")
    # Scrolled down a long column and to the right edge, where Won, Finished and Lost are.
    board.evaluate("element => { element.scrollTop = 1500; element.scrollLeft = element.scrollWidth; }")
    lost_column = page.locator(f'section[data-column="{lost.pk}"]')
    column, head, area = (
        lost_column.bounding_box(),
        page.locator(f"#column-head-{lost.pk}").bounding_box(),
        board.bounding_box(),
    )
    x = column["x"] + column["width"] / 2

    def a_visible_card():
        for index in range(40):
            card = page.locator(f"#cards-{implementation.pk} .board-card").nth(index)
            box = card.bounding_box()
            if box and area["y"] + 100 < box["y"] < area["y"] + area["height"] - 150:
                return card
        raise AssertionError("no card in view")

    # Onto the column's sticky head, then onto its empty lower part: both ask why it was lost.
    for y in (head["y"] + head["height"] / 2, area["y"] + area["height"] - 40):
        _drag_to(page, a_visible_card(), x, y)
        dialog = page.locator("dialog.move-dialog")
        expect(dialog).to_contain_text("lost")
        dialog.get_by_role("button", name="Cancel").click()
        expect(page.locator("dialog.move-dialog")).to_have_count(0)


def _realistic_board():
    sandra = factories.make_user(username="sandra", role="Sales", display_name="Sandra Klein")
    max_ = factories.make_user(username="max", role="Sales", display_name="Max Müller")
    julia = factories.make_user(username="julia", role="Managers", display_name="Julia Weber")
    today = timezone.localdate()
    enterprise, renewal = factories.make_tag(name="Enterprise"), factories.make_tag(name="Renewal")
    names = ["Rollout", "Support contract", "Training", "Integration", "Data migration", "Mobile app pilot"]
    phases = ["Uncontacted", "Research", "Contact made", "Reminder", "Implementation", "Won", "Lost"]
    for index, (org_name, code) in enumerate(
        [
            ("Bionic Systems GmbH", "BION"),
            ("Nordlicht Logistik AG", "NORD"),
            ("Alpenblick Hotels GmbH", "ALPE"),
            ("Rheinwerk Maschinenbau GmbH", "RHEI"),
            ("Havel Medical GmbH", "HAVE"),
            ("Schwarzwald Solar eG", "SCHW"),
        ]
    ):
        organization = factories.make_organization(name=org_name, code=code)
        contact = factories.make_member(organization=organization, first_name="Anna", last_name=f"Becker{index}")
        for number in range(5):
            position = index * 5 + number
            phase = factories.phase(phases[position % len(phases)])
            opportunity = factories.make_opportunity(
                organization=organization,
                owner=[sandra, max_, julia][position % 3],
                name=names[position % len(names)],
                value=Decimal(5000 + 2500 * (position % 7)) + (Decimal("0.50") if position % 5 == 0 else 0),
                phase=phase,
                status=factories.status(
                    "Finished" if phase.name == "Won" else "Lost" if phase.name == "Lost" else "Sales"
                ),
                expected_close_date=today + timedelta(days=(position * 13) % 200 - 20) if position % 4 else None,
                primary_contact=contact if position % 2 else None,
                tags=[enterprise] if position % 3 == 0 else [renewal] if position % 7 == 0 else [],
            )
            if position % 3 == 1:
                factories.make_journal_entry(
                    opportunity=opportunity,
                    author=opportunity.owner,
                    mood=["happy", "neutral", "sad"][position % 3],
                    reminder_date=today + timedelta(days=position % 9 - 3) if position % 2 else None,
                )
            if position % 4 == 1:
                factories.make_task(opportunity=opportunity, due_date=today + timedelta(days=3))
    return sandra


@pytest.mark.parametrize("language", ["en", "de"])
def test_board_screenshots(page, tmp_path, language):
    _realistic_board()
    login(page, username="julia")
    page.context.add_cookies([{"name": "django_language", "value": language, "url": page.url}])
    for width, height in [(1440, 900), (390, 844)]:
        page.set_viewport_size({"width": width, "height": height})
        for group in ["phase", "status"]:
            page.goto(f"/opportunities/board/?group={group}")
            expect(page.locator(".board-card").first).to_be_visible()
            path = screenshot(page, f"board-{group}-{language}-{width}", tmp_path)
            assert path.stat().st_size > 10_000
