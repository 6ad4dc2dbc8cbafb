"""Reads for the journal (detail page), the reminders page, the badge, the digest and staleness."""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Subquery, Value, When, Window
from django.db.models.functions import RowNumber, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.models import User
from journal.models import JournalEntry

PAGE_SIZE = 20
# Moods shown in the trend (oldest left, newest right), taken from the page's rows.
TREND_SIZE = 10
# Rows per bucket on /reminders/ before "Show more"; a bucket's next page is bigger.
BUCKET_SIZE = 30
BUCKET_PAGE_SIZE = 100
# The reminders page shows this much of an entry's text (the journal has all of it).
EXCERPT_LENGTH = 280


# Journal on the detail page ---------------------------------------------------------------


def journal_entry_queryset() -> QuerySet[JournalEntry]:
    """Entries with what the journal shows of them (author, reminded person) joined."""
    return JournalEntry.objects.select_related("author", "reminder_assignee")


def journal_entry_list(*, opportunity_id: int, before: int | None = None, limit: int = PAGE_SIZE) -> list[JournalEntry]:
    """The opportunity's entries newest first, ``limit`` + 1 of them (the extra one says "there is more").

    ``before`` is the id of the last entry already shown; the next page starts after it
    in (created_at, id) order, which journal_opp_created_idx serves.
    """
    queryset = journal_entry_queryset().filter(opportunity_id=opportunity_id).order_by("-created_at", "-id")
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


# Staleness --------------------------------------------------------------------------------


def stale_cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()) - datetime.timedelta(days=settings.CRM_STALE_AFTER_DAYS)


def stale_condition(*, open_phase_ids, now: datetime.datetime | None = None) -> Q:
    """Open, no journal entry for CRM_STALE_AFTER_DAYS, and no follow-up from today on.

    An opportunity without any entry counts from its creation, so a new one is not
    stale on its first day. Written as an OR rather than Coalesce so that
    opportunity_activity_idx stays usable.
    """
    cutoff = stale_cutoff(now)
    today = timezone.localdate(now) if now else timezone.localdate()
    quiet = Q(last_activity_at__lt=cutoff) | Q(last_activity_at__isnull=True, created_at__lt=cutoff)
    no_follow_up = Q(next_reminder_date__isnull=True) | Q(next_reminder_date__lt=today)
    return Q(phase_id__in=open_phase_ids) & quiet & no_follow_up


def opportunity_is_stale(opportunity, *, is_open: bool, now: datetime.datetime | None = None) -> bool:
    """The same rule as stale_condition, for one loaded opportunity (no query)."""
    if not is_open:
        return False
    now = now or timezone.now()
    cutoff = stale_cutoff(now)
    last = opportunity.last_activity_at or opportunity.created_at
    if last is None or last >= cutoff:
        return False
    reminder = opportunity.next_reminder_date
    return reminder is None or reminder < timezone.localdate(now)


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


_PERSON_FIELDS = ["username", "display_name", "first_name", "last_name"]


def reminder_row_queryset(queryset: QuerySet[JournalEntry]) -> QuerySet[JournalEntry]:
    """What a row on /reminders/ shows, in the row itself: no per-row queries.

    The text is cut in SQL, so a few long entries do not make the page heavy.
    """
    people = [f"{who}__{name}" for who in ("author", "reminder_assignee") for name in _PERSON_FIELDS]
    return (
        queryset.select_related(
            "opportunity", "opportunity__organization", "opportunity__phase", "author", "reminder_assignee"
        )
        # Only the columns a row shows: up to 200 rows of five joined models are built per page.
        .only(
            "opportunity__short_name",
            "opportunity__name",
            "opportunity__organization__name",
            "opportunity__phase__name",
            "created_at",
            "mood",
            "reminder_date",
            "reminder_done_at",
            *people,
        )
        .annotate(excerpt=Substr("text", 1, EXCERPT_LENGTH + 1))
    )


def reminder_buckets(*, assignee_id: int | None, today: datetime.date, size: int = BUCKET_SIZE) -> list[Bucket]:
    """Overdue, today, this week, later: each bucket's count and its first ``size`` rows, in one query.

    A window numbers the rows within their bucket (the first ``size`` are kept) and
    counts the bucket, so the page costs one query whether there are 5 or 5,000.
    """
    ranges = bucket_ranges(today)
    bucket = Case(
        *[When(ranges[key], then=Value(index)) for index, key in enumerate(BUCKET_KEYS)],
        output_field=IntegerField(),
    )
    rows = (
        reminder_row_queryset(open_reminders(assignee_id=assignee_id))
        .annotate(
            bucket=bucket,
            position=Window(RowNumber(), partition_by=[bucket], order_by=[F("reminder_date").asc(), F("id").asc()]),
            bucket_count=Window(Count("id"), partition_by=[bucket]),
        )
        .filter(position__lte=size)
        .order_by("bucket", "position")
    )
    buckets = [Bucket(key=spec.key, label=spec.label, empty=spec.empty) for spec in BUCKETS]
    for row in rows:
        target = buckets[row.bucket]
        target.count = row.bucket_count
        target.rows.append(row)
    return buckets


def reminder_bucket_rows(
    *, assignee_id: int | None, today: datetime.date, bucket: str, offset: int, limit: int = BUCKET_PAGE_SIZE
) -> list[JournalEntry]:
    """The next rows of one bucket ("Show more"), ``limit`` + 1 of them."""
    queryset = open_reminders(assignee_id=assignee_id).filter(bucket_ranges(today)[bucket])
    queryset = reminder_row_queryset(queryset).order_by("reminder_date", "id")
    return list(queryset[offset : offset + limit + 1])


def reminder_counts(*, assignee_id: int | None, today: datetime.date) -> dict[str, int]:
    """How many open reminders each bucket holds (one query, after a row was done or snoozed)."""
    ranges = bucket_ranges(today)
    return open_reminders(assignee_id=assignee_id).aggregate(
        **{key: Count("id", filter=ranges[key]) for key in BUCKET_KEYS}
    )


def reminder_badge_count(*, user_id: int, today: datetime.date) -> int:
    """Open reminders due today or overdue for one person: the top navigation's badge.

    A COUNT over journal_open_reminder_idx (assignee, date; only open reminders), so it
    reads a few index entries however large the journal grows.
    """
    return open_reminders(assignee_id=user_id).filter(reminder_date__lte=today).count()


def due_reminders(*, today: datetime.date) -> QuerySet[JournalEntry]:
    """Everyone's open reminders due today or overdue, for the daily digest (grouped by person)."""
    return (
        open_reminders(assignee_id=None)
        .filter(reminder_date__lte=today, reminder_assignee__is_active=True)
        .exclude(reminder_assignee__email="")
        .select_related("opportunity", "opportunity__organization", "reminder_assignee")
        .order_by("reminder_assignee_id", "reminder_date", "id")
    )
