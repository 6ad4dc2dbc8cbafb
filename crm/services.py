"""Writes about the people using the CRM themselves."""

from django.conf import settings
from django.db.models import F, Func, JSONField, Value

from crm.models import User


class _JSONMerge(Func):
    """jsonb || jsonb: the right side's keys replace the left side's."""

    arg_joiner = " || "
    template = "(%(expressions)s)"
    output_field = JSONField()


def user_language_remember(*, user, language: str) -> bool:
    """Keep the language ``user`` works in, for what reaches them outside a request (the daily digest).

    Written only when it changed, and merged into the stored preferences in SQL, so that a
    column choice saved at the same moment is not overwritten. Whether it was written.
    """
    if language not in dict(settings.LANGUAGES) or user.preferences.get("language") == language:
        return False
    User.objects.filter(pk=user.pk).update(
        preferences=_JSONMerge(F("preferences"), Value({"language": language}, output_field=JSONField()))
    )
    user.preferences["language"] = language
    return True
