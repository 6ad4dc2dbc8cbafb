"""The reminder badge in the top navigation (base.html): due today or overdue.

The count is lazy: it runs (one COUNT over journal_open_reminder_idx) only when a
template reads ``reminder_badge.count``, which base.html does on full pages. So a
full page costs +1 query for it, and htmx fragments, JSON, CSV and redirects
cost nothing. /reminders/ already knows the number and primes it (no query).
"""

from functools import cached_property

from django.utils import timezone

from journal import selectors

_PRIMED = "_reminder_badge_count"


def prime_reminder_badge(request, count: int) -> None:
    """Give the badge its number when the view has it anyway."""
    setattr(request, _PRIMED, count)


class ReminderBadge:
    def __init__(self, request):
        self.request = request

    @cached_property
    def count(self) -> int:
        primed = getattr(self.request, _PRIMED, None)
        if primed is not None:
            return primed
        user = self.request.user
        if not user.is_authenticated:
            return 0
        return selectors.reminder_badge_count(user_id=user.pk, today=timezone.localdate())


def reminder_badge(request):
    return {"reminder_badge": ReminderBadge(request)}
