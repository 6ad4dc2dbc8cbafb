"""Reads for the opportunity table, board and detail page."""

import datetime
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import BooleanField, Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from crm import trash
from crm.models import User
from opportunities.models import (
    BoardFigure,
    Category,
    CustomField,
    Opportunity,
    OpportunityContact,
    Phase,
    SavedView,
    Source,
    Status,
    Tag,
    Task,
)
from organizations.models import Member, Organization

# One round trip for every small admin-defined list a page needs: the table's
# filter form, column headers and inline-edit menus render from it, so their
# number does not grow the page's query count.
#
# Building ~60 model instances from it costs a few milliseconds per request,
# so each process keeps what it built, keyed by an md5 of the JSON computed in
# the same query: the database sends the JSON only when it differs from what
# this process last saw for the user. Every request still reads the current
# rows (no staleness, nothing to invalidate); an unchanged configuration costs
# one short row.
_CONFIGURATION_SQL = """
SELECT stamp, CASE WHEN stamp = %s THEN NULL ELSE lists END
FROM (SELECT md5(lists::text) AS stamp, lists FROM (SELECT json_build_array(
  (SELECT coalesce(json_agg(row_to_json(p) ORDER BY p.position, p.id), '[]')
     FROM (SELECT id, name, position, is_active, color, default_probability, kind FROM opportunities_phase) p),
  (SELECT coalesce(json_agg(row_to_json(s) ORDER BY s.position, s.id), '[]')
     FROM (SELECT id, name, position, is_active FROM opportunities_status) s),
  (SELECT coalesce(json_agg(row_to_json(c) ORDER BY c.position, c.id), '[]')
     FROM (SELECT id, name, position, is_active FROM opportunities_category) c),
  (SELECT coalesce(json_agg(row_to_json(s) ORDER BY s.position, s.id), '[]')
     FROM (SELECT id, name, position, is_active FROM opportunities_source) s),
  (SELECT coalesce(json_agg(row_to_json(t) ORDER BY upper(t.name)), '[]')
     FROM (SELECT id, name FROM opportunities_tag) t),
  (SELECT coalesce(json_agg(row_to_json(f) ORDER BY f.position, f.id), '[]')
     FROM (SELECT id, label, key, field_type, choices, required, help_text, position, show_in_table,
                  show_on_cards, is_active
             FROM opportunities_customfield WHERE is_active) f),
  (SELECT coalesce(json_agg(row_to_json(u) ORDER BY coalesce(nullif(u.display_name, ''), u.username)), '[]')
     FROM (SELECT id, username, display_name, first_name, last_name, is_active
             FROM crm_user) u),
  (SELECT coalesce(json_agg(row_to_json(v) ORDER BY v.owner_id NULLS FIRST, v.position, v.name), '[]')
     FROM (SELECT id, owner_id, name, query, position FROM opportunities_savedview
            WHERE owner_id IS NULL OR owner_id = %s) v)
) AS lists) AS configuration) AS stamped
"""
# Configurations built in this process, by stamp, and each user's last stamp.
# Both are bounded; users without saved views of their own share one entry.
_CONFIGURATIONS: dict = {}
_USER_STAMPS: dict = {}
_CACHE_SIZE = 256


def _load(value):
    return json.loads(value) if isinstance(value, str) else value


@dataclass
class Configuration:
    phases: list[Phase]
    statuses: list[Status]
    categories: list[Category]
    sources: list[Source]
    tags: list[Tag]
    custom_fields: list[CustomField]
    users: list[User]
    saved_views: list[SavedView]
    _by_id: dict = field(default_factory=dict, repr=False)

    def phase(self, pk) -> Phase | None:
        return self._index("phases").get(pk)

    def status(self, pk) -> Status | None:
        return self._index("statuses").get(pk)

    def category(self, pk) -> Category | None:
        return self._index("categories").get(pk)

    def source(self, pk) -> Source | None:
        return self._index("sources").get(pk)

    def user(self, pk) -> User | None:
        return self._index("users").get(pk)

    def _index(self, name):
        if name not in self._by_id:
            self._by_id[name] = {obj.pk: obj for obj in getattr(self, name)}
        return self._by_id[name]

    def phase_ids(self, kind: str) -> list[int]:
        return [p.pk for p in self.phases if p.kind == kind]

    @property
    def active_phases(self):
        return [p for p in self.phases if p.is_active]

    @property
    def active_users(self):
        return [u for u in self.users if u.is_active]

    @property
    def active_statuses(self):
        return [s for s in self.statuses if s.is_active]


