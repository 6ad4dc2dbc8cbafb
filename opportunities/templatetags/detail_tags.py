"""Tags for the opportunity detail page, where the same small pieces repeat per task and member."""

from functools import lru_cache

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

register = template.Library()


@lru_cache(maxsize=64)
def _icon(name: str, css_class: str) -> str:
    return render_to_string("components/icon.html", {"name": name, "class": css_class}).strip()


@register.simple_tag
def icon(name: str, css_class: str = ""):
    """components/icon.html, rendered once per name and class (an include per row costs more than the row)."""
    return mark_safe(_icon(name, css_class))  # noqa: S308 (our own template, no user input)
