"""Writes for the journal and its reminders, and the daily digest.

Opportunity.last_activity_at, latest_mood and next_reminder_date follow from these
writes by database triggers (opportunities/migrations/0004), so nothing here
touches the opportunity.
"""

import datetime
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crm import permissions
from crm.history import acting
from journal import selectors
from journal.models import JournalEntry, Mood, ReminderDigest, text_length_error

EDITABLE_FIELDS = ["mood", "text", "reminder_date", "reminder_assignee"]


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _check_text(text: str) -> None:
    if message := text_length_error(text):
        raise ValidationError({"text": message})


def _assignee(reminder_date, reminder_assignee, default):
    """A reminder goes to someone (the author unless chosen); no date, nobody reminded."""
    if reminder_date is None:
        return None
    return reminder_assignee or default


@acting("author")
def journal_entry_post(
    *,
    opportunity,
    author,
    text: str,
    mood: str = Mood.NEUTRAL,
    reminder_date: datetime.date | None = None,
    reminder_assignee=None,
    post_token: uuid.UUID | None = None,
) -> JournalEntry:
    """Add an entry to the opportunity's journal, with an optional reminder (default: for the author).

    ``post_token`` comes from the form (one per rendered form): a second post with it returns
    the entry the first one saved, also when both arrive at once.
    """
    _require(permissions.can_post_journal(author))
    _check_text(text)
    entry = JournalEntry(
        opportunity=opportunity,
        author=author,
        mood=mood,
        text=text,
        reminder_date=reminder_date,
        reminder_assignee=_assignee(reminder_date, reminder_assignee, author),
        post_token=post_token,
    )
    # The opportunity, the author and the reminded person are loaded rows, and _assignee keeps
    # the constraint (nobody reminded without a date): checking them again would cost five
    # queries of the post's fourteen. The database enforces both all the same, and the
    # token's uniqueness too (checking it first would not stop two posts at once).
    entry.full_clean(exclude=["opportunity", "author", "reminder_assignee"], validate_constraints=False)
    try:
        # Its own (sub)transaction: after a refused insert the caller's transaction goes on.
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        if post_token is None:
            raise
        # journalentry_post_token_unique: this form was posted before (the other insert has
        # committed by now; a concurrent one made this insert wait until it did).
        first = JournalEntry.objects.filter(post_token=post_token).first()
        if first is None:
            raise
        if first.opportunity_id != opportunity.pk or first.author_id != author.pk:
            raise ValidationError(_("This form was already used. Reload the page and post again.")) from None
        return first
    return entry


@acting()
@transaction.atomic
def journal_entry_update(
    *,
    entry: JournalEntry,
    user,
    text: str,
    mood: str,
    reminder_date: datetime.date | None,
    reminder_assignee=None,
) -> JournalEntry:
    """Change an entry (its author, or a manager); a changed text or mood marks it as edited."""
    _require(permissions.can_change_journal_entry(user, entry))
    _check_text(text)
    if entry.text != text or entry.mood != mood:
        entry.edited_at = timezone.now()
    if reminder_date != entry.reminder_date:
        # A new date is a new reminder: open again.
        entry.reminder_done_at = None
    entry.text, entry.mood, entry.reminder_date = text, mood, reminder_date
    entry.reminder_assignee = _assignee(reminder_date, reminder_assignee, entry.reminder_assignee or entry.author)
    entry.full_clean()
    entry.save()
    return entry


@acting()
@transaction.atomic
def journal_entry_delete(*, entry: JournalEntry, user) -> None:
    """Delete an entry (its author, or a manager)."""
    _require(permissions.can_change_journal_entry(user, entry) and user.has_perm("journal.delete_journalentry"))
    entry.delete()


def _reminder_for_update(entry: JournalEntry, user) -> JournalEntry:
    _require(permissions.can_handle_reminder(user, entry))
    if entry.reminder_date is None:
        raise ValidationError(_("This entry has no reminder."))
    return entry


@acting()
@transaction.atomic
def reminder_complete(*, entry: JournalEntry, user) -> JournalEntry:
    """Mark the entry's reminder done (the reminded person, the author or a manager)."""
    _reminder_for_update(entry, user)
    if entry.reminder_done_at is None:
        entry.reminder_done_at = timezone.now()
        entry.save(update_fields=["reminder_done_at"])
    return entry


@acting()
@transaction.atomic
def reminder_reopen(*, entry: JournalEntry, user) -> JournalEntry:
    """Undo "done": the reminder is open again on its date."""
    _reminder_for_update(entry, user)
    if entry.reminder_done_at is not None:
        entry.reminder_done_at = None
        entry.save(update_fields=["reminder_done_at"])
    return entry


@acting()
@transaction.atomic
def reminder_snooze(*, entry: JournalEntry, user, until: datetime.date, allow_past: bool = False) -> JournalEntry:
    """Move an open reminder to ``until`` (today or later; ``allow_past`` only to undo a snooze)."""
    _reminder_for_update(entry, user)
    if until < timezone.localdate() and not allow_past:
        raise ValidationError(_("Choose today or a later date."))
    entry.reminder_date = until
    entry.reminder_done_at = None
    entry.save(update_fields=["reminder_date", "reminder_done_at"])
    return entry


# Daily digest ------------------------------------------------------------------------------


@dataclass
class DigestResult:
    sent: int = 0
    skipped: int = 0  # already had today's digest


def reminder_digest_send(*, today: datetime.date | None = None, base_url: str = "", dry_run: bool = False):
    """E-mail every person with overdue or due reminders a list of them, once per day.

    The ReminderDigest row (unique per user and day) is written in the same
    transaction as the e-mail goes out: a second run that day finds it and sends
    nothing, a failed send rolls it back so the next run tries again.
    """
    today = today or timezone.localdate()
    by_user: dict[int, list[JournalEntry]] = {}
    for entry in selectors.due_reminders(today=today):
        by_user.setdefault(entry.reminder_assignee_id, []).append(entry)

    result = DigestResult()
    for entries in by_user.values():
        user = entries[0].reminder_assignee
        if dry_run:
            result.sent += 1
            continue
        with transaction.atomic():
            _digest, created = ReminderDigest.objects.get_or_create(
                user=user, day=today, defaults={"entry_ids": [entry.pk for entry in entries]}
            )
            if not created:
                result.skipped += 1
                continue
            _digest_message(user=user, entries=entries, today=today, base_url=base_url).send()
            result.sent += 1
    return result


def _digest_message(*, user, entries: list[JournalEntry], today: datetime.date, base_url: str) -> EmailMessage:
    """The e-mail in the language the person last worked in (crm.services.user_language_remember)."""
    with translation.override(user.preferences.get("language") or settings.LANGUAGE_CODE):
        return _digest_message_in_active_language(user=user, entries=entries, today=today, base_url=base_url)


def _digest_message_in_active_language(*, user, entries, today, base_url) -> EmailMessage:
    overdue = [entry for entry in entries if entry.reminder_date < today]
    due = [entry for entry in entries if entry.reminder_date == today]
    subject = ngettext(
        "%(count)d follow-up due today or overdue",
        "%(count)d follow-ups due today or overdue",
        len(entries),
    ) % {"count": len(entries)}
    body = render_to_string(
        "journal/reminder_digest.txt",
        {"user": user, "overdue": overdue, "due": due, "today": today, "base_url": base_url.rstrip("/")},
    )
    return EmailMessage(subject=subject, body=body, to=[user.email])
