"""Browser tests for the journal and the follow-ups a rep works through on /reminders/."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from journal.models import JournalEntry
from tests import factories
from tests.e2e.helpers import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sandra(db):
    sandra = factories.make_user(username="sandra", role="Sales", display_name="Sandra Sales")
    organization = factories.make_organization(name="Bionic Systems GmbH", code="BION", city="Berlin")
    factories.make_opportunity(
        organization=organization, owner=sandra, name="CRM rollout", phase=factories.phase("Research")
    )
    return sandra


def test_post_an_entry_with_a_reminder_find_it_on_reminders_and_tick_it_off(page, sandra, tmp_path):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    login(page, username="sandra")
    page.goto("/opportunities/BION-1/")
    journal = page.locator("#journal")
    expect(page.locator("#reminder-badge")).to_be_hidden()

    # Empty text: refused with a message, the chosen mood and date stay.
    journal.get_by_text("Post journal entry").click()
    journal.get_by_text("Happy", exact=True).click()
    journal.get_by_label("Remind on").fill(tomorrow.isoformat())
    journal.get_by_role("button", name="Post entry").click()
    expect(journal.get_by_text("the note cannot be empty")).to_be_visible()
    expect(journal.get_by_label("Remind on")).to_have_value(tomorrow.isoformat())
    expect(journal.get_by_label("Happy")).to_be_checked()

    journal.get_by_label("Note").fill(
        "Demo went well <script>alert(1)</script>\nOffer by Friday: https://example.com/o"
    )
    journal.get_by_role("button", name="Post entry").click()

    # The entry is on top without a page load, the form is blank again.
    entry = journal.locator(".journal-entry").first
    expect(entry).to_contain_text("Sandra Sales left this feedback on")
    expect(entry).to_contain_text("Demo went well <script>alert(1)</script>")
    expect(entry.get_by_role("link", name="https://example.com/o")).to_have_attribute("href", "https://example.com/o")
    expect(entry.locator(".mood-tag")).to_have_text("Happy")
    expect(entry.locator(".entry-reminder")).to_contain_text("for you")
    expect(journal.get_by_label("Note")).to_have_value("")
    expect(page.locator("#journal-trend")).to_be_attached()

    # Tomorrow's follow-up is on /reminders/; "Done" resolves it in place.
    page.get_by_role("link", name="Reminders").click()
    row = page.locator(".reminder-row", has_text="CRM rollout")
    expect(row).to_contain_text("BION-1")
    expect(row).to_contain_text("Bionic Systems GmbH")
    expect(row).to_contain_text("Research")
    expect(row).to_contain_text("Demo went well")
    screenshot(page, "reminders", tmp_path)
    row.get_by_role("button", name="Done").click()
    expect(page.locator(".reminder-row.is-resolved")).to_contain_text("Done.")
    assert JournalEntry.objects.get().reminder_done_at is not None

    page.reload()
    expect(page.get_by_text("You’re all caught up")).to_be_visible()


def test_snooze_an_overdue_follow_up_and_the_badge_follows(page, sandra, tmp_path):
    opportunity = sandra.owned_opportunities.get()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    factories.make_journal_entry(opportunity=opportunity, author=sandra, text="Call Anna", reminder_date=yesterday)
    login(page, username="sandra")

    page.goto("/reminders/")
    expect(page.locator("#reminder-badge > [aria-hidden]")).to_have_text("1")
    expect(page.locator("#bucket-overdue-head .bucket-count")).to_have_text("1")
    row = page.locator(".reminder-row", has_text="Call Anna")
    expect(row).to_contain_text("1 day overdue")
    row.locator("summary", has_text="Snooze").click()
    row.get_by_role("button", name="Tomorrow").click()

    expect(page.locator(".reminder-row.is-resolved")).to_contain_text("Snoozed to")
    expect(page.locator("#bucket-overdue-head .bucket-count")).to_have_text("0")
    expect(page.locator("#reminder-badge")).to_be_hidden()
    assert JournalEntry.objects.get().reminder_date == timezone.localdate() + datetime.timedelta(days=1)

    # Undo puts it back where it was.
    page.get_by_role("button", name="Undo").click()
    expect(page.locator("#reminder-badge > [aria-hidden]")).to_have_text("1")
    expect(page.locator(".reminder-row", has_text="Call Anna")).to_contain_text("1 day overdue")
    assert JournalEntry.objects.get().reminder_date == yesterday


def test_a_past_reminder_date_is_asked_about_then_kept(page, sandra):
    past = timezone.localdate() - datetime.timedelta(days=3)
    login(page, username="sandra")
    page.goto("/journal/BION-1/")
    journal = page.locator("#journal")

    journal.get_by_text("Post journal entry").click()
    journal.get_by_label("Note").fill("Forgot to log Monday's call")
    journal.get_by_label("Remind on").fill(past.isoformat())
    journal.get_by_role("button", name="Post entry").click()
    expect(journal.get_by_text("is in the past. Keep it?")).to_be_visible()
    expect(journal.get_by_label("Note")).to_have_value("Forgot to log Monday's call")

    journal.get_by_label("Yes, keep this date in the past").check()
    journal.get_by_role("button", name="Post entry").click()

    expect(journal.locator(".journal-entry .entry-reminder.is-overdue")).to_contain_text("3 days overdue")
    expect(page.locator("#reminder-badge > [aria-hidden]")).to_have_text("1")


def _journal_and_reminders_data():
    """A journal of 23 entries (moods, links, line breaks, follow-ups in every state) and a full /reminders/."""
    sandra = factories.make_user(username="sandra", role="Sales", display_name="Sandra Klein")
    max_ = factories.make_user(username="max", role="Sales", display_name="Max Müller")
    organization = factories.make_organization(name="Bionic Systems GmbH", code="BION", city="Berlin")
    rollout = factories.make_opportunity(
        organization=organization, owner=sandra, name="CRM rollout", phase=factories.phase("Research")
    )
    migration = factories.make_opportunity(
        organization=organization, owner=max_, name="Data migration from Access", phase=factories.phase("Contact made")
    )
    now = timezone.now()
    today = timezone.localdate()
    texts = [
        "Call with Anna Becker: the board wants two references first.\nSent her https://example.com/references",
        "Demo for the sales team went well <b>not bold</b>; Jonas asked about the mobile app.",
        "Offer discussed with purchasing (Petra Schulz). They compare us with two others.",
        "Short call, no news.",
    ]
    moods = ["happy", "neutral", "sad", "happy", "neutral"]
    for n in range(23):
        reminder = {}
        if n == 22:
            reminder = {"reminder_date": today + datetime.timedelta(days=3)}
        elif n == 21:
            reminder = {"reminder_date": today, "reminder_assignee": max_}
        elif n == 20:
            reminder = {"reminder_date": today - datetime.timedelta(days=2)}
        elif n == 19:
            reminder = {"reminder_date": today - datetime.timedelta(days=5), "reminder_done_at": now}
        factories.make_journal_entry(
            opportunity=rollout,
            author=sandra if n % 3 else max_,
            text=texts[n % len(texts)],
            mood=moods[n % len(moods)],
            created_at=now - datetime.timedelta(days=40 - n, hours=n),
            **reminder,
        )
    JournalEntry.objects.filter(opportunity=rollout, text__startswith="Short call").update(edited_at=now)
    for n, days in enumerate([-9, -1, 0, 0, 2, 4, 12, 40, 400]):
        factories.make_journal_entry(
            opportunity=migration if n % 2 else rollout,
            author=max_ if n % 3 == 0 else sandra,
            text=texts[n % len(texts)] + (" More words to make it long." * 12 if n == 4 else ""),
            mood=moods[n % len(moods)],
            reminder_date=today + datetime.timedelta(days=days),
            reminder_assignee=sandra,
            created_at=now - datetime.timedelta(days=60 - n * 5),
        )
    return rollout


@pytest.mark.parametrize("language", ["en", "de"])
def test_screenshots_of_the_journal_and_reminders(page, live_server, language, tmp_path):
    """The journal section and /reminders/ at desktop and phone width (SCREENSHOT_DIR keeps them)."""
    rollout = _journal_and_reminders_data()
    login(page, username="sandra")
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(rollout.get_absolute_url())
        journal = page.locator("#journal")
        expect(journal.locator(".journal-entry")).to_have_count(20)
        path = screenshot(page, f"journal-{language}-{width}", tmp_path)
        # The whole section, from the top of the page (the sticky navigation would cover its head).
        page.evaluate("() => window.scrollTo(0, 0)")
        box = journal.bounding_box()
        page.screenshot(path=str(path), animations="disabled", full_page=True, clip=box)
        page.goto("/reminders/")
        expect(page.locator(".reminder-row")).to_have_count(11)
        path = screenshot(page, f"reminders-{language}-{width}", tmp_path)
        page.screenshot(path=str(path), animations="disabled", full_page=True)
