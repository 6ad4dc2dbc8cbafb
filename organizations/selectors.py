from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Case, Count, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, Lower
from django.shortcuts import get_object_or_404

from documents.models import Document
from opportunities.models import Opportunity, OpportunityContact, PhaseKind
from organizations.models import MEMBER_HISTORY_FIELDS, Member, Organization
from organizations.services import organization_search_q

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


def _with_counts(queryset: QuerySet) -> QuerySet:
    opportunities = Opportunity.objects.filter(organization=OuterRef("pk"))
    return queryset.annotate(
        member_count=_count(Member.objects.filter(organization=OuterRef("pk"))),
        opportunity_count=_count(opportunities),
        open_opportunity_count=_count(opportunities.filter(phase__kind=PhaseKind.OPEN)),
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


def organization_opportunity_list(*, organization: Organization) -> QuerySet[Opportunity]:
    """The organization's opportunities for its page: open ones first, newest first."""
    return (
        Opportunity.objects.filter(organization=organization)
        .select_related("phase", "status", "owner")
        .order_by(
            Case(When(phase__kind=PhaseKind.OPEN, then=0), default=1).asc(),
            "-created_at",
            "-id",
        )
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


def _event_data(event) -> dict:
    """An audit row's snapshot: the tracked fields (foreign keys as ids), without pghistory's own columns."""
    return {
        field.attname: field.value_from_object(event)
        for field in event._meta.concrete_fields
        if not field.name.startswith("pgh_")
    }


def member_export(*, member: Member) -> dict:
    """Everything stored about one contact person (GDPR access and portability), ready for JSON.

    Journal entries are left out: they are the team's notes about a conversation
    and name the person only in free text. ``member`` comes with its organization
    (``member_get``); six queries whatever the numbers: opportunity links,
    documents, the two event tables, the opportunities their rows name, the users
    who acted.
    """
    links = (
        OpportunityContact.objects.filter(member=member)
        .select_related("opportunity__phase")
        .order_by("opportunity__created_at", "opportunity_id")
    )
    documents = Document.objects.filter(recipient=member).order_by("created_at", "id")
    member_events = list(member.events.select_related("pgh_context").order_by("pgh_id"))
    contact_events = list(
        apps.get_model("opportunities", "OpportunityContactEvent")
        .objects.filter(member_id=member.pk)
        .select_related("pgh_context")
        .order_by("pgh_id")
    )
    short_names = dict(
        Opportunity.objects.filter(pk__in={event.opportunity_id for event in contact_events}).values_list(
            "pk", "short_name"
        )
    )
    events = [("member", event) for event in member_events] + [("contact person", event) for event in contact_events]
    user_ids = {member.created_by_id} | {_context(event).get("user") for _, event in events}
    users = {user.pk: user.get_username() for user in get_user_model().objects.filter(pk__in=user_ids - {None})}

    history = []
    for kind, event in sorted(events, key=lambda item: item[1].pgh_created_at):
        data = _event_data(event)
        if kind == "contact person":
            data["opportunity"] = short_names.get(event.opportunity_id)
        history.append(
            {
                "at": event.pgh_created_at,
                "record": kind,
                "event": event.pgh_label,
                "by": users.get(_context(event).get("user")),
                "url": _context(event).get("url"),
                "data": data,
            }
        )
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
        "opportunities": [
            {
                "short_name": link.opportunity.short_name,
                "name": link.opportunity.name,
                "phase": link.opportunity.phase.name,
                "primary_contact": link.is_primary,
            }
            for link in links
        ],
        "documents": [
            {
                "number": document.number,
                "title": document.title,
                "type": document.doc_type,
                "status": document.status,
                "created_at": document.created_at,
                "sent_at": document.sent_at,
            }
            for document in documents
        ],
        "history": history,
    }
