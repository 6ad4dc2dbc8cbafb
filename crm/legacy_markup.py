"""The old Python-written markup helpers, kept only until the last f-string tag is gone (issue 13).

Do not use in new code: crm/templatetags/components.py renders templates/components/.

Originally: components/*.html as tags, for the pieces a page repeats per row (journal entries, tasks).

An include costs more than these pieces' markup (~0.15 ms each: a template lookup
and a context layer); these tags write the same markup, the include's final line
break included, so a page reads the same either way.
"""

import html
from functools import lru_cache

from django import template
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()


# Helpers for tags that write markup in Python (table rows, board cards, detail regions, journal).


def escape_text(value) -> str:
    """``conditional_escape`` as a plain str, for the loops that join markup.

    Same escaping (``html.escape`` with quotes, ``__html__`` kept as is), without
    the lazy-argument check and SafeString wrapping of each call: a page of rows
    calls it thousands of times, and format_html per cell cost ~10 ms a page.
    """
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def csrf_input(request) -> str:
    """``{% csrf_token %}``'s hidden input, for forms written in Python."""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{html.escape(get_token(request))}">'


def icon_markup(name: str, css_class: str = "") -> str:
    """components/icon.html for ``name`` (rendered once per name and class), without its line break."""
    return _icon(name, css_class).strip()


def _avatar(user, size: str) -> str:
    initials = html.escape(user.initials)
    css = f" avatar-{html.escape(size)}" if size else ""
    return (
        f'<span class="avatar{css}" data-tone="{html.escape(user.initials[:1].lower())}" '
        f'title="{html.escape(user.name)}" aria-hidden="true">{initials}</span>\n'
    )


@register.simple_tag
def avatar(user, size=""):
    """{% include "components/avatar.html" with user=user size=size %}"""
    return mark_safe(_avatar(user, size))  # noqa: S308 (escaped)


@register.simple_tag
def user_chip(user):
    """{% include "components/user_chip.html" with user=user %}"""
    return mark_safe(  # noqa: S308 (escaped)
        f'<span class="user-chip">{_avatar(user, "xs")}<span>{html.escape(user.name)}</span></span>\n'
    )


@lru_cache(maxsize=64)
def _icon(name: str, css_class: str) -> str:
    return render_to_string("components/icon.html", {"name": name, "class": css_class})


@register.simple_tag
def icon_line(name: str, css_class: str = ""):
    """{% include "components/icon.html" with name=name class=css_class %}, rendered once per name and class."""
    return mark_safe(_icon(name, css_class))  # noqa: S308 (our own template, no user input)


@register.simple_tag
def form_field(field, css_class=""):
    """{% include "components/field.html" with field=field class=css_class %}"""
    errors = field.errors
    checkbox = field.widget_type == "checkbox"
    classes = "field"
    if field.field.required:
        classes += " is-required"
    if errors:
        classes += " has-error"
    if checkbox:
        classes += " field-check"
    if css_class:
        classes += f" {conditional_escape(css_class)}"
    label = f'<label for="{conditional_escape(field.id_for_label)}">{conditional_escape(field.label)}</label>'
    widget = str(field)
    inner = f"{widget}{label}" if checkbox else f"{label}\n  {widget}"
    help_text = ""
    if field.help_text:
        help_text = f'<div class="field-help" id="{conditional_escape(field.auto_id)}_helptext">{field.help_text}</div>'
    return mark_safe(  # noqa: S308 (escaped as the include escapes; help_text is |safe there too)
        f'<div class="{classes}">\n  {inner}\n  {errors if errors else ""}\n  {help_text}\n</div>\n'
    )
