"""Reads for the journal (detail page), the reminders page, the badge, the digest and staleness."""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm import permissions
from crm.models import User
from journal.forms import JournalEntryForm
from journal.models import EmailAttachment, EmailMessage, JournalEntry
from opportunities.models import Opportunity, PhaseKind
from opportunities.selectors import opportunity_is_stale

PAGE_SIZE = 20
# Moods shown in the trend (oldest left, newest right), taken from the page's rows.
TREND_SIZE = 10
# Rows per bucket on /reminders/ before "Show more"; a bucket's next page is bigger.
BUCKET_SIZE = 30
BUCKET_PAGE_SIZE = 100
# The reminders page shows this much of an entry's text (the journal has all of it).
EXCERPT_LENGTH = 280


# What the pages show of a person (crm.User.name and initials come from these).
_PERSON_FIELDS = ["username", "display_name", "first_name", "last_name"]


# Journal on the detail page ---------------------------------------------------------------


def journal_entry_queryset() -> QuerySet[JournalEntry]:
    """Entries with what the journal shows of them (author, reminded person) joined."""
    return JournalEntry.objects.select_related("author", "reminder_assignee")


_ENTRY_FIELDS = [field.name for field in JournalEntry._meta.concrete_fields]
_EMAIL_FIELDS = ["id", "entry", "direction", "from_address", "from_name", "to", "cc", "subject", "sent_at", "full_text"]
_ATTACHMENT_FIELDS = ["id", "message", "filename", "size"]


def journal_entry_list(*, opportunity_id: int, before: int | None = None, limit: int = PAGE_SIZE) -> list[JournalEntry]:
    """The opportunity's entries newest first, ``limit`` + 1 of them (the extra one says "there is more").

    ``before`` is the id of the last entry already shown; the next page starts after it
    in (created_at, id) order, which journal_opp_created_idx serves.
    """
    # The people's names only (what the entries show of them), not their whole rows.
    people = [f"{who}__{name}" for who in ("author", "reminder_assignee") for name in _PERSON_FIELDS]
    queryset = (
        journal_entry_queryset()
        .select_related("email")
        # An e-mail entry's headers and its attachments' names: one query more, and only
        # when the page has e-mail entries (no e-mail, nothing to prefetch).
        .prefetch_related(Prefetch("email__attachments", EmailAttachment.objects.only(*_ATTACHMENT_FIELDS)))
        .only(*_ENTRY_FIELDS, *people, *(f"email__{name}" for name in _EMAIL_FIELDS))
        .filter(opportunity_id=opportunity_id)
        .order_by("-created_at", "-id")
    )
    if before is not None:
        anchor = Subquery(JournalEntry.objects.filter(pk=before).values("created_at")[:1])
        queryset = queryset.filter(Q(created_at__lt=anchor) | Q(created_at=anchor, id__lt=before))
    return list(queryset[: limit + 1])


def journal_entry_get(*, pk: int) -> JournalEntry:
    """One entry with its author, reminded person and opportunity (raises DoesNotExist).

    Carries what a row on /reminders/ shows too (organization, phase, excerpt), so an
    action there re-renders its row without more queries.
    """
    entry = (
        journal_entry_queryset()
        .select_related("opportunity__organization", "opportunity__phase")
        .get(pk=pk, opportunity__deleted_at__isnull=True)
    )
    entry.excerpt = entry.text[: EXCERPT_LENGTH + 1]
    return entry


def mood_trend(entries: list[JournalEntry], size: int = TREND_SIZE) -> list[JournalEntry]:
    """The newest ``size`` of ``entries`` (newest first as given), oldest first for reading left to right."""
    return list(reversed(entries[:size]))


def journal_trend(*, opportunity_id: int, size: int = TREND_SIZE) -> list[JournalEntry]:
    """The moods of the newest ``size`` entries, oldest first, without their texts and people (one query)."""
    queryset = JournalEntry.objects.filter(opportunity_id=opportunity_id).order_by("-created_at", "-id")
    return mood_trend(list(queryset.only("id", "mood", "created_at")[:size]), size)


def assignable_users() -> list[User]:
    """Active users, for "who is reminded" (one query)."""
    return list(User.objects.filter(is_active=True).only("id", "username", "display_name", "first_name", "last_name"))


def journal_rights(user) -> dict:
    """What the user may do in the journal, for the templates (crm.permissions; no query per entry:
    the user's permissions are read once per request)."""
    return {
        "can_post": permissions.can_post_journal(user),
        "is_manager": permissions.is_manager(user),
        "can_change_entries": user.has_perm("journal.change_journalentry"),
    }


