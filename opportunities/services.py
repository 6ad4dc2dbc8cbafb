from dataclasses import dataclass

import pghistory
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from crm import permissions, trash
from crm.history import acting
from opportunities.custom_fields import clean_custom_values
from opportunities.models import (
    BoardFigure,
    Opportunity,
    OpportunityContact,
    OpportunityEvent,
    Phase,
    PhaseKind,
    Status,
    Tag,
    Task,
)
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


class VersionConflict(Exception):
    """The opportunity changed since the user loaded it; carries the fresh row."""

    def __init__(self, opportunity: Opportunity):
        super().__init__(f"{opportunity.short_name} changed meanwhile")
        self.opportunity = opportunity


def _status_named(name: str) -> Status | None:
    return Status.objects.filter(name__iexact=name).first() if name else None


def _apply_phase(opportunity: Opportunity, phase: Phase, *, lost_reason: str = "") -> None:
    """Move to ``phase`` and record what it means: won, lost or open again."""
    if phase.pk == opportunity.phase_id:
        return
    if not phase.is_active:
        raise ValidationError({"phase": _("The phase “%(name)s” is no longer in use.") % {"name": phase.name}})
    now = timezone.now()
    opportunity.phase = phase
    opportunity.phase_changed_at = now
    opportunity.probability = phase.default_probability
    if phase.kind == PhaseKind.WON:
        if opportunity.won_at is None:
            opportunity.won_at = now
        opportunity.lost_at, opportunity.lost_reason = None, ""
        # Won: the opportunity becomes an implementation project (setting).
        win_status = _status_named(settings.CRM_STATUS_ON_WIN)
        if win_status is not None:
            opportunity.status = win_status
    elif phase.kind == PhaseKind.LOST:
        if not lost_reason.strip():
            raise ValidationError({"lost_reason": _("Say why the opportunity was lost.")})
        opportunity.lost_at, opportunity.lost_reason = now, lost_reason.strip()
        opportunity.won_at = None
        lost_status = _status_named("Lost")
        if lost_status is not None:
            opportunity.status = lost_status
    else:
        opportunity.won_at = opportunity.lost_at = None
        opportunity.lost_reason = ""


# An update may change what a create may set.
UPDATABLE_FIELDS = frozenset(OPPORTUNITY_FIELDS)


def _locked(*, opportunity_id: int | None = None, short_name: str | None = None, queryset=None) -> Opportunity:
    """Read the opportunity and lock its row for the rest of the transaction (DoesNotExist if there is none).

    ``queryset`` may carry what the caller shows afterwards (annotations,
    select_related), so that it needs no second read; annotations keep the
    values from before the change.
    """
    if queryset is None:
        queryset = Opportunity.objects.all()
    lookup = {"pk": opportunity_id} if opportunity_id is not None else {"short_name": short_name}
    # of=("self",): lock the opportunity only. Locking its phase row as well
    # (select_related joins it) made concurrent moves deadlock at COMMIT: each
    # held one phase FOR UPDATE while its foreign-key check wanted the other's.
    # The search document (a trigger keeps it) is large and nothing here reads it.
    return queryset.defer("search_document").select_for_update(of=("self",)).get(**lookup)


@transaction.atomic
def opportunity_update(*, opportunity_id: int, version: int | None, data: dict, user) -> Opportunity:
    """Change fields of an opportunity, refusing a stale version (optimistic locking).

    The row is locked while checked and written, so two concurrent edits cannot
    both pass the version check. ``data`` may hold "lost_reason" for a move into
    a lost-kind phase.
    """
    return _change(_locked(opportunity_id=opportunity_id), version=version, data=data, user=user)