def configuration_get(*, user) -> Configuration:
    """Phases, statuses, categories, sources, tags, custom fields, users and saved views: one query.

    The result is shared by the requests this process serves while the rows stay
    the same: treat it as read-only.
    """
    with connection.cursor() as cursor:
        cursor.execute(_CONFIGURATION_SQL, [_USER_STAMPS.get(user.pk, ""), user.pk])
        stamp, lists = cursor.fetchone()
    config = _CONFIGURATIONS.get(stamp)
    if config is None:
        if lists is None:  # this process dropped it meanwhile: ask again for the lists
            with connection.cursor() as cursor:
                cursor.execute(_CONFIGURATION_SQL, ["", user.pk])
                stamp, lists = cursor.fetchone()
        config = _configuration_build(_load(lists))
        _remember(_CONFIGURATIONS, stamp, config)
    _remember(_USER_STAMPS, user.pk, stamp)
    return config


def _remember(cache: dict, key, value) -> None:
    """Keep at most _CACHE_SIZE entries, dropping the oldest (requests on other threads may race: harmless)."""
    cache[key] = value
    while len(cache) > _CACHE_SIZE:
        try:
            cache.pop(next(iter(cache)), None)
        except (RuntimeError, StopIteration):
            break


def _configuration_build(lists) -> Configuration:
    phases, statuses, categories, sources, tags, custom_fields, users, saved_views = lists
    return Configuration(
        phases=[Phase(**data) for data in phases],
        statuses=[Status(**data) for data in statuses],
        categories=[Category(**data) for data in categories],
        sources=[Source(**data) for data in sources],
        tags=[Tag(**data) for data in tags],
        custom_fields=[CustomField(**data) for data in custom_fields],
        users=[User(**data) for data in users],
        saved_views=[SavedView(**data) for data in saved_views],
    )


def opportunity_table_queryset() -> QuerySet[Opportunity]:
    """Opportunities with what a table row shows, in one query per page.

    Phase, status, category, source and owner come from the configuration
    (attached by ``attach_configuration``), so the row query joins only the
    organization; tag names ride along as an array subquery.
    """
    tag_names = Tag.objects.filter(opportunities=OuterRef("pk")).order_by("name").values("name")
    return Opportunity.objects.select_related("organization").annotate(tag_names=ArraySubquery(tag_names))


def opportunity_live_count() -> int:
    """How many opportunities are not in the trash, from BoardFigure (kept by triggers, a few dozen rows).

    The unfiltered table's count without counting 100,000 rows on each page.
    """
    return BoardFigure.objects.aggregate(n=Sum("count"))["n"] or 0


def opportunity_board_queryset() -> QuerySet[Opportunity]:
    """The board's base set; opportunities.board adds what cards show."""
    return Opportunity.objects.all()


def attach_configuration(opportunities, config: Configuration) -> None:
    """Set phase, status, category, source and owner from the loaded configuration (no queries).

    Straight into the relation cache: each object is the one its *_id names, so
    the descriptors' checks (type, database, setting the id again) are not
    needed, and they cost ~1 ms for a page of 100 rows.
    """
    fields = Opportunity._meta
    phase, status, category, source, owner = (
        fields.get_field(name) for name in ("phase", "status", "category", "source", "owner")
    )
    for opportunity in opportunities:
        phase.set_cached_value(
            opportunity, config.phase(opportunity.phase_id) or Phase.objects.get(pk=opportunity.phase_id)
        )
        status.set_cached_value(
            opportunity, config.status(opportunity.status_id) or Status.objects.get(pk=opportunity.status_id)
        )
        category.set_cached_value(
            opportunity, config.category(opportunity.category_id) if opportunity.category_id else None
        )
        source.set_cached_value(opportunity, config.source(opportunity.source_id) if opportunity.source_id else None)
        owner.set_cached_value(
            opportunity, config.user(opportunity.owner_id) or User.objects.get(pk=opportunity.owner_id)
        )


def group_totals(queryset: QuerySet[Opportunity], *, field: str, keys) -> dict:
    """Count and summed value per group key, over the whole filtered set, for the given keys."""
    rows = (
        queryset.order_by()
        .filter(**{f"{field}__in": keys})
        .values(field)
        .annotate(count=Count("id"), total=Sum("value"))
    )
    return {row[field]: row for row in rows}


