from django.contrib.auth import get_user_model
from django.db.models import BooleanField, Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, Lower
from django.shortcuts import get_object_or_404

from organizations import personal_data
from organizations.models import MEMBER_HISTORY_FIELDS, Member, Organization
from organizations.services import organization_search_q

# An organization's opportunities live in the app above this one, which this app does not
# import (dependencies point one way): it reads them through the reverse relation
# ``Organization.opportunities`` and knows of them only the kind of phase that counts as
# open (opportunities.models.PhaseKind.OPEN; tests/test_dependencies.py keeps the two equal).
OPEN_PHASE_KIND = "open"

# Sort keys the organization list accepts (?sort=…); "-key" sorts descending.
# Every ordering ends with the id so pages never repeat or skip rows.
ORGANIZATION_SORTS = {
    "name": [Lower("name").asc(), "id"],
    "-name": [Lower("name").desc(), "-id"],
    # Organizations without a city go last in both directions.
    "city": [Case(When(city="", then=1), default=0).asc(), Lower("city").asc(), Lower("name").asc(), "id"],
    "-city": [Case(When(city="", then=1), default=0).asc(), Lower("city").desc(), Lower("name").asc(), "id"],
    "opportunities": ["open_opportunity_count", Lower("name").asc(), "id"],
    "-opportunities": ["-open_opportunity_count", Lower("name").asc(), "id"],
    "created": ["created_at", "id"],
    "-created": ["-created_at", "-id"],
}
DEFAULT_ORGANIZATION_SORT = "name"


def _count(queryset: QuerySet) -> Coalesce:
    """A correlated COUNT(*) subquery: one per row, no row multiplication from joins."""
    counted = queryset.order_by().values("organization").annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def opportunity_count(**conditions) -> Subquery:
    """A correlated count of the outer organization's live opportunities meeting ``conditions`` (lookups on them).

    Through the reverse relation: a subquery per row, as ``_count``, so the list needs no GROUP BY.
    """
    counted = Q(opportunities__deleted_at__isnull=True, **{f"opportunities__{k}": v for k, v in conditions.items()})
    own_row = Organization.all_objects.filter(pk=OuterRef("pk")).order_by()
    return Subquery(own_row.annotate(n=Count("opportunities", filter=counted)).values("n"), output_field=IntegerField())


def _with_counts(queryset: QuerySet) -> QuerySet:
    return queryset.annotate(
        member_count=_count(Member.objects.filter(organization=OuterRef("pk"))),
        opportunity_count=opportunity_count(),
        open_opportunity_count=opportunity_count(phase__kind=OPEN_PHASE_KIND),
    )


def organization_list(*, q: str = "", sort: str = DEFAULT_ORGANIZATION_SORT) -> QuerySet[Organization]:
    """Organizations matching the search, with member and opportunity counts, in the chosen order."""
    queryset = Organization.objects.all()
    q = q.strip()
    if q:
        queryset = queryset.filter(organization_search_q(q))
    ordering = ORGANIZATION_SORTS.get(sort, ORGANIZATION_SORTS[DEFAULT_ORGANIZATION_SORT])
    return _with_counts(queryset).order_by(*ordering)


def organization_get(*, pk: int) -> Organization:
    """One organization, or 404; its page counts the members and opportunities it lists anyway."""
    return get_object_or_404(Organization, pk=pk)


def member_list(*, organization: Organization) -> QuerySet[Member]:
    """The organization's contact persons in display order."""
    return Member.objects.filter(organization=organization).order_by("last_name", "first_name", "id")


def member_get(*, organization_pk: int, pk: int) -> Member:
    """One member of one organization (with the organization), or 404."""
    return get_object_or_404(
        Member.objects.select_related("organization"),
        organization_id=organization_pk,
        organization__deleted_at__isnull=True,
        pk=pk,
    )


def organization_opportunity_list(*, organization: Organization) -> QuerySet:
    """The organization's opportunities for its page: open ones first (``is_open``), newest first."""
    is_open = Case(
        When(phase__kind=OPEN_PHASE_KIND, then=Value(True)), default=Value(False), output_field=BooleanField()
    )
    return (
        organization.opportunities.select_related("phase", "status", "owner")
        .annotate(is_open=is_open)
        .order_by("-is_open", "-created_at", "-id")
    )


# The member's own columns in the export, in form order (the organization has its own key).
MEMBER_EXPORT_FIELDS = [
    *(name for name in MEMBER_HISTORY_FIELDS if name != "organization"),
    "anonymised_at",
    "created_at",
    "updated_at",
]


def _context(event) -> dict:
    """Who and from which URL (pghistory's context); empty for writes made without one."""
    return event.pgh_context.metadata if event.pgh_context_id else {}


def member_export(*, member: Member) -> dict:
    """Everything stored about one contact person (GDPR access and portability), ready for JSON.

    Journal entries are left out: they are the team's notes about a conversation
    and name the person only in free text. The apps above this one add what they
    hold about the person (organizations/personal_data.py). ``member`` comes with
    its organization (``member_get``); six queries whatever the numbers: the
    person's events, the users who acted, and the apps' shares (opportunity
    links, contact events and the opportunities they name, documents).
    """
    member_events = member.events.select_related("pgh_context").order_by("pgh_id")
    events = [personal_data.HistoryItem("member", event, personal_data.event_data(event)) for event in member_events]
    shares = {}
    for share in personal_data.shares():
        shares[share.key] = share.rows(member)
        if share.history is not None:
            events += share.history(member)
    user_ids = {member.created_by_id} | {_context(item.event).get("user") for item in events}
    users = {user.pk: user.get_username() for user in get_user_model().objects.filter(pk__in=user_ids - {None})}

    history = [
        {
            "at": item.event.pgh_created_at,
            "record": item.record,
            "event": item.event.pgh_label,
            "by": users.get(_context(item.event).get("user")),
            "url": _context(item.event).get("url"),
            "data": item.data,
        }
        for item in sorted(events, key=lambda item: item.event.pgh_created_at)
    ]
    return {
        "member": {
            "id": member.pk,
            **{name: getattr(member, name) for name in MEMBER_EXPORT_FIELDS},
            "created_by": users.get(member.created_by_id),
        },
        "organization": {
            "id": member.organization.pk,
            "name": member.organization.name,
            "code": member.organization.code,
        },
        **shares,
        "history": history,
    }
