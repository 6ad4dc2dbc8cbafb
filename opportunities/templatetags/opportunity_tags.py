import functools
from urllib.parse import urlencode

from django import template
from django.contrib.humanize.templatetags.humanize import naturalday
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
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


def _avatar(user) -> str:
    return format_html(
        '<span class="avatar avatar-xs" data-tone="{}" aria-hidden="true">{}</span>',
        (user.initials[:1] or "x").lower(),
        user.initials,
    )


@register.filter
def is_stale(opportunity) -> bool:
    """Open and quiet for too long (journal.selectors); the phase comes from the configuration."""
    return opportunity_is_stale(opportunity, is_open=opportunity.phase.kind == PhaseKind.OPEN)


def _stale_mark() -> str:
    return format_html(
        '<span class="badge badge-amber stale-mark" title="{}">{}</span>',
        _("No journal entry for a while and no follow-up planned"),
        _("stale"),
    )


def _quick_edit_link(opportunity, field, label, content):
    url = _url_template("opportunities:opportunity-quick-edit").replace("__SHORT__", opportunity.short_name)
    url += f"?field={field}"
    return format_html(
        '<a class="cell-edit" href="{}" hx-get="{}" hx-swap="outerHTML" title="{}">{}</a>', url, url, label, content
    )


def _date(value) -> str:
    return format_html('<time datetime="{}">{}</time>', value.isoformat(), date_format(value, "SHORT_DATE_FORMAT"))


@register.simple_tag(takes_context=True)
def table_cell(context, opportunity, column):
    """One table cell's content. Written in Python because the row is the hot loop of the page:
    a template if/elif chain over 15 column kinds cost more than all SQL queries together."""
    user = context["user"]
    may_change = context.get("can_manage") or opportunity.owner_id == user.pk
    match column.key:
        case "short_name":
            detail = _url_template("opportunities:opportunity-detail").replace("__SHORT__", opportunity.short_name)
            html = format_html('<a class="short-name" href="{}">{}</a>', detail, opportunity.short_name)
            if is_stale(opportunity):
                html = format_html("{} {}", html, _stale_mark())
            if context.get("row_message"):
                html += format_html(
                    '<p class="row-message row-message-{}" role="alert">{}</p>',
                    context.get("row_message_level", "error"),
                    context["row_message"],
                )
            return html
        case "name":
            detail = _url_template("opportunities:opportunity-detail").replace("__SHORT__", opportunity.short_name)
            return format_html('<a href="{}">{}</a>', detail, opportunity.name)
        case "organization":
            organization = opportunity.organization
            return format_html('<a href="{}">{}</a>', organization.get_absolute_url(), organization.name)
        case "category":
            return opportunity.category.name if opportunity.category else ""
        case "status":
            if may_change:
                return _quick_edit_link(opportunity, "status", _("Change status"), opportunity.status.name)
            return opportunity.status.name
        case "phase":
            content = format_html(
                '<span class="phase-dot phase-{}" aria-hidden="true"></span>{}',
                opportunity.phase_id,
                opportunity.phase.name,
            )
            if may_change:
                return _quick_edit_link(opportunity, "phase", _("Change phase"), content)
            return format_html('<span class="cell-static">{}</span>', content)
        case "owner":
            content = format_html("{}{}", _avatar(opportunity.owner), opportunity.owner.name)
            if context.get("can_reassign"):
                return _quick_edit_link(opportunity, "owner", _("Reassign"), content)
            return format_html('<span class="owner">{}</span>', content)
        case "open_tasks":
            return str(opportunity.open_task_count)
        case "probability":
            return f"{opportunity.probability} %"
        case "value":
            return format_html("{} €", number_format(opportunity.value, 0, force_grouping=True))
        case "expected_close_date":
            return _date(opportunity.expected_close_date) if opportunity.expected_close_date else ""
        case "tags":
            return format_html_join("", '<span class="tag">{}</span>', ((tag,) for tag in opportunity.tag_names or []))
        case "last_activity":
            if not opportunity.last_activity_at:
                return ""
            local = timezone.localtime(opportunity.last_activity_at)
            return format_html(
                '<time datetime="{}" title="{}">{}</time>',
                local.isoformat(),
                date_format(local, "SHORT_DATETIME_FORMAT"),
                naturalday(local.date()),
            )
        case "next_reminder":
            reminder = opportunity.next_reminder_date
            if not reminder:
                return ""
            today = context.get("today") or timezone.localdate()
            if reminder < today:
                return format_html(
                    '<time class="is-overdue" datetime="{}">{} <span class="visually-hidden">{}</span></time>',
                    reminder.isoformat(),
                    date_format(reminder, "SHORT_DATE_FORMAT"),
                    _("(overdue)"),
                )
            css = "is-due" if reminder == today else ""
            return format_html(
                '<time class="{}" datetime="{}">{}</time>',
                css,
                reminder.isoformat(),
                date_format(reminder, "SHORT_DATE_FORMAT"),
            )
        case "source":
            return opportunity.source.name if opportunity.source else ""
        case "created_at":
            return date_format(timezone.localtime(opportunity.created_at), "SHORT_DATE_FORMAT")
    if column.custom_field is not None:
        return custom_value(opportunity, column.custom_field)
    return ""


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
    cache = context.render_context.get("board_card_cache")
    if cache is None:
        group = context.get("board_group") or getattr(context.get("board"), "group", "phase")
        config = context["config"]
        choices = config.active_statuses if group == "status" else config.active_phases
        cache = {
            "group": group,
            "field": "status_id" if group == "status" else "phase_id",
            "choices": [(choice.pk, choice.name) for choice in choices],
            "move_url": reverse("opportunities:opportunity-move", args=["__SHORT__"]),
            "detail_url": reverse("opportunities:opportunity-detail", args=["__SHORT__"]),
            "csrf": get_token(context["request"]),
            "card_fields": [f for f in config.custom_fields if f.show_on_cards],
            "labels": {
                "mood": _("Mood of the latest journal entry"),
                "close": _("Expected close"),
                "tasks": _("Open tasks"),
                "reminder": _("Next follow-up"),
                "move_to": _("Move to…"),
                "move": _("Move"),
            },
        }
        context.render_context["board_card_cache"] = cache
    return cache


