import datetime

from django import template
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from journal.models import Mood

register = template.Library()

# Faces drawn with currentColor (no emoji font: those render as boxes on many
# machines, and their colours would ignore ours). One circle, two eyes, a mouth.
_MOUTHS = {
    Mood.HAPPY: "M8 14c1.1 1.7 2.4 2.5 4 2.5s2.9-.8 4-2.5",
    Mood.NEUTRAL: "M8.5 15h7",
    Mood.SAD: "M8 16.5c1.1-1.7 2.4-2.5 4-2.5s2.9.8 4 2.5",
}
_LABELS = dict(Mood.choices)


def _face(mood, css: str, *, labelled: bool):
    label = _LABELS[mood]
    a11y = format_html('role="img" aria-label="{}"', label) if labelled else mark_safe('aria-hidden="true"')
    return format_html(
        '<svg class="mood-icon mood-{}{}" width="16" height="16" viewBox="0 0 24 24" fill="none" '
        'stroke="currentColor" stroke-width="1.9" stroke-linecap="round" stroke-linejoin="round" {} focusable="false">'
        '{}<circle cx="12" cy="12" r="9.2"/><path d="M9 9.8v.4M15 9.8v.4" stroke-width="2.4"/><path d="{}"/></svg>',
        mood,
        f" {css}" if css else "",
        a11y,
        format_html("<title>{}</title>", label) if labelled else "",
        _MOUTHS[mood],
    )


@register.simple_tag
def mood_icon(mood, css="", labelled=True):
    """A mood as a small face icon in its colour (.mood-happy / .mood-neutral / .mood-sad).

    ``labelled=False`` when the word is next to it anyway (hidden from screen readers).
    """
    return _face(mood, css, labelled=labelled) if mood in _MOUTHS else ""


@register.simple_tag
def mood_tag(mood):
    """The mood as a tag: icon and word, coloured."""
    if mood not in _MOUTHS:
        return ""
    return format_html(
        '<span class="mood-tag mood-{}">{}<span>{}</span></span>', mood, _face(mood, "", labelled=False), _LABELS[mood]
    )


@register.filter
def reminder_state(entry, today: datetime.date) -> str:
    """done, overdue, today or upcoming: how the reminder is highlighted."""
    if entry.reminder_date is None:
        return ""
    if entry.reminder_done_at is not None:
        return "done"
    if entry.reminder_date < today:
        return "overdue"
    if entry.reminder_date == today:
        return "today"
    return "upcoming"


@register.filter
def due_label(date: datetime.date, today: datetime.date) -> str:
    """ "3 days overdue", "yesterday", "today", "tomorrow", "in 5 days"."""
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


@register.simple_tag(takes_context=True)
def journal_section(context, opportunity, config=None):
    """The journal of ``opportunity`` for the detail page, with its own (constant) queries.

    ``config`` (opportunities.selectors.Configuration) saves the queries for the
    people who can be reminded and the opportunity's phase.
    """
    from journal import selectors
    from journal.views import section_context

    request = context["request"]
    if config is not None:
        users = config.active_users
        phase = config.phase(opportunity.phase_id)
    else:
        users = selectors.assignable_users()
        phase = opportunity.phase
    section = section_context(request, opportunity, users=users, phase=phase)
    return render_to_string("journal/journal_section.html#journal-section", section, request=request)


@register.filter
def ago(moment: datetime.datetime) -> str:
    """ "3 weeks ago", "2 days ago", "today": how old a note is, in one unit."""
    if moment is None:
        return ""
    if timezone.now() - moment < datetime.timedelta(days=1):
        return _("today")
    return _("%(time)s ago") % {"time": timesince(moment, depth=1)}


@register.filter
def one_line(text: str) -> str:
    """Line breaks and runs of spaces as single spaces (an entry in a plain-text e-mail line)."""
    return " ".join(str(text).split())
