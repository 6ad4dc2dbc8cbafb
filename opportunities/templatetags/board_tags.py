"""The board card's repeated pieces: each component rendered once per page and reused.

A board shows up to 150 cards with the same few owners' avatars, mood faces and
icons; rendering the component template for every card was most of the page's
time. Each tag renders its component (templates/components/) the first time an
argument appears in this render and repeats that output after it. Nothing is kept
beyond the render.
"""

from django import template

register = template.Library()


def _once(context, key: tuple, template_name: str, values: dict):
    # The bottom layer of render_context belongs to the page's whole render: each
    # {% partial %} (one per card) pushes a layer of its own on top of it.
    store = context.render_context.dicts[0].setdefault("board_pieces", {})
    markup = store.get(key)
    if markup is None:
        markup = store[key] = context.template.engine.get_template(template_name).render(context.new(values))
    return markup


@register.simple_tag(takes_context=True)
def card_owner(context, user):
    """``{% avatar user "xs" %}``."""
    return _once(context, ("avatar", user.pk), "components/avatar.html", {"user": user, "size": "xs"})


@register.simple_tag(takes_context=True)
def card_mood(context, mood: str):
    """``{% mood_face mood sprite="board-mood" %}``: drawn from the page's mood_sprite."""
    values = {"mood": mood, "sprite": "board-mood", "labelled": True, "class": ""}
    return _once(context, ("mood", mood), "components/mood_face.html", values)


@register.simple_tag(takes_context=True)
def card_icon(context, name: str):
    """``{% icon name "icon-inline" %}``."""
    return _once(context, ("icon", name), "components/icon.html", {"name": name, "class": "icon-inline"})
