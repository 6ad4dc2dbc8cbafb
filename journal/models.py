import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# Posts longer than this are refused with a clear message (documented in README).
MAX_TEXT_LENGTH = 20_000


def text_length_error(text: str) -> str:
    """The message for a text over MAX_TEXT_LENGTH (empty when it fits)."""
    if len(text) <= MAX_TEXT_LENGTH:
        return ""
    return gettext(
        "This text has %(length)s characters; an entry holds at most %(limit)s. "
        "Shorten it, or split it into several entries."
    ) % {"length": f"{len(text):,}", "limit": f"{MAX_TEXT_LENGTH:,}"}


class Mood(models.TextChoices):
    HAPPY = "happy", _("Happy")
    NEUTRAL = "neutral", _("Neutral")
    SAD = "sad", _("Sad")


# Audit trail (see organizations/models.py): who wrote, edited, completed or
# snoozed what. edited_at is left out: it only follows a change of the text,
# which the row itself records with its time.
JOURNAL_HISTORY_FIELDS = [
    "opportunity",
    "author",
    "mood",
    "text",
    "reminder_date",
    "reminder_assignee",
    "reminder_done_at",
]


@pghistory.track(
    pghistory.InsertEvent("created"),
    pghistory.UpdateEvent("changed", condition=pghistory.AnyChange(*JOURNAL_HISTORY_FIELDS)),
    pghistory.DeleteEvent("deleted"),
    fields=JOURNAL_HISTORY_FIELDS,
    obj_field=pghistory.ObjForeignKey(related_name="events"),
    model_name="JournalEntryEvent",
)
class JournalEntry(models.Model):
    """One note in an opportunity's communication log, optionally with a reminder."""

    opportunity = models.ForeignKey(
        "opportunities.Opportunity", on_delete=models.CASCADE, related_name="journal_entries"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="journal_entries", verbose_name=_("author")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=False)
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True, editable=False)
    mood = models.CharField(_("mood"), max_length=7, choices=Mood, default=Mood.NEUTRAL)
    text = models.TextField(_("text"))
    reminder_date = models.DateField(_("reminder"), null=True, blank=True)
    reminder_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reminders",
        verbose_name=_("reminded person"),
    )
    reminder_done_at = models.DateTimeField(_("reminder done at"), null=True, blank=True)
    # The one-time token of the form that posted the entry: a second post of the same form
    # (a double click, a retried request, two tabs) finds this entry instead of adding another.
    post_token = models.UUIDField(_("post token"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reminder_date__isnull=False) | models.Q(reminder_assignee__isnull=True),
                name="journalentry_assignee_needs_date",
            ),
            # The guarantee behind an idempotent post (journal.services.journal_entry_post), also when
            # two posts of one form arrive at once: the second insert waits for the first, then fails.
            models.UniqueConstraint(fields=["post_token"], name="journalentry_post_token_unique"),
        ]
        indexes = [
            # The journal on the detail page (newest first) and "last activity".
            models.Index(fields=["opportunity", "-created_at", "-id"], name="journal_opp_created_idx"),
            # /reminders/: one user's open reminders by date; the badge counts them from the
            # index alone (opportunity_id: to skip reminders of trashed opportunities).
            models.Index(
                fields=["reminder_assignee", "reminder_date"],
                include=["opportunity"],
                name="journal_open_reminder_idx",
                condition=models.Q(reminder_date__isnull=False, reminder_done_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.author} · {self.created_at:%Y-%m-%d}"

    @property
    def is_edited(self) -> bool:
        return self.edited_at is not None

    @property
    def has_reminder(self) -> bool:
        return self.reminder_date is not None

    @property
    def reminder_is_open(self) -> bool:
        return self.reminder_date is not None and self.reminder_done_at is None


class ReminderDigest(models.Model):
    """One daily reminder e-mail sent to one user: the record that makes the digest idempotent."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_digests", verbose_name=_("user")
    )
    day = models.DateField(_("day"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    # The reminders the e-mail listed, for "what did I get told?" questions.
    entry_ids = ArrayField(models.BigIntegerField(), default=list, blank=True, verbose_name=_("reminders"))

    class Meta:
        verbose_name = _("reminder digest")
        verbose_name_plural = _("reminder digests")
        ordering = ["-day", "user"]
        constraints = [
            # The guarantee behind "sending twice on one day sends nothing new",
            # also when two cron runs overlap (the second insert waits, then fails).
            models.UniqueConstraint(fields=["user", "day"], name="reminderdigest_user_day_unique"),
        ]

    def __str__(self):
        return f"{self.user} · {self.day:%Y-%m-%d}"
