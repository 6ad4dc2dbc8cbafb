import re
import unicodedata

from django.db import transaction
from django.db.models import Q

from organizations.models import CODE_PATTERN, Member, Organization

ORGANIZATION_FIELDS = ["name", "code", "street", "postal_code", "city", "country", "email", "phone", "website", "notes"]
MEMBER_FIELDS = [
    "academic_title",
    "first_name",
    "last_name",
    "department",
    "job_title",
    "email",
    "phone",
    "street",
    "postal_code",
    "city",
    "country",
    "influence_level",
    "attitude",
    "personality",
    "notes",
]
_LEGAL_FORMS = {"GMBH", "AG", "KG", "SE", "CO", "UG", "MBH", "INC", "LTD", "LLC", "SA", "SAS", "BV", "NV", "PLC", "EV"}


def organization_code_suggest(*, name: str) -> str:
    """Suggest a free short code from an organization name ("Bionic Systems GmbH" → "BION")."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().upper()
    words = [w for w in re.findall(r"[A-Z0-9]+", ascii_name) if w not in _LEGAL_FORMS] or ["ORG"]
    if len(words) == 1 or len(words[0]) >= 4:
        base = words[0][:4]
    else:
        base = "".join(w[0] for w in words)[:4]
    base = base if len(base) >= 2 else (base + "X")[:2]
    taken = set(Organization.objects.filter(code__startswith=base[:2]).values_list("code", flat=True))
    if base not in taken:
        return base
    for suffix in range(2, 1000):
        candidate = f"{base[: 10 - len(str(suffix))]}{suffix}"
        if candidate not in taken and re.match(CODE_PATTERN, candidate):
            return candidate
    raise ValueError("No free code")


@transaction.atomic
def organization_create(*, data: dict) -> Organization:
    """Create an organization from validated form data."""
    values = {field: data[field] for field in ORGANIZATION_FIELDS if field in data}
    if not values.get("code"):
        values["code"] = organization_code_suggest(name=values["name"])
    organization = Organization(**values)
    organization.full_clean()
    organization.save()
    return organization


@transaction.atomic
def organization_update(*, organization: Organization, data: dict) -> Organization:
    """Change an organization; the short code is fixed once it has opportunities."""
    for field in ORGANIZATION_FIELDS:
        if field not in data:
            continue
        if field == "code" and organization.opportunity_counter and data[field] != organization.code:
            continue
        setattr(organization, field, data[field])
    organization.full_clean()
    organization.save()
    return organization


@transaction.atomic
def member_create(*, organization: Organization, data: dict, user=None) -> Member:
    """Add a contact person to an organization."""
    member = Member(organization=organization, created_by=user, **{f: data[f] for f in MEMBER_FIELDS if f in data})
    member.full_clean()
    member.save()
    return member


@transaction.atomic
def member_update(*, member: Member, data: dict) -> Member:
    """Change a contact person's data."""
    for field in MEMBER_FIELDS:
        if field in data:
            setattr(member, field, data[field])
    member.full_clean()
    member.save()
    return member


@transaction.atomic
def member_delete(*, member: Member) -> None:
    """Remove a contact person (their journal mentions and history stay)."""
    member.delete()


def organization_search_q(term: str) -> Q:
    """Filter for the organization list's search box: name, code, city or e-mail."""
    return Q(name__icontains=term) | Q(code__iexact=term) | Q(city__icontains=term) | Q(email__icontains=term)
