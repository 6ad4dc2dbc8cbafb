"""`manage.py send_reminder_digest`: one e-mail per person and day with overdue and due follow-ups."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from journal.models import JournalEntry, ReminderDigest
from tests import factories

UTC = datetime.UTC
# Wednesday 18 November 2026, 06:00 in Berlin: when cron runs the digest.
MORNING = datetime.datetime(2026, 11, 18, 5, 0, tzinfo=UTC)


@pytest.fixture
def opportunity(sales_user):
    organization = factories.make_organization(name="Bionic Systems GmbH", code="BION")
    return factories.make_opportunity(organization=organization, owner=sales_user, name="CRM rollout")


def remind(opportunity, user, date, text):
    return factories.make_journal_entry(
        opportunity=opportunity, author=user, text=text, reminder_date=date, reminder_assignee=user
    )


def digest(*args) -> str:
    out = StringIO()
    call_command("send_reminder_digest", *args, stdout=out)
    return out.getvalue()


@time_machine.travel(MORNING, tick=False)
def test_each_person_gets_their_overdue_and_due_follow_ups(sales_user, other_sales_user, manager, opportunity):
    remind(opportunity, sales_user, datetime.date(2026, 11, 16), "Send the offer\nto Anna")
    remind(opportunity, sales_user, datetime.date(2026, 11, 18), "Call Jonas")
    remind(opportunity, sales_user, datetime.date(2026, 11, 19), "Tomorrow's")
    remind(opportunity, other_sales_user, datetime.date(2026, 11, 18), "Oskar's call")
    done = remind(opportunity, manager, datetime.date(2026, 11, 17), "Done already")
    JournalEntry.objects.filter(pk=done.pk).update(reminder_done_at=MORNING)

    output = digest("--base-url", "https://crm.example.com/")

    assert "sent 2, already sent today 0" in output
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {"sales1@example.com", "sales2@example.com"}
    sandra = by_recipient["sales1@example.com"]
    assert sandra.subject == "2 follow-ups due today or overdue"
    assert "1 follow-up is overdue:" in sandra.body
    assert "- BION-1 CRM rollout (Bionic Systems GmbH), Mon 16 Nov, 2 days overdue" in sandra.body
    assert "  Send the offer to Anna" in sandra.body
    assert "1 follow-up is due today:" in sandra.body
    assert "Call Jonas" in sandra.body
    assert "Tomorrow's" not in sandra.body
    assert "https://crm.example.com/opportunities/BION-1/" in sandra.body
    assert "https://crm.example.com/reminders/" in sandra.body
    assert "Oskar's call" in by_recipient["sales2@example.com"].body


@time_machine.travel(MORNING, tick=False)
def test_sending_twice_on_one_day_sends_nothing_new(sales_user, opportunity):
    entry = remind(opportunity, sales_user, datetime.date(2026, 11, 18), "Call Jonas")

    digest()
    output = digest()

    assert len(mail.outbox) == 1
    assert "sent 0, already sent today 1" in output
    record = ReminderDigest.objects.get()
    assert (record.user, record.day, record.entry_ids) == (sales_user, datetime.date(2026, 11, 18), [entry.pk])


def test_the_next_day_brings_the_next_digest(sales_user, opportunity):
    remind(opportunity, sales_user, datetime.date(2026, 11, 18), "Call Jonas")

    with time_machine.travel(MORNING, tick=False):
        digest()
    with time_machine.travel(MORNING + datetime.timedelta(days=1), tick=False):
        digest()

    assert len(mail.outbox) == 2
    assert "1 day overdue" in mail.outbox[1].body


@time_machine.travel(MORNING, tick=False)
def test_a_failed_send_is_retried_by_the_next_run(sales_user, opportunity, settings):
    remind(opportunity, sales_user, datetime.date(2026, 11, 18), "Call Jonas")
    settings.MAILERS = {"default": {"BACKEND": "tests.journal.failing_mailer.FailingBackend"}}

    with pytest.raises(ConnectionError):
        digest()
    assert not ReminderDigest.objects.exists()

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    digest()
    assert len(mail.outbox) == 1


@time_machine.travel(MORNING, tick=False)
def test_people_without_e_mail_or_inactive_get_nothing(sales_user, other_sales_user, opportunity):
    remind(opportunity, sales_user, datetime.date(2026, 11, 18), "No address")
    remind(opportunity, other_sales_user, datetime.date(2026, 11, 18), "Gone")
    type(sales_user).objects.filter(pk=sales_user.pk).update(email="")
    type(other_sales_user).objects.filter(pk=other_sales_user.pk).update(is_active=False)

    assert "sent 0" in digest()
    assert mail.outbox == []


@time_machine.travel(MORNING, tick=False)
def test_dry_run_sends_and_records_nothing(sales_user, opportunity):
    remind(opportunity, sales_user, datetime.date(2026, 11, 18), "Call Jonas")

    assert "would send 1" in digest("--dry-run")
    assert mail.outbox == []
    assert not ReminderDigest.objects.exists()


@time_machine.travel(MORNING, tick=False)
def test_the_digest_is_written_in_the_language_the_person_logged_in_with(client, sales_user, opportunity):
    client.post(
        "/accounts/login/",
        {"username": "sales1", "password": "pw"},
        HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9",
    )
    sales_user.refresh_from_db()
    assert sales_user.preferences["language"] == "de"
    remind(opportunity, sales_user, datetime.date(2026, 11, 16), "Angebot schicken")

    digest()

    (message,) = mail.outbox
    assert message.subject == "1 Wiedervorlage heute fällig oder überfällig"
    assert "- BION-1 CRM rollout (Bionic Systems GmbH), Mo 16. Nov, 2 Tage überfällig" in message.body


def test_the_language_chosen_in_the_menu_is_remembered_without_losing_other_choices(sales_client, sales_user):
    sales_user.preferences["table_columns"] = ["short_name", "name"]
    sales_user.save(update_fields=["preferences"])

    sales_client.post("/i18n/setlang/", {"language": "de", "next": "/opportunities/"})
    sales_user.refresh_from_db()
    assert sales_user.preferences == {"table_columns": ["short_name", "name"], "language": "de"}

    sales_client.post("/i18n/setlang/", {"language": "xx", "next": "/opportunities/"})
    sales_user.refresh_from_db()
    assert sales_user.preferences["language"] == "de"
