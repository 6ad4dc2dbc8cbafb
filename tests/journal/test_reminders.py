"""/reminders/: buckets by Europe/Berlin day, done and snooze in place, the team view, the badge."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from journal import selectors
from journal.models import JournalEntry
from opportunities import services
from tests import factories

HX = {"HTTP_HX_REQUEST": "true"}
URL = "/reminders/"
UTC = datetime.UTC


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


@pytest.fixture
def opportunity(sales_user):
    organization = factories.make_organization(name="Bionic Systems GmbH", code="BION")
    return factories.make_opportunity(organization=organization, owner=sales_user, name="CRM rollout")


def remind(opportunity, user, date, *, text="Call back", author=None):
    return factories.make_journal_entry(
        opportunity=opportunity, author=author or user, text=text, reminder_date=date, reminder_assignee=user
    )


def bucket_texts(response) -> dict[str, list[str]]:
    return {bucket.key: [row.excerpt for row in bucket.rows] for bucket in response.context["buckets"]}


def bucket_counts(response) -> dict[str, int]:
    return {bucket.key: bucket.count for bucket in response.context["buckets"]}


def make_week(opportunity, user):
    """Reminders from Tuesday 17 to Monday 23 November 2026 (Wednesday 18 is the 'today' below)."""
    for date in ["2026-11-17", "2026-11-18", "2026-11-19", "2026-11-22", "2026-11-23"]:
        remind(opportunity, user, day(date), text=date)


# 23:30 and 00:30 in Berlin (CET = UTC+1) on either side of midnight.
@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (
            datetime.datetime(2026, 11, 18, 22, 59, tzinfo=UTC),  # Wed 18 Nov, 23:59 in Berlin
            {
                "overdue": ["2026-11-17"],
                "today": ["2026-11-18"],
                "week": ["2026-11-19", "2026-11-22"],
                "later": ["2026-11-23"],
            },
        ),
        (
            datetime.datetime(2026, 11, 18, 23, 1, tzinfo=UTC),  # Thu 19 Nov, 00:01 in Berlin (still the 18th in UTC)
            {
                "overdue": ["2026-11-17", "2026-11-18"],
                "today": ["2026-11-19"],
                "week": ["2026-11-22"],
                "later": ["2026-11-23"],
            },
        ),
        (
            datetime.datetime(2026, 11, 22, 22, 30, tzinfo=UTC),  # Sun 22 Nov, 23:30: the week ends today
            {
                "overdue": ["2026-11-17", "2026-11-18", "2026-11-19"],
                "today": ["2026-11-22"],
                "week": [],
                "later": ["2026-11-23"],
            },
        ),
        (
            datetime.datetime(2026, 11, 22, 23, 30, tzinfo=UTC),  # Mon 23 Nov, 00:30: a new week
            {
                "overdue": ["2026-11-17", "2026-11-18", "2026-11-19", "2026-11-22"],
                "today": ["2026-11-23"],
                "week": [],
                "later": [],
            },
        ),
    ],
)
def test_reminders_fall_into_buckets_by_the_day_in_berlin(sales_client, sales_user, opportunity, moment, expected):
    make_week(opportunity, sales_user)

    with time_machine.travel(moment, tick=False):
        response = sales_client.get(URL)

    assert bucket_texts(response) == expected


def test_summer_time_midnight_is_berlin_midnight_too(sales_client, sales_user, opportunity):
    remind(opportunity, sales_user, day("2026-07-02"), text="Thursday")

    with time_machine.travel(datetime.datetime(2026, 7, 1, 21, 59, tzinfo=UTC), tick=False):  # 23:59 CEST
        assert bucket_texts(sales_client.get(URL))["week"] == ["Thursday"]
    with time_machine.travel(datetime.datetime(2026, 7, 1, 22, 1, tzinfo=UTC), tick=False):  # 00:01 CEST
        assert bucket_texts(sales_client.get(URL))["today"] == ["Thursday"]


@time_machine.travel(datetime.datetime(2026, 11, 18, 11, 0, tzinfo=UTC), tick=False)
def test_a_row_shows_the_opportunity_and_the_entry(sales_client, sales_user, opportunity):
    remind(opportunity, sales_user, day("2026-11-16"), text="Ask Anna about the <budget>\nand the timeline")

    html = sales_client.get(URL).content.decode()

    row = html[html.index('class="reminder-row') :]
    assert 'href="/opportunities/BION-1/"' in row
    assert ">BION-1</a>" in row
    assert ">CRM rollout</a>" in row
    assert "Bionic Systems GmbH" in row
    assert 'class="badge badge-phase phase-' in row
    assert "Ask Anna about the &lt;budget&gt;\nand the timeline" in row
    assert "2 days overdue" in row


@time_machine.travel(datetime.datetime(2026, 11, 18, 11, 0, tzinfo=UTC), tick=False)
def test_only_my_open_reminders_are_listed(sales_client, sales_user, other_sales_user, opportunity):
    remind(opportunity, sales_user, day("2026-11-18"), text="mine")
    remind(opportunity, other_sales_user, day("2026-11-18"), text="theirs")
    done = remind(opportunity, sales_user, day("2026-11-18"), text="done")
    JournalEntry.objects.filter(pk=done.pk).update(reminder_done_at=datetime.datetime(2026, 11, 18, 9, tzinfo=UTC))
    factories.make_journal_entry(opportunity=opportunity, author=sales_user, text="no reminder")

    response = sales_client.get(URL)

    assert bucket_texts(response)["today"] == ["mine"]


@time_machine.travel(datetime.datetime(2026, 11, 18, 11, 0, tzinfo=UTC), tick=False)
def test_done_in_place_updates_counts_and_badge_and_can_be_undone(sales_client, sales_user, opportunity):
    entry = remind(opportunity, sales_user, day("2026-11-17"))
    remind(opportunity, sales_user, day("2026-11-18"))
    url = reverse("journal:reminder-done", args=[entry.pk])

    response = sales_client.post(url, {"return": "row", "user": ""}, **HX)

    html = response.content.decode()
    entry.refresh_from_db()
    assert entry.reminder_done_at is not None
    assert "reminder-row is-resolved" in html
    assert re.search(r'id="bucket-overdue-head" hx-swap-oob="true">.*?bucket-count">0<', html, re.S)
    assert re.search(r'id="bucket-today-head" hx-swap-oob="true">.*?bucket-count">1<', html, re.S)
    assert re.search(r'id="reminder-badge"[^>]*hx-swap-oob="true"[^>]*><span aria-hidden="true">1<', html)
    assert ">Undo</button>" in html

    response = sales_client.post(url, {"return": "row", "user": "", "done": "0"}, **HX)

    entry.refresh_from_db()
    assert entry.reminder_done_at is None
    assert 'class="reminder-row is-overdue"' in response.content.decode()


@time_machine.travel(datetime.datetime(2026, 11, 18, 11, 0, tzinfo=UTC), tick=False)  # Wednesday
@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"preset": "tomorrow"}, "2026-11-19"),
        ({"preset": "next_week"}, "2026-11-23"),  # Monday
        ({"preset": "date", "until": "2026-12-01"}, "2026-12-01"),
    ],
)
def test_snooze_moves_the_reminder(sales_client, sales_user, opportunity, data, expected):
    entry = remind(opportunity, sales_user, day("2026-11-16"))

    response = sales_client.post(reverse("journal:reminder-snooze", args=[entry.pk]), {"return": "row", **data}, **HX)

    assert response.status_code == 200
    entry.refresh_from_db()
    assert entry.reminder_date == day(expected)
    assert "Snoozed to" in response.content.decode()
    opportunity.refresh_from_db()
    assert opportunity.next_reminder_date == day(expected)


@time_machine.travel(datetime.datetime(2026, 11, 18, 11, 0, tzinfo=UTC), tick=False)
def test_snoozing_into_the_past_is_refused_but_undo_restores_an_overdue_date(sales_client, sales_user, opportunity):
    entry = remind(opportunity, sales_user, day("2026-11-16"))
    url = reverse("journal:reminder-snooze", args=[entry.pk])

    refused = sales_client.post(url, {"return": "row", "preset": "date", "until": "2026-11-10"}, **HX)
    assert refused.status_code == 400
    assert "Choose today or a later date." in refused.content.decode()
    missing = sales_client.post(url, {"return": "row", "preset": "date", "until": ""}, **HX)
    assert missing.status_code == 400
    entry.refresh_from_db()
    assert entry.reminder_date == day("2026-11-16")

    sales_client.post(url, {"return": "row", "preset": "tomorrow"}, **HX)
    undo = sales_client.post(url, {"return": "row", "preset": "date", "until": "2026-11-16", "undo": "on"}, **HX)
    assert undo.status_code == 200
    entry.refresh_from_db()
    assert entry.reminder_date == day("2026-11-16")


def test_snoozing_someone_elses_reminder_is_forbidden(client, sales_user, other_sales_user, opportunity):
    entry = remind(opportunity, sales_user, day("2026-11-16"))
    before = JournalEntry.objects.values().get(pk=entry.pk)
    client.force_login(other_sales_user)

    response = client.post(reverse("journal:reminder-snooze", args=[entry.pk]), {"preset": "tomorrow"}, **HX)

    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.reminder_date == day("2026-11-16")
    assert entry.reminder_assignee == sales_user
    assert entry.reminder_done_at is None
    assert JournalEntry.objects.values().get(pk=entry.pk) == before  # nothing else changed either


@time_machine.travel(datetime.datetime(2026, 11, 18, 11, 0, tzinfo=UTC), tick=False)
def test_the_reminded_colleague_may_tick_off_a_reminder_someone_else_wrote(
    client, sales_user, other_sales_user, opportunity
):
    entry = remind(opportunity, other_sales_user, day("2026-11-18"), author=sales_user)
    client.force_login(other_sales_user)

    response = client.post(reverse("journal:reminder-done", args=[entry.pk]), {"return": "row"}, **HX)

    assert response.status_code == 200
    entry.refresh_from_db()
    assert entry.reminder_done_at is not None


@time_machine.travel(datetime.datetime(2026, 11, 18, 11, 0, tzinfo=UTC), tick=False)
def test_managers_see_another_persons_or_the_whole_teams_reminders(
    manager_client, sales_user, other_sales_user, opportunity
):
    remind(opportunity, sales_user, day("2026-11-18"), text="Sandra's")
    remind(opportunity, other_sales_user, day("2026-11-18"), text="Oskar's")

    one = manager_client.get(URL, {"user": sales_user.pk})
    team = manager_client.get(URL, {"user": "all"})

    assert bucket_texts(one)["today"] == ["Sandra's"]
    assert "Sandra Sales’s follow-ups" in one.content.decode()
    assert sorted(bucket_texts(team)["today"]) == ["Oskar's", "Sandra's"]
    # The team view says whose follow-up each row is.
    assert team.content.decode().count('<div class="reminder-for"') == 2
    assert '<div class="reminder-for"' not in one.content.decode()


def test_sales_may_not_look_at_other_peoples_reminders(sales_client, sales_user, other_sales_user):
    assert sales_client.get(URL, {"user": other_sales_user.pk}).status_code == 403
    assert sales_client.get(URL, {"user": "all"}).status_code == 403
    assert sales_client.get(URL, {"user": "nonsense"}).status_code == 403
    # Their own id is just "mine".
    assert sales_client.get(URL, {"user": sales_user.pk}).status_code == 200


def test_the_scope_switch_is_for_managers_only(sales_client, manager_client):
    assert 'name="user"' not in sales_client.get(URL).content.decode()
    assert 'id="reminder-scope-user"' in manager_client.get(URL).content.decode()


@time_machine.travel(datetime.datetime(2026, 11, 18, 11, 0, tzinfo=UTC), tick=False)
def test_long_buckets_show_30_then_more(sales_client, sales_user, opportunity):
    for n in range(130):
        remind(opportunity, sales_user, day("2026-11-01") + datetime.timedelta(days=n % 16), text=f"r{n}")

    response = sales_client.get(URL)
    overdue = response.context["buckets"][0]
    assert (overdue.count, len(overdue.rows)) == (130, 30)
    assert "Show 100 more" in response.content.decode()

    more = sales_client.get(reverse("journal:reminder-bucket-more"), {"bucket": "overdue", "offset": 30}, **HX)
    html = more.content.decode()
    assert html.count('class="reminder-row') == 100
    assert "Show more" not in html
    shown = [row.pk for row in overdue.rows] + [int(pk) for pk in re.findall(r'id="reminder-(\d+)"', html)]
    expected = list(JournalEntry.objects.order_by("reminder_date", "id").values_list("pk", flat=True))
    assert shown == expected


def test_show_more_refuses_odd_input(sales_client):
    more = reverse("journal:reminder-bucket-more")
    assert sales_client.get(more, {"bucket": "someday", "offset": 0}, **HX).status_code == 400
    assert sales_client.get(more, {"bucket": "later", "offset": "x"}, **HX).status_code == 400


@time_machine.travel(datetime.datetime(2026, 11, 18, 11, 0, tzinfo=UTC), tick=False)
@pytest.mark.parametrize("per_bucket", [2, 60])
def test_reminders_query_count_is_constant(
    sales_client, sales_user, other_sales_user, opportunity, per_bucket, django_assert_num_queries
):
    for date in ["2026-11-10", "2026-11-18", "2026-11-20", "2026-12-20"]:
        for _ in range(per_bucket):
            remind(opportunity, sales_user, day(date), author=other_sales_user)

    # 1 session, 2 user with permissions, 3 every bucket's count, 4 the first 30 rows of
    # each bucket with opportunity, organization, phase, author and reminded person (a
    # UNION ALL of one query per bucket). The badge is overdue + today from the counts: no query.
    with django_assert_num_queries(4):
        response = sales_client.get(URL)
    assert sum(len(bucket.rows) for bucket in response.context["buckets"]) == 4 * min(per_bucket, 30)
    assert response.context["total"] == 4 * per_bucket


@time_machine.travel(datetime.datetime(2026, 11, 18, 11, 0, tzinfo=UTC), tick=False)
@pytest.mark.parametrize("per_person", [2, 30])
def test_team_reminders_query_count_is_constant(
    manager_client, sales_user, other_sales_user, opportunity, per_person, django_assert_num_queries
):
    for user in (sales_user, other_sales_user):
        for n in range(per_person):
            remind(opportunity, user, day("2026-11-10") + datetime.timedelta(days=n))

    # 1 session, 2 user with permissions, 3 bucket counts, 4 buckets' rows, 5 the people
    # to switch to, 6 the manager's own badge (the page shows the team's numbers).
    with django_assert_num_queries(6):
        response = manager_client.get(URL, {"user": "all"})
    assert response.context["total"] == 2 * per_person


@time_machine.travel(datetime.datetime(2026, 11, 18, 11, 0, tzinfo=UTC), tick=False)
def test_the_badge_counts_due_and_overdue_on_every_page(sales_client, sales_user, other_sales_user, opportunity):
    remind(opportunity, sales_user, day("2026-11-17"))
    remind(opportunity, sales_user, day("2026-11-18"))
    remind(opportunity, sales_user, day("2026-11-19"))
    remind(opportunity, other_sales_user, day("2026-11-18"))

    html = sales_client.get("/organizations/").content.decode()

    assert re.search(r'<span id="reminder-badge" class="nav-badge" title="2 follow-ups due today or overdue">', html)


@time_machine.travel(datetime.datetime(2026, 11, 18, 11, 0, tzinfo=UTC), tick=False)
def test_the_badge_skips_reminders_of_trashed_opportunities_until_restored(
    sales_client, sales_user, manager, opportunity
):
    other = factories.make_opportunity(organization=opportunity.organization, owner=sales_user, name="Second deal")
    remind(opportunity, sales_user, day("2026-11-17"))
    remind(other, sales_user, day("2026-11-18"))
    services.opportunity_trash(opportunity=other, user=manager)

    html = sales_client.get("/organizations/").content.decode()
    assert 'title="1 follow-up due today or overdue"' in html

    services.opportunity_restore(opportunity_id=other.pk, user=manager)

    html = sales_client.get("/organizations/").content.decode()
    assert 'title="2 follow-ups due today or overdue"' in html


def test_the_badge_counts_the_same_reminders_as_the_reminder_list(sales_user, other_sales_user, manager, opportunity):
    trashed = factories.make_opportunity(organization=opportunity.organization, owner=sales_user, name="Trashed")
    today = day("2026-11-18")
    for date in ("2026-11-01", "2026-11-17", "2026-11-18", "2026-11-19"):
        remind(opportunity, sales_user, day(date))
        remind(trashed, sales_user, day(date))
        remind(opportunity, other_sales_user, day(date))
    done = remind(opportunity, sales_user, day("2026-11-10"))
    JournalEntry.objects.filter(pk=done.pk).update(reminder_done_at=datetime.datetime(2026, 11, 11, tzinfo=UTC))
    services.opportunity_trash(opportunity=trashed, user=manager)

    for user in (sales_user, other_sales_user, manager):
        listed = selectors.open_reminders(assignee_id=user.pk).filter(reminder_date__lte=today).count()
        assert selectors.reminder_badge_count(user_id=user.pk, today=today) == listed
    assert selectors.reminder_badge_count(user_id=sales_user.pk, today=today) == 3


def test_no_badge_without_due_reminders(sales_client):
    html = sales_client.get("/organizations/").content.decode()

    assert '<span id="reminder-badge" class="nav-badge" hidden' in html


def test_an_empty_list_says_so(sales_client):
    html = sales_client.get(URL).content.decode()

    assert "You’re all caught up" in html


@time_machine.travel(datetime.datetime(2026, 11, 18, 11, 0, tzinfo=UTC), tick=False)
def test_done_and_snooze_work_without_javascript(sales_client, sales_user, opportunity):
    entry = remind(opportunity, sales_user, day("2026-11-16"))

    snoozed = sales_client.post(
        reverse("journal:reminder-snooze", args=[entry.pk]), {"return": "row", "preset": "tomorrow"}
    )
    assert (snoozed.status_code, snoozed.url) == (302, "/reminders/")
    done = sales_client.post(reverse("journal:reminder-done", args=[entry.pk]), {"return": "row"})
    assert (done.status_code, done.url) == (302, "/reminders/")

    entry.refresh_from_db()
    assert entry.reminder_date == day("2026-11-19")
    assert entry.reminder_done_at is not None
    assert "Follow-up marked done." in sales_client.get("/reminders/").content.decode()


@time_machine.travel(datetime.datetime(2026, 11, 18, 11, 0, tzinfo=UTC), tick=False)
def test_500_open_reminders_cost_the_same_queries_and_show_30_per_bucket(
    sales_client, sales_user, other_sales_user, opportunity, django_assert_num_queries
):
    start = day("2026-10-01")
    JournalEntry.objects.bulk_create(
        JournalEntry(
            opportunity=opportunity,
            author=other_sales_user if n % 2 else sales_user,
            text=f"Call back <{n}>",
            reminder_date=start + datetime.timedelta(days=n % 100),
            reminder_assignee=sales_user,
        )
        for n in range(500)
    )

    # As with a few (test_reminders_query_count_is_constant): session, user, counts, rows.
    with django_assert_num_queries(4):
        response = sales_client.get(URL)

    counts = bucket_counts(response)
    assert sum(counts.values()) == 500
    html = response.content.decode()
    assert html.count('class="reminder-row ') == sum(min(count, 30) for count in counts.values())
    assert "Call back &lt;0&gt;" in html
    assert "<0>" not in html
