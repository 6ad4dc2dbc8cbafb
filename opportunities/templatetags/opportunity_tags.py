import functools
from decimal import Decimal

from django import template
from django.contrib.humanize.templatetags.humanize import naturalday
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import DateFormat, re_escaped, re_formatchars
from django.utils.formats import get_format, number_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from crm.formats import day_format
from crm.legacy_markup import escape_text
from opportunities.models import FieldType, PhaseKind
from opportunities.selectors import opportunity_is_stale
from opportunities.table import GROUPS

register = template.Library()


@functools.cache
def _url_template(name: str) -> str:
    """A URL with a placeholder short name, reversed once instead of several times per row."""
    return reverse(name, args=["__SHORT__"])


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def group_key(opportunity, group):
    return getattr(opportunity, GROUPS[group][1]) if group in GROUPS else ""


@register.simple_tag
def custom_value(opportunity, custom_field):
    """Render a custom field's stored value by its type (escaped; URLs as safe links)."""
    value = opportunity.custom_values.get(custom_field.key)
    if value is None or value == "" or value == []:
        return ""
    match custom_field.field_type:
        case FieldType.BOOLEAN:
            return _("Yes") if value else _("No")
        case FieldType.MULTI_CHOICE:
            return ", ".join(value)
        case FieldType.URL:
            # Only web addresses become links: a value stored while the field was plain
            # text (an admin may change the type later) could be "javascript:…".
            if not str(value).lower().startswith(("http://", "https://")):
                return str(value)
            return format_html('<a href="{}" rel="noopener noreferrer nofollow" target="_blank">{}</a>', value, value)
    return str(value)


_escape = escape_text


def _avatar(user) -> str:
    return (
        f'<span class="avatar avatar-xs" data-tone="{_escape((user.initials[:1] or "x").lower())}" '
        f'aria-hidden="true">{_escape(user.initials)}</span>'
    )


@register.filter
def is_stale(opportunity) -> bool:
    """Open and quiet for too long (journal.selectors); the phase comes from the configuration."""
    return opportunity_is_stale(opportunity, is_open=opportunity.phase.kind == PhaseKind.OPEN)


def _stale_mark() -> str:
    # Marked outside the f-string: makemessages (xgettext) does not see a string inside one.
    title, text = _("No journal entry for a while and no follow-up planned"), _("stale")
    return f'<span class="badge badge-amber stale-mark" title="{_escape(title)}">{_escape(text)}</span>'


# Format characters whose output does not depend on the language or time zone,
# written as django.utils.dateformat.DateFormat writes them.
_PLAIN_FORMAT_CHARS = {
    "d": lambda value: f"{value.day:02d}",
    "j": lambda value: str(value.day),
    "m": lambda value: f"{value.month:02d}",
    "n": lambda value: str(value.month),
    "y": lambda value: f"{value.year % 100:02d}",
    "Y": lambda value: f"{value.year:04d}",
    "G": lambda value: str(value.hour),
    "H": lambda value: f"{value.hour:02d}",
    "i": lambda value: f"{value.minute:02d}",
}


@functools.cache
def _compiled_format(format_string: str) -> tuple:
    """A date format split once, as dateformat.Formatter.format splits it on every call.

    Each piece is (literal text, None, False) or (format character, its plain
    function or None when DateFormat must write it, True).
    """
    pieces = []
    for i, piece in enumerate(re_formatchars.split(format_string)):
        if i % 2:
            pieces.append((piece, _PLAIN_FORMAT_CHARS.get(piece), True))
        elif piece:
            pieces.append((re_escaped.sub(r"\1", piece), None, False))
    return tuple(pieces)


