"""Strings Django itself shows our users that its German catalogue does not translate yet.

makemessages only collects strings from this project, so they are named here; Django looks a
msgid up in every catalogue, ours (LOCALE_PATHS) first. Nothing imports this module.
"""

from django.utils.translation import gettext_noop

DJANGO_STRINGS = [
    # django.db.models.fields.BLANK_CHOICE_LABEL (new in Django 6.1): the empty option of a select
    # for a model field with choices, e.g. a member's influence level, attitude and personality.
    gettext_noop("- Select an option -"),
]