@register.simple_tag(takes_context=True)
def board_card(context, card):
    """One board card. Rendered in Python: a board shows up to 150 cards, and the
    template version of this markup cost ~0.5 ms per card."""
    cache = _board_render_cache(context)
    labels = cache["labels"]
    user = context["user"]
    today = context.get("today") or timezone.localdate()
    short = card.short_name
    detail_url = cache["detail_url"].replace("__SHORT__", short)
    move_url = cache["move_url"].replace("__SHORT__", short)
    column = getattr(card, cache["field"])
    message = context.get("card_message") or ""

    parts = [
        format_html(
            '<article id="card-{}" class="board-card{}" data-card="{}" data-version="{}" data-column="{}" '
            'data-move-url="{}">',
            short,
            " has-message" if message else "",
            short,
            card.version,
            column,
            move_url,
        )
    ]
    if message:
        parts.append(format_html('<p class="card-message" role="alert">{}</p>', message))
    flags = [_stale_mark()] if is_stale(card) else []
    if card.latest_mood:
        # An SVG face (journal_tags), not an emoji: emoji fonts are missing on many machines.
        flags.append(
            format_html(
                '<span class="mood mood-{}" title="{}">{}</span>',
                card.latest_mood,
                labels["mood"],
                mood_icon(card.latest_mood),
            )
        )
    parts.append(
        format_html(
            '<div class="card-top"><a class="short-name" href="{}">{}</a><span>{}</span></div>'
            '<a class="card-title" href="{}">{}</a>',
            detail_url,
            short,
            format_html_join(" ", "{}", ((flag,) for flag in flags)),
            detail_url,
            card.name,
        )
    )
    contact = ""
    if card.primary_contact_name:
        contact = format_html('<span class="card-contact"> · {}</span>', card.primary_contact_name)
    parts.append(format_html('<p class="card-org">{}{}</p>', card.organization_name, contact))
    if card.tag_names:
        parts.append(
            format_html(
                '<p class="card-tags">{}</p>',
                format_html_join("", '<span class="tag">{}</span>', ((tag,) for tag in card.tag_names)),
            )
        )
    for custom_field in cache["card_fields"]:
        value = custom_value(card, custom_field)
        if value:
            parts.append(
                format_html('<p class="card-custom"><span class="muted">{}:</span> {}</p>', custom_field.label, value)
            )
    meta = [format_html('<span class="card-value">{} €</span>', number_format(card.value, 0, force_grouping=True))]
    if card.expected_close_date:
        meta.append(
            format_html(
                '<span title="{}"><time datetime="{}">{}</time></span>',
                labels["close"],
                card.expected_close_date.isoformat(),
                date_format(card.expected_close_date, "d M"),
            )
        )
    if card.open_task_count:
        meta.append(format_html('<span title="{}">{}{}</span>', labels["tasks"], _TASK_ICON, card.open_task_count))
    if card.next_reminder_date:
        reminder = card.next_reminder_date
        css = "is-overdue" if reminder < today else "is-due" if reminder == today else ""
        meta.append(
            format_html(
                '<span class="{}" title="{}">{}{}</span>',
                css,
                labels["reminder"],
                _BELL_ICON,
                date_format(reminder, "d M"),
            )
        )
    meta.append(
        format_html(
            '<span class="avatar avatar-xs card-owner" data-tone="{}" title="{}">{}</span>',
            (card.owner.initials[:1] or "x").lower(),
            card.owner.name,
            card.owner.initials,
        )
    )
    parts.append(format_html('<div class="card-meta">{}</div>', mark_safe("".join(meta))))  # noqa: S308 (escaped parts)
    if context.get("can_manage") or card.owner_id == user.pk:
        # A link that turns into the small "Move to…" form on demand (a page of
        # its own without JS): a form per card doubled the board's size and time.
        query = urlencode({"group": cache["group"], "board_query": context.get("board_query", "")})
        parts.append(
            format_html(
                '<a class="move-link" href="{}?{}" hx-get="{}?{}" hx-target="this" hx-swap="outerHTML">{}</a>',
                move_url,
                query,
                move_url,
                query,
                labels["move_to"],
            )
        )
    parts.append(mark_safe("</article>"))  # noqa: S308 (constant markup)
    return mark_safe("".join(parts))  # noqa: S308 (every part is escaped above)


@register.simple_tag(takes_context=True)
def table_row(context, opportunity):
    """One table row (<tr>): the page's hot loop, so rendered in Python, not template tags."""
    group = context.get("group")
    css = " is-won" if opportunity.is_won else " is-lost" if opportunity.is_lost else ""
    group_attr = format_html(' data-group-row="{}"', group_key(opportunity, group)) if group else ""
    cells = [
        format_html(
            '<td class="col-select"><input type="checkbox" name="ids" value="{}" form="bulk-form" '
            'aria-label="{}"></td>',
            opportunity.pk,
            _("Select %(name)s") % {"name": opportunity.short_name},
        )
    ]
    for column in context["columns"]:
        cells.append(
            format_html(
                '<td class="col-{}{}">{}</td>',
                column.key,
                " num" if column.numeric else "",
                table_cell(context, opportunity, column),
            )
        )
    return format_html(
        '<tr id="row-{}" class="data-row{}"{}>{}</tr>',
        opportunity.short_name,
        css,
        group_attr,
        mark_safe("".join(cells)),  # noqa: S308 (each cell is escaped by format_html)
    )
