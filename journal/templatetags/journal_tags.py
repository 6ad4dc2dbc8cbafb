import datetime
import functools
import html

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.html import escape, format_html, urlize
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from crm.formats import day_format, weekday_and_day
from crm.legacy_markup import avatar, csrf_input, icon_line
from journal.models import Mood
from journal.selectors import EXCERPT_LENGTH, ReminderRow

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


def _face_symbols(prefix: str) -> str:
    """The faces of mood_icon as <symbol id="{prefix}-{mood}">, for a page that shows many of them."""
    return "".join(
        f'<symbol id="{prefix}-{mood}" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.9" '
        'stroke-linecap="round" stroke-linejoin="round"><circle cx="12" cy="12" r="9.2"/>'
        f'<path d="M9 9.8v.4M15 9.8v.4" stroke-width="2.4"/><path d="{mouth}"/></symbol>'
        for mood, mouth in _MOUTHS.items()
    )


def mood_sprite(prefix: str) -> str:
    """A hidden <svg> holding the faces as symbols ``{prefix}-{mood}``, once on a page with many faces."""
    return (
        '<svg class="mood-sprite" width="0" height="0" aria-hidden="true" focusable="false" hidden>'
        + _face_symbols(prefix)
        + "</svg>"
    )


def mood_icon_from_sprite(mood: str, prefix: str) -> str:
    """mood_icon (labelled) drawn from a mood_sprite: ~150 bytes instead of ~380 per face."""
    if mood not in _MOUTHS:
        return ""
    label = escape(str(_LABELS[mood]))
    return (
        f'<svg class="mood-icon mood-{mood}" width="16" height="16" role="img" aria-label="{label}" '
        f'focusable="false"><title>{label}</title><use href="#{prefix}-{mood}"/></svg>'
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


# Journal entries ---------------------------------------------------------------------------
# Rendered in Python: the detail page shows 20 entries, and the template version of an entry
# (a partial with translations, url tags, icons and date filters) cost ~1 ms each.

_DONE_BOX = (
    '<svg class="done-box" viewBox="0 0 16 16" aria-hidden="true" focusable="false">'
    '<rect x="1.5" y="1.5" width="13" height="13" rx="3.5"/><path d="m4.6 8.2 2.3 2.3 4.6-5"/></svg>'
)
_ENTRY_WORDS: dict[str, dict] = {}


def _entry_words() -> dict:
    """The entries' fixed words and icons in the active language: translated once per process and language."""
    language = get_language()
    words = _ENTRY_WORDS.get(language)
    if words is not None:
        return words
    # Like {% translate %}, escaped; the blocktranslate strings are formats (their values are escaped
    # when filled in), and the byline's holds markup of its own, so it stays as translated.
    words = {
        "byline": _(
            '<strong>%(author)s</strong> left this feedback on <time datetime="%(datetime)s" title="%(time)s">'
            "%(date)s</time>"
        ),
        "edited_on": escape(_("Edited on %(date)s")),
        "edited": escape(_("edited")),
        "edit": escape(_("Edit entry")),
        "delete": escape(_("Delete entry")),
        "confirm": escape(_("Delete this journal entry? This cannot be undone.")),
        "follow_up": escape(_("Follow-up")),
        "for_you": escape(_("for you")),
        "for_name": escape(_("for %(name)s")),
        "reopen": escape(_("Done — click to open it again")),
        "mark_done": escape(_("Mark the follow-up done")),
        "done": escape(_("Done")),
        # mood_tag and mood_icon, their faces drawn from the section's sprite.
        "moods": {
            mood: f'<span class="mood-tag mood-{mood}"><svg class="mood-icon mood-{mood}" width="16" height="16" '
            f'aria-hidden="true" focusable="false"><use href="#journal-mood-{mood}"/></svg>'
            f"<span>{escape(label)}</span></span>"
            for mood, label in _LABELS.items()
        },
        "trend_icons": {mood: mood_icon_from_sprite(mood, "journal-mood") for mood in _LABELS},
        "mood_names": {mood: escape(label) for mood, label in _LABELS.items()},
        "pencil": icon_line("pencil", "icon-sm").strip(),
        "trash": icon_line("trash", "icon-sm").strip(),
        "bell": icon_line("bell", "icon-sm").strip(),
    }
    _ENTRY_WORDS[language] = words
    return words


# Plain-str escaping (django.utils.html.escape without its lazy-string wrapper and SafeString):
# the same characters, for the few hundred values one journal page escapes.
_esc = html.escape


def _entry_text(text: str) -> str:
    """{{ text|urlize|linebreaksbr }}: links clickable, line breaks kept, everything else escaped."""
    if "." in text or "@" in text or ":" in text:
        text = urlize(text, nofollow=True, autoescape=True)
    else:
        # No word can be a link: urlize would only escape it.
        text = _esc(text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\n", "<br>")


class _EntryMarkup:
    """What the entries of one response share: words, URL patterns, the CSRF token and the user's rights."""

    def __init__(self, context):
        request = context["request"]
        self.user_id = context["user"].pk
        # The same rights the views check (crm.permissions.can_change_journal_entry, can_handle_reminder).
        self.can_change = bool(context.get("can_change_entries"))
        self.is_manager = bool(context.get("is_manager"))
        self.today = context.get("today") or timezone.localdate()
        self.csrf_input = csrf_input(request)
        self.words = _entry_words()
        self.edit_url = escape(reverse("journal:journal-entry-update", args=[0]).replace("/0/", "/__PK__/"))
        self.delete_url = escape(reverse("journal:journal-entry-delete", args=[0]).replace("/0/", "/__PK__/"))
        self.done_url = escape(reverse("journal:reminder-done", args=[0]).replace("/0/", "/__PK__/"))
        self.days: dict[datetime.date, str] = {}

    @classmethod
    def of(cls, context) -> "_EntryMarkup":
        # Kept on the request, not the render context: each {% partial %} renders with a fresh one.
        request = context["request"]
        markup = getattr(request, "_journal_entry_markup", None)
        if markup is None:
            markup = request._journal_entry_markup = cls(context)
        return markup

    def day(self, date: datetime.date) -> str:
        """DATE_FORMAT of a date (entries of one day share it: formatted once)."""
        found = self.days.get(date)
        if found is None:
            found = self.days[date] = _esc(date_format(date, "DATE_FORMAT"))
        return found

    def may_change(self, entry) -> bool:
        return self.can_change and (self.is_manager or entry.author_id == self.user_id)

    def entry(self, entry, *, is_new: bool = False) -> str:
        words = self.words
        pk = entry.pk
        created = timezone.localtime(entry.created_at)
        byline = words["byline"] % {
            "author": _esc(entry.author.name),
            "date": self.day(created.date()),
            "datetime": created.isoformat(),
            "time": _esc(time_format(created, "TIME_FORMAT")),
        }
        edited = ""
        if entry.edited_at is not None:
            when = _esc(date_format(timezone.localtime(entry.edited_at), "DATETIME_FORMAT"))
            edited = (
                f'<span class="entry-edited" title="{words["edited_on"] % {"date": when}}">{words["edited"]}</span>'
            )
        actions = ""
        if self.may_change(entry):
            edit_url = self.edit_url.replace("__PK__", str(pk))
            delete_url = self.delete_url.replace("__PK__", str(pk))
            actions = (
                f'<div class="entry-actions"><a class="btn btn-ghost btn-sm btn-icon" href="{edit_url}" '
                f'hx-get="{edit_url}" hx-target="closest li" hx-swap="outerHTML" title="{words["edit"]}" '
                f'aria-label="{words["edit"]}">{words["pencil"]}</a><a class="btn btn-ghost btn-sm btn-icon is-danger" '
                f'href="{delete_url}" hx-post="{delete_url}" hx-target="closest li" hx-swap="outerHTML" '
                f'hx-confirm="{words["confirm"]}" title="{words["delete"]}" aria-label="{words["delete"]}">'
                f"{words['trash']}</a></div>"
            )
        return (
            f'<li class="journal-entry{" is-new" if is_new else ""}" id="entry-{pk}">'
            f'{avatar(entry.author, "sm").strip()}<div class="entry-main"><div class="entry-head">'
            f'<p class="entry-byline">{byline}</p>{words["moods"].get(entry.mood, "")}{edited}{actions}</div>'
            f'<div class="entry-text">{_entry_text(entry.text)}</div>{self.reminder(entry)}</div></li>'
        )

    def reminder(self, entry, message: str = "") -> str:
        """The entry's follow-up: its date, whom it is for, and the done toggle for those who may use it."""
        date = entry.reminder_date
        if date is None:
            return ""
        words = self.words
        pk = entry.pk
        done = entry.reminder_done_at is not None
        state = reminder_state(entry, self.today)
        due = ""
        if state in ("overdue", "today"):
            due = f' <span class="entry-reminder-due">({_esc(due_label(date, self.today))})</span>'
        whom = ""
        if entry.reminder_assignee_id is not None:
            if entry.reminder_assignee_id == self.user_id:
                whom = words["for_you"]
            else:
                whom = words["for_name"] % {"name": _esc(entry.reminder_assignee.name)}
            whom = f' <span class="muted">· {whom}</span>'
        toggle = ""
        if entry.reminder_assignee_id == self.user_id or self.may_change(entry):
            url = self.done_url.replace("__PK__", str(pk))
            toggle = (
                f'<form class="entry-reminder-toggle" method="post" action="{url}" hx-post="{url}" '
                f'hx-target="#entry-reminder-{pk}" hx-swap="outerHTML">'
                f"{self.csrf_input}"
                f'<input type="hidden" name="return" value="entry"><input type="hidden" name="done" '
                f'value="{"0" if done else "1"}"><button class="done-toggle{" is-done" if done else ""}" type="submit" '
                f'aria-pressed="{"true" if done else "false"}" '
                f'title="{words["reopen"] if done else words["mark_done"]}">'
                f"{_DONE_BOX}<span>{words['done']}</span></button></form>"
            )
        elif done:
            toggle = f'<span class="done-toggle is-done is-static">{_DONE_BOX}<span>{words["done"]}</span></span>'
        if message:
            message = f'<span class="entry-reminder-message" role="status">{_esc(str(message))}</span>'
        return (
            f'<div class="entry-reminder is-{state}" id="entry-reminder-{pk}">{words["bell"]}'
            f'<span class="entry-reminder-text">{words["follow_up"]} <time datetime="{date.isoformat()}">'
            f"{_esc(date_format(date, 'D'))}, {self.day(date)}</time>{due}{whom}</span>{toggle}{message}</div>"
        )

    def trend(self, entries) -> str:
        """The mood icons of the trend, oldest first, each titled with its mood and day."""
        words = self.words
        return "".join(
            f'<span role="listitem" title="{words["mood_names"].get(item.mood) or _esc(item.mood)} · '
            f'{self.day(timezone.localtime(item.created_at).date())}">{words["trend_icons"].get(item.mood, "")}</span>'
            for item in entries
        )


# The faces of the entries' moods and of the trend: ~600 bytes of SVG each, 30 on a detail page
# and 11 in every post's answer, drawn from one sprite at the top of the section instead.
_JOURNAL_SPRITE = mood_sprite("journal-mood")


@register.simple_tag
def journal_icon_sprite():
    """The symbols the entries and the trend use (once per journal section)."""
    return mark_safe(_JOURNAL_SPRITE)  # noqa: S308 - constant markup


@register.simple_tag(takes_context=True)
def journal_entries(context, entries):
    """The entries of a journal page, newest first (``is_new`` in the context highlights them)."""
    markup = _EntryMarkup.of(context)
    is_new = bool(context.get("is_new"))
    return mark_safe("".join(markup.entry(entry, is_new=is_new) for entry in entries))  # noqa: S308 - escaped above


@register.simple_tag(takes_context=True)
def journal_entry(context, entry):
    """One entry: {% journal_entries %} for a single one."""
    return mark_safe(_EntryMarkup.of(context).entry(entry, is_new=bool(context.get("is_new"))))  # noqa: S308


@register.simple_tag(takes_context=True)
def journal_entry_reminder(context, entry):
    """An entry's follow-up (``entry_message`` in the context says what just happened to it)."""
    return mark_safe(_EntryMarkup.of(context).reminder(entry, context.get("entry_message") or ""))  # noqa: S308


@register.simple_tag(takes_context=True)
def journal_trend_icons(context, trend):
    return mark_safe(_EntryMarkup.of(context).trend(trend))  # noqa: S308 - escaped above


def days_ago(day: datetime.date, today: datetime.date) -> str:
    """How old a note is, by calendar day, in one unit: today, yesterday, 3 weeks ago."""
    return _days_ago(day, today, get_language())


@functools.lru_cache(maxsize=4096)
def _days_ago(day: datetime.date, today: datetime.date, language: str | None) -> str:
    # Cached across requests: /reminders/ asks for ~80 different days, each a timesince with a
    # few translations (the language is part of the key; the words are those of the active one).
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


# /reminders/ rows --------------------------------------------------------------------------


# The rows draw their icons from one sprite at the top of the board ({% reminder_icon_sprite %}):
# the same faces and strokes as mood_icon and components/icon.html, but a <use> of ~40 bytes in
# each of up to 200 rows instead of ~1 KB of SVG (about a fifth of the page).
_ICON_ATTRS = 'fill="none" stroke="currentColor" stroke-linecap="round" stroke-linejoin="round"'
_REMINDER_SPRITE = (
    '<svg class="reminder-sprite" width="0" height="0" aria-hidden="true" focusable="false" hidden>'
    + _face_symbols("reminder-mood")
    + f'<symbol id="reminder-check" viewBox="0 0 24 24" {_ICON_ATTRS} stroke-width="2.2">'
    '<path d="m5 12.5 4.5 4.5L19 7.5"/></symbol>'
    f'<symbol id="reminder-chevron" viewBox="0 0 24 24" {_ICON_ATTRS} stroke-width="1.8">'
    '<path d="m6 9 6 6 6-6"/></symbol></svg>'
)
_CHECK_ICON = '<svg class="icon icon-sm" aria-hidden="true" focusable="false"><use href="#reminder-check"/></svg>'
_CHEVRON_ICON = '<svg class="icon icon-sm" aria-hidden="true" focusable="false"><use href="#reminder-chevron"/></svg>'


@register.simple_tag
def reminder_icon_sprite():
    """The symbols the rows of /reminders/ use (once per page, before the rows)."""
    return mark_safe(_REMINDER_SPRITE)  # noqa: S308 - constant markup


def _row_cache(context) -> dict:
    """What every row of one render shares: URLs, the CSRF token, words and the snooze dates, once."""
    # Kept on the request, not the render context: each {% partial %} renders with a fresh one.
    request = context["request"]
    cache = getattr(request, "_reminder_row_cache", None)
    if cache is not None:
        return cache
    today, presets, scope = context["today"], context["presets"], context["scope"]
    scope_value = escape(scope.value)
    hidden = (
        csrf_input(request)
        + '<input type="hidden" name="return" value="row">'
        + f'<input type="hidden" name="user" value="{scope_value}">'
    )
    done_url = reverse("journal:reminder-done", args=[0]).replace("/0/", "/__PK__/")
    snooze_url = reverse("journal:reminder-snooze", args=[0]).replace("/0/", "/__PK__/")
    # Outside the f-string: makemessages (xgettext) does not see a string marked inside one.
    snooze, done, tomorrow, next_week, pick = (
        escape(_("Snooze")),
        escape(_("Done")),
        escape(_("Tomorrow")),
        escape(_("Next week")),
        escape(_("Pick a date")),
    )
    # The actions differ from row to row only by the entry's id: built once, filled in per row.
    actions = (
        f'<div class="reminder-actions"><form method="post" action="{done_url}" hx-post="{done_url}" '
        f'hx-target="closest li" hx-swap="outerHTML">{hidden}<input type="hidden" name="done" value="1">'
        f'<button class="btn btn-secondary btn-sm reminder-done" type="submit">{_CHECK_ICON}{done}'
        f'</button></form><details class="menu snooze-menu" data-menu><summary class="btn btn-secondary btn-sm">'
        f"{snooze}{_CHEVRON_ICON}</summary>"
        f'<form class="menu-panel snooze-panel" method="post" action="{snooze_url}" hx-post="{snooze_url}" '
        f'hx-target="closest li" hx-swap="outerHTML">{hidden}'
        f'<button class="menu-item" type="submit" name="preset" value="tomorrow">{tomorrow}'
        f'<span class="menu-item-hint">{escape(weekday_and_day(presets["tomorrow"]))}</span></button>'
        f'<button class="menu-item" type="submit" name="preset" value="next_week">{next_week}'
        f'<span class="menu-item-hint">{escape(weekday_and_day(presets["next_week"]))}</span></button>'
        f'<div class="snooze-pick"><label for="snooze-__PK__">{pick}</label>'
        f'<div class="snooze-pick-row"><input type="date" id="snooze-__PK__" name="until" min="{today.isoformat()}">'
        f'<button class="btn btn-primary btn-sm" type="submit" name="preset" value="date">{snooze}'
        f"</button></div></div></form></details></div>"
    )
    cache = {
        "today": today,
        "user_id": context["user"].pk,
        "is_team": scope.is_team,
        "actions": actions,
        "detail_url": reverse("opportunities:opportunity-detail", args=["__SHORT__"]),
        "reminded": escape(_("Reminded person")),
        "your_note": _("your note, %(ago)s"),
        "note_by": _("note by %(author)s, %(ago)s"),
        "people": {},
        "dates": {},
        "ages": {},
        "moods": {},
    }
    request._reminder_row_cache = cache
    return cache


def _row_date(cache, date) -> tuple[str, str]:
    """The date column and the row's state for one date (many rows share a date: formatted once)."""
    found = cache["dates"].get(date)
    if found is None:
        state = reminder_state_for(date, cache["today"])
        day = date_format(date, day_format(date, cache["today"]))
        found = (
            (
                f'<div class="reminder-when"><time datetime="{date.isoformat()}"><span class="reminder-weekday">'
                f"{escape(date_format(date, 'D'))}</span> {escape(day)}</time>"
                f'<span class="reminder-due">{escape(due_label(date, cache["today"]))}</span></div>'
            ),
            state,
        )
        cache["dates"][date] = found
    return found


def reminder_state_for(date: datetime.date, today: datetime.date) -> str:
    if date < today:
        return "overdue"
    return "today" if date == today else "upcoming"


@register.simple_tag(takes_context=True)
def reminder_rows(context, rows):
    """Rows of /reminders/ (selectors.ReminderRow). Rendered in Python: the page shows up to 200
    rows, and the template version of this markup cost ~0.4 ms per row (about 50 ms for a full page)."""
    cache = _row_cache(context)
    return mark_safe("".join(_reminder_row(context, cache, row) for row in rows))  # noqa: S308 - escaped


@register.simple_tag(takes_context=True)
def reminder_row(context, row):
    """One row of /reminders/: a ReminderRow, or the JournalEntry an action just changed."""
    if not isinstance(row, ReminderRow):
        row = ReminderRow.from_entry(row)
    return mark_safe(_reminder_row(context, _row_cache(context), row))  # noqa: S308 - escaped


def _reminder_row(context, cache: dict, row: ReminderRow) -> str:
    when, state = _row_date(cache, row.reminder_date)
    url = cache["detail_url"].replace("__SHORT__", row.short_name)
    mood = cache["moods"].get(row.mood)
    if mood is None:
        mood = cache["moods"][row.mood] = mood_icon_from_sprite(row.mood, "reminder-mood")
    excerpt = row.excerpt if len(row.excerpt) <= EXCERPT_LENGTH else row.excerpt[: EXCERPT_LENGTH - 1] + "…"
    day = timezone.localdate(row.created_at)
    age = cache["ages"].get(day)
    if age is None:
        age = cache["ages"][day] = days_ago(day, cache["today"])
    if row.author_id == cache["user_id"]:
        byline = cache["your_note"] % {"ago": age}
    else:
        byline = cache["note_by"] % {"author": row.author.name, "ago": age}
    message = ""
    if context.get("row_message"):
        level = context.get("message_level") or "error"
        role = "status" if level == "success" else "alert"
        message = f'<p class="reminder-message is-{level}" role="{role}">{_esc(str(context["row_message"]))}</p>'
    assignee = ""
    if cache["is_team"]:
        person = row.reminder_assignee
        assignee = cache["people"].get(person.username)
        if assignee is None:
            tone = _esc((person.initials[:1] or "x").lower())
            assignee = cache["people"][person.username] = (
                f'<div class="reminder-for" title="{cache["reminded"]}"><span class="user-chip">'
                f'<span class="avatar avatar-xs" data-tone="{tone}" aria-hidden="true">{_esc(person.initials)}</span>'
                f"<span>{_esc(person.name)}</span></span></div>"
            )
    return (
        f'<li class="reminder-row is-{state}{" has-assignee" if cache["is_team"] else ""}" id="reminder-{row.pk}">'
        f'{when}<div class="reminder-main"><div class="reminder-title">'
        f'<a class="short-name" href="{url}">{_esc(row.short_name)}</a>'
        f'<a class="reminder-name" href="{url}#entry-{row.pk}">{_esc(row.opportunity_name)}</a></div>'
        f'<div class="reminder-meta"><span class="reminder-org">{_esc(row.organization_name)}</span>'
        f'<span class="badge badge-phase phase-{row.phase_id}">{_esc(row.phase_name)}</span>'
        f'<span class="reminder-byline">{_esc(byline)}</span></div>'
        f'<p class="reminder-text">{mood}<span>{_esc(excerpt)}</span></p>{message}</div>'
        f"{assignee}{cache['actions'].replace('__PK__', str(row.pk))}</li>"
    )


@register.filter
def weekday_day(value) -> str:
    """``value`` as "Mon 16 Nov" in the active language (crm.formats.weekday_and_day)."""
    return weekday_and_day(value) if value else ""