def _change(opportunity: Opportunity, *, version: int | None, data: dict, user, custom_fields=None) -> Opportunity:
    """opportunity_update on a row the caller has locked (_locked) in its transaction.

    The public services call this directly rather than each other, so that one
    change is one transaction without savepoints (two round trips each).
    """
    if version is not None and opportunity.version != version:
        raise VersionConflict(opportunity)
    permissions.require(permissions.can_change_opportunity(user, opportunity))
    unknown = set(data) - UPDATABLE_FIELDS - {"lost_reason", "custom_values"}
    if unknown:
        raise ValueError(f"Not updatable: {sorted(unknown)}")
    if "owner" in data and data["owner"].pk != opportunity.owner_id:
        permissions.require(permissions.can_reassign(user))
    if "phase" in data:
        _apply_phase(opportunity, data["phase"], lost_reason=data.get("lost_reason", ""))
    for name, value in data.items():
        if name in UPDATABLE_FIELDS and name != "phase":
            setattr(opportunity, name, value)
    if "custom_values" in data:
        # Check only the values being changed: another field that became
        # required, or was deactivated, since must not block this edit.
        changed = clean_custom_values(data["custom_values"], fields=custom_fields, partial=True)
        merged = {**opportunity.custom_values, **changed}
        for key in set(data["custom_values"]) - set(changed):
            merged.pop(key, None)  # emptied
        opportunity.custom_values = merged
    opportunity.version += 1
    opportunity.updated_by = user
    columns = _changed_columns(data)
    # Field rules (ranges, lengths, choices) are checked here for the columns
    # being written; foreign keys, uniqueness and check constraints are enforced
    # by the database on UPDATE. Validating those in Python cost 14 queries per
    # edit, for values that come from validated forms and the loaded
    # configuration; validating the untouched columns checked what is stored
    # already (and loaded the deferred search document).
    opportunity.full_clean(
        exclude=[name for name in _FIELD_NAMES if name not in columns or name in _RELATIONS],
        validate_unique=False,
        validate_constraints=False,
    )
    opportunity.save(update_fields=columns)
    return opportunity


_FIELD_NAMES = [field.name for field in Opportunity._meta.fields]
_RELATIONS = ["organization", "category", "status", "phase", "owner", "source", "created_by", "updated_by"]
_PHASE_COLUMNS = {"phase", "phase_changed_at", "probability", "won_at", "lost_at", "lost_reason", "status"}


def _changed_columns(data: dict) -> list[str]:
    """Only the columns an update can touch, so untouched columns' triggers stay quiet."""
    columns = {"version", "updated_by", "updated_at"} | (set(data) & UPDATABLE_FIELDS)
    if "phase" in data:
        columns |= _PHASE_COLUMNS
    if "custom_values" in data:
        columns.add("custom_values")
    return sorted(columns)


@dataclass
class BulkResult:
    updated: list[str]
    skipped: list[str]


@transaction.atomic
def opportunity_bulk_update(*, ids, user, data: dict | None = None, add_tag: str = "") -> BulkResult:
    """Apply one change to many opportunities; those the user may not change are skipped and reported.

    ``add_tag`` names a tag, created when it does not exist yet.
    """
    result = BulkResult(updated=[], skipped=[])
    tag = tag_get_or_create(name=add_tag) if add_tag else None
    # The opportunities only, not their phases (see _locked), in id
    # order, so that two overlapping bulk changes queue up instead of deadlocking.
    opportunities = list(
        Opportunity.objects.select_for_update(of=("self",)).select_related("phase").filter(pk__in=ids).order_by("pk")
    )
    if data:
        # Each change below is its own statement, and each statement's trigger
        # locks the board figures it changes: take them all now, in key order
        # (the order the trigger uses), so a concurrent move cannot hold one of
        # them while waiting for another that this loop already holds.
        list(BoardFigure.objects.select_for_update().order_by("phase_id", "status_id", "probability").values("pk"))
    through = Opportunity.tags.through
    for opportunity in sorted(opportunities, key=lambda o: o.pk):
        if not permissions.can_change_opportunity(user, opportunity):
            result.skipped.append(opportunity.short_name)
            continue
        if data:
            if "owner" in data and not permissions.can_reassign(user):
                result.skipped.append(opportunity.short_name)
                continue
            try:
                with transaction.atomic():
                    opportunity_update(opportunity_id=opportunity.pk, version=None, data=data, user=user)
            except ValidationError:
                result.skipped.append(opportunity.short_name)
                continue
        if tag is not None:
            through.objects.bulk_create([through(opportunity_id=opportunity.pk, tag_id=tag.pk)], ignore_conflicts=True)
            if not data:
                Opportunity.objects.filter(pk=opportunity.pk).update(version=F("version") + 1, updated_by=user)
        result.updated.append(opportunity.short_name)
    return result


