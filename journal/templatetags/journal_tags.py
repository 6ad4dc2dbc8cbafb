"""The journal's template tags: filters that return data, and the section as an inclusion tag.

The markup is in templates/journal/ (journal_section.html, reminder_list.html); faces,
avatars and icons come from crm/templatetags/components.py.
"""

import datetime

from django import template
from django.template.backends.utils import csrf_input
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crm import formats, permissions
from crm.jinja2 import render_fragment

register = template.Library()


@register.inclusion_tag("journal/journal_section.html#journal-section", takes_context=True)
def journal_section(context, section: dict):
    """The journal section of the detail page, from journal.selectors.journal_section's dict."""
    # An inclusion tag starts from a fresh context: the section's own keys, and the request
    # for {% csrf_token %} (carried over by Django) and the partials it renders.
    return {**section, "request": context.get("request")}


@register.filter
def may_change(entry, user) -> bool:
    """Whether ``user`` may edit or delete ``entry`` (crm.permissions, as the views check it)."""
    return permissions.can_change_journal_entry(user, entry)


@register.filter
def may_handle(entry, user) -> bool:
    """Whether ``user`` may tick off or snooze ``entry``'s follow-up."""
    return permissions.can_handle_reminder(user, entry)


@register.filter
def reminder_state(entry, today: datetime.date) -> str:
    """done, overdue, today or upcoming: how an entry's reminder is highlighted."""
    if entry.reminder_date is None:
        return ""
    if entry.reminder_done_at is not None:
        return "done"
    return due_state(entry.reminder_date, today)


@register.filter
def due_state(date: datetime.date, today: datetime.date) -> str:
    """overdue, today or upcoming: how an open reminder's date is highlighted."""
    if date < today:
        return "overdue"
    return "today" if date == today else "upcoming"


@register.filter
def due_label(date: datetime.date, today: datetime.date) -> str:
    """The distance to a due date: 3 days overdue, today, tomorrow, in 5 days."""
    if date is None:
        return ""
    days = (date - today).days
    if days == 0:
        return _("today")
    if days == 1:
        return _("tomorrow")
    if days == -1:
        return _("1 day overdue")
    if days < 0:
        return ngettext("%(count)d day overdue", "%(count)d days overdue", -days) % {"count": -days}
    return ngettext("in %(count)d day", "in %(count)d days", days) % {"count": days}


@register.filter
def note_age(moment: datetime.datetime, today: datetime.date) -> str:
    """How old a note is, by calendar day in the configured time zone: today, yesterday, 3 weeks ago."""
    day = timezone.localdate(moment)
    days = (today - day).days
    if days <= 0:
        return _("today")
    if days == 1:
        return _("yesterday")
    return _("%(time)s ago") % {"time": timesince(day, today, depth=1)}


@register.filter
def one_line(text: str) -> str:
    """Line breaks and runs of spaces as single spaces (an entry in a plain-text e-mail line)."""
    return " ".join(str(text).split())


@register.filter
def weekday_day(value) -> str:
    """``value`` as "Mon 16 Nov" in the active language (crm.formats.weekday_and_day)."""
    return formats.weekday_and_day(value) if value else ""


def _reminder_context(context) -> dict:
    request = context.get("request")
    return {
        "today": context.get("today"),
        "scope": context.get("scope"),
        "user": context.get("user"),
        "snooze_hints": context.get("snooze_hints", {}),
        "row_message": context.get("row_message", ""),
        "message_level": context.get("message_level", ""),
        # Written once, under a name of its own: the Jinja2 backend sets csrf_input to a lazy value
        # that masks a new token at every use (a form per row).
        "csrf_field": csrf_input(request) if request is not None else "",
        "due_state": due_state,
        "due_label": due_label,
        "note_age": note_age,
    }


@register.simple_tag(takes_context=True)
def reminder_rows(context, rows):
    """The follow-ups of a bucket, rendered by Jinja2 (crm/jinja2.py says why)."""
    return render_fragment(
        "journal/reminder_rows.html", {**_reminder_context(context), "rows": rows}, context.get("request")
    )


@register.simple_tag(takes_context=True)
def reminder_row(context, row):
    """One follow-up (after done or snooze)."""
    return render_fragment(
        "journal/reminder_row.html", {**_reminder_context(context), "row": row}, context.get("request")
    )