def journal_section(
    *,
    opportunity: Opportunity,
    user: User,
    users: list[User] | None = None,
    phase=None,
    entries: list[JournalEntry] | None = None,
    form: JournalEntryForm | None = None,
    next_url: str = "",
) -> dict:
    """The context of templates/journal/journal_section.html#journal-section for one opportunity.

    One query: the newest PAGE_SIZE entries with their people (the mood trend is drawn from
    the same rows). ``users`` (who can be reminded) and ``phase`` (the opportunity's) save a
    query each when the caller has them, as the detail page has from its configuration.
    ``entries`` is a journal_entry_list the caller read already; ``form`` an invalid post.
    """
    if entries is None:
        entries = journal_entry_list(opportunity_id=opportunity.pk)
    page = entries[:PAGE_SIZE]
    if users is None:
        users = assignable_users()
    phase = phase or opportunity.phase
    return {
        "opportunity": opportunity,
        "entries": page,
        "has_more": len(entries) > PAGE_SIZE,
        "trend": mood_trend(page),
        "is_stale": opportunity_is_stale(opportunity, is_open=phase.kind == PhaseKind.OPEN),
        "stale_days": settings.CRM_STALE_AFTER_DAYS,
        "form": form or JournalEntryForm(users=users, author=user),
        "today": timezone.localdate(),
        "next_url": next_url,
        "user": user,
        **journal_rights(user),
    }


# Reminders --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BucketSpec:
    key: str
    label: str
    empty: str


BUCKETS = [
    BucketSpec("overdue", _("Overdue"), _("Nothing overdue. Well done.")),
    BucketSpec("today", _("Today"), _("Nothing due today.")),
    BucketSpec("week", _("This week"), _("Nothing else this week.")),
    BucketSpec("later", _("Later"), _("Nothing planned after this week.")),
]
BUCKET_KEYS = [bucket.key for bucket in BUCKETS]


@dataclass
class Bucket:
    key: str
    label: str
    empty: str
    count: int = 0
    rows: list = field(default_factory=list)

    @property
    def more(self) -> int:
        return self.count - len(self.rows)


def week_end(today: datetime.date) -> datetime.date:
    """Sunday of today's (ISO) week: "this week" runs from tomorrow to then."""
    return today + datetime.timedelta(days=6 - today.weekday())


def bucket_ranges(today: datetime.date) -> dict[str, Q]:
    """Each bucket's reminder dates, for today's date in the configured time zone (Europe/Berlin)."""
    end = week_end(today)
    return {
        "overdue": Q(reminder_date__lt=today),
        "today": Q(reminder_date=today),
        "week": Q(reminder_date__gt=today, reminder_date__lte=end),
        "later": Q(reminder_date__gt=end),
    }


def open_reminders(*, assignee_id: int | None) -> QuerySet[JournalEntry]:
    """Open reminders of one person (None: the whole team), matching journal_open_reminder_idx."""
    # Reminders on opportunities in the trash (crm/trash.py) wait until a restore.
    queryset = JournalEntry.objects.filter(
        reminder_date__isnull=False, reminder_done_at__isnull=True, opportunity__deleted_at__isnull=True
    )
    if assignee_id is not None:
        queryset = queryset.filter(reminder_assignee_id=assignee_id)
    return queryset


@dataclass(slots=True)
class ReminderRow:
    """What a row on /reminders/ shows, as plain values.

    A page has up to 120 rows of five joined models: read with values_list, each person once,
    instead of model instances.
    """

    pk: int
    reminder_date: datetime.date
    created_at: datetime.datetime
    mood: str
    excerpt: str
    author_id: int
    short_name: str
    opportunity_name: str
    organization_name: str
    phase_id: int
    phase_name: str
    author: User
    reminder_assignee: User | None

    @classmethod
    def from_entry(cls, entry: JournalEntry) -> "ReminderRow":
        """The row of an entry from journal_entry_get (after done or snooze)."""
        opportunity = entry.opportunity
        return cls(
            pk=entry.pk,
            reminder_date=entry.reminder_date,
            created_at=entry.created_at,
            mood=entry.mood,
            excerpt=entry.excerpt,
            author_id=entry.author_id,
            author=entry.author,
            reminder_assignee=entry.reminder_assignee,
            short_name=opportunity.short_name,
            opportunity_name=opportunity.name,
            organization_name=opportunity.organization.name,
            phase_id=opportunity.phase_id,
            phase_name=opportunity.phase.name,
        )


_ROW_VALUES = [
    "pk",
    "reminder_date",
    "created_at",
    "mood",
    "excerpt",
    "author_id",
    "opportunity__short_name",
    "opportunity__name",
    "opportunity__organization__name",
    "opportunity__phase_id",
    "opportunity__phase__name",
    *[f"{who}__{name}" for who in ("author", "reminder_assignee") for name in _PERSON_FIELDS],
]


def reminder_row_queryset(queryset: QuerySet[JournalEntry]) -> QuerySet:
    """What a row on /reminders/ shows, in the row itself (values, no per-row queries).

    The text is cut in SQL, so a few long entries do not make the page heavy.
    """
    return queryset.annotate(excerpt=Substr("text", 1, EXCERPT_LENGTH + 1)).values_list(*_ROW_VALUES)