def tag_get_or_create(*, name: str) -> Tag:
    """The tag with this name (case-insensitive), created if new."""
    name = " ".join(name.split())
    tag = Tag.objects.filter(name__iexact=name).first()
    if tag is None:
        tag = Tag(name=name)
        tag.full_clean()
        tag.save()
    return tag


class MoveNeedsInput(Exception):
    """A move into a won or lost phase needs a confirmation or a reason first; carries the current row."""

    def __init__(self, kind: str, phase: Phase, opportunity: Opportunity | None = None):
        super().__init__(kind)
        self.kind = kind  # "won" or "lost"
        self.phase = phase
        self.opportunity = opportunity


@transaction.atomic
def opportunity_move(
    *,
    opportunity_id: int | None = None,
    short_name: str | None = None,
    version: int,
    user,
    phase: Phase | None = None,
    status: Status | None = None,
    lost_reason: str = "",
    confirmed: bool = False,
    queryset=None,
) -> Opportunity:
    """Move an opportunity (by id or short name) to another board column (phase or status).

    A won-kind phase needs ``confirmed``, a lost-kind phase a ``lost_reason``;
    a stale ``version`` is refused before asking for either. ``queryset``: see
    _locked (the board reads the card's annotations with the lock).
    """
    current = _locked(opportunity_id=opportunity_id, short_name=short_name, queryset=queryset)
    if current.version != version:
        raise VersionConflict(current)
    permissions.require(permissions.can_change_opportunity(user, current))
    if phase is not None:
        if phase.kind == PhaseKind.WON and not confirmed and current.phase_id != phase.pk:
            raise MoveNeedsInput("won", phase, current)
        if phase.kind == PhaseKind.LOST and not lost_reason.strip() and current.phase_id != phase.pk:
            raise MoveNeedsInput("lost", phase, current)
        data = {"phase": phase, "lost_reason": lost_reason}
    elif status is not None:
        data = {"status": status}
    else:
        raise ValueError("Move to a phase or a status.")
    return _change(current, version=version, data=data, user=user)


# Detail page -------------------------------------------------------------


def _acting(user):
    """Name ``user`` on the history rows the triggers write inside this block.

    Requests already carry this context (pghistory's middleware); services
    called from elsewhere (shell, commands, tests) get it here.
    """
    return pghistory.context(user=user.pk if user is not None else None)


def _require_change(user, opportunity: Opportunity) -> None:
    permissions.require(permissions.can_change_opportunity(user, opportunity))


def _require_member_of(opportunity: Opportunity, member) -> None:
    if member.organization_id != opportunity.organization_id:
        raise ValidationError(
            _("Only members of %(name)s can be contact persons.") % {"name": opportunity.organization}
        )


def _phase_of_kind(kind: str) -> Phase:
    phase = Phase.objects.active().filter(kind=kind).order_by("position", "id").first()
    if phase is None:
        raise ValidationError(_("No active “%(kind)s” phase is configured.") % {"kind": PhaseKind(kind).label})
    return phase


@transaction.atomic
def opportunity_win(*, opportunity_id: int, version: int, user) -> Opportunity:
    """Mark as won: the first won phase, won_at now, and the status from CRM_STATUS_ON_WIN."""
    with _acting(user):
        return _change(
            _locked(opportunity_id=opportunity_id),
            version=version,
            data={"phase": _phase_of_kind(PhaseKind.WON)},
            user=user,
        )


@transaction.atomic
def opportunity_lose(*, opportunity_id: int, version: int, reason: str, user) -> Opportunity:
    """Mark as lost with a reason (required): the first lost phase and lost_at now."""
    if not reason.strip():
        raise ValidationError({"lost_reason": _("Say why the opportunity was lost.")})
    with _acting(user):
        return _change(
            _locked(opportunity_id=opportunity_id),
            version=version,
            data={"phase": _phase_of_kind(PhaseKind.LOST), "lost_reason": reason},
            user=user,
        )


