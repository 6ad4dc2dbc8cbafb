"""Who made a change: the acting user on the audit trail's rows, also outside a request.

Database triggers (django-pghistory) record every write to the tracked models;
the context row they point to names the user and URL. In a request,
pghistory's middleware sets both. A service called from a management command, a
cron job or the shell has no request, so its writes would have no name:
``acting`` puts the service's user into the context. Inside a request it adds
the same user to the request's context (pghistory merges nested contexts), so
it costs no query either way (the context rides on the write's own statement).
"""

import functools
from collections.abc import Callable

import pghistory


def acting(param: str = "user") -> Callable:
    """Name the keyword argument ``param`` (a user or None) as the acting user of the service's writes."""

    def decorator(service: Callable) -> Callable:
        @functools.wraps(service)
        def wrapper(*args, **kwargs):
            user = kwargs.get(param)
            if getattr(user, "pk", None) is None:
                return service(*args, **kwargs)
            with pghistory.context(user=user.pk):
                return service(*args, **kwargs)

        return wrapper

    return decorator