class Formats:
    """date_format, number_format and naturalday as Django writes them, for one render.

    Django looks up the language's formats and parses the format string again on
    every call (~0.1 ms; a table row has three dates and a sum, a board card two
    and one); here that happens once per page and repeated values are kept.
    """

    def __init__(self):
        lang = get_language()
        self._formats = {}
        self._dates = {}
        self._grouping = get_format("NUMBER_GROUPING", lang)
        self._thousand_sep = get_format("THOUSAND_SEPARATOR", lang)
        self._timezone = timezone.get_current_timezone()
        self._today = timezone.localdate(timezone=self._timezone)
        self._natural = {}

    def date(self, value, format_name: str) -> str:
        """``date_format(value, format_name)``; format_name is a setting name or a format string."""
        key = (value, getattr(value, "tzinfo", None), format_name)
        text = self._dates.get(key)
        if text is None:
            pieces = self._formats.get(format_name)
            if pieces is None:
                pieces = self._formats[format_name] = _compiled_format(str(get_format(format_name)))
            formatter = None
            parts = []
            for piece, plain, is_char in pieces:
                if not is_char:
                    parts.append(piece)
                elif plain is not None:
                    parts.append(plain(value))
                else:
                    formatter = formatter or DateFormat(value)
                    parts.append(str(getattr(formatter, piece)()))
            text = self._dates[key] = "".join(parts)
        return text

    def day(self, value) -> str:
        """A day on a card: "29 Aug" within this year, with the year otherwise (crm.formats.day_format)."""
        return self.date(value, day_format(value, self._today))

    def naturalday(self, value) -> str:
        """``naturalday(value)`` for a date."""
        # Only days around today can be "yesterday", "today" or "tomorrow" (naturalday
        # compares with the server's clock, at most a day from the site's time zone).
        if abs((value - self._today).days) <= 2:
            text = self._natural.get(value)
            if text is None:
                text = self._natural[value] = naturalday(value)
            return text
        return self.date(value, "DATE_FORMAT")

    def localtime(self, value):
        """``timezone.localtime(value)`` with the time zone looked up once."""
        return timezone.localtime(value, self._timezone)

    def money(self, value) -> str:
        """``number_format(value, 0, force_grouping=True)``."""
        if self._grouping == 3 and isinstance(value, Decimal) and value.is_finite() and value >= 0:
            # What numberformat.format writes for these: the integer part, grouped by threes.
            return f"{int(value):,}".replace(",", self._thousand_sep)
        return number_format(value, 0, force_grouping=True)


def _date(value, formats) -> str:
    return f'<time datetime="{_escape(value.isoformat())}">{_escape(formats.date(value, "SHORT_DATE_FORMAT"))}</time>'


def _render_store(context) -> dict:
    """A dict that lasts for the whole render of the page.

    Not ``context.render_context`` itself: each ``{% partial %}`` (one per row or
    card) pushes an isolated layer onto it, so values kept there were computed
    again for every row. Its bottom layer belongs to the page's render.
    """
    return context.render_context.dicts[0]


def _table_render_cache(context) -> dict:
    """Per-render values every row shares (computed once, not per row or cell)."""
    store = _render_store(context)
    cache = store.get("table_row_cache")
    if cache is None:
        group = context.get("group")
        cache = {
            "cells": [
                (f'<td class="col-{_escape(column.key)}{" num" if column.numeric else ""}">', _cell_function(column))
                for column in context["columns"]
            ],
            "detail_url": _url_template("opportunities:opportunity-detail"),
            "quick_edit_url": _url_template("opportunities:opportunity-quick-edit"),
            "organization_url": _organization_url_template(),
            "select": _("Select %(name)s"),
            "labels": {
                "status": _escape(_("Change status")),
                "phase": _escape(_("Change phase")),
                "owner": _escape(_("Reassign")),
                "overdue": _escape(_("(overdue)")),
            },
            "stale_mark": _stale_mark(),
            "avatars": {},
            "today": context.get("today") or timezone.localdate(),
            "now": timezone.now(),
            "formats": Formats(),
            "group": group,
            "group_field": GROUPS[group][1] if group in GROUPS else None,
            # request.user is a lazy object: read through it once, not for every row.
            "user_pk": context["user"].pk,
            "can_manage": bool(context.get("can_manage")),
            "can_reassign": bool(context.get("can_reassign")),
            "row_message": context.get("row_message"),
            "row_message_level": context.get("row_message_level", "error"),
        }
        store["table_row_cache"] = cache
    return cache