def _reminder_rows(values) -> list[ReminderRow]:
    """ReminderRows of reminder_row_queryset's values; each person is one User (a page has a few dozen)."""
    people: dict[tuple, User] = {}

    def person(username, display_name, first_name, last_name) -> User | None:
        if username is None:
            return None
        key = (username, display_name, first_name, last_name)
        found = people.get(key)
        if found is None:
            found = people[key] = User(
                username=username, display_name=display_name, first_name=first_name, last_name=last_name
            )
        return found

    return [
        ReminderRow(*value[:11], author=person(*value[11:15]), reminder_assignee=person(*value[15:19]))
        for value in values
    ]


def reminder_buckets(*, assignee_id: int | None, today: datetime.date, size: int = BUCKET_SIZE) -> list[Bucket]:
    """Overdue, today, this week, later: each bucket's count and its first ``size`` rows.

    Two queries whether there are 5 or 5,000 open reminders: the counts, then the
    buckets' first rows as one UNION ALL of a LIMITed query per (non-empty) bucket.
    """
    counts = reminder_counts(assignee_id=assignee_id, today=today)
    buckets = [Bucket(key=spec.key, label=spec.label, empty=spec.empty, count=counts[spec.key]) for spec in BUCKETS]
    # journal_open_reminder_idx (assignee, date; open reminders only) serves one person's buckets.
    base = open_reminders(assignee_id=assignee_id).order_by("reminder_date", "id")
    ranges = bucket_ranges(today)
    parts = [reminder_row_queryset(base.filter(ranges[bucket.key]))[:size] for bucket in buckets if bucket.count]
    if not parts:
        return buckets
    by_key = {bucket.key: bucket for bucket in buckets}
    rows = _reminder_rows(parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0])
    for row in sorted(rows, key=lambda row: (row.reminder_date, row.pk)):
        by_key[bucket_of(row.reminder_date, today)].rows.append(row)
    return buckets


def bucket_of(date: datetime.date, today: datetime.date) -> str:
    """The bucket a reminder date falls in (bucket_ranges, for one date)."""
    if date < today:
        return "overdue"
    if date == today:
        return "today"
    return "week" if date <= week_end(today) else "later"


def reminder_bucket_rows(
    *, assignee_id: int | None, today: datetime.date, bucket: str, offset: int, limit: int = BUCKET_PAGE_SIZE
) -> list[ReminderRow]:
    """The next rows of one bucket ("Show more"), ``limit`` + 1 of them."""
    queryset = open_reminders(assignee_id=assignee_id).filter(bucket_ranges(today)[bucket])
    queryset = reminder_row_queryset(queryset.order_by("reminder_date", "id"))
    return _reminder_rows(queryset[offset : offset + limit + 1])


def reminder_counts(*, assignee_id: int | None, today: datetime.date) -> dict[str, int]:
    """How many open reminders each bucket holds (one query, after a row was done or snoozed)."""
    ranges = bucket_ranges(today)
    return open_reminders(assignee_id=assignee_id).aggregate(
        **{key: Count("id", filter=ranges[key]) for key in BUCKET_KEYS}
    )


def reminder_badge_count(*, user_id: int, today: datetime.date) -> int:
    """Open reminders due today or overdue for one person, leaving out trashed opportunities':
    the top navigation's badge (the same rows as ``open_reminders``, tested against it).
    """
    # NOT EXISTS against the (small) trash instead of a join to every opportunity: PostgreSQL
    # then reads only journal_open_reminder_idx (it includes opportunity_id).
    trashed = Opportunity.all_objects.filter(pk=OuterRef("opportunity_id"), deleted_at__isnull=False)
    return (
        JournalEntry.objects.filter(
            reminder_assignee_id=user_id,
            reminder_date__isnull=False,
            reminder_date__lte=today,
            reminder_done_at__isnull=True,
        )
        .exclude(Exists(trashed))
        .count()
    )


def due_reminders(*, today: datetime.date) -> QuerySet[JournalEntry]:
    """Everyone's open reminders due today or overdue, for the daily digest (grouped by person)."""
    return (
        open_reminders(assignee_id=None)
        .filter(reminder_date__lte=today, reminder_assignee__is_active=True)
        .exclude(reminder_assignee__email="")
        .select_related("opportunity", "opportunity__organization", "reminder_assignee")
        .order_by("reminder_assignee_id", "reminder_date", "id")
    )


# E-mail ----------------------------------------------------------------------------------------


def unassigned_email_list() -> QuerySet:
    """Mail that waits for a rep to say where it belongs, newest first (email_unassigned_idx)."""
    return (
        EmailMessage.objects.filter(status=EmailMessage.Status.UNASSIGNED)
        .select_related("organization")
        .annotate(attachment_count=Count("attachments"))
        .order_by("-received_at", "-id")
    )


def open_opportunities_by_organization(organization_ids) -> dict[int, list]:
    """The open opportunities of these organizations (one query), the suggestions for unassigned mail."""
    result: dict[int, list] = {}
    rows = Opportunity.objects.filter(
        organization_id__in=set(organization_ids) - {None}, phase__kind=PhaseKind.OPEN, deleted_at=None
    ).order_by("organization_id", "-updated_at")
    for opportunity in rows.only("id", "short_name", "name", "organization_id"):
        result.setdefault(opportunity.organization_id, []).append(opportunity)
    return result
