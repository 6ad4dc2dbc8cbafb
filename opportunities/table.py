"""The opportunity table's columns, sorting, grouping and the state in its URL."""

import itertools
from dataclasses import dataclass

from django.core.paginator import EmptyPage, Paginator
from django.db.models import F
from django.db.models.functions import Lower
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm import csv_export, permissions
from opportunities import custom_fields, selectors
from opportunities.filters import OpportunityFilter
from opportunities.models import Opportunity, PhaseKind
from opportunities.selectors import attach_configuration, group_totals, opportunity_is_stale, opportunity_table_queryset

PAGE_SIZES = (25, 50, 100)
DEFAULT_PAGE_SIZE = 25


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    sort: tuple = ()  # order_by expressions for ascending order; empty = not sortable
    numeric: bool = False
    custom_field: object = None

    @property
    def cell(self) -> str:
        """The partial of opportunity_list.html that draws this column's cell."""
        return "cell-custom" if self.custom_field is not None else f"cell-{self.key}"

    @property
    def css_class(self) -> str:
        return f"col-{self.key} num" if self.numeric else f"col-{self.key}"


# Every sort ends with "id" so equal values keep a stable order across pages;
# the indexes named in opportunities.models cover the common ones.
BUILTIN_COLUMNS = [
    Column("short_name", gettext_lazy("Short name"), ("organization__code", "number")),
    Column("name", gettext_lazy("Name"), (Lower("name"),)),
    Column("organization", gettext_lazy("Organization"), (Lower("organization__name"),)),
    Column("category", gettext_lazy("Category"), ("category__position",)),
    Column("status", gettext_lazy("Status"), ("status__position",)),
    Column("phase", gettext_lazy("Phase"), ("phase__position",)),
    Column("owner", gettext_lazy("Owner"), ("owner__display_name", "owner__username")),
    Column("open_tasks", gettext_lazy("Open tasks"), ("open_task_count",), numeric=True),
    Column("probability", gettext_lazy("Probability"), ("probability",), numeric=True),
    Column("value", gettext_lazy("Value"), ("value",), numeric=True),
    Column("expected_close_date", gettext_lazy("Expected close"), ("expected_close_date",)),
    Column("tags", gettext_lazy("Tags")),
    Column("last_activity", gettext_lazy("Last activity"), ("last_activity_at",)),
    Column("next_reminder", gettext_lazy("Next follow-up"), ("next_reminder_date",)),
    Column("source", gettext_lazy("Source"), ("source__position",)),
    Column("created_at", gettext_lazy("Created"), ("created_at",)),
]
DEFAULT_COLUMNS = [
    "short_name",
    "name",
    "organization",
    "category",
    "status",
    "phase",
    "owner",
    "open_tasks",
    "probability",
    "value",
    "expected_close_date",
    "tags",
    "last_activity",
    "next_reminder",
]
GROUPS = {
    "phase": (gettext_lazy("Phase"), "phase_id", ("phase__position",)),
    "status": (gettext_lazy("Status"), "status_id", ("status__position",)),
    "owner": (gettext_lazy("Owner"), "owner_id", ("owner__display_name", "owner__username")),
    "organization": (gettext_lazy("Organization"), "organization_id", (Lower("organization__name"),)),
    "category": (gettext_lazy("Category"), "category_id", ("category__position",)),
}


@dataclass(frozen=True)
class RowRights:
    """permissions.can_change_opportunity for every row of a page, the user's permissions read once."""

    user_id: int
    change_own: bool
    change_all: bool

    @classmethod
    def for_user(cls, user) -> "RowRights":
        change = user.has_perm("opportunities.change_opportunity")
        return cls(user_id=user.pk, change_own=change, change_all=change and permissions.is_manager(user))

    def may_change(self, opportunity) -> bool:
        return self.change_all or (self.change_own and opportunity.owner_id == self.user_id)


def available_columns(config) -> dict[str, Column]:
    columns = {column.key: column for column in BUILTIN_COLUMNS}
    for field in config.custom_fields:
        columns[f"cf_{field.key}"] = Column(f"cf_{field.key}", field.label, custom_field=field)
    return columns


def default_column_keys(config) -> list[str]:
    return DEFAULT_COLUMNS + [f"cf_{f.key}" for f in config.custom_fields if f.show_in_table]