@transaction.atomic
def opportunity_reopen(*, opportunity_id: int, version: int, user) -> Opportunity:
    """Open a won or lost opportunity again, in the phase and status it had before it was closed.

    The history knows them; an opportunity without such history goes to the first open phase.
    """
    open_phases = {phase.pk: phase for phase in Phase.objects.active().filter(kind=PhaseKind.OPEN)}
    before = (
        OpportunityEvent.objects.filter(pgh_obj_id=opportunity_id, phase_id__in=list(open_phases))
        .order_by("-pgh_id")
        .values("phase_id", "status_id")
        .first()
    )
    data = {"phase": open_phases[before["phase_id"]] if before else default_phase()}
    if before:
        status = Status.objects.active().filter(pk=before["status_id"]).first()
        if status is not None:
            data["status"] = status
    with _acting(user):
        return _change(_locked(opportunity_id=opportunity_id), version=version, data=data, user=user)


@transaction.atomic
def opportunity_field_update(
    *, opportunity_id: int, version: int, data: dict, user, custom_fields: list | None = None
) -> Opportunity:
    """One inline edit from the detail page (optimistic locking as in opportunity_update).

    ``custom_fields``: the active custom-field definitions, when the caller has
    them loaded already (the request's configuration); else they are read.
    """
    with _acting(user):
        return _change(
            _locked(opportunity_id=opportunity_id),
            version=version,
            data=data,
            user=user,
            custom_fields=custom_fields,
        )


@transaction.atomic
def opportunity_tag_add(*, opportunity: Opportunity, name: str, user) -> Tag:
    """Put a tag on the opportunity, creating the tag when it is new.

    Tags are a set: adding one cannot overwrite anyone's work, so no version check.
    """
    _require_change(user, opportunity)
    tag = tag_get_or_create(name=name)
    with _acting(user):
        Opportunity.tags.through.objects.bulk_create(
            [Opportunity.tags.through(opportunity_id=opportunity.pk, tag_id=tag.pk)], ignore_conflicts=True
        )
    return tag


@transaction.atomic
def opportunity_tag_remove(*, opportunity: Opportunity, tag_id: int, user) -> None:
    """Take a tag off the opportunity (the tag itself stays for others)."""
    _require_change(user, opportunity)
    with _acting(user):
        Opportunity.tags.through.objects.filter(opportunity_id=opportunity.pk, tag_id=tag_id).delete()


@transaction.atomic
def opportunity_contact_set(*, opportunity: Opportunity, member, is_contact: bool, user) -> None:
    """Make a member of the opportunity's organization one of its contact persons, or not."""
    _require_change(user, opportunity)
    _require_member_of(opportunity, member)
    with _acting(user):
        if is_contact:
            OpportunityContact.objects.get_or_create(opportunity=opportunity, member=member)
        else:
            OpportunityContact.objects.filter(opportunity=opportunity, member=member).delete()


@transaction.atomic
def opportunity_contact_primary(*, opportunity: Opportunity, member, user) -> None:
    """Make a member the primary contact person (and a contact person, if not yet)."""
    _require_change(user, opportunity)
    _require_member_of(opportunity, member)
    with _acting(user):
        # One primary per opportunity (a partial unique index): clear the old one first.
        OpportunityContact.objects.filter(opportunity=opportunity, is_primary=True).exclude(member=member).update(
            is_primary=False
        )
        link, created = OpportunityContact.objects.get_or_create(
            opportunity=opportunity, member=member, defaults={"is_primary": True}
        )
        if not created and not link.is_primary:
            link.is_primary = True
            link.save(update_fields=["is_primary"])


@transaction.atomic
def task_create(*, opportunity: Opportunity, title: str, user, assignee=None, due_date=None) -> Task:
    """Add a to-do to the opportunity (the open-task count follows by trigger)."""
    _require_change(user, opportunity)
    task = Task(opportunity=opportunity, title=title.strip(), assignee=assignee, due_date=due_date, created_by=user)
    task.full_clean()
    with _acting(user):
        task.save()
    return task


@transaction.atomic
def task_complete(*, task: Task, user) -> Task:
    """Mark a task done now (done tasks keep their date)."""
    _require_change(user, task.opportunity)
    if task.done_at is None:
        task.done_at = timezone.now()
        with _acting(user):
            task.save(update_fields=["done_at"])
    return task


