"""Writes for the journal and its reminders, and the daily digest.

Opportunity.last_activity_at, latest_mood and next_reminder_date follow from these
writes by database triggers (opportunities/migrations/0004), so nothing here
touches the opportunity.
"""

import datetime
import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crm import permissions
from crm.history import acting
from crm.models import User
from journal import mail, selectors
from journal.models import (
    MAX_ATTACHMENT_BYTES,
    MAX_MAIL_BYTES,
    MAX_TEXT_LENGTH,
    BlockedAddress,
    EmailAttachment,
    EntryKind,
    JournalEntry,
    Mailbox,
    MailForwardAddress,
    Mood,
    ReminderDigest,
    text_length_error,
)
from journal.models import EmailMessage as EmailMessageModel
from opportunities.models import Opportunity, PhaseKind
from organizations import services as organization_services
from organizations.models import Member, Organization

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


# E-mail: every way in (IMAP polling, the forward address, .eml uploads, manage.py ingest_email)
# ends in email_ingest. journal.mail reads the message; here it is decided where it goes.

# Addresses at these domains are free mail: they say nothing about the organization.
FREEMAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "yahoo.com",
        "icloud.com",
        "me.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "t-online.de",
        "freenet.de",
        "posteo.de",
        "mailbox.org",
        "aol.com",
        "proton.me",
        "protonmail.com",
    }
)


@dataclass
class IngestResult:
    status: str  # "logged", "unassigned", "dropped" or "duplicate"
    message: "EmailMessageModel | None" = None
    reason: str = ""

    def describe(self) -> str:
        """One line for the job log and manage.py ingest_email."""
        message = self.message
        subject = f" {message.subject!r}" if message and message.subject else ""
        if self.status == "logged":
            return f"logged on {message.entry.opportunity.short_name}{subject}"
        if self.status == "duplicate":
            where = message.entry.opportunity.short_name if message.entry_id else message.get_status_display()
            return f"already there ({where}){subject}"
        if self.status == "unassigned":
            return f"waiting in Unassigned mail{subject}"
        return f"dropped: {self.reason}{subject}"


def internal_domains() -> set[str]:
    """Our own domains: CRM_INTERNAL_DOMAINS and the domains of the users' addresses."""
    domains = {domain.lower() for domain in settings.CRM_INTERNAL_DOMAINS}
    for address in User.objects.filter(is_active=True).exclude(email="").values_list("email", flat=True):
        domains.add(mail.domain_of(address))
    return domains


def email_ingest(
    *, raw: bytes, source: str, mailbox: Mailbox | None = None, opportunity=None, user=None
) -> IngestResult:
    """Log one e-mail: on its opportunity, in Unassigned mail, or not at all (with the reason kept).

    ``opportunity`` and ``user`` come from an upload onto an opportunity's journal: the rep chose
    where it goes. Raises journal.mail.MailError for a message that cannot be read or is too
    large; nothing is stored then.
    """
    if len(raw) > MAX_MAIL_BYTES:
        raise mail.MailError(
            f"too large: {len(raw) / 1024 / 1024:.1f} MB (at most {MAX_MAIL_BYTES // 1024 // 1024} MB)"
        )
    parsed = mail.parse(raw)
    existing = EmailMessageModel.objects.select_related("entry__opportunity").filter(message_id=parsed.message_id)
    if existing := existing.first():
        return IngestResult("duplicate", existing)

    ours = internal_domains()
    external = [address for address in parsed.participants if mail.domain_of(address) not in ours]
    addressed_to = [*parsed.to, *parsed.cc, *parsed.delivered_to]
    forwarder = _forward_address(addressed_to)
    author = user or (forwarder.user if forwarder else None) or _internal_user(parsed, ours)

    reason = ""
    if opportunity is None:
        if forwarder and not forwarder.log_my_mail:
            reason = "the person turned off logging their mail"
        elif parsed.automatic:
            reason = parsed.automatic
        elif not external:
            reason = "only internal addresses"
        else:
            reason = _blocked(parsed.participants, author)
    members = _members(external)
    organization = _organization(members, external)
    direction = EmailMessageModel.Direction.OUT if mail.domain_of(parsed.from_address) in ours else "in"
    thread = _thread(parsed)
    if opportunity is None and not reason:
        opportunity = _opportunity(parsed, addressed_to, thread, organization)
    if opportunity is not None and author is None:
        author = opportunity.owner  # no colleague takes part (a plus-address, a shared mailbox)
    status = "dropped" if reason else "logged" if opportunity is not None else "unassigned"

    stored = []
    try:
        with transaction.atomic():
            message = _store(parsed, raw, status, reason, direction, source, mailbox, organization, thread, stored)
            if status == "logged":
                _log(message, parsed, opportunity=opportunity, author=author)
    except Exception:
        for file in stored:  # files are not part of the transaction
            file.storage.delete(file.name)
        raise
    return IngestResult(status, message, reason)


