from django.db import transaction
from django.utils import timezone

from opportunities.custom_fields import clean_custom_values
from opportunities.models import Opportunity, OpportunityContact, Phase, Status
from organizations.models import Organization

OPPORTUNITY_FIELDS = [
    "name",
    "category",
    "status",
    "phase",
    "owner",
    "description",
    "probability",
    "source",
    "value",
    "currency",
    "expected_close_date",
]


def default_status() -> Status:
    return Status.objects.active().order_by("position", "id").first()


def default_phase() -> Phase:
    return Phase.objects.active().filter(kind="open").order_by("position", "id").first()


@transaction.atomic
def opportunity_create(
    *,
    organization: Organization,
    data: dict,
    user,
    tags=(),
    contacts=(),
    primary_contact=None,
) -> Opportunity:
    """Create an opportunity with the organization's next short name (BION-1, BION-2, …).

    The organization row is locked for the rest of the transaction, so concurrent
    creates in one organization queue up and each takes the next number; the
    counter only grows, so a number is never handed out twice, even after deletes.
    The unique constraint (organization, number) is the final guarantee.
    """
    locked = Organization.objects.select_for_update().only("id", "code", "opportunity_counter").get(pk=organization.pk)
    values = {field: data[field] for field in OPPORTUNITY_FIELDS if field in data and data[field] is not None}
    values.setdefault("status", default_status())
    values.setdefault("phase", default_phase())
    values.setdefault("owner", user)
    if "probability" not in values:
        values["probability"] = values["phase"].default_probability
    custom_values = clean_custom_values(data.get("custom_values") or {})

    locked.opportunity_counter += 1
    Organization.objects.filter(pk=locked.pk).update(opportunity_counter=locked.opportunity_counter)
    opportunity = Opportunity(
        organization=locked,
        number=locked.opportunity_counter,
        short_name=f"{locked.code}-{locked.opportunity_counter}",
        custom_values=custom_values,
        created_by=user,
        phase_changed_at=timezone.now(),
        **values,
    )
    opportunity.full_clean()
    opportunity.save()
    if tags:
        opportunity.tags.set(tags)
    contact_set = list(contacts)
    if primary_contact is not None and primary_contact not in contact_set:
        contact_set.insert(0, primary_contact)
    OpportunityContact.objects.bulk_create(
        [
            OpportunityContact(opportunity=opportunity, member=member, is_primary=member == primary_contact)
            for member in contact_set
        ]
    )
    return opportunity