@transaction.atomic
def task_reopen(*, task: Task, user) -> Task:
    """Make a done task open again."""
    _require_change(user, task.opportunity)
    if task.done_at is not None:
        task.done_at = None
        with _acting(user):
            task.save(update_fields=["done_at"])
    return task


@transaction.atomic
def task_delete(*, task: Task, user) -> None:
    """Delete a task (the history keeps that it existed)."""
    _require_change(user, task.opportunity)
    with _acting(user):
        task.delete()


# Trash (crm/trash.py) ------------------------------------------------------------------------


def trash_mark(queryset, *, user, deleted_at) -> int:
    """Put the opportunities of ``queryset`` into the trash at ``deleted_at``, or back with None; how many.

    One UPDATE (the board figures' triggers see it as one statement). The
    version moves on, so a form still open elsewhere cannot write to them.
    """
    return queryset.update(
        deleted_at=deleted_at,
        deleted_by=user if deleted_at else None,
        updated_by=user,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )


@acting()
@transaction.atomic
def opportunity_trash(*, opportunity: Opportunity, user) -> Opportunity:
    """Move an opportunity to the trash: it leaves every page, keeps all it holds, and can be restored.

    The version moves on, so a form still open elsewhere cannot write to it.
    """
    permissions.require(permissions.can_delete_opportunity(user))
    locked = Opportunity.all_objects.select_for_update().get(pk=opportunity.pk)
    if locked.deleted_at is None:
        trash_mark(Opportunity.all_objects.filter(pk=locked.pk), user=user, deleted_at=timezone.now())
        locked.refresh_from_db()
    return locked


@acting()
@transaction.atomic
def opportunity_restore(*, opportunity_id: int, user) -> Opportunity:
    """Bring an opportunity back from the trash, unless its organization is still in there."""
    permissions.require(permissions.can_delete_opportunity(user))
    locked = (
        Opportunity.all_objects.select_for_update(of=("self",)).select_related("organization").get(pk=opportunity_id)
    )
    if locked.deleted_at is None:
        return locked
    if locked.organization.deleted_at is not None:
        raise ValidationError(
            _("Its organization %(organization)s is in the trash: restore the organization first.")
            % {"organization": locked.organization.name}
        )
    trash_mark(Opportunity.all_objects.filter(pk=locked.pk), user=user, deleted_at=None)
    locked.refresh_from_db()
    return locked


@acting()
@transaction.atomic
def opportunity_bulk_trash(*, ids, user) -> int:
    """Move the selected opportunities to the trash (the table's bulk action); how many went."""
    permissions.require(permissions.can_delete_opportunity(user))
    return trash_mark(Opportunity.objects.filter(pk__in=ids), user=user, deleted_at=timezone.now())


@dataclass
class Purged:
    opportunities: list[str]
    organizations: list[str]


@transaction.atomic
def trash_purge(*, now=None) -> Purged:
    """Delete for good what has been in the trash longer than crm.trash.RETENTION_DAYS.

    An opportunity goes with its tasks, journal, documents and contact links; an
    organization with its members (its opportunities went to the trash with it,
    so they are older still and go first).
    """
    cutoff = trash.purge_cutoff(now)
    opportunities = list(
        Opportunity.all_objects.filter(deleted_at__lt=cutoff).order_by("id").values_list("id", "short_name")
    )
    organizations = list(
        Organization.all_objects.filter(deleted_at__lt=cutoff).order_by("id").values_list("id", "name")
    )
    opportunity_ids = [pk for pk, _name in opportunities]
    # Documents protect their opportunity (an offer is not deleted by accident); here it is
    # meant. The documents app declares them a part to clear first (crm/trash.py).
    trash.parts_purge(Opportunity, opportunity_ids)
    Opportunity.all_objects.filter(pk__in=opportunity_ids).delete()
    Organization.all_objects.filter(pk__in=[pk for pk, _name in organizations]).delete()
    return Purged(
        opportunities=[name for _pk, name in opportunities], organizations=[name for _pk, name in organizations]
    )
