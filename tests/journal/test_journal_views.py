"""The journal: posting, bad input, escaping, edit/delete rules, paging, the done toggle."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from journal.models import MAX_TEXT_LENGTH, JournalEntry
from opportunities.models import Opportunity
from tests import factories

HX = {"HTTP_HX_REQUEST": "true"}
BERLIN_NOON = datetime.datetime(2026, 11, 18, 12, 0, tzinfo=datetime.UTC)  # a Wednesday


@pytest.fixture
def opportunity(sales_user):
    organization = factories.make_organization(name="Bionic Systems GmbH", code="BION")
    return factories.make_opportunity(organization=organization, owner=sales_user, name="CRM rollout")


def create_url(opportunity):
    return reverse("journal:journal-entry-create", args=[opportunity.short_name])


def list_url(opportunity):
    return reverse("journal:journal-entry-list", args=[opportunity.short_name])


def post(client, opportunity, **data):
    return client.post(create_url(opportunity), {"mood": "neutral", "text": "", **data}, **HX)


def test_posting_an_entry_returns_it_and_a_blank_form(sales_client, sales_user, opportunity):
    response = post(sales_client, opportunity, mood="happy", text="Demo went well.\nThey want an offer.")

    assert response.status_code == 200
    entry = JournalEntry.objects.get()
    assert (entry.author, entry.mood, entry.text) == (sales_user, "happy", "Demo went well.\nThey want an offer.")
    html = response.content.decode()
    # The entry goes on top of the journal, out of band; the form comes back empty.
    assert 'hx-swap-oob="afterbegin:#journal-entries"' in html
    assert f'id="entry-{entry.pk}"' in html
    assert "Demo went well.<br>They want an offer." in html
    assert re.search(r'<textarea name="text"[^>]*>\s*</textarea>', html)
    assert response.headers["HX-Trigger"].startswith('{"journalChanged"')
    opportunity.refresh_from_db()
    assert opportunity.latest_mood == "happy"
    assert opportunity.last_activity_at is not None


def _journal_form(html: str) -> str:
    return re.search(r'<form class="form journal-form" id="journal-form".*?</form>', html, re.S).group(0)


def _remind_options(html: str) -> list[str]:
    select = re.search(r'<select name="reminder_assignee".*?</select>', _journal_form(html), re.S).group(0)
    return re.findall(r"<option[^>]*>[^<]*</option>", select)


def test_the_post_form_is_for_each_person_and_language(client, sales_user, other_sales_user, opportunity):
    client.force_login(sales_user)
    url = opportunity.get_absolute_url()

    first = _journal_form(client.get(url).content.decode())
    assert f'<option value="{sales_user.pk}" selected>Me (Sandra Sales)</option>' in _remind_options(first)

    client.force_login(other_sales_user)
    theirs = client.get(url).content.decode()
    assert f'<option value="{other_sales_user.pk}" selected>Me (Oskar Other)</option>' in _remind_options(theirs)
    german = client.get(url, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Wiedervorlage am" in _journal_form(german)
    assert "Bis zu 20.000 Zeichen" in _journal_form(german)  # the help text too, in each language
    assert "Remind on" not in _journal_form(german)

    # A new colleague is a choice at once.
    factories.make_user(username="new", display_name="Nina Neu")
    assert any("Nina Neu" in option for option in _remind_options(client.get(url).content.decode()))


def test_an_entry_with_a_reminder_defaults_to_the_author(sales_client, sales_user, opportunity):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    post(sales_client, opportunity, text="Call back", reminder_date=tomorrow.isoformat())

    entry = JournalEntry.objects.get()
    assert (entry.reminder_date, entry.reminder_assignee) == (tomorrow, sales_user)
    opportunity.refresh_from_db()
    assert opportunity.next_reminder_date == tomorrow


def test_the_reminder_can_go_to_a_colleague(sales_client, other_sales_user, opportunity):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    post(
        sales_client,
        opportunity,
        text="Oskar knows their CFO",
        reminder_date=tomorrow.isoformat(),
        reminder_assignee=other_sales_user.pk,
    )

    assert JournalEntry.objects.get().reminder_assignee == other_sales_user


def test_empty_text_is_refused_and_the_input_kept(sales_client, opportunity):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()

    response = post(sales_client, opportunity, mood="sad", text="   ", reminder_date=tomorrow)

    assert response.status_code == 422
    html = response.content.decode()
    assert "the note cannot be empty" in html
    assert f'value="{tomorrow}"' in html
    assert re.search(r'value="sad"[^>]*checked', html)
    assert not JournalEntry.objects.exists()


def test_too_long_text_gets_a_clear_message_and_is_kept(sales_client, opportunity):
    text = "x" * 100_000

    response = post(sales_client, opportunity, text=text)

    assert response.status_code == 422
    html = response.content.decode()
    assert "This text has 100,000 characters; an entry holds at most 20,000." in html
    assert text in html
    assert not JournalEntry.objects.exists()


def test_text_at_the_limit_is_accepted(sales_client, opportunity):
    response = post(sales_client, opportunity, text="y" * MAX_TEXT_LENGTH)

    assert response.status_code == 200
    assert len(JournalEntry.objects.get().text) == MAX_TEXT_LENGTH


def test_a_past_reminder_date_asks_for_confirmation_and_keeps_the_input(sales_client, opportunity):
    past = (timezone.localdate() - datetime.timedelta(days=3)).isoformat()

    response = post(sales_client, opportunity, text="Forgot to log this call", reminder_date=past)

    assert response.status_code == 422
    html = response.content.decode()
    assert "is in the past. Keep it? The follow-up will show as overdue." in html
    assert 'name="confirm_past"' in html
    assert "Forgot to log this call" in html
    assert f'value="{past}"' in html
    assert not JournalEntry.objects.exists()

    response = post(sales_client, opportunity, text="Forgot to log this call", reminder_date=past, confirm_past="on")

    assert response.status_code == 200
    entry = JournalEntry.objects.get()
    assert entry.reminder_date.isoformat() == past
    # Saved, and flagged: the entry shows the follow-up as overdue.
    assert "entry-reminder is-overdue" in response.content.decode()


def test_hostile_text_is_shown_as_text_and_urls_become_safe_links(sales_client, opportunity):
    text = (
        '<script>alert("x")</script> <img src=x onerror=alert(1)> see https://example.com/a?b=1&c=2 javascript:alert(2)'
    )

    post(sales_client, opportunity, text=text)
    response = sales_client.get(list_url(opportunity))

    html = response.content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert '<a href="https://example.com/a?b=1&amp;c=2" rel="nofollow">' in html
    assert 'href="javascript:' not in html


def test_the_journal_page_shows_byline_mood_and_reminder(sales_client, sales_user, opportunity):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    factories.make_journal_entry(
        opportunity=opportunity,
        author=sales_user,
        mood="sad",
        text="Budget frozen",
        reminder_date=yesterday,
        created_at=datetime.datetime(2025, 7, 16, 9, 30, tzinfo=datetime.UTC),
    )

    html = sales_client.get(list_url(opportunity)).content.decode()

    assert re.search(r"<strong>Sandra Sales</strong> left this feedback on\s*<time[^>]*>16 Jul 2025</time>", html)
    assert 'class="mood-tag mood-sad"' in html
    assert "entry-reminder is-overdue" in html
    assert "1 day overdue" in html


def test_only_the_author_or_a_manager_may_edit(client, sales_user, other_sales_user, manager, opportunity):
    entry = factories.make_journal_entry(opportunity=opportunity, author=sales_user, text="Original")
    url = reverse("journal:journal-entry-update", args=[entry.pk])
    data = {"mood": "happy", "text": "Changed"}

    client.force_login(other_sales_user)
    assert client.post(url, data, **HX).status_code == 403
    assert client.get(url, **HX).status_code == 403

    client.force_login(manager)
    response = client.post(url, data, **HX)
    assert response.status_code == 200
    entry.refresh_from_db()
    assert (entry.text, entry.mood) == ("Changed", "happy")
    assert entry.edited_at is not None
    assert ">edited</span>" in response.content.decode()


def test_the_author_edits_in_place_and_the_entry_says_so(sales_client, sales_user, opportunity):
    entry = factories.make_journal_entry(opportunity=opportunity, author=sales_user, text="Called Anna")
    url = reverse("journal:journal-entry-update", args=[entry.pk])

    form = sales_client.get(url, **HX)
    assert "Called Anna</textarea>" in form.content.decode()
    response = sales_client.post(url, {"mood": "neutral", "text": "Called Anna Becker"}, **HX)

    assert response.status_code == 200
    assert "Called Anna Becker" in response.content.decode()
    entry.refresh_from_db()
    assert entry.edited_at is not None


def test_changing_only_the_reminder_does_not_mark_the_entry_edited(sales_client, sales_user, opportunity):
    entry = factories.make_journal_entry(opportunity=opportunity, author=sales_user, text="Call back")
    url = reverse("journal:journal-entry-update", args=[entry.pk])
    friday = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()

    sales_client.post(url, {"mood": "neutral", "text": "Call back", "reminder_date": friday}, **HX)

    entry.refresh_from_db()
    assert entry.edited_at is None
    assert entry.reminder_date.isoformat() == friday


def test_only_the_author_or_a_manager_may_delete(client, sales_user, other_sales_user, manager, opportunity):
    mine = factories.make_journal_entry(opportunity=opportunity, author=sales_user, text="Mine")
    url = reverse("journal:journal-entry-delete", args=[mine.pk])

    client.force_login(other_sales_user)
    assert client.post(url, **HX).status_code == 403
    assert JournalEntry.objects.filter(pk=mine.pk).exists()

    client.force_login(sales_user)
    response = client.post(url, **HX)
    assert response.status_code == 200
    assert not JournalEntry.objects.filter(pk=mine.pk).exists()

    theirs = factories.make_journal_entry(opportunity=opportunity, author=other_sales_user, text="Theirs")
    client.force_login(manager)
    assert client.post(reverse("journal:journal-entry-delete", args=[theirs.pk]), **HX).status_code == 200
    assert not JournalEntry.objects.exists()


def test_edit_and_delete_buttons_only_on_entries_the_user_may_change(
    sales_client, sales_user, other_sales_user, opportunity
):
    mine = factories.make_journal_entry(opportunity=opportunity, author=sales_user, text="Mine")
    theirs = factories.make_journal_entry(opportunity=opportunity, author=other_sales_user, text="Theirs")

    html = sales_client.get(list_url(opportunity)).content.decode()

    assert reverse("journal:journal-entry-update", args=[mine.pk]) in html
    assert reverse("journal:journal-entry-update", args=[theirs.pk]) not in html


def test_deleting_the_last_entry_brings_back_the_stale_hint(sales_client, sales_user, opportunity):
    Opportunity.objects.filter(pk=opportunity.pk).update(created_at=timezone.now() - datetime.timedelta(days=90))
    entry = factories.make_journal_entry(opportunity=opportunity, author=sales_user, text="Only note")

    response = sales_client.post(reverse("journal:journal-entry-delete", args=[entry.pk]), **HX)

    assert "Going stale." in response.content.decode()


def test_long_journals_show_the_newest_20_then_older(sales_client, sales_user, opportunity):
    start = timezone.now() - datetime.timedelta(days=30)
    for n in range(25):
        factories.make_journal_entry(
            opportunity=opportunity,
            author=sales_user,
            text=f"Note {n:02d}",
            created_at=start + datetime.timedelta(hours=n),
        )

    first = sales_client.get(list_url(opportunity)).content.decode()
    assert first.count('class="journal-entry"') == 20
    assert "Note 24" in first and "Note 05" in first and "Note 04" not in first
    older = re.search(r'hx-get="([^"]+\?before=\d+)"', first).group(1)

    rest = sales_client.get(older, **HX).content.decode()
    assert rest.count('class="journal-entry"') == 5
    assert "Note 04" in rest and "Note 00" in rest and "Note 05" not in rest
    assert "Show older entries" not in rest


def test_the_mood_trend_shows_the_latest_moods_oldest_first(sales_client, sales_user, opportunity):
    start = timezone.now() - datetime.timedelta(days=3)
    for n, mood in enumerate(["sad", "neutral", "happy"]):
        factories.make_journal_entry(
            opportunity=opportunity, author=sales_user, mood=mood, created_at=start + datetime.timedelta(hours=n)
        )

    html = sales_client.get(list_url(opportunity)).content.decode()

    trend = html[html.index('id="journal-trend"') : html.index("</div>", html.index('id="journal-trend"'))]
    assert re.findall(r'class="mood-icon mood-(\w+)"', trend) == ["sad", "neutral", "happy"]


def test_the_done_toggle_marks_done_and_opens_again(sales_client, sales_user, opportunity):
    entry = factories.make_journal_entry(opportunity=opportunity, author=sales_user, reminder_date=timezone.localdate())
    url = reverse("journal:reminder-done", args=[entry.pk])

    response = sales_client.post(url, {"done": "1", "return": "entry"}, **HX)
    entry.refresh_from_db()
    assert entry.reminder_done_at is not None
    assert 'aria-pressed="true"' in response.content.decode()
    opportunity.refresh_from_db()
    assert opportunity.next_reminder_date is None

    sales_client.post(url, {"done": "0", "return": "entry"}, **HX)
    entry.refresh_from_db()
    assert entry.reminder_done_at is None


def test_others_may_not_tick_off_a_reminder_that_is_not_theirs(client, sales_user, other_sales_user, opportunity):
    entry = factories.make_journal_entry(opportunity=opportunity, author=sales_user, reminder_date=timezone.localdate())
    client.force_login(other_sales_user)

    response = client.post(reverse("journal:reminder-done", args=[entry.pk]), {"return": "entry"}, **HX)

    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.reminder_done_at is None


def test_posting_works_without_javascript(sales_client, opportunity):
    response = sales_client.post(
        create_url(opportunity), {"mood": "neutral", "text": "No JS here", "next": list_url(opportunity)}
    )

    entry = JournalEntry.objects.get()
    assert response.status_code == 302
    assert response.url == f"{list_url(opportunity)}#entry-{entry.pk}"


@pytest.mark.parametrize("entries", [3, 20])
def test_journal_section_query_count_is_constant(
    sales_client, sales_user, other_sales_user, entries, opportunity, django_assert_num_queries
):
    for n in range(entries):
        factories.make_journal_entry(
            opportunity=opportunity,
            author=sales_user if n % 2 else other_sales_user,
            reminder_date=timezone.localdate() + datetime.timedelta(days=n),
            reminder_assignee=other_sales_user,
        )

    # 1 session, 2 user with permissions, 3 opportunity with organization and phase,
    # 4 the people who can be reminded, 5 the newest entries with author and reminded
    # person (the mood trend reuses them), 6 the navigation badge.
    with django_assert_num_queries(6):
        response = sales_client.get(list_url(opportunity))
    assert response.content.decode().count('class="journal-entry"') == entries


@time_machine.travel(BERLIN_NOON, tick=False)
def test_posting_query_count(sales_client, opportunity, django_assert_num_queries):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    # 1 session, 2 user with permissions, 3 opportunity, 4 the people who can be reminded;
    # the service: 5 savepoint, 6 insert (the triggers update the opportunity), 7 release
    # (full_clean leaves the loaded opportunity, author and reminded person alone); then
    # 8 the moods for the trend and 9 the badge (the reminder is mine).
    with django_assert_num_queries(9):
        response = post(sales_client, opportunity, text="Quick note", reminder_date=tomorrow)
    assert response.status_code == 200


def test_a_manager_editing_keeps_who_is_reminded(manager_client, sales_user, opportunity):
    friday = timezone.localdate() + datetime.timedelta(days=2)
    entry = factories.make_journal_entry(opportunity=opportunity, author=sales_user, reminder_date=friday)
    url = reverse("journal:journal-entry-update", args=[entry.pk])

    form = manager_client.get(url, **HX).content.decode()
    assert re.search(rf'<option value="{sales_user.pk}" selected>Sandra Sales</option>', form)
    manager_client.post(
        url,
        {"mood": "sad", "text": "Typo fixed", "reminder_date": friday.isoformat(), "reminder_assignee": sales_user.pk},
        **HX,
    )

    entry.refresh_from_db()
    assert (entry.text, entry.reminder_assignee) == ("Typo fixed", sales_user)


def test_older_entries_work_without_javascript_too(sales_client, sales_user, opportunity):
    start = timezone.now() - datetime.timedelta(days=30)
    entries = [
        factories.make_journal_entry(
            opportunity=opportunity,
            author=sales_user,
            text=f"Note {n:02d}",
            created_at=start + datetime.timedelta(hours=n),
        )
        for n in range(22)
    ]

    html = sales_client.get(list_url(opportunity), {"before": entries[2].pk}).content.decode()

    assert "Note 01" in html and "Note 00" in html and "Note 02" not in html
    assert "Back to the newest entries" in html
    assert sales_client.get(list_url(opportunity), {"before": "x"}).status_code == 400


def test_deleting_without_javascript_asks_first(sales_client, sales_user, opportunity):
    entry = factories.make_journal_entry(opportunity=opportunity, author=sales_user, text="Wrong opportunity")
    url = reverse("journal:journal-entry-delete", args=[entry.pk])

    page = sales_client.get(url).content.decode()
    assert "Delete this journal entry?" in page and "Wrong opportunity" in page
    response = sales_client.post(url)

    assert (response.status_code, response.url) == (302, list_url(opportunity))
    assert not JournalEntry.objects.exists()


def _detail_queries(client, opportunity) -> tuple[int, str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(opportunity.get_absolute_url())
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_detail_page_shows_the_newest_20_entries_in_the_same_queries_for_3_or_45(
    sales_client, sales_user, other_sales_user, opportunity
):
    def add(count):
        for n in range(count):
            factories.make_journal_entry(
                opportunity=opportunity,
                author=sales_user if n % 2 else other_sales_user,
                text=f"Note {JournalEntry.objects.count() + 1}",
                reminder_date=timezone.localdate() + datetime.timedelta(days=n),
                reminder_assignee=other_sales_user,
            )

    add(3)
    few, html = _detail_queries(sales_client, opportunity)
    assert html.count('class="journal-entry"') == 3
    assert 'id="journal-more"' not in html

    add(42)
    many, html = _detail_queries(sales_client, opportunity)
    # The section reads its entries in one query (authors and reminded people joined), the
    # people who can be reminded and the phase come from the page's configuration.
    assert many == few
    assert html.count('class="journal-entry"') == 20
    assert "Note 45" in html and "Note 26" in html and "Note 25" not in html
    # "Show older entries": htmx loads the next 20 in place; the href works without JavaScript.
    oldest_shown = JournalEntry.objects.get(text="Note 26")
    more = f"{list_url(opportunity)}?before={oldest_shown.pk}"
    assert f'href="{more}" hx-get="{more}"' in html

    page = sales_client.get(more, **HX).content.decode()
    assert page.count('class="journal-entry"') == 20
    assert "Note 25" in page and "Note 6" in page and "Note 5" not in page
    assert 'id="journal-more"' in page


def test_entries_escape_what_people_typed_in_names_and_text(sales_client, opportunity):
    author = factories.make_user(username="evil", display_name='<img src=x onerror="alert(1)">')
    factories.make_journal_entry(
        opportunity=opportunity,
        author=author,
        text='<b>bold</b> "quoted"\nhttps://example.com/?a=1&b=<2>',
        reminder_date=timezone.localdate(),
        reminder_assignee=author,
    )

    html = sales_client.get(opportunity.get_absolute_url()).content.decode()

    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html  # byline and "for …"
    assert "&lt;b&gt;bold&lt;/b&gt; &quot;quoted&quot;<br>" in html
    assert '<a href="https://example.com/?a=1&amp;b=" rel="nofollow">' in html
