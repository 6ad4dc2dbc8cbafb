"""The opportunity the detail-page benchmark opens: 200 journal entries, 30 tasks,
20 members and 10 documents (issue 5's size), created once in the bench database."""

from decimal import Decimal

from crm.models import User
from documents import services as document_services
from journal.models import JournalEntry
from opportunities.models import Opportunity, OpportunityContact, Task
from organizations.models import Member

MARKER = "Benchmark detail page"


def ensure_big_opportunity() -> str:
    existing = Opportunity.objects.filter(name=MARKER).first()
    if existing:
        return existing.short_name
    user = User.objects.get(username="sales1")
    opportunity = Opportunity.objects.filter(phase__kind="open").order_by("id").first()
    opportunity.name, opportunity.owner = MARKER, user
    opportunity.save(update_fields=["name", "owner"])
    organization = opportunity.organization
    members = Member.objects.bulk_create(
        [Member(organization=organization, first_name="Bench", last_name=f"Person {i}") for i in range(20)]
    )
    OpportunityContact.objects.bulk_create(
        [OpportunityContact(opportunity=opportunity, member=m, is_primary=i == 0) for i, m in enumerate(members)],
        ignore_conflicts=True,
    )
    Task.objects.bulk_create([Task(opportunity=opportunity, title=f"Bench task {i}", assignee=user) for i in range(30)])
    JournalEntry.objects.bulk_create(
        [JournalEntry(opportunity=opportunity, author=user, text=f"Bench note {i}", mood="neutral") for i in range(200)]
    )
    for i in range(10):
        document = document_services.document_create(opportunity=opportunity, user=user, data={"title": f"Offer {i}"})
        document_services.document_line_add(
            document_id=document.pk,
            user=user,
            data={"description": "Consulting", "quantity": Decimal(3), "unit_price": Decimal(950)},
        )
    return opportunity.short_name
