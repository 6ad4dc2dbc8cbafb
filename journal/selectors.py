"""Reads for the journal (detail page), the reminders page, the badge, the digest and staleness."""

import datetime
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Q, QuerySet, Subquery
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from crm.models import User
from journal.models import EmailMessage, JournalEntry
from opportunities.models import Opportunity, PhaseKind

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


def journal_entry_list(*, opportunity_id: int, before: int | None = None, limit: int = PAGE_SIZE) -> list[JournalEntry]:
    """The opportunity's entries newest first, ``limit`` + 1 of them (the extra one says "there is more").

    ``before`` is the id of the last entry already shown; the next page starts after it
    in (created_at, id) order, which journal_opp_created_idx serves.
    """
    # The people's names only (what the entries show of them), not their whole rows.
    people = [f"{who}__{name}" for who in ("author", "reminder_assignee") for name in _PERSON_FIELDS]
    queryset = (
        journal_entry_queryset()
        .only(*_ENTRY_FIELDS, *people)
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


# Staleness --------------------------------------------------------------------------------


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

    Up to 200 rows of five joined models were built per page (~6 ms of model instances and
    their init signals); these are read with values_list, and each person once.
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


# Every open reminder's bucket as bucket_ranges draws them (0 overdue, 1 today, 2 later this week,
# 3 after it), numbered and counted within its bucket by window functions; the first %(size)s of
# each bucket are kept. Written out: Django's QUALIFY emulation of the same query (the Case three
# times, an inner and an outer query) took ~8 ms to build and compile, the database ~2 ms to run it.
_BUCKETS_SQL = """
SELECT * FROM (
  SELECT e.id, e.reminder_date, e.created_at, e.mood, substring(e.text, 1, %(excerpt)s), e.author_id,
         o.short_name, o.name, org.name, o.phase_id, ph.name,
         a.username, a.display_name, a.first_name, a.last_name,
         r.username, r.display_name, r.first_name, r.last_name,
         b.bucket,
         count(*) OVER (PARTITION BY b.bucket) AS bucket_count,
         row_number() OVER (PARTITION BY b.bucket ORDER BY e.reminder_date, e.id) AS position
    FROM journal_journalentry e
    CROSS JOIN LATERAL (
      SELECT CASE WHEN e.reminder_date < %(today)s THEN 0
                  WHEN e.reminder_date = %(today)s THEN 1
                  WHEN e.reminder_date <= %(week_end)s THEN 2
                  ELSE 3 END AS bucket
    ) b
    JOIN opportunities_opportunity o ON o.id = e.opportunity_id
    JOIN organizations_organization org ON org.id = o.organization_id
    JOIN opportunities_phase ph ON ph.id = o.phase_id
    JOIN crm_user a ON a.id = e.author_id
    JOIN crm_user r ON r.id = e.reminder_assignee_id
   WHERE e.reminder_date IS NOT NULL AND e.reminder_done_at IS NULL AND o.deleted_at IS NULL {assignee}
) numbered
WHERE position <= %(size)s
ORDER BY bucket, position
"""


def reminder_buckets(*, assignee_id: int | None, today: datetime.date, size: int = BUCKET_SIZE) -> list[Bucket]:
    """Overdue, today, this week, later: each bucket's count and its first ``size`` rows, in one query.

    A window numbers the rows within their bucket (the first ``size`` are kept) and
    counts the bucket, so the page costs one query whether there are 5 or 5,000.
    open_reminders and reminder_row_queryset say the same with the ORM (reminder_bucket_rows).
    """
    params = {"today": today, "week_end": week_end(today), "size": size, "excerpt": EXCERPT_LENGTH + 1}
    # journal_open_reminder_idx (assignee, date; open reminders only) serves one person's page.
    assignee = ""
    if assignee_id is not None:
        assignee, params["assignee"] = "AND e.reminder_assignee_id = %(assignee)s", assignee_id
    with connection.cursor() as cursor:
        cursor.execute(_BUCKETS_SQL.format(assignee=assignee), params)
        values = cursor.fetchall()
    buckets = [Bucket(key=spec.key, label=spec.label, empty=spec.empty) for spec in BUCKETS]
    for row, value in zip(_reminder_rows(values), values, strict=True):
        target = buckets[value[19]]
        target.count = value[20]
        target.rows.append(row)
    return buckets


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


# The badge's count, written out: it runs on every full page, and building it through the ORM
# (an Exists subquery and a count) took ~1.3 ms of Python for a query that runs in ~0.2 ms.
# NOT EXISTS against the (small) trash instead of a join to every opportunity: PostgreSQL
# then reads only journal_open_reminder_idx (it includes opportunity_id).
_BADGE_SQL = """
SELECT count(*) FROM journal_journalentry j
 WHERE j.reminder_assignee_id = %s
   AND j.reminder_date IS NOT NULL AND j.reminder_date <= %s
   AND j.reminder_done_at IS NULL
   AND NOT EXISTS (SELECT 1 FROM opportunities_opportunity o
                    WHERE o.id = j.opportunity_id AND o.deleted_at IS NOT NULL)
"""


def reminder_badge_count(*, user_id: int, today: datetime.date) -> int:
    """Open reminders due today or overdue for one person, leaving out trashed opportunities':
    the top navigation's badge (the same rows as ``open_reminders``, tested against it).
    """
    with connection.cursor() as cursor:
        cursor.execute(_BADGE_SQL, [user_id, today])
        return cursor.fetchone()[0]


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
