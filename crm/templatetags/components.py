"""The UI components as Django template tags: each renders its one template in jinja2/components/.

The components live in Jinja2 (crm/jinja2.py says why) and are used from both engines, so each
piece of UI has one source. Formatting filters (``money``, ``day``) are here too, so every page
shows the same value the same way.
"""

from django import template

from crm import formats
from crm.jinja2 import render_fragment

register = template.Library()

MOODS = ("happy", "neutral", "sad")


def _component(name: str, context: dict):
    return render_fragment(f"components/{name}.html", context)


@register.simple_tag
def avatar(user=None, size="", *, initials="", name="", tone=""):
    return _component("avatar", {"user": user, "size": size, "initials": initials, "name": name, "tone": tone})


@register.simple_tag
def user_chip(user):
    return _component("user_chip", {"user": user})


@register.simple_tag
def icon(name: str, css_class: str = ""):
    return _component("icon", {"name": name, "class": css_class})


# The name the templates have used so far; the same component.
register.simple_tag(icon, name="icon_line")


@register.simple_tag
def stale_mark():
    return _component("stale_mark", {})


@register.simple_tag
def mood_sprite(prefix: str):
    return _component("mood_sprite", {"prefix": prefix, "moods": MOODS})


@register.simple_tag
def mood_face(mood, sprite="", labelled=True, css_class=""):
    return _component("mood_face", {"mood": mood, "sprite": sprite, "labelled": labelled, "class": css_class})


@register.simple_tag
def member_badges(member):
    return _component("member_badges", {"member": member})


@register.inclusion_tag("components/field.html")
def form_field(field, css_class=""):
    return {"field": field, "class": css_class}


@register.filter
def money(value, currency="EUR"):
    """An amount with its currency, as the active language writes it (crm.formats.money)."""
    return formats.money(value, currency)


@register.filter
def day(value, today=None):
    """A day on a card or in a list: "29 Aug", with the year when it is not this year."""
    return formats.day(value, today)