@functools.cache
def _organization_url_template() -> str:
    """The organization link with a placeholder id (reversed once, not per row)."""
    return reverse("organizations:organization-detail", args=[987654321]).replace("987654321", "__PK__")


def _quick_edit_link(cache, opportunity, field, content) -> str:
    url = _escape(cache["quick_edit_url"].replace("__SHORT__", opportunity.short_name) + f"?field={field}")
    return (
        f'<a class="cell-edit" href="{url}" hx-get="{url}" hx-swap="outerHTML" '
        f'title="{cache["labels"][field]}">{content}</a>'
    )


def _may_change(cache, opportunity) -> bool:
    return cache["can_manage"] or opportunity.owner_id == cache["user_pk"]


# One function per column, each returning the cell's content as escaped HTML, chosen
# once per page: Python, not a template, since a template if/elif chain over 15
# column kinds cost more than all SQL queries together.


def _cell_short_name(cache, opportunity) -> str:
    short = _escape(opportunity.short_name)
    detail = _escape(cache["detail_url"].replace("__SHORT__", opportunity.short_name))
    markup = f'<a class="short-name" href="{detail}">{short}</a>'
    if opportunity_is_stale(opportunity, is_open=opportunity.phase.kind == PhaseKind.OPEN, now=cache["now"]):
        markup += " " + cache["stale_mark"]
    if cache["row_message"]:
        markup += (
            f'<p class="row-message row-message-{_escape(cache["row_message_level"])}" '
            f'role="alert">{_escape(cache["row_message"])}</p>'
        )
    return markup


def _cell_name(cache, opportunity) -> str:
    detail = _escape(cache["detail_url"].replace("__SHORT__", opportunity.short_name))
    return f'<a href="{detail}">{_escape(opportunity.name)}</a>'


def _cell_organization(cache, opportunity) -> str:
    organization = opportunity.organization
    url = _escape(cache["organization_url"].replace("__PK__", str(organization.pk)))
    return f'<a href="{url}">{_escape(organization.name)}</a>'


def _cell_category(cache, opportunity) -> str:
    return _escape(opportunity.category.name) if opportunity.category else ""


def _cell_status(cache, opportunity) -> str:
    name = _escape(opportunity.status.name)
    if _may_change(cache, opportunity):
        return _quick_edit_link(cache, opportunity, "status", name)
    return name


def _cell_phase(cache, opportunity) -> str:
    content = (
        f'<span class="phase-dot phase-{_escape(opportunity.phase_id)}" aria-hidden="true"></span>'
        f"{_escape(opportunity.phase.name)}"
    )
    if _may_change(cache, opportunity):
        return _quick_edit_link(cache, opportunity, "phase", content)
    return f'<span class="cell-static">{content}</span>'


def _cell_owner(cache, opportunity) -> str:
    owner = opportunity.owner
    content = cache["avatars"].get(owner.pk)
    if content is None:
        content = cache["avatars"][owner.pk] = _avatar(owner) + _escape(owner.name)
    if cache["can_reassign"]:
        return _quick_edit_link(cache, opportunity, "owner", content)
    return f'<span class="owner">{content}</span>'


def _cell_open_tasks(cache, opportunity) -> str:
    return _escape(opportunity.open_task_count)


def _cell_probability(cache, opportunity) -> str:
    return _escape(f"{opportunity.probability} %")


def _cell_value(cache, opportunity) -> str:
    return _escape(cache["formats"].money(opportunity.value)) + " €"


