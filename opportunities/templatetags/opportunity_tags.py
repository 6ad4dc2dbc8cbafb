import functools
from decimal import Decimal
from urllib.parse import urlencode

from django import template
from django.contrib.humanize.templatetags.humanize import naturalday
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import DeferredSubDict
from django.utils.dateformat import DateFormat, re_escaped, re_formatchars
from django.utils.formats import get_format, number_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from crm.formats import day_format
from crm.legacy_markup import escape_text
from journal.templatetags.journal_tags import mood_icon_from_sprite, mood_sprite
from opportunities.models import FieldType, PhaseKind
from opportunities.selectors import opportunity_is_stale
from opportunities.table import GROUPS

register = template.Library()


class PartialByNameNode(template.Node):
    def __init__(self, name, partials):
        self.name = name
        self.partials = partials

    def render(self, context):
        name = self.name.resolve(context)
        try:
            partial = self.partials[name]
        except KeyError:
            raise template.TemplateSyntaxError(f"Partial {name!r} is not defined in the current template.") from None
        # The partial's nodes in the current render, not partial.render(): a table cell
        # holds no {% cycle %} or {% ifchanged %} that needs a render state of its own,
        # and setting one up for each of up to 1,600 cells cost more than the cells.
        return partial.nodelist.render(context)


@register.tag
def partial_by_name(parser, token):
    """``{% partial_by_name column.cell %}``: the partial of this template named by a variable.

    Django's ``{% partial %}`` takes a fixed name; a table cell's partial depends on the
    column. One lookup instead of an if/elif chain over every kind of column per cell.
    """
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError(f"{bits[0]} takes one argument: the partial's name.")
    return PartialByNameNode(parser.compile_filter(bits[1]), DeferredSubDict(parser.extra_data, "partials"))


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


@register.filter
def is_stale(opportunity) -> bool:
    """Open and quiet for too long (opportunities.selectors); the phase comes from the configuration."""
    return opportunity_is_stale(opportunity, is_open=opportunity.phase.kind == PhaseKind.OPEN)


@register.filter
def may_change(opportunity, rights) -> bool:
    """Whether the user may change this opportunity (its phase and status in a table row).

    ``rights`` is table.RowRights, read once per page: asking the permission backends
    for every row cost more than the row's cells.
    """
    return rights.may_change(opportunity)


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


def _render_store(context) -> dict:
    """A dict that lasts for the whole render of the page.

    Not ``context.render_context`` itself: each ``{% partial %}`` (one per row or
    card) pushes an isolated layer onto it, so values kept there were computed
    again for every row. Its bottom layer belongs to the page's render.
    """
    return context.render_context.dicts[0]


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
            "now": timezone.now(),
            "formats": Formats(),
            # request.user is a lazy object: read through it once, not for every card.
            "user_pk": context["user"].pk,
            "can_manage": bool(context.get("can_manage")),
            "move_query": _escape(urlencode({"group": group, "board_query": context.get("board_query", "")})),
        }
        store["board_card_cache"] = cache
    return cache


@register.simple_tag
def board_icon_sprite():
    """The faces the cards' moods use (board_icon_sprite once on the board page, outside what htmx swaps)."""
    return mark_safe(_BOARD_SPRITE)  # noqa: S308 (constant markup)


_BOARD_SPRITE = mood_sprite("board-mood")


@register.simple_tag(takes_context=True)
def board_card(context, card):
    """One board card (after a move, or in a page of more cards)."""
    return mark_safe(_board_card(_board_render_cache(context), card, context.get("card_message") or ""))  # noqa: S308


@register.simple_tag(takes_context=True)
def board_cards(context, cards):
    """A column's cards in one call: a board shows up to 150 of them."""
    cache = _board_render_cache(context)
    message = context.get("card_message") or ""
    return mark_safe("".join([_board_card(cache, card, message) for card in cards]))  # noqa: S308 (escaped)


def _board_card(cache, card, message) -> str:
    """One board card. Rendered in Python with escaped values joined, not format_html per piece:
    the template version of this markup cost ~0.5 ms per card."""
    labels = cache["labels"]
    today = cache["today"]
    formats = cache["formats"]
    short = _escape(card.short_name)
    detail_url = _escape(cache["detail_url"].replace("__SHORT__", card.short_name))
    move_url = _escape(cache["move_url"].replace("__SHORT__", card.short_name))

    parts = [
        f'<article id="card-{short}" class="board-card{" has-message" if message else ""}" data-card="{short}" '
        f'data-version="{_escape(card.version)}" data-column="{_escape(getattr(card, cache["field"]))}" '
        f'data-move-url="{move_url}">'
    ]
    if message:
        parts.append(f'<p class="card-message" role="alert">{_escape(message)}</p>')
    stale = opportunity_is_stale(card, is_open=card.phase.kind == PhaseKind.OPEN, now=cache["now"])
    flags = [cache["stale_mark"]] if stale else []
    if card.latest_mood:
        # An SVG face (journal_tags), not an emoji: emoji fonts are missing on many machines.
        mood = cache["moods"].get(card.latest_mood)
        if mood is None:
            mood = cache["moods"][card.latest_mood] = (
                f'<span class="mood mood-{_escape(card.latest_mood)}" title="{labels["mood"]}">'
                f"{mood_icon_from_sprite(card.latest_mood, 'board-mood')}</span>"
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
    parts.append(f'<div class="card-meta"><span class="card-value">{_escape(formats.money(card.value))} €</span>')
    if card.expected_close_date:
        parts.append(
            f'<span title="{labels["close"]}"><time datetime="{_escape(card.expected_close_date.isoformat())}">'
            f"{_escape(formats.day(card.expected_close_date))}</time></span>"
        )
    if card.open_task_count:
        parts.append(f'<span title="{labels["tasks"]}">{_TASK_ICON}{_escape(card.open_task_count)}</span>')
    if card.next_reminder_date:
        reminder = card.next_reminder_date
        css = "is-overdue" if reminder < today else "is-due" if reminder == today else ""
        shown = _escape(formats.day(reminder))
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
    if cache["can_manage"] or card.owner_id == cache["user_pk"]:
        # A link that turns into the small "Move to…" form on demand (a page of
        # its own without JS): a form per card doubled the board's size and time.
        query = cache["move_query"]
        parts.append(
            f'<a class="move-link" href="{move_url}?{query}" hx-get="{move_url}?{query}" hx-target="this" '
            f'hx-swap="outerHTML">{labels["move_to"]}</a>'
        )
    parts.append("</article>")
    return "".join(parts)
