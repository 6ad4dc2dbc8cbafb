"""The UI components of templates/components/ as tags: each renders its template.

A tag is shorter to call than an ``{% include … with … %}`` and the template stays the
one source of truth for the markup. Formatting filters (``money``, ``day``) are here too,
so every page shows the same value the same way.
"""

from django import template

from crm import formats

register = template.Library()


@register.inclusion_tag("components/avatar.html")
def avatar(user, size=""):
    return {"user": user, "size": size}


@register.inclusion_tag("components/user_chip.html")
def user_chip(user):
    return {"user": user}


@register.inclusion_tag("components/icon.html")
def icon(name: str, css_class: str = ""):
    return {"name": name, "class": css_class}


# The name the templates have used so far; the same component.
register.inclusion_tag("components/icon.html", name="icon_line")(icon)


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


MOODS = ("happy", "neutral", "sad")


@register.inclusion_tag("components/mood_sprite.html")
def mood_sprite(prefix: str):
    return {"prefix": prefix, "moods": MOODS}


@register.inclusion_tag("components/mood_face.html")
def mood_face(mood, sprite="", labelled=True, css_class=""):
    return {"mood": mood, "sprite": sprite, "labelled": labelled, "class": css_class}
