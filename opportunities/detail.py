"""What the opportunity detail page shows: fields with their display, the context of each region."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.translation import gettext

from crm import permissions
from crm.formats import day_format, money
from opportunities import history, selectors
from opportunities.filters import OpportunityFilter
from opportunities.forms import INLINE_FIELDS, OpportunityFieldForm
from opportunities.models import FieldType, Opportunity, PhaseKind
from opportunities.table import DEFAULT_PAGE_SIZE, GROUPS, PAGE_SIZES, ordering

# Fields of the "Deal" card, in display order (then the custom fields).
DEAL_FIELDS = ["value", "probability", "expected_close_date", "category", "source"]
# Fields whose change redraws the header (phase also sets the probability).
HEADER_FIELDS = {"status", "phase", "owner"}
# History events shown at first and per "Show more": nobody reads 200 at once.
HISTORY_PAGE = 20
HISTORY_MAX = 1000


@dataclass
class FieldView:
    """One field as the page shows it: its value, or its form while being edited."""

    key: str
    label: str
    display: str  # plain text; the template escapes it
    url: str
    form: OpportunityFieldForm | None = None
    message: str = ""
    current: str = ""  # the stored value, shown next to the form after a conflict
    help_text: str = ""
    day: object = None  # a date value: shown in <time datetime=…>
    overdue: bool = False
    link: str = ""  # a web address value: shown as a link

    @property
    def is_empty(self) -> bool:
        return self.display in ("", None)


def field_label(key: str, config) -> str:
    if key.startswith("cf_"):
        definition = _custom_definition(key, config)
        return definition.label if definition else key
    return str(INLINE_FIELDS[key])


def field_keys(config) -> set[str]:
    return set(INLINE_FIELDS) | {f"cf_{f.key}" for f in config.custom_fields}


def _custom_definition(key: str, config):
    return next((f for f in config.custom_fields if f"cf_{f.key}" == key), None)


def field_display(opportunity, key: str, config) -> str:
    """The stored value of ``key`` as text a person reads (the template escapes it)."""
    if key.startswith("cf_"):
        definition = _custom_definition(key, config)
        if definition is None:
            return ""
        stored = opportunity.custom_values.get(definition.key)
        if stored is None or stored == "" or stored == []:
            return ""
        match definition.field_type:
            case FieldType.DATE if isinstance(stored, str) and parse_date(stored):
                return date_format(parse_date(stored), "DATE_FORMAT")
            case FieldType.BOOLEAN:
                return gettext("Yes") if stored else gettext("No")
            case FieldType.MULTI_CHOICE:
                return ", ".join(str(item) for item in stored)
        return str(stored)
    match key:
        case "name":
            return opportunity.name
        case "description":
            return opportunity.description
        case "probability":
            return f"{opportunity.probability} %"
        case "value":
            return money(opportunity.value, opportunity.currency)
        case "expected_close_date":
            close = opportunity.expected_close_date
            return date_format(close, "DATE_FORMAT") if close else ""
        case "category" | "source" | "status" | "phase" | "owner":
            value = getattr(opportunity, key)
            return value.name if value else ""
    return ""


def field_view(opportunity, key: str, config, *, form=None, message: str = "", current: str = "") -> FieldView:
    help_text, day, overdue, link = "", None, False, ""
    if key.startswith("cf_"):
        definition = _custom_definition(key, config)
        help_text = definition.help_text if definition else ""
        stored = opportunity.custom_values.get(definition.key) if definition else None
        if definition is not None and definition.field_type == FieldType.DATE and isinstance(stored, str):
            day = parse_date(stored)
        # Only web addresses become links: a value stored while the field was plain
        # text (an admin may change the type later) could be "javascript:…".
        if definition is not None and definition.field_type == FieldType.URL and isinstance(stored, str):
            link = stored if stored.lower().startswith(("http://", "https://")) else ""
    elif key == "expected_close_date" and opportunity.expected_close_date:
        day = opportunity.expected_close_date
        overdue = day < timezone.localdate() and opportunity.phase.kind == PhaseKind.OPEN
    return FieldView(
        key=key,
        label=field_label(key, config),
        display=field_display(opportunity, key, config),
        url=reverse("opportunities:opportunity-field", args=[opportunity.short_name, key]),
        form=form,
        message=message,
        current=current,
        help_text=help_text,
        day=day,
        overdue=overdue,
        link=link,
    )


def base_context(request, opportunity, config) -> dict:
    """What every region of the page needs: the opportunity, the configuration and what the user may do.

    The journal and documents sections (other apps' includes) get the same:
    ``opportunity``, ``config``, ``can_change`` and ``user``.
    """
    user = request.user
    can_change = permissions.can_change_opportunity(user, opportunity)
    return {
        "opportunity": opportunity,
        "config": config,
        "user": user,
        "can_change": can_change,
        "can_reassign": can_change and permissions.can_reassign(user),
        "can_change_organization": permissions.can_change_organization(user),
        "can_change_members": permissions.can_change_members(user),
        "can_delete": permissions.can_delete_opportunity(user),
        "win_status": settings.CRM_STATUS_ON_WIN,
        "today": timezone.localdate(),
    }


def header_context(opportunity, config) -> dict:
    """The phase stepper (open phases) and the header's select fields."""
    open_phases = [
        p for p in config.phases if p.kind == PhaseKind.OPEN and (p.is_active or p.pk == opportunity.phase_id)
    ]
    current_index = next((i for i, p in enumerate(open_phases) if p.pk == opportunity.phase_id), None)
    steps = []
    for index, phase in enumerate(open_phases):
        if opportunity.phase.kind != PhaseKind.OPEN:
            state = "closed"
        elif current_index is None or index > current_index:
            state = "todo"
        elif index == current_index:
            state = "current"
        else:
            state = "done"
        steps.append({"phase": phase, "state": state})
    return {
        "steps": steps,
        "header_fields": {key: field_view(opportunity, key, config) for key in ("status", "phase", "owner")},
        "name_field": field_view(opportunity, "name", config),
        "header_forms": {
            key: OpportunityFieldForm(key=key, config=config, opportunity=opportunity) for key in HEADER_FIELDS
        },
        "tags": tag_list(opportunity, config),
        "open_task_count": opportunity.open_task_count,
        "other_opportunity_count": max((opportunity.organization_opportunity_count or 1) - 1, 0),
    }


def tag_list(opportunity, config) -> list:
    by_id = {tag.pk: tag for tag in config.tags}
    tags = [by_id[pk] for pk in (opportunity.tag_ids or []) if pk in by_id]
    return sorted(tags, key=lambda tag: tag.name.lower())


def deal_fields(opportunity, config, *, editing: dict | None = None) -> list[FieldView]:
    editing = editing or {}
    keys = DEAL_FIELDS + [f"cf_{f.key}" for f in config.custom_fields]
    return [field_view(opportunity, key, config, form=editing.get(key)) for key in keys]


def task_context(opportunity, config, tasks, *, user, form=None) -> dict:
    """The tasks card: each task with its assignee (from the configuration), links and the day to show."""
    from opportunities.forms import TaskForm

    # URLs by suffix, not one reverse() per task and action: 30 tasks are 60 links.
    tasks_url = reverse("opportunities:opportunity-tasks", args=[opportunity.short_name])
    today = timezone.localdate()
    for task in tasks:
        task.assignee = config.user(task.assignee_id) if task.assignee_id else None
        task.check_url = f"{tasks_url}{task.pk}/{'reopen' if task.done_at else 'complete'}/"
        task.delete_url = f"{tasks_url}{task.pk}/delete/"
        task.done_day = timezone.localdate(task.done_at) if task.done_at else None
        # "today", "tomorrow", else "29 Aug" (the year only outside this year).
        task.due_format = day_format(task.due_date, today) if task.due_date else ""
    open_count = sum(1 for task in tasks if task.done_at is None)
    return {
        "tasks": tasks,
        "open_task_count": open_count,
        "task_form": form or TaskForm(config=config, initial={"assignee": user.pk}),
    }


def member_list(opportunity, members) -> list:
    """Members with their links (contact toggles here, editing on the organization's inline views)."""
    members_url = reverse("opportunities:opportunity-members", args=[opportunity.short_name])
    edit_base = reverse("organizations:member-create", args=[opportunity.organization_id]).removesuffix("new/")
    for member in members:
        member.initials = (member.first_name[:1] + member.last_name[:1]).upper()
        member.contact_url = f"{members_url}{member.pk}/contact/"
        member.edit_url = f"{edit_base}{member.pk}/edit/"
    return members


def history_context(opportunity, config, *, shown: int = 0, count: int = HISTORY_PAGE) -> dict:
    """``count`` history entries after the ``shown`` newest; the creation ends the last page."""
    count = max(1, min(count, HISTORY_MAX))
    rows, total = selectors.opportunity_history_rows(opportunity=opportunity, limit=count, offset=shown)
    complete = shown + count >= total
    entries = history.timeline(opportunity=opportunity, rows=rows, config=config, complete=complete)
    return {
        "history": entries,
        "history_count": total + 1,  # and the creation
        "history_more": not complete,
        "history_next": shown + count,  # where "Show more" goes on from
        "history_then": shown + count + HISTORY_PAGE,  # how many the page shows after it (without JavaScript)
    }


def history_count_param(value) -> int:
    """The ``?history=<n>`` of a page without JavaScript: the newest n entries, in steps of a page."""
    n = int(value) if str(value or "").isdigit() else HISTORY_PAGE
    return max(HISTORY_PAGE, min(n, HISTORY_MAX))


@dataclass
class Neighbours:
    previous: str  # URLs, "" at the ends
    next: str
    position: int  # 1-based within the list
    list_url: str


def list_neighbours(request, opportunity, config) -> Neighbours | None:
    """Previous and next opportunity in the table the user came from (?list=<its query>, or the Referer).

    Re-runs that table's filter and order for the shown page plus one row on each side: one query of
    short names, only when there is a list to go back to.
    """
    list_path = reverse("opportunities:opportunity-list")
    query = request.GET.get("list")
    if query is None:
        referer = urlsplit(request.headers.get("Referer", ""))
        if referer.path != list_path or (referer.netloc and referer.netloc != request.get_host()):
            return None
        query = referer.query
    params = QueryDict(query[:2000])
    if any("\x00" in value for values in params.lists() for value in values[1]):
        return None  # PostgreSQL refuses NUL in text; no such list exists
    filterset = OpportunityFilter(params or None, queryset=Opportunity.objects.all(), config=config, user=request.user)
    if filterset.is_bound and not filterset.is_valid():
        return None
    group = params.get("group") if params.get("group") in GROUPS else ""
    order, _sort = ordering(params.get("sort", ""), group)
    per_page = int(params["per_page"]) if params.get("per_page", "").isdigit() else DEFAULT_PAGE_SIZE
    per_page = per_page if per_page in PAGE_SIZES else DEFAULT_PAGE_SIZE
    page = int(params["page"]) if params.get("page", "").isdigit() and int(params["page"]) > 0 else 1
    start = (page - 1) * per_page
    window_start = max(start - 1, 0)
    names = list(
        filterset.qs.order_by(*order).values_list("short_name", flat=True)[window_start : start + per_page + 1]
    )
    if opportunity.short_name not in names:
        return None
    index = names.index(opportunity.short_name)
    absolute = window_start + index  # 0-based position in the whole list

    def link(neighbour_index: int) -> str:
        if not 0 <= neighbour_index < len(names) or neighbour_index == index:
            return ""
        target = params.copy()
        target["page"] = str((window_start + neighbour_index) // per_page + 1)
        return reverse("opportunities:opportunity-detail", args=[names[neighbour_index]]) + "?" + _list_param(target)

    here = params.copy()
    here["page"] = str(absolute // per_page + 1)
    return Neighbours(
        previous=link(index - 1),
        next=link(index + 1),
        position=absolute + 1,
        list_url=list_path + ("?" + here.urlencode() if here else ""),
    )


def _list_param(params) -> str:
    wrapper = QueryDict(mutable=True)
    wrapper["list"] = params.urlencode()
    return wrapper.urlencode()
