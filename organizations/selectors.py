from django.db.models import Case, Count, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, Lower
from django.shortcuts import get_object_or_404

from opportunities.models import Opportunity, PhaseKind
from organizations.models import Member, Organization
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
    return get_object_or_404(Member.objects.select_related("organization"), organization_id=organization_pk, pk=pk)


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