def organization_suggestions(*, term: str, limit: int = 10):
    """Organizations whose name or code matches ``term``; names starting with it first."""
    from django.db.models import Case, IntegerField, Q, Value, When

    from organizations.models import Organization

    return (
        Organization.objects.filter(Q(name__icontains=term) | Q(code__istartswith=term))
        .annotate(
            starts=Case(When(name__istartswith=term, then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        .order_by("starts", "name", "id")
        .only("id", "name", "code", "city")[:limit]
    )


# Detail page -------------------------------------------------------------


def opportunity_detail(*, short_name: str) -> Opportunity:
    """One opportunity for its page, or 404: with its organization, tag ids and the organization's opportunity count.

    Phase, status, category, source, owner and tag names come from the
    configuration (``attach_configuration``), so this is one query.
    """
    tag_ids = Opportunity.tags.through.objects.filter(opportunity_id=OuterRef("pk")).values("tag_id")
    organization_count = (
        Opportunity.objects.filter(organization_id=OuterRef("organization_id"))
        .order_by()
        .values("organization_id")
        .annotate(n=Count("*"))
        .values("n")
    )
    queryset = Opportunity.objects.select_related("organization").annotate(
        tag_ids=ArraySubquery(tag_ids),
        organization_opportunity_count=Subquery(organization_count, output_field=IntegerField()),
    )
    return get_object_or_404(queryset, short_name=short_name)


def opportunity_member_list(*, opportunity: Opportunity) -> QuerySet[Member]:
    """The organization's members, contact persons first (primary first), each with ``contact``.

    ``contact`` is None for members who are not contact persons of this
    opportunity, else the link's is_primary; one query.
    """
    link = OpportunityContact.objects.filter(opportunity_id=opportunity.pk, member_id=OuterRef("pk"))
    return (
        Member.objects.filter(organization_id=opportunity.organization_id)
        .annotate(contact=Subquery(link.values("is_primary")[:1], output_field=BooleanField()))
        .order_by(F("contact").desc(nulls_last=True), "last_name", "first_name", "id")
    )


def opportunity_task_list(*, opportunity: Opportunity) -> QuerySet[Task]:
    """The opportunity's tasks: open ones first by due date, then done ones (assignees from the configuration)."""
    return Task.objects.filter(opportunity_id=opportunity.pk).order_by(
        F("done_at").asc(nulls_first=True), F("due_date").asc(nulls_last=True), "id"
    )


# The timeline in one round trip: the opportunity's own rows, its tasks' and its
# contact persons' (with the member's name, which may be gone since), newest
# first and only as many as shown, each with the acting user from pghistory's
# context and the row before it (LAG over the same object's rows: what a change
# changed from), so the cost follows the page, not the length of the history.
_HISTORY_SQL = """
WITH latest AS (
  -- Only the newest rows can be shown, and each needs the row before it: the
  -- newest offset + limit + 1 (an opportunity moved every day for years has thousands).
  SELECT e.* FROM opportunities_opportunityevent e
   WHERE e.pgh_obj_id = %(id)s
   ORDER BY e.pgh_id DESC
   LIMIT %(offset)s + %(limit)s + 1
), events AS (
  SELECT 'opportunity' AS source, e.pgh_id, e.pgh_created_at, e.pgh_label, e.pgh_context_id,
         to_jsonb(e) AS data, lag(to_jsonb(e)) OVER (ORDER BY e.pgh_id) AS before
    FROM latest e
  UNION ALL
  SELECT 'task', e.pgh_id, e.pgh_created_at, e.pgh_label, e.pgh_context_id,
         to_jsonb(e), lag(to_jsonb(e)) OVER (PARTITION BY e.pgh_obj_id ORDER BY e.pgh_id)
    FROM opportunities_taskevent e
   WHERE e.opportunity_id = %(id)s
  UNION ALL
  SELECT 'contact', e.pgh_id, e.pgh_created_at, e.pgh_label, e.pgh_context_id,
         to_jsonb(e) || jsonb_build_object(
           'member_name', concat_ws(' ', nullif(m.academic_title, ''), nullif(m.first_name, ''), m.last_name)),
         NULL
    FROM opportunities_opportunitycontactevent e
    LEFT JOIN organizations_member m ON m.id = e.member_id
   WHERE e.opportunity_id = %(id)s
)
SELECT ev.source, ev.pgh_created_at, ev.pgh_label, c.metadata ->> 'user', ev.data, ev.before,
       (SELECT count(*) FROM opportunities_opportunityevent
         WHERE pgh_obj_id = %(id)s AND pgh_label <> 'created')
       + (SELECT count(*) FROM opportunities_taskevent WHERE opportunity_id = %(id)s)
       + (SELECT count(*) FROM opportunities_opportunitycontactevent WHERE opportunity_id = %(id)s)
  FROM events ev
  LEFT JOIN pghistory_context c ON c.id = ev.pgh_context_id
 WHERE NOT (ev.source = 'opportunity' AND ev.pgh_label = 'created')
 ORDER BY ev.pgh_created_at DESC, ev.source, ev.pgh_id DESC
 LIMIT %(limit)s OFFSET %(offset)s
"""


@dataclass
class HistoryRow:
    source: str  # "opportunity", "task" or "contact"
    label: str  # pghistory's event label: created, changed, added, removed
    at: object
    user_id: int | None
    data: dict
    before: dict | None  # the same object's previous row


def opportunity_history_rows(
    *, opportunity: Opportunity, limit: int = 1000, offset: int = 0
) -> tuple[list[HistoryRow], int]:
    """``limit`` recorded changes of the opportunity, its tasks and contact persons after the ``offset`` newest.

    Returns them, newest first, with the total number of changes recorded.
    """
    with connection.cursor() as cursor:
        cursor.execute(_HISTORY_SQL, {"id": opportunity.pk, "limit": limit, "offset": offset})
        rows = cursor.fetchall()
    result = []
    for source, at, label, user_id, data, before, _total in rows:
        try:
            user_pk = int(user_id) if user_id else None
        except ValueError:
            user_pk = None
        result.append(
            HistoryRow(
                source=source,
                label=label,
                at=at,
                user_id=user_pk,
                data=_load(data),
                before=_load(before) if before is not None else None,
            )
        )
    return result, (rows[0][-1] if rows else 0)


# Trash (crm/trash.py) ------------------------------------------------------------------------


def opportunity_trash_summary(*, opportunity: Opportunity) -> dict[str, int]:
    """What stays with an opportunity in the trash (and goes with it when it is purged): one query.

    Tasks are this app's; journal entries and documents are parts their apps
    declare (crm/trash.py), counted without importing them.
    """
    tasks = Task.objects.filter(opportunity_id=OuterRef("pk")).order_by().values("opportunity_id")
    parts = trash.part_count_annotations(Opportunity)
    counts = (
        Opportunity.objects.filter(pk=opportunity.pk)
        .annotate(
            task_count=Subquery(tasks.annotate(n=Count("*")).values("n"), output_field=IntegerField()),
            **parts,
        )
        .values("task_count", *parts)
        .get()
    )
    return {
        "tasks": counts["task_count"] or 0,
        **{part.key: counts[trash.part_count_name(part)] for part in trash.parts_of(Opportunity)},
    }


def trashed_opportunity_list() -> QuerySet[Opportunity]:
    """Opportunities in the trash on their own, newest first (not those that went with their organization)."""
    went_alone = Q(organization__deleted_at__isnull=True) | ~Q(deleted_at=F("organization__deleted_at"))
    return (
        Opportunity.all_objects.filter(deleted_at__isnull=False)
        .filter(went_alone)
        .select_related("organization", "phase", "owner", "deleted_by")
        .order_by("-deleted_at", "-id")
    )


def trashed_organization_list() -> QuerySet[Organization]:
    """Organizations in the trash, newest first, with how many opportunities went with each."""
    with_it = (
        Opportunity.all_objects.filter(organization_id=OuterRef("pk"), deleted_at=OuterRef("deleted_at"))
        .order_by()
        .values("organization_id")
        .annotate(n=Count("*"))
        .values("n")
    )
    return (
        Organization.all_objects.filter(deleted_at__isnull=False)
        .select_related("deleted_by")
        .annotate(opportunity_count=Coalesce(Subquery(with_it, output_field=IntegerField()), 0))
        .order_by("-deleted_at", "-id")
    )


# Staleness: open, and neither a journal entry lately nor a follow-up ahead. The journal keeps
# last_activity_at and next_reminder_date on the opportunity, so the rule reads only its columns.


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
