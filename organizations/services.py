import re
import unicodedata

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from crm import permissions, trash
from crm.history import acting
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
    taken = set(Organization.all_objects.filter(code__startswith=base[:2]).values_list("code", flat=True))
    if base not in taken:
        return base
    for suffix in range(2, 1000):
        candidate = f"{base[: 10 - len(str(suffix))]}{suffix}"
        if candidate not in taken and re.match(CODE_PATTERN, candidate):
            return candidate
    raise ValueError("No free code")


@acting()
@transaction.atomic
def organization_create(*, data: dict, user=None) -> Organization:
    """Create an organization from validated form data."""
    values = {field: data[field] for field in ORGANIZATION_FIELDS if field in data}
    if not values.get("code"):
        values["code"] = organization_code_suggest(name=values["name"])
    organization = Organization(**values)
    organization.full_clean()
    organization.save()
    return organization


@acting()
@transaction.atomic
def organization_update(*, organization: Organization, data: dict, user=None) -> Organization:
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


@acting()
@transaction.atomic
def member_create(*, organization: Organization, data: dict, user=None) -> Member:
    """Add a contact person to an organization."""
    member = Member(organization=organization, created_by=user, **{f: data[f] for f in MEMBER_FIELDS if f in data})
    member.full_clean()
    member.save()
    return member


@acting()
@transaction.atomic
def member_update(*, member: Member, data: dict, user=None) -> Member:
    """Change a contact person's data."""
    for field in MEMBER_FIELDS:
        if field in data:
            setattr(member, field, data[field])
    member.full_clean()
    member.save()
    return member


@acting()
@transaction.atomic
def member_delete(*, member: Member, user=None) -> None:
    """Remove a contact person (their journal mentions and history stay)."""
    member.delete()


# What anonymising a contact person leaves of them (GDPR Art. 17): a placeholder
# name, their organization and department (where in the organization the
# contact sat, not who). Besides name, contact data, address, assessments and
# notes, the academic and job titles go too: with the organization, "Dr." or
# "CEO" can still single out one person.
ANONYMISED_NAME = "Anonymised contact"
ANONYMISED_VALUES = {
    "academic_title": "",
    "first_name": "",
    "last_name": ANONYMISED_NAME,
    "job_title": "",
    "email": "",
    "phone": "",
    "street": "",
    "postal_code": "",
    "city": "",
    "country": "",
    "influence_level": "",
    "attitude": "",
    "personality": "",
    "notes": "",
}


@acting()
@transaction.atomic
def member_anonymise(*, member: Member, user) -> Member:
    """Remove a contact person's personal data on their request, from the record and from its history."""
    permissions.require(permissions.can_manage_personal_data(user))
    member = Member.objects.select_for_update(of=("self",)).select_related("organization").get(pk=member.pk)
    if member.anonymised_at is not None:
        return member
    for field, value in ANONYMISED_VALUES.items():
        setattr(member, field, value)
    member.anonymised_at = timezone.now()
    member.full_clean()
    # The trigger records this update as the "anonymised" event: who, when, from where.
    member.save()
    # The audit trail's earlier rows still hold the removed values; erasure
    # has to reach them too (a copy kept "for audit" is still the data). What
    # stays is that, when and by whom each change was made. Admin log entries
    # name the object by its old str().
    member.events.update(**ANONYMISED_VALUES)
    LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Member), object_id=str(member.pk)).update(
        object_repr=ANONYMISED_NAME
    )
    return member


@acting()
@transaction.atomic
def organization_trash(*, organization: Organization, user) -> int:
    """Move an organization to the trash with its opportunities; how many opportunities went with it.

    Its members, and the opportunities' tasks, journal and documents, stay as
    they are and come back on restore. The opportunities get the organization's
    own deleted_at: that is how a restore knows which ones to bring back. They
    are a trash part the opportunities app declares (crm/trash.py): this app
    lies below it and does not import it.
    """
    permissions.require(permissions.can_delete_organization(user))
    locked = Organization.all_objects.select_for_update().get(pk=organization.pk)
    if locked.deleted_at is not None:
        return 0
    now = timezone.now()
    moved = trash.parts_trash(locked, user=user, deleted_at=now)
    locked.deleted_at = now
    locked.deleted_by = user
    locked.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    return moved


@acting()
@transaction.atomic
def organization_restore(*, organization_id: int, user) -> int:
    """Bring an organization back with the opportunities that went to the trash with it; how many."""
    permissions.require(permissions.can_delete_organization(user))
    locked = Organization.all_objects.select_for_update().get(pk=organization_id)
    if locked.deleted_at is None:
        return 0
    restored = trash.parts_restore(locked, user=user)
    locked.deleted_at = None
    locked.deleted_by = None
    locked.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    return restored


def organization_search_q(term: str) -> Q:
    """Filter for the organization list's search box: name, code, city or e-mail."""
    return Q(name__icontains=term) | Q(code__iexact=term) | Q(city__icontains=term) | Q(email__icontains=term)