def new_forward_token() -> str:
    """The secret part of a personal forward address: unguessable, short enough to type."""
    return secrets.token_hex(6)


@transaction.atomic
def mail_forward_address_get(*, user) -> MailForwardAddress:
    """The person's own forward/BCC address, made on first use."""
    address, _created = MailForwardAddress.objects.get_or_create(user=user, defaults={"token": new_forward_token()})
    return address


def forward_address_text(address: MailForwardAddress) -> str:
    """crm+<token>@<CRM_MAIL_DOMAIN> ("" while no mail domain is set up)."""
    return f"crm+{address.token}@{settings.CRM_MAIL_DOMAIN}" if settings.CRM_MAIL_DOMAIN else ""


def _forward_address(addresses) -> MailForwardAddress | None:
    tokens = {mail.plus_tag(address).lower() for address in addresses} - {""}
    return MailForwardAddress.objects.select_related("user").filter(token__in=tokens).first() if tokens else None


def _internal_user(parsed: mail.ParsedMail, ours: set[str]):
    """The colleague the mail belongs to: its sender when it went out, else its first colleague recipient."""
    candidates = [address for address in parsed.participants if mail.domain_of(address) in ours]
    if not candidates:
        return None
    users = {u.email.lower(): u for u in User.objects.filter(is_active=True, email__iregex=_any_of(candidates))}
    return next((users[address] for address in candidates if address in users), None)


def _any_of(addresses) -> str:
    return "^(" + "|".join(re.escape(address) for address in addresses) + ")$"


def _blocked(participants, author) -> str:
    patterns = BlockedAddress.objects.filter(Q(user=None) | Q(user=author) if author else Q(user=None))
    blocked = {pattern.lower() for pattern in patterns.values_list("pattern", flat=True)}
    for address in participants:
        if address in blocked or f"@{mail.domain_of(address)}" in blocked:
            return f"blocked address {address}"
    return ""


def _members(addresses):
    if not addresses:
        return []
    return list(
        Member.objects.filter(email__iregex=_any_of(addresses), organization__deleted_at=None).select_related(
            "organization"
        )
    )


def _organization(members, addresses):
    """The organization of the contact persons taking part; else the one whose domain the addresses have."""
    organizations = {member.organization_id: member.organization for member in members}
    if len(organizations) == 1:
        return next(iter(organizations.values()))
    if organizations:
        return None  # several organizations: a rep decides
    domains = {mail.domain_of(address) for address in addresses} - FREEMAIL_DOMAINS
    if not domains:
        return None
    condition = Q()
    for domain in domains:
        condition |= Q(email__iendswith=f"@{domain}") | Q(
            website__iregex=rf"^https?://(www\.)?{re.escape(domain)}(/|$)"
        )
    found = list(Organization.objects.filter(condition, deleted_at=None)[:2])
    return found[0] if len(found) == 1 else None


def _thread(parsed: mail.ParsedMail):
    """The earlier message of this thread that we have, if any (In-Reply-To, then References)."""
    ids = [i for i in [parsed.in_reply_to, *reversed(parsed.references)] if i]
    if not ids:
        return None
    known = {m.message_id: m for m in EmailMessageModel.objects.filter(message_id__in=ids).select_related("entry")}
    return next((known[i] for i in ids if i in known), None)


def _opportunity(parsed: mail.ParsedMail, addressed_to, thread, organization):
    live = Opportunity.objects.filter(deleted_at=None)
    for address in addressed_to:
        tag = mail.plus_tag(address)
        if tag and (found := live.filter(short_name__iexact=tag).first()):
            return found
    if parsed.subject_tag and (found := live.filter(short_name__iexact=parsed.subject_tag).first()):
        return found
    if thread is not None and thread.entry_id and thread.entry.opportunity.deleted_at is None:
        return thread.entry.opportunity
    if organization is not None:
        open_ones = list(live.filter(organization=organization, phase__kind=PhaseKind.OPEN)[:2])
        if len(open_ones) == 1:
            return open_ones[0]
    return None


