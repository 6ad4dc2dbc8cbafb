"""Writes about the people using the CRM themselves."""

from django.conf import settings
from django.db.models import F, Func, JSONField, Value

from crm.models import User


class _JSONMerge(Func):
    """jsonb || jsonb: the right side's keys replace the left side's."""

    arg_joiner = " || "
    template = "(%(expressions)s)"
    output_field = JSONField()


def user_preference_set(*, user, key: str, value) -> None:
    """Store one of ``user``'s preferences (a column choice, the language).

    Merged into the stored JSON in SQL (jsonb ||), so that two preferences saved at the same
    moment (a column choice in one tab, a language at a login in another) both survive.
    """
    User.objects.filter(pk=user.pk).update(
        preferences=_JSONMerge(F("preferences"), Value({key: value}, output_field=JSONField()))
    )
    user.preferences[key] = value


def user_language_remember(*, user, language: str) -> bool:
    """Keep the language ``user`` works in, for what reaches them outside a request (the daily digest).

    Written only when it changed (user_preference_set). Whether it was written.
    """
    if language not in dict(settings.LANGUAGES) or user.preferences.get("language") == language:
        return False
    user_preference_set(user=user, key="language", value=language)
    return True
