"""The detail page's timeline: pghistory's rows turned into sentences a sales rep reads.

Each "changed" row of an opportunity is a full snapshot of its tracked fields;
what changed is the difference to the snapshot before it (the "created" row is
the first). Names of phases, statuses, users … come from the configuration, so
building the timeline costs no query beyond ``selectors.opportunity_history_rows``.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.formats import money
from opportunities.models import FieldType

# Snapshot keys shown as plain field changes, in display order.
_PLAIN_FIELDS = [
    ("name", gettext_lazy("Name")),
    ("value", gettext_lazy("Value")),
    ("probability", gettext_lazy("Probability")),
    ("expected_close_date", gettext_lazy("Expected close")),
    ("category_id", gettext_lazy("Category")),
    ("source_id", gettext_lazy("Source")),
    ("currency", gettext_lazy("Currency")),
]


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Entry:
    at: datetime.datetime
    user: object  # crm.User or None
    kind: str  # css hook: created, phase, won, lost, reopened, owner, status, edit, task, contact, trashed, restored
    text: str
    changes: list[Change] = field(default_factory=list)
    note: str = ""


def _date(value) -> str:
    parsed = parse_date(value) if isinstance(value, str) else value
    return formats.date_format(parsed, "DATE_FORMAT") if parsed else "—"


def _money(value, currency) -> str:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, TypeError):
        return "—"
    return money(amount, currency or "EUR")


class _Names:
    def __init__(self, config):
        self.config = config
        self.definitions = {definition.key: definition for definition in config.custom_fields}
        self.order = {key: position for position, key in enumerate(self.definitions)}

    def user(self, pk):
        return self.config.user(pk) if pk else None

    def user_name(self, pk) -> str:
        user = self.user(pk)
        return user.name if user else "—"

    def phase(self, pk) -> str:
        phase = self.config.phase(pk)
        return phase.name if phase else "—"

    def status(self, pk) -> str:
        status = self.config.status(pk)
        return status.name if status else "—"

    def category(self, pk) -> str:
        category = self.config.category(pk) if pk else None
        return category.name if category else "—"

    def source(self, pk) -> str:
        source = self.config.source(pk) if pk else None
        return source.name if source else "—"


def _plain(names: _Names, key: str, value, snapshot: dict) -> str:
    if value in (None, ""):
        return "—"
    match key:
        case "value":
            return _money(value, snapshot.get("currency"))
        case "probability":
            return f"{value} %"
        case "expected_close_date":
            return _date(value)
        case "category_id":
            return names.category(value)
        case "source_id":
            return names.source(value)
    return str(value)


def _custom(definition, value) -> str:
    if value in (None, "", []):
        return "—"
    if definition is not None and definition.field_type == FieldType.BOOLEAN:
        return _("Yes") if value else _("No")
    if definition is not None and definition.field_type == FieldType.DATE:
        return _date(value)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _opportunity_entry(names: _Names, config, row, before: dict | None, user) -> Entry | None:
    data = row.data
    if before is None:
        # The baseline: creation (time and author come from the opportunity itself).
        return None
    entries_text = []
    kind = "edit"
    changes: list[Change] = []
    note = ""
    if data.get("deleted_at") and not before.get("deleted_at"):
        kind = "trashed"
        entries_text.append(_("moved it to the trash"))
    elif before.get("deleted_at") and not data.get("deleted_at"):
        kind = "restored"
        entries_text.append(_("restored it from the trash"))
    if data.get("won_at") and not before.get("won_at"):
        kind = "won"
        entries_text.append(_("marked it as won"))
    elif data.get("lost_at") and not before.get("lost_at"):
        kind = "lost"
        entries_text.append(_("marked it as lost"))
        note = data.get("lost_reason") or ""
    elif (before.get("won_at") or before.get("lost_at")) and not (data.get("won_at") or data.get("lost_at")):
        kind = "reopened"
        entries_text.append(_("reopened it"))
    if data.get("phase_id") != before.get("phase_id"):
        if kind == "edit":
            kind = "phase"
        changes.append(Change(_("Phase"), names.phase(before.get("phase_id")), names.phase(data.get("phase_id"))))
    if data.get("status_id") != before.get("status_id"):
        if kind == "edit":
            kind = "status"
        changes.append(Change(_("Status"), names.status(before.get("status_id")), names.status(data.get("status_id"))))
    if data.get("owner_id") != before.get("owner_id"):
        if kind == "edit":
            kind = "owner"
        changes.append(
            Change(_("Owner"), names.user_name(before.get("owner_id")), names.user_name(data.get("owner_id")))
        )
    for key, label in _PLAIN_FIELDS:
        old, new = before.get(key), data.get(key)
        if key == "value":
            try:
                same = Decimal(str(old)) == Decimal(str(new))
            except (InvalidOperation, TypeError):
                same = old == new
            if same:
                continue
        elif old == new:
            continue
        changes.append(Change(str(label), _plain(names, key, old, before), _plain(names, key, new, data)))
    if data.get("description") != before.get("description"):
        changes.append(Change(_("Description"), "", _("edited")))
    if data.get("lost_reason") != before.get("lost_reason") and kind != "lost" and data.get("lost_reason"):
        changes.append(Change(_("Lost reason"), before.get("lost_reason") or "—", data.get("lost_reason")))
    old_custom, new_custom = before.get("custom_values") or {}, data.get("custom_values") or {}
    definitions = names.definitions
    order = names.order
    changed_keys = [key for key in set(old_custom) | set(new_custom) if old_custom.get(key) != new_custom.get(key)]
    for key in sorted(changed_keys, key=lambda k: (order.get(k, len(order)), k)):
        if old_custom.get(key) == new_custom.get(key):
            continue
        definition = definitions.get(key)
        label = definition.label if definition else key
        changes.append(
            Change(label, _custom(definition, old_custom.get(key)), _custom(definition, new_custom.get(key)))
        )
    if not entries_text and not changes:
        return None
    if not entries_text:
        entries_text.append(
            {
                "phase": _("moved it to another phase"),
                "status": _("changed the status"),
                "owner": _("reassigned it"),
            }.get(kind, _("edited it"))
        )
    return Entry(at=row.at, user=user, kind=kind, text=" · ".join(entries_text), changes=changes, note=note)


def _task_entry(names: _Names, row, previous: dict | None, user) -> Entry | None:
    data = row.data
    title = data.get("title", "")
    if row.label == "added":
        # A task's creation counts from when it was made (imports and the demo data backdate it).
        at = parse_datetime(data["created_at"]) if data.get("created_at") else row.at
        text = _("added the task “%(title)s”") % {"title": title}
        changes = []
        if data.get("assignee_id"):
            changes.append(Change(_("Assignee"), "", names.user_name(data.get("assignee_id"))))
        if data.get("due_date"):
            changes.append(Change(_("Due"), "", _date(data.get("due_date"))))
        return Entry(at=at or row.at, user=user, kind="task", text=text, changes=changes)
    if row.label == "removed":
        return Entry(at=row.at, user=user, kind="task", text=_("deleted the task “%(title)s”") % {"title": title})
    previous = previous or {}
    if data.get("done_at") and not previous.get("done_at"):
        return Entry(at=row.at, user=user, kind="task-done", text=_("completed “%(title)s”") % {"title": title})
    if previous.get("done_at") and not data.get("done_at"):
        return Entry(at=row.at, user=user, kind="task", text=_("reopened the task “%(title)s”") % {"title": title})
    changes = []
    if previous.get("title") != title:
        changes.append(Change(_("Title"), previous.get("title", ""), title))
    if previous.get("assignee_id") != data.get("assignee_id"):
        changes.append(
            Change(
                _("Assignee"), names.user_name(previous.get("assignee_id")), names.user_name(data.get("assignee_id"))
            )
        )
    if previous.get("due_date") != data.get("due_date"):
        changes.append(Change(_("Due"), _date(previous.get("due_date")), _date(data.get("due_date"))))
    return Entry(
        at=row.at, user=user, kind="task", text=_("changed the task “%(title)s”") % {"title": title}, changes=changes
    )


def _contact_entry(row, user) -> Entry:
    data = row.data
    name = data.get("member_name") or _("a member who has since been deleted")
    if row.label == "added":
        text = (
            _("made %(name)s the primary contact")
            if data.get("is_primary")
            else _("added %(name)s as a contact person")
        ) % {"name": name}
    elif row.label == "removed":
        text = _("removed %(name)s from the contact persons") % {"name": name}
    elif data.get("is_primary"):
        text = _("made %(name)s the primary contact") % {"name": name}
    else:
        text = _("%(name)s is no longer the primary contact") % {"name": name}
    return Entry(at=row.at, user=user, kind="contact", text=text)


def timeline(*, opportunity, rows, config, complete: bool) -> list[Entry]:
    """The entries to show, newest first; ``complete`` (all rows given) ends them with the creation."""
    names = _Names(config)
    entries: list[Entry] = []
    for row in rows:
        user = names.user(row.user_id)
        if row.source == "opportunity":
            if user is None:
                user = names.user(row.data.get("updated_by_id"))
            entry = _opportunity_entry(names, config, row, row.before, user)
        elif row.source == "task":
            if user is None and row.label == "added":
                user = names.user(row.data.get("created_by_id"))
            entry = _task_entry(names, row, row.before, user)
        else:
            entry = _contact_entry(row, user)
        if entry is not None:
            entries.append(entry)
    entries.sort(key=lambda entry: entry.at, reverse=True)
    if complete:
        entries.append(
            Entry(
                at=opportunity.created_at or timezone.now(),
                user=names.user(opportunity.created_by_id),
                kind="created",
                text=_("created the opportunity"),
            )
        )
    return entries
