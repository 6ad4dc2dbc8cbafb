from django import template
from django.template.backends.utils import csrf_input
from django.utils import timezone

from crm.jinja2 import render_fragment
from opportunities import custom_fields, table
from opportunities.models import PhaseKind
from opportunities.selectors import opportunity_is_stale

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


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


@register.simple_tag(takes_context=True)
def table_rows(context, rows):
    """The table's rows, rendered by Jinja2 (crm/jinja2.py says why)."""
    return render_fragment(
        "opportunities/table_rows.html", {**table.row_context(context), "rows": rows}, context.get("request")
    )


def _card_context(context) -> dict:
    return {
        "card_fields": context.get("card_fields", ()),
        "board_group": context.get("board_group", ""),
        "board_query": context.get("board_query", ""),
        "today": context.get("today") or timezone.localdate(),
        "card_message": context.get("card_message", ""),
        "custom_display": custom_fields.display,
    }


@register.simple_tag(takes_context=True)
def board_cards(context, cards):
    """A column's cards, rendered by Jinja2 (crm/jinja2.py says why)."""
    return render_fragment(
        "opportunities/board_cards.html", {**_card_context(context), "cards": cards}, context.get("request")
    )


@register.simple_tag(takes_context=True)
def board_card(context, card):
    """One card (after a move, or its conflict)."""
    return render_fragment(
        "opportunities/board_card.html", {**_card_context(context), "card": card}, context.get("request")
    )


def _with_csrf(values: dict, context) -> dict:
    """The CSRF input written once (as csrf_field) for a fragment with a form per row: the Jinja2
    backend sets its own csrf_input, lazily, masking a new token at every use."""
    request = context.get("request")
    return {**values, "csrf_field": csrf_input(request)} if request is not None else values


@register.simple_tag(takes_context=True)
def task_items(context, tasks):
    """The detail page's tasks, rendered by Jinja2 (crm/jinja2.py says why)."""
    values = {"tasks": tasks, "can_change": context.get("can_change"), "today": context.get("today")}
    return render_fragment("opportunities/task_items.html", _with_csrf(values, context), context.get("request"))


@register.simple_tag(takes_context=True)
def member_cards(context, members):
    """The detail page's contact persons, rendered by Jinja2."""
    values = {
        "members": members,
        "can_change": context.get("can_change"),
        "can_change_members": context.get("can_change_members"),
    }
    return render_fragment("opportunities/member_cards.html", _with_csrf(values, context), context.get("request"))
