from django import template
from django.contrib.humanize.templatetags.humanize import naturalday
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from opportunities.models import FieldType
from opportunities.table import GROUPS

register = template.Library()


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
            return format_html('<a href="{}" rel="noopener noreferrer nofollow" target="_blank">{}</a>', value, value)
    return str(value)


def _avatar(user) -> str:
    return format_html(
        '<span class="avatar avatar-xs" data-tone="{}" aria-hidden="true">{}</span>',
        (user.initials[:1] or "x").lower(),
        user.initials,
    )


def _quick_edit_link(opportunity, field, label, content):
    url = reverse("opportunities:opportunity-quick-edit", args=[opportunity.short_name]) + f"?field={field}"
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
            html = format_html(
                '<a class="short-name" href="{}">{}</a>', opportunity.get_absolute_url(), opportunity.short_name
            )
            if context.get("row_message"):
                html += format_html(
                    '<p class="row-message row-message-{}" role="alert">{}</p>',
                    context.get("row_message_level", "error"),
                    context["row_message"],
                )
            return html
        case "name":
            return format_html('<a href="{}">{}</a>', opportunity.get_absolute_url(), opportunity.name)
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