def _cell_expected_close_date(cache, opportunity) -> str:
    return _date(opportunity.expected_close_date, cache["formats"]) if opportunity.expected_close_date else ""


def _cell_tags(cache, opportunity) -> str:
    return "".join(f'<span class="tag">{_escape(tag)}</span>' for tag in opportunity.tag_names or [])


def _cell_last_activity(cache, opportunity) -> str:
    if not opportunity.last_activity_at:
        return ""
    local = cache["formats"].localtime(opportunity.last_activity_at)
    title = _escape(cache["formats"].date(local, "SHORT_DATETIME_FORMAT"))
    shown = _escape(cache["formats"].naturalday(local.date()))
    return f'<time datetime="{_escape(local.isoformat())}" title="{title}">{shown}</time>'


def _cell_next_reminder(cache, opportunity) -> str:
    reminder = opportunity.next_reminder_date
    if not reminder:
        return ""
    today = cache["today"]
    shown = _escape(cache["formats"].date(reminder, "SHORT_DATE_FORMAT"))
    if reminder < today:
        return (
            f'<time class="is-overdue" datetime="{_escape(reminder.isoformat())}">{shown} '
            f'<span class="visually-hidden">{cache["labels"]["overdue"]}</span></time>'
        )
    css = "is-due" if reminder == today else ""
    return f'<time class="{css}" datetime="{_escape(reminder.isoformat())}">{shown}</time>'


def _cell_source(cache, opportunity) -> str:
    return _escape(opportunity.source.name) if opportunity.source else ""


def _cell_created_at(cache, opportunity) -> str:
    return _escape(cache["formats"].date(cache["formats"].localtime(opportunity.created_at), "SHORT_DATE_FORMAT"))


_CELLS = {
    "short_name": _cell_short_name,
    "name": _cell_name,
    "organization": _cell_organization,
    "category": _cell_category,
    "status": _cell_status,
    "phase": _cell_phase,
    "owner": _cell_owner,
    "open_tasks": _cell_open_tasks,
    "probability": _cell_probability,
    "value": _cell_value,
    "expected_close_date": _cell_expected_close_date,
    "tags": _cell_tags,
    "last_activity": _cell_last_activity,
    "next_reminder": _cell_next_reminder,
    "source": _cell_source,
    "created_at": _cell_created_at,
}


def _cell_function(column):
    if column.key in _CELLS:
        return _CELLS[column.key]
    if column.custom_field is not None:
        custom_field = column.custom_field
        return lambda cache, opportunity: _escape(custom_value(opportunity, custom_field))
    return lambda cache, opportunity: ""


def _table_row(cache, opportunity) -> str:
    css = " is-won" if opportunity.is_won else " is-lost" if opportunity.is_lost else ""
    group_attr = ""
    if cache["group"]:
        key = getattr(opportunity, cache["group_field"]) if cache["group_field"] else ""
        group_attr = f' data-group-row="{_escape(key)}"'
    label = _escape(cache["select"] % {"name": opportunity.short_name})
    cells = "".join([f"{td}{cell(cache, opportunity)}</td>" for td, cell in cache["cells"]])
    return (
        f'<tr id="row-{_escape(opportunity.short_name)}" class="data-row{css}"{group_attr}>'
        f'<td class="col-select"><input type="checkbox" name="ids" value="{_escape(opportunity.pk)}" '
        f'form="bulk-form" aria-label="{label}"></td>{cells}</tr>'
    )


@register.simple_tag(takes_context=True)
def table_row(context, opportunity):
    """One table row (<tr>), e.g. after a quick edit."""
    return mark_safe(_table_row(_table_render_cache(context), opportunity))  # noqa: S308 (every value is escaped)


@register.simple_tag(takes_context=True)
def table_rows(context, rows):
    """The rows of a page: the page's hot loop, so rendered in Python, not a template tag per row."""
    cache = _table_render_cache(context)
    return mark_safe("".join([_table_row(cache, opportunity) for opportunity in rows]))  # noqa: S308 (escaped)


