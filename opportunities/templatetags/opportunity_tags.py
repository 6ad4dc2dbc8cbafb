import functools
import html
from urllib.parse import urlencode

from django import template
from django.contrib.humanize.templatetags.humanize import naturalday
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from journal.selectors import opportunity_is_stale
from journal.templatetags.journal_tags import mood_icon
from opportunities.models import FieldType, PhaseKind
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


def _escape(value) -> str:
    """``conditional_escape`` as a plain str, for the row and card loops that join markup.

    Same escaping (``html.escape`` with quotes, ``__html__`` kept as is), without
    the lazy-argument check and SafeString wrapping of each call: a page of rows
    calls it thousands of times, and format_html per cell cost ~10 ms a page.
    """
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


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
    return (
        f'<span class="badge badge-amber stale-mark" title="'
        f'{_escape(_("No journal entry for a while and no follow-up planned"))}">{_escape(_("stale"))}</span>'
    )


def _date(value) -> str:
    return f'<time datetime="{_escape(value.isoformat())}">{_escape(date_format(value, "SHORT_DATE_FORMAT"))}</time>'


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
        cache = {
            "columns": [
                (column, f'<td class="col-{_escape(column.key)}{" num" if column.numeric else ""}">')
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


def _table_cell(context, cache, opportunity, column) -> str:
    """One table cell's content as escaped HTML. Python, not a template: a template if/elif chain over
    15 column kinds cost more than all SQL queries together."""
    match column.key:
        case "short_name":
            short = _escape(opportunity.short_name)
            detail = _escape(cache["detail_url"].replace("__SHORT__", opportunity.short_name))
            markup = f'<a class="short-name" href="{detail}">{short}</a>'
            if is_stale(opportunity):
                markup += " " + cache["stale_mark"]
            if context.get("row_message"):
                markup += (
                    f'<p class="row-message row-message-{_escape(context.get("row_message_level", "error"))}" '
                    f'role="alert">{_escape(context["row_message"])}</p>'
                )
            return markup
        case "name":
            detail = _escape(cache["detail_url"].replace("__SHORT__", opportunity.short_name))
            return f'<a href="{detail}">{_escape(opportunity.name)}</a>'
        case "organization":
            organization = opportunity.organization
            url = _escape(cache["organization_url"].replace("__PK__", str(organization.pk)))
            return f'<a href="{url}">{_escape(organization.name)}</a>'
        case "category":
            return _escape(opportunity.category.name) if opportunity.category else ""
        case "status":
            name = _escape(opportunity.status.name)
            if _may_change(context, opportunity):
                return _quick_edit_link(cache, opportunity, "status", name)
            return name
        case "phase":
            content = (
                f'<span class="phase-dot phase-{_escape(opportunity.phase_id)}" aria-hidden="true"></span>'
                f"{_escape(opportunity.phase.name)}"
            )
            if _may_change(context, opportunity):
                return _quick_edit_link(cache, opportunity, "phase", content)
            return f'<span class="cell-static">{content}</span>'
        case "owner":
            owner = opportunity.owner
            content = cache["avatars"].get(owner.pk)
            if content is None:
                content = cache["avatars"][owner.pk] = _avatar(owner) + _escape(owner.name)
            if context.get("can_reassign"):
                return _quick_edit_link(cache, opportunity, "owner", content)
            return f'<span class="owner">{content}</span>'
        case "open_tasks":
            return _escape(opportunity.open_task_count)
        case "probability":
            return _escape(f"{opportunity.probability} %")
        case "value":
            return _escape(number_format(opportunity.value, 0, force_grouping=True)) + " €"
        case "expected_close_date":
            return _date(opportunity.expected_close_date) if opportunity.expected_close_date else ""
        case "tags":
            return "".join(f'<span class="tag">{_escape(tag)}</span>' for tag in opportunity.tag_names or [])
        case "last_activity":
            if not opportunity.last_activity_at:
                return ""
            local = timezone.localtime(opportunity.last_activity_at)
            title = _escape(date_format(local, "SHORT_DATETIME_FORMAT"))
            shown = _escape(naturalday(local.date()))
            return f'<time datetime="{_escape(local.isoformat())}" title="{title}">{shown}</time>'
        case "next_reminder":
            reminder = opportunity.next_reminder_date
            if not reminder:
                return ""
            today = cache["today"]
            shown = _escape(date_format(reminder, "SHORT_DATE_FORMAT"))
            if reminder < today:
                return (
                    f'<time class="is-overdue" datetime="{_escape(reminder.isoformat())}">{shown} '
                    f'<span class="visually-hidden">{cache["labels"]["overdue"]}</span></time>'
                )
            css = "is-due" if reminder == today else ""
            return f'<time class="{css}" datetime="{_escape(reminder.isoformat())}">{shown}</time>'
        case "source":
            return _escape(opportunity.source.name) if opportunity.source else ""
        case "created_at":
            return _escape(date_format(timezone.localtime(opportunity.created_at), "SHORT_DATE_FORMAT"))
    if column.custom_field is not None:
        return _escape(custom_value(opportunity, column.custom_field))
    return ""


def _may_change(context, opportunity) -> bool:
    return bool(context.get("can_manage")) or opportunity.owner_id == context["user"].pk


_TASK_ICON = mark_safe(  # noqa: S308 (constant markup)
    '<svg class="icon-inline" viewBox="0 0 24 24" aria-hidden="true"><rect x="4" y="4" width="16" height="16" rx="3"/>'
    '<path d="m8 12 3 3 5-6"/></svg>'
)
_BELL_ICON = mark_safe(  # noqa: S308 (constant markup)
    '<svg class="icon-inline" viewBox="0 0 24 24" aria-hidden="true"><path d="M6 9a6 6 0 0 1 12 0c0 6 2.5 7.5 2.5 '
    '7.5h-17S6 15 6 9ZM10 20a2.2 2.2 0 0 0 4 0"/></svg>'
)


def _board_render_cache(context) -> dict:
    """Per-render values every card shares (computed once, not 150 times)."""
    store = _render_store(context)
    cache = store.get("board_card_cache")
    if cache is None:
        group = context.get("board_group") or getattr(context.get("board"), "group", "phase")
        config = context["config"]
        cache = {
            "group": group,
            "field": "status_id" if group == "status" else "phase_id",
            "move_url": reverse("opportunities:opportunity-move", args=["__SHORT__"]),
            "detail_url": reverse("opportunities:opportunity-detail", args=["__SHORT__"]),
            "card_fields": [(f, _escape(f.label)) for f in config.custom_fields if f.show_on_cards],
            "labels": {
                "mood": _escape(_("Mood of the latest journal entry")),
                "close": _escape(_("Expected close")),
                "tasks": _escape(_("Open tasks")),
                "reminder": _escape(_("Next follow-up")),
                "move_to": _escape(_("Move to…")),
            },
            "stale_mark": _stale_mark(),
            "moods": {},
            "owners": {},
            "today": context.get("today") or timezone.localdate(),
        }
        store["board_card_cache"] = cache
    return cache


@register.simple_tag(takes_context=True)
def board_card(context, card):
    """One board card. Rendered in Python with escaped values joined, not format_html per piece:
    a board shows up to 150 cards, and the template version of this markup cost ~0.5 ms per card."""
    cache = _board_render_cache(context)
    labels = cache["labels"]
    today = cache["today"]
    short = _escape(card.short_name)
    detail_url = _escape(cache["detail_url"].replace("__SHORT__", card.short_name))
    move_url = _escape(cache["move_url"].replace("__SHORT__", card.short_name))
    message = context.get("card_message") or ""

    parts = [
        f'<article id="card-{short}" class="board-card{" has-message" if message else ""}" data-card="{short}" '
        f'data-version="{_escape(card.version)}" data-column="{_escape(getattr(card, cache["field"]))}" '
        f'data-move-url="{move_url}">'
    ]
    if message:
        parts.append(f'<p class="card-message" role="alert">{_escape(message)}</p>')
    flags = [cache["stale_mark"]] if is_stale(card) else []
    if card.latest_mood:
        # An SVG face (journal_tags), not an emoji: emoji fonts are missing on many machines.
        mood = cache["moods"].get(card.latest_mood)
        if mood is None:
            mood = cache["moods"][card.latest_mood] = (
                f'<span class="mood mood-{_escape(card.latest_mood)}" title="{labels["mood"]}">'
                f"{_escape(mood_icon(card.latest_mood))}</span>"
            )
        flags.append(mood)
    parts.append(
        f'<div class="card-top"><a class="short-name" href="{detail_url}">{short}</a><span>{" ".join(flags)}</span>'
        f'</div><a class="card-title" href="{detail_url}">{_escape(card.name)}</a>'
    )
    contact = ""
    if card.primary_contact_name:
        contact = f'<span class="card-contact"> · {_escape(card.primary_contact_name)}</span>'
    parts.append(f'<p class="card-org">{_escape(card.organization_name)}{contact}</p>')
    if card.tag_names:
        tags = "".join(f'<span class="tag">{_escape(tag)}</span>' for tag in card.tag_names)
        parts.append(f'<p class="card-tags">{tags}</p>')
    for custom_field, label in cache["card_fields"]:
        value = custom_value(card, custom_field)
        if value:
            parts.append(f'<p class="card-custom"><span class="muted">{label}:</span> {_escape(value)}</p>')
    parts.append(
        f'<div class="card-meta"><span class="card-value">'
        f"{_escape(number_format(card.value, 0, force_grouping=True))} €</span>"
    )
    if card.expected_close_date:
        parts.append(
            f'<span title="{labels["close"]}"><time datetime="{_escape(card.expected_close_date.isoformat())}">'
            f"{_escape(date_format(card.expected_close_date, 'd M'))}</time></span>"
        )
    if card.open_task_count:
        parts.append(f'<span title="{labels["tasks"]}">{_TASK_ICON}{_escape(card.open_task_count)}</span>')
    if card.next_reminder_date:
        reminder = card.next_reminder_date
        css = "is-overdue" if reminder < today else "is-due" if reminder == today else ""
        shown = _escape(date_format(reminder, "d M"))
        parts.append(f'<span class="{css}" title="{labels["reminder"]}">{_BELL_ICON}{shown}</span>')
    owner = cache["owners"].get(card.owner_id)
    if owner is None:
        tone = _escape((card.owner.initials[:1] or "x").lower())
        owner = cache["owners"][card.owner_id] = (
            f'<span class="avatar avatar-xs card-owner" data-tone="{tone}" '
            f'title="{_escape(card.owner.name)}">{_escape(card.owner.initials)}</span>'
        )
    parts.append(owner)
    parts.append("</div>")
    if context.get("can_manage") or card.owner_id == context["user"].pk:
        # A link that turns into the small "Move to…" form on demand (a page of
        # its own without JS): a form per card doubled the board's size and time.
        query = _escape(urlencode({"group": cache["group"], "board_query": context.get("board_query", "")}))
        parts.append(
            f'<a class="move-link" href="{move_url}?{query}" hx-get="{move_url}?{query}" hx-target="this" '
            f'hx-swap="outerHTML">{labels["move_to"]}</a>'
        )
    parts.append("</article>")
    return mark_safe("".join(parts))  # noqa: S308 (every value is escaped above)


@register.simple_tag(takes_context=True)
def table_row(context, opportunity):
    """One table row (<tr>): the page's hot loop, so rendered in Python, not template tags."""
    cache = _table_render_cache(context)
    group = context.get("group")
    css = " is-won" if opportunity.is_won else " is-lost" if opportunity.is_lost else ""
    group_attr = f' data-group-row="{_escape(group_key(opportunity, group))}"' if group else ""
    label = _escape(cache["select"] % {"name": opportunity.short_name})
    parts = [
        f'<tr id="row-{_escape(opportunity.short_name)}" class="data-row{css}"{group_attr}>'
        f'<td class="col-select"><input type="checkbox" name="ids" value="{_escape(opportunity.pk)}" '
        f'form="bulk-form" aria-label="{label}"></td>'
    ]
    for column, td in cache["columns"]:
        parts.append(td)
        parts.append(_table_cell(context, cache, opportunity, column))
        parts.append("</td>")
    parts.append("</tr>")
    return mark_safe("".join(parts))  # noqa: S308 (every value is escaped above)


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
        options = [f'<p class="help">{_escape(_("Nothing to choose from yet."))}</p>\n      ']
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
