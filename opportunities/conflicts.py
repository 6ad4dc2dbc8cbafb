"""What to tell a user whose change lost the race with another one (optimistic locking)."""

import datetime

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from opportunities.models import OPPORTUNITY_HISTORY_FIELDS, Opportunity

# Not worth naming on their own: they change along with the phase.
_FOLLOWERS = {"won_at", "lost_at", "probability"}
_SAME_CHANGE = datetime.timedelta(seconds=10)


def conflict_message(opportunity: Opportunity, *, config, user) -> str:
    """Who changed the opportunity, what they changed and when; "you, in another tab" for the same user.

    What changed comes from the history: the latest recorded change against the
    row before it (one query, only on a conflict). A change the history does not
    record (tags, contact persons) is told without naming fields.
    """
    same_user = opportunity.updated_by_id is not None and opportunity.updated_by_id == user.pk
    who = config.user(opportunity.updated_by_id) if opportunity.updated_by_id else None
    when = formats.date_format(timezone.localtime(opportunity.updated_at), "SHORT_DATETIME_FORMAT")
    what = ", ".join(_describe(name, opportunity, config) for name in _changed_fields(opportunity))
    values = {"who": who.name if who else _("Someone"), "name": opportunity.short_name, "when": when, "what": what}
    if same_user and what:
        head = _("You changed %(what)s of %(name)s in another tab at %(when)s.") % values
    elif same_user:
        head = _("You changed %(name)s in another tab at %(when)s.") % values
    elif what:
        head = _("%(who)s changed %(what)s of %(name)s at %(when)s.") % values
    else:
        head = _("%(who)s changed %(name)s at %(when)s.") % values
    not_saved = _("Your change was not saved; this is the current state.")
    return f"{head} {not_saved}"


def _changed_fields(opportunity: Opportunity) -> list[str]:
    """The fields the latest recorded change changed, if it is the change that made the conflict."""
    fields = ("pgh_label", "pgh_created_at", *OPPORTUNITY_HISTORY_FIELDS)
    rows = list(opportunity.events.order_by("-pgh_id").values(*fields)[:2])
    if len(rows) < 2 or rows[0]["pgh_label"] != "changed":
        return []
    latest, before = rows
    # The history row is written when the change's transaction starts, updated_at
    # as it saves: far apart, the last change left no history row (tags, contacts).
    if abs(opportunity.updated_at - latest["pgh_created_at"]) > _SAME_CHANGE:
        return []
    changed = [name for name in OPPORTUNITY_HISTORY_FIELDS if latest[name] != before[name]]
    return [name for name in changed if name not in _FOLLOWERS] or changed


def _describe(name: str, opportunity: Opportunity, config) -> str:
    if name == "phase":
        phase = config.phase(opportunity.phase_id)
        return _("the phase (now “%(phase)s”)") % {"phase": phase.name if phase else ""}
    if name == "status":
        status = config.status(opportunity.status_id)
        return _("the status (now “%(status)s”)") % {"status": status.name if status else ""}
    if name == "owner":
        owner = config.user(opportunity.owner_id)
        return _("the owner (now %(owner)s)") % {"owner": owner.name if owner else ""}
    return _("the %(field)s") % {"field": Opportunity._meta.get_field(name).verbose_name}