def visible_columns(config, *, requested: str | None, preferred: list | None) -> list[Column]:
    """Columns from the URL (``cols=a,b``), else the user's saved choice, else the defaults."""
    columns = available_columns(config)
    if requested:
        keys = requested.split(",")
    elif preferred:
        keys = preferred
    else:
        keys = default_column_keys(config)
    chosen = [columns[key] for key in dict.fromkeys(keys) if key in columns]
    return chosen or [columns[key] for key in default_column_keys(config)]


def _expression(item, descending):
    if isinstance(item, str):
        item = F(item)
    return item.desc(nulls_last=True) if descending else item.asc(nulls_last=True)


def ordering(sort: str, group: str | None) -> tuple[list, str]:
    """Return (order_by expressions, normalised sort key) for ``sort`` such as "-value"."""
    columns = {column.key: column for column in BUILTIN_COLUMNS}
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    order = []
    if group in GROUPS:
        order += [_expression(item, False) for item in GROUPS[group][2]]
        order.append(F(GROUPS[group][1]).asc())
    if key in columns and columns[key].sort:
        order += [_expression(item, descending) for item in columns[key].sort]
        order.append(F("id").desc() if descending else F("id").asc())
        return order, sort
    order += [F("created_at").desc(), F("id").desc()]
    return order, "-created_at"


def csv_cell(column: Column, opportunity) -> str:
    """A cell's text, neutralised against spreadsheet formula injection (crm.csv_export)."""
    return csv_export.csv_cell(plain_value(column, opportunity))


def plain_value(column: Column, opportunity):
    match column.key:
        case "short_name":
            return opportunity.short_name
        case "name":
            return opportunity.name
        case "organization":
            return opportunity.organization.name
        case "category":
            return opportunity.category.name if opportunity.category else ""
        case "status":
            return opportunity.status.name
        case "phase":
            return opportunity.phase.name
        case "owner":
            return opportunity.owner.name
        case "open_tasks":
            return opportunity.open_task_count
        case "probability":
            return opportunity.probability
        case "value":
            return opportunity.value
        case "expected_close_date":
            return opportunity.expected_close_date.isoformat() if opportunity.expected_close_date else ""
        case "tags":
            return ", ".join(opportunity.tag_names or [])
        case "last_activity":
            return (
                timezone.localtime(opportunity.last_activity_at).strftime("%Y-%m-%d %H:%M")
                if opportunity.last_activity_at
                else ""
            )
        case "next_reminder":
            return opportunity.next_reminder_date.isoformat() if opportunity.next_reminder_date else ""
        case "source":
            return opportunity.source.name if opportunity.source else ""
        case "created_at":
            return timezone.localtime(opportunity.created_at).strftime("%Y-%m-%d")
    if column.custom_field is not None:
        value = opportunity.custom_values.get(column.custom_field.key)
        if isinstance(value, list):
            return ", ".join(value)
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        return value
    return ""


def export_chunks(queryset, config, size=2000):
    """Yield rows with configuration attached, a chunk at a time (server-side cursor, constant memory)."""
    for chunk in itertools.batched(queryset.iterator(chunk_size=size), size):
        attach_configuration(chunk, config)
        yield chunk


def query_without(params: QueryDict, *names) -> QueryDict:
    params = params.copy()
    for name in names:
        params.pop(name, None)
    return params


def query_without_empty(params: QueryDict) -> QueryDict:
    """The query without its empty values: an empty filter field is no filter."""
    clean = QueryDict(mutable=True)
    for name, values in params.lists():
        if kept := [value for value in values if value != ""]:
            clean.setlist(name, kept)
    return clean


