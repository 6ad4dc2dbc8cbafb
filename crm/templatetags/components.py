"""components/*.html as tags, for the pieces a page repeats per row (journal entries, tasks).

An include costs more than these pieces' markup (~0.15 ms each: a template lookup
and a context layer); these tags write the same markup, the include's final line
break included, so a page reads the same either way.
"""

import html
from functools import lru_cache

from django import template
from django.template.loader import render_to_string
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()


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