# The filter bar (table and board): ~60 choices and a dozen widgets on every full page.


def _contains(container, item) -> bool:
    """``item in container`` as the template language has it (False when it cannot be asked)."""
    try:
        return item in container
    except TypeError:
        return False


def _errors(field) -> str:
    return "".join(f'<p class="field-error">{_escape(error)}</p>' for error in field.errors)


@register.simple_tag
def filter_choices(field):
    """A multiple-choice filter as a dropdown of checkboxes (owner, phase, tags, …)."""
    label = _escape(field.label)
    selected = field.value()
    badge = ""
    if selected:
        try:
            count = len(selected)
        except TypeError:
            count = 0
        badge = f' <span class="count-badge">{count}</span>'
    name = _escape(field.html_name)
    options = [
        f'\n        <label class="check"><input type="checkbox" name="{name}" value="{_escape(value)}"'
        f"{' checked' if _contains(selected, value) else ''}> {_escape(choice)}</label>\n      "
        for value, choice in field.field.choices
    ]
    if not options:
        nothing = _("Nothing to choose from yet.")
        options = [f'<p class="help">{_escape(nothing)}</p>\n      ']
    errors = ""
    if field.errors:
        errors = f'<p class="field-error">{label}: {" ".join(_escape(error) for error in field.errors)}</p>'
    return mark_safe(  # noqa: S308 (every value is escaped)
        f'<details class="dropdown filter-choices{" has-value" if selected else ""}">\n'
        f'  <summary class="btn btn-secondary">{label}{badge}</summary>\n'
        f'  <div class="dropdown-panel">\n'
        f"    <fieldset>\n"
        f'      <legend class="visually-hidden">{label}</legend>\n'
        f"      {''.join(options)}\n"
        f"    </fieldset>\n"
        f"    {_errors(field)}\n"
        f"  </div>\n"
        f"</details>\n"
        f"{errors}\n"
    )


# A filter's widget without a value, by everything Django's rendering of it reads.
# Django renders each widget through several templates (~0.3 ms a widget, most of
# the filter bar's time); without a value or an error the markup is fixed by the
# code, the language and the admin-defined custom fields, which are all in the key
# (so it can never be stale, on any server). Bounded: a few entries per filter.
_empty_widgets: dict = {}


def _is_empty(value) -> bool:
    if isinstance(value, list | tuple):
        return all(item is None or item == "" for item in value)
    return value is None or value == ""


def _widget(field) -> str:
    value = field.value()
    if field.errors or not _is_empty(value):
        return str(field)
    widget = field.field.widget
    key = (
        field.html_name,
        field.auto_id,
        repr(value),
        get_language(),
        type(widget),
        field.field.required,
        field.field.disabled,
        str(field.help_text),
        repr(sorted(widget.attrs.items())),
        tuple(repr(sorted(subwidget.attrs.items())) for subwidget in getattr(widget, "widgets", ())),
        tuple((str(choice), str(label)) for choice, label in getattr(widget, "choices", ())),
    )
    markup = _empty_widgets.get(key)
    if markup is None:
        markup = _empty_widgets[key] = str(field)
    return markup


@register.simple_tag
def filter_field(field, range=False):
    """A filter with its own widget (select, number, date range), label and errors."""
    css = (" has-error" if field.errors else "") + (" field-range" if range else "")
    label_for = "" if range else f' for="{_escape(field.id_for_label)}"'
    return mark_safe(  # noqa: S308 (every value is escaped; the widget is Django's)
        f'<div class="field{css}">\n'
        f"  <label{label_for}>{_escape(field.label)}</label>\n"
        f'  <div class="{"range-inputs" if range else ""}">{_widget(field)}</div>\n'
        f"  {_errors(field)}\n"
        f"</div>\n"
    )