def table_page(request, *, config, export=False, params: QueryDict | None = None) -> dict:
    """Everything the table template needs for the query (filters, sort, group, page); the URL's by default."""
    params = request.GET if params is None else params
    filterset = OpportunityFilter(
        params or None, queryset=opportunity_table_queryset(), config=config, user=request.user
    )
    filter_errors = filterset.is_bound and not filterset.is_valid()
    group = params.get("group") if params.get("group") in GROUPS else ""
    order, sort = ordering(params.get("sort", ""), group)
    columns = visible_columns(
        config, requested=params.get("cols"), preferred=request.user.preferences.get("table_columns")
    )
    try:
        per_page = int(params.get("per_page", DEFAULT_PAGE_SIZE))
    except ValueError:
        per_page = DEFAULT_PAGE_SIZE
    if per_page not in PAGE_SIZES:
        per_page = DEFAULT_PAGE_SIZE

    queryset = filterset.qs.order_by(*order) if not filter_errors else Opportunity.objects.none()
    context = {
        "filterset": filterset,
        "filter_errors": filter_errors,
        "columns": columns,
        "all_columns": list(available_columns(config).values()),
        "sort": sort,
        "group": group,
        "groups": [(key, label) for key, (label, _f, _o) in GROUPS.items()],
        "per_page": per_page,
        "page_sizes": PAGE_SIZES,
        "config": config,
        "queryset": queryset,
        "can_reassign": permissions.can_reassign(request.user),
        "can_manage": permissions.is_manager(request.user),
        "row_rights": RowRights.for_user(request.user),
        "can_delete": permissions.can_delete_opportunity(request.user),
        "user": request.user,
    }
    if export:
        return context

    paginator = Paginator(queryset, per_page)
    has_filters = bool(query_without(params, "page", "per_page", "sort", "cols", "group"))
    if not has_filters and not filter_errors:
        # Every live opportunity: the figures the board keeps instead of a COUNT(*) over all of them.
        paginator.count = selectors.opportunity_live_count()
    page_message = ""
    raw_page = params.get("page", "1")
    try:
        page = paginator.page(int(raw_page))
    except (ValueError, EmptyPage):
        page = paginator.page(paginator.num_pages)
        page_message = _("There is no page “%(page)s”; showing page %(last)d of %(count)d.") % {
            "page": raw_page,
            "last": page.number,
            "count": paginator.num_pages,
        }
    rows = list(page.object_list)
    attach_configuration(rows, config)

    sortable = {}
    base = query_without(params, "page", "sort")
    for column in columns:
        if not column.sort:
            continue
        next_sort = f"-{column.key}" if sort == column.key else column.key
        query = base.copy()
        query["sort"] = next_sort
        sortable[column.key] = {
            "url": "?" + query.urlencode(),
            "direction": "asc" if sort == column.key else "desc" if sort == f"-{column.key}" else "",
        }

    grouped = []
    if group:
        field = GROUPS[group][1]
        keys = list(dict.fromkeys(getattr(row, field) for row in rows))
        totals = group_totals(queryset, field=field, keys=keys)
        current = object()
        for row in rows:
            key = getattr(row, field)
            if key != current:
                current = key
                grouped.append(
                    {"header": True, "key": key, "label": _group_label(group, row), "rows": [], **totals.get(key, {})}
                )
            grouped[-1]["rows"].append(row)

    current_query = query_without(params, "page")
    context.update(
        {
            "page": page,
            "rows": rows,
            "grouped": grouped,
            "sortable": sortable,
            "page_message": page_message,
            "query_without_page": current_query.urlencode(),
            "query_without_group": query_without(params, "page", "group").urlencode(),
            "query_without_per_page": query_without(params, "page", "per_page").urlencode(),
            "full_query": params.urlencode(),
            "list_url": request.path + (f"?{params.urlencode()}" if params else ""),
            "params": params,
            "export_url": reverse("opportunities:opportunity-export") + ("?" + current_query.urlencode()),
            "board_url": reverse("opportunities:opportunity-board")
            + ("?" + query_without(params, "page", "per_page", "sort", "cols").urlencode()),
            "has_filters": has_filters,
            "saved_query": query_without(params, "page").urlencode(),
            "today": timezone.localdate(),
        }
    )
    return context


def _group_label(group, row):
    match group:
        case "phase":
            return row.phase.name
        case "status":
            return row.status.name
        case "owner":
            return row.owner.name
        case "organization":
            return row.organization.name
        case "category":
            return row.category.name if row.category else _("No category")
    return ""


def row_get(pk, config):
    """One fresh row as the table shows it (after a quick edit or a conflict)."""
    row = opportunity_table_queryset().get(pk=pk)
    attach_configuration([row], config)
    return row


def _is_stale(opportunity) -> bool:
    return opportunity_is_stale(opportunity, is_open=opportunity.phase.kind == PhaseKind.OPEN)


def row_context(context) -> dict:
    """What jinja2/opportunities/table_row.html reads, from a page's (or a quick edit's) context."""
    group = context.get("group")
    return {
        "columns": context["columns"],
        "row_rights": context["row_rights"],
        "today": context.get("today") or timezone.localdate(),
        "can_reassign": context.get("can_reassign", False),
        "group_field": GROUPS[group][1] if group in GROUPS else "",
        "row_message": context.get("row_message", ""),
        "row_message_level": context.get("row_message_level", ""),
        "is_stale": _is_stale,
        "custom_display": custom_fields.display,
    }
