"""This app's share of a contact person's data export (organizations/personal_data.py)."""

from opportunities.models import Opportunity, OpportunityContact, OpportunityContactEvent
from organizations.models import Member
from organizations.personal_data import HistoryItem, event_data


def member_opportunities(member: Member) -> list[dict]:
    """The opportunities the person is a contact person of: one query."""
    links = (
        OpportunityContact.objects.filter(member=member)
        .select_related("opportunity__phase")
        .order_by("opportunity__created_at", "opportunity_id")
    )
    return [
        {
            "short_name": link.opportunity.short_name,
            "name": link.opportunity.name,
            "phase": link.opportunity.phase.name,
            "primary_contact": link.is_primary,
        }
        for link in links
    ]


def member_contact_history(member: Member) -> list[HistoryItem]:
    """Every time the person was made, changed or removed as a contact person: two queries.

    The rows name the opportunity by its short name, which the event rows do not hold.
    """
    events = list(
        OpportunityContactEvent.objects.filter(member_id=member.pk).select_related("pgh_context").order_by("pgh_id")
    )
    short_names = dict(
        Opportunity.objects.filter(pk__in={event.opportunity_id for event in events}).values_list("pk", "short_name")
    )
    return [
        HistoryItem(
            record="contact person",
            event=event,
            data={**event_data(event), "opportunity": short_names.get(event.opportunity_id)},
        )
        for event in events
    ]
