"""The accounts the load tests log in as, and the records each may change on its own.

Run inside Django (``manage.py shell -c``). Each simulated rep gets an account
``loadrepNN`` of its own (group Sales, a known password), open opportunities
that only it owns, so its moves never race another rep's (a refused move, 409,
would be an error of the test, not of the app), and an offer with lines whose
PDF it downloads. Idempotent: a later run reuses what an earlier one made.
"""

from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import F

from crm.models import User
from documents import services as document_services
from documents.models import Document
from journal.models import JournalEntry
from opportunities.models import Opportunity, Phase

USERNAME = "loadrep{:02d}"
DOCUMENT_TITLE = "Load test offer"
NOTE_PREFIX = "Load test note"
LINES = [
    {"description": f"Consulting block {i}", "quantity": Decimal(i), "unit": "Tage", "unit_price": Decimal(950)}
    for i in range(1, 9)
]


@transaction.atomic
def ensure_reps(*, count: int, per_rep: int, password: str) -> dict:
    """Create (or reuse) ``count`` reps with ``per_rep`` open opportunities and one offer each; describe them."""
    sales = Group.objects.get(name="Sales")
    # One hash for all: hashing is deliberately slow (1.5 M rounds), and these are throwaway accounts.
    hashed = make_password(password)
    open_phases = list(Phase.objects.filter(kind="open", is_active=True).order_by("pk").values_list("pk", flat=True))
    reps = []
    for number in range(1, count + 1):
        user, _ = User.objects.get_or_create(
            username=USERNAME.format(number), defaults={"display_name": f"Load Rep {number:02d}"}
        )
        user.password, user.is_active = hashed, True
        user.save(update_fields=["password", "is_active"])
        user.groups.add(sales)
        owned = Opportunity.objects.filter(owner=user, phase__kind="open")
        missing = per_rep - owned.count()
        if missing > 0:
            # Taken from the seeded reps (rep01..rep20), never from sales1, whom `make bench` measures.
            spare = (
                Opportunity.objects.filter(phase__kind="open", owner__username__regex=r"^rep\d+$")
                .order_by("id")
                .values_list("pk", flat=True)[:missing]
            )
            Opportunity.objects.filter(pk__in=list(spare)).update(owner=user, version=F("version") + 1)
        opportunities = list(owned.order_by("id").values("short_name", "version", "phase_id")[:per_rep])
        document = Document.objects.filter(created_by=user, title=DOCUMENT_TITLE).first()
        if document is None:
            first = Opportunity.objects.get(short_name=opportunities[0]["short_name"])
            document = document_services.document_create(
                opportunity=first, user=user, data={"title": DOCUMENT_TITLE}, lines=LINES
            )
        reps.append(
            {
                "username": user.username,
                "opportunities": [
                    {"short_name": o["short_name"], "version": o["version"], "phase": o["phase_id"]}
                    for o in opportunities
                ],
                "documents": [document.number],
            }
        )
    return {"reps": reps, "open_phases": open_phases}


def remove_notes() -> int:
    """Delete the journal entries the load posted, so repeated runs do not grow the bench database.

    The load's accounts are deactivated too (ensure_reps activates them again):
    `make bench` measures pages at the spec's data, and 50 more active users
    would lengthen every owner filter and user select it renders.
    """
    deleted, _ = JournalEntry.objects.filter(
        author__username__startswith="loadrep", text__startswith=NOTE_PREFIX
    ).delete()
    User.objects.filter(username__startswith="loadrep").update(is_active=False)
    return deleted