def _store(parsed, raw, status, reason, direction, source, mailbox, organization, thread, stored):
    message = EmailMessageModel(
        message_id=parsed.message_id,
        in_reply_to=parsed.in_reply_to,
        references=parsed.references,
        thread_root=(thread.thread_root or thread) if thread else None,
        status=status,
        drop_reason=reason[:200],
        direction=direction,
        source=source,
        mailbox=mailbox,
        from_address=parsed.from_address,
        from_name=parsed.from_name,
        to=parsed.to,
        cc=parsed.cc,
        subject=parsed.subject,
        sent_at=parsed.sent_at,
        full_text=parsed.text,
        organization=organization,
    )
    message.raw.save(f"{hashlib.sha256(raw).hexdigest()[:32]}.eml", ContentFile(raw), save=False)
    stored.append(message.raw)
    message.full_clean(exclude=["raw", "thread_root", "to", "cc"])
    message.save()
    for attachment in parsed.attachments:
        if len(attachment.content) > MAX_ATTACHMENT_BYTES:
            continue  # listed in the original .eml, not kept on its own
        row = EmailAttachment(
            message=message,
            filename=attachment.filename,
            content_type=attachment.content_type,
            size=len(attachment.content),
        )
        row.file.save(attachment.filename, ContentFile(attachment.content), save=False)
        stored.append(row.file)
        row.save()
    return message


@acting("author")
def _log(message, parsed, *, opportunity, author) -> JournalEntry:
    entry = JournalEntry.objects.create(
        opportunity=opportunity,
        author=author,
        kind=EntryKind.EMAIL,
        text=(parsed.reply or parsed.subject or "—")[:MAX_TEXT_LENGTH],
    )
    message.entry = entry
    message.save(update_fields=["entry"])
    return entry


def _unassigned(message: EmailMessageModel) -> EmailMessageModel:
    locked = EmailMessageModel.objects.select_for_update().get(pk=message.pk)
    if locked.status != EmailMessageModel.Status.UNASSIGNED:
        raise ValidationError(_("Someone has already dealt with this e-mail."), code="handled")
    return locked


@acting()
@transaction.atomic
def email_assign(*, message: EmailMessageModel, opportunity, user) -> JournalEntry:
    """Log an unassigned e-mail on the opportunity a rep chose (the rep is its author unless a colleague took part)."""
    _require(permissions.can_post_journal(user))
    message = _unassigned(message)
    parsed = mail.parse(message.raw.read())
    author = _internal_user(parsed, internal_domains()) or user
    message.status = EmailMessageModel.Status.LOGGED
    message.save(update_fields=["status"])
    return _log(message, parsed, opportunity=opportunity, author=author)


@acting()
@transaction.atomic
def email_ignore(*, message: EmailMessageModel, user) -> EmailMessageModel:
    """Leave an unassigned e-mail out of the journal (it stays in admin's list of e-mails)."""
    _require(permissions.can_post_journal(user))
    message = _unassigned(message)
    message.status = EmailMessageModel.Status.IGNORED
    message.drop_reason = _("ignored by %(name)s") % {"name": user.name}
    message.save(update_fields=["status", "drop_reason"])
    return message


@acting()
@transaction.atomic
def email_sender_add_member(*, message: EmailMessageModel, organization: Organization, user) -> Member:
    """Make the sender of an unassigned e-mail a contact person of ``organization``."""
    _require(permissions.can_change_members(user))
    message = _unassigned(message)
    if Member.objects.filter(organization=organization, email__iexact=message.from_address).exists():
        raise ValidationError(_("This address is already a contact person there."), code="exists")
    first, _space, last = (message.from_name or message.from_address.split("@")[0]).rpartition(" ")
    member = organization_services.member_create(
        organization=organization,
        data={"first_name": first[:100], "last_name": last[:100] or first[:100], "email": message.from_address},
        user=user,
    )
    message.organization = organization
    message.save(update_fields=["organization"])
    return member


@transaction.atomic
def mail_settings_update(*, user, log_my_mail: bool) -> MailForwardAddress:
    """Whether mail the person takes part in goes into the journal."""
    address = mail_forward_address_get(user=user)
    address.log_my_mail = log_my_mail
    address.save(update_fields=["log_my_mail"])
    return address


@transaction.atomic
def blocked_address_add(*, user, pattern: str) -> BlockedAddress:
    """Keep mail from or to this address (or @domain) out of the person's journal entries."""
    blocked = BlockedAddress(user=user, pattern=pattern.strip().lower())
    blocked.full_clean()
    blocked.save()
    return blocked


def blocked_address_remove(*, user, pk: int) -> None:
    BlockedAddress.objects.filter(user=user, pk=pk).delete()
