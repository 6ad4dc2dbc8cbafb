import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models.functions import Lower
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


class EntryKind(models.TextChoices):
    NOTE = "note", _("Note")
    EMAIL = "email", _("E-mail")


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
    # An e-mail entry's text is the mail's own words (quotes and signature folded away); its
    # headers, the whole text and the attachments are on its EmailMessage. Its mood is not the
    # rep's judgement, so the opportunity's latest mood comes from notes only.
    kind = models.CharField(_("kind"), max_length=5, choices=EntryKind, default=EntryKind.NOTE, db_default="note")
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


# E-mail ----------------------------------------------------------------------------------------

# Mail larger than this is refused before it is parsed (README, "E-mail in the journal").
MAX_MAIL_BYTES = 25 * 1024 * 1024
MAX_ATTACHMENT_BYTES = 15 * 1024 * 1024


class Mailbox(models.Model):
    """An IMAP mailbox the worker polls every minute; processed mail is flagged or moved, never deleted."""

    class Processed(models.TextChoices):
        FLAG = "flag", _("Flag it (stays in the folder)")
        MOVE = "move", _("Move it to another folder")

    name = models.CharField(_("name"), max_length=100)
    host = models.CharField(_("IMAP host"), max_length=200)
    port = models.PositiveIntegerField(_("port"), default=993)
    use_tls = models.BooleanField(_("TLS"), default=True, help_text=_("Off only for a server on this machine."))
    username = models.CharField(_("user name"), max_length=200)
    password_env = models.CharField(
        _("password variable"),
        max_length=100,
        help_text=_("Name of the environment variable that holds the password, e.g. CRM_MAILBOX_SALES_PASSWORD."),
    )
    folder = models.CharField(_("folder"), max_length=200, default="INBOX")
    processed = models.CharField(_("processed mail"), max_length=4, choices=Processed, default=Processed.FLAG)
    processed_folder = models.CharField(_("move to folder"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True, editable=False)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(processed="move") | ~models.Q(processed_folder=""),
                name="mailbox_move_needs_folder",
            ),
        ]

    def __str__(self):
        return self.name


class MailForwardAddress(models.Model):
    """A person's own address (crm+<token>@…) to forward or BCC mail to; it logs the mail under their name."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mail_forward_address", verbose_name=_("user")
    )
    token = models.CharField(_("token"), max_length=32, unique=True)
    log_my_mail = models.BooleanField(
        _("log my mail"), default=True, help_text=_("Mail in which this person takes part goes into the journal.")
    )

    class Meta:
        verbose_name = _("mail forward address")
        verbose_name_plural = _("mail forward addresses")

    def __str__(self):
        return f"{self.user}: {self.token}"


class BlockedAddress(models.Model):
    """Mail from or to these addresses (or @domains) is never logged: for everyone, or for one person."""

    pattern = models.CharField(
        _("address or @domain"),
        max_length=254,
        help_text=_("An address (jane@example.com) or a domain (@example.com)."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="blocked_mail_addresses",
        verbose_name=_("only for"),
    )

    class Meta:
        verbose_name = _("blocked mail address")
        verbose_name_plural = _("blocked mail addresses")
        constraints = [
            models.UniqueConstraint(
                Lower("pattern"), models.F("user"), name="blockedaddress_pattern_user_unique", nulls_distinct=False
            ),
        ]

    def __str__(self):
        return self.pattern


class EmailMessage(models.Model):
    """One e-mail as it came in: its headers, its text, the original .eml and where it went."""

    class Status(models.TextChoices):
        LOGGED = "logged", _("In the journal")
        UNASSIGNED = "unassigned", _("Unassigned")
        IGNORED = "ignored", _("Ignored")
        DROPPED = "dropped", _("Dropped")

    class Direction(models.TextChoices):
        IN = "in", _("Received")
        OUT = "out", _("Sent")

    class Source(models.TextChoices):
        IMAP = "imap", _("Mailbox")
        UPLOAD = "upload", _("Upload")
        COMMAND = "command", _("Mail server pipe")

    # The same Message-ID never makes a second entry; a mail without one gets "sha256:<hash of it>".
    message_id = models.CharField(_("Message-ID"), max_length=998, unique=True)
    in_reply_to = models.CharField(_("In-Reply-To"), max_length=998, blank=True)
    references = ArrayField(models.CharField(max_length=998), default=list, blank=True, verbose_name=_("References"))
    thread_root = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("thread")
    )
    entry = models.OneToOneField(
        JournalEntry, on_delete=models.SET_NULL, null=True, blank=True, related_name="email", verbose_name=_("entry")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status)
    drop_reason = models.CharField(_("reason"), max_length=200, blank=True)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction)
    source = models.CharField(_("source"), max_length=7, choices=Source)
    mailbox = models.ForeignKey(
        Mailbox, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages", verbose_name=_("mailbox")
    )
    from_address = models.EmailField(_("from"), max_length=254)
    from_name = models.CharField(_("sender"), max_length=200, blank=True)
    to = ArrayField(models.EmailField(max_length=254), default=list, blank=True, verbose_name=_("to"))
    cc = ArrayField(models.EmailField(max_length=254), default=list, blank=True, verbose_name=_("cc"))
    subject = models.CharField(_("subject"), max_length=998, blank=True)
    sent_at = models.DateTimeField(_("date"))
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    # The whole text (the reply is the journal entry's text; this keeps the quotes and signature).
    full_text = models.TextField(_("whole text"), blank=True)
    raw = models.FileField(_("original message"), upload_to="mail/%Y/%m/", max_length=300)
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organization"),
    )

    class Meta:
        verbose_name = _("e-mail")
        verbose_name_plural = _("e-mails")
        ordering = ["-sent_at", "-id"]
        indexes = [
            # Unassigned mail, newest first (the page reps work through).
            models.Index(fields=["-received_at"], name="email_unassigned_idx", condition=models.Q(status="unassigned")),
        ]

    def __str__(self):
        return self.subject or self.message_id


class EmailAttachment(models.Model):
    """A file that came with a mail, served only as a download."""

    message = models.ForeignKey(
        EmailMessage, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("e-mail")
    )
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    file = models.FileField(_("file"), upload_to="mail/attachments/%Y/%m/", max_length=300)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]

    def __str__(self):
        return self.filename
