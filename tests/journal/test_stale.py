"""Staleness: open, no journal entry for CRM_STALE_AFTER_DAYS (21), and no follow-up from today on."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from opportunities.models import Opportunity
from tests import factories

UTC = datetime.UTC
NOW = datetime.datetime(2026, 11, 18, 11, 0, tzinfo=UTC)
TODAY = datetime.date(2026, 11, 18)


def days_ago(days, hours=0):
    return NOW - datetime.timedelta(days=days, hours=hours)


@pytest.fixture
def make(sales_user):
    """An opportunity created 60 days ago, optionally with one journal entry."""

    def make(name, *, entry_days_ago=None, reminder=None, done=False, phase="Research"):
        opportunity = factories.make_opportunity(owner=sales_user, name=name, phase=factories.phase(phase))
        Opportunity.objects.filter(pk=opportunity.pk).update(created_at=days_ago(60))
        if entry_days_ago is not None:
            factories.make_journal_entry(
                opportunity=opportunity,
                author=sales_user,
                created_at=days_ago(entry_days_ago),
                reminder_date=reminder,
                reminder_done_at=NOW if done else None,
            )
        return opportunity

    return make


def stale_names(client, **params):
    response = client.get("/opportunities/", {"stale": "yes", "per_page": 100, **params})
    assert response.status_code == 200
    return sorted(row.name for row in response.context["rows"])


@time_machine.travel(NOW, tick=False)
def test_the_stale_filter_finds_quiet_open_opportunities_without_a_follow_up(sales_client, make):
    make("fresh note", entry_days_ago=3)
    make("note 21 days and an hour ago", entry_days_ago=21, reminder=None)
    make("note 20 days ago", entry_days_ago=20)
    make("never a note")
    make("quiet but follow-up ahead", entry_days_ago=40, reminder=TODAY + datetime.timedelta(days=5))
    make("quiet, follow-up today", entry_days_ago=40, reminder=TODAY)
    make("quiet, follow-up overdue", entry_days_ago=40, reminder=TODAY - datetime.timedelta(days=1))
    make("quiet, follow-up done", entry_days_ago=40, reminder=TODAY + datetime.timedelta(days=5), done=True)
    make("quiet but won", entry_days_ago=40, phase="Won")
    Opportunity.objects.filter(name="note 21 days and an hour ago").update(last_activity_at=days_ago(21, hours=1))

    assert stale_names(sales_client) == [
        "never a note",
        "note 21 days and an hour ago",
        "quiet, follow-up done",
        "quiet, follow-up overdue",
    ]
    not_stale = sales_client.get("/opportunities/", {"stale": "no", "per_page": 100}).context["rows"]
    assert "fresh note" in {row.name for row in not_stale}
    assert "never a note" not in {row.name for row in not_stale}


@time_machine.travel(NOW, tick=False)
def test_a_new_opportunity_without_notes_is_not_stale_yet(sales_client, sales_user):
    factories.make_opportunity(owner=sales_user, name="created today")

    assert stale_names(sales_client) == []


@time_machine.travel(NOW, tick=False)
def test_the_setting_decides_how_long_is_too_long(sales_client, make, settings):
    make("note 10 days ago", entry_days_ago=10)

    assert stale_names(sales_client) == []
    settings.CRM_STALE_AFTER_DAYS = 7
    assert stale_names(sales_client) == ["note 10 days ago"]


@time_machine.travel(NOW, tick=False)
def test_stale_rows_and_cards_are_marked(sales_client, make):
    make("quiet", entry_days_ago=40)
    make("busy", entry_days_ago=1)

    table = sales_client.get("/opportunities/").content.decode()
    board = sales_client.get("/opportunities/board/").content.decode()

    for html in (table, board):
        assert html.count('class="badge badge-amber stale-mark"') == 1


@time_machine.travel(NOW, tick=False)
def test_the_journal_warns_about_staleness_until_someone_posts(sales_client, make):
    opportunity = make("quiet", entry_days_ago=40)
    url = f"/journal/{opportunity.short_name}/"

    assert "Going stale." in sales_client.get(url).content.decode()
    sales_client.post(f"{url}new/", {"mood": "happy", "text": "Called again"}, HTTP_HX_REQUEST="true")
    assert "Going stale." not in sales_client.get(url).content.decode()
    assert timezone.now() == NOW
