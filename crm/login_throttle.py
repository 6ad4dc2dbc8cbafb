"""The client address that login throttling (django-axes) counts failures for."""

from axes.helpers import get_client_username
from django.conf import settings
from django.shortcuts import render


def client_ip(request) -> str | None:
    """REMOTE_ADDR, or the address our own proxies put into X-Forwarded-For.

    A client can send any X-Forwarded-For it likes, so by default it is ignored:
    trusting it would let an attacker give every guess a new address. Behind
    TRUSTED_PROXY_COUNT reverse proxies, each appends the address it saw, so the
    entry that many places from the right is the one the outermost proxy saw;
    anything left of it came from the client and is not believed.
    """
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")


def lockout_response(request, original_response=None, credentials=None):
    """The friendly page for a locked-out login (429 Too Many Requests), styled like the login page."""
    context = {
        "username": get_client_username(request, credentials) or "",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "registration/lockout.html", context, status=429)
