"""Login throttling on top of django-axes: per username and address, and a ceiling per username.

django-axes counts failed logins per (username, address) pair (settings,
"Login throttling"). An attacker with many addresses gets five guesses from each,
so the handler here also counts failures for a username across all addresses:
LOGIN_USERNAME_FAILURE_LIMIT within LOGIN_USERNAME_FAILURE_WINDOW lock the
username everywhere. The lock ends with a password reset by e-mail (the reset
pages never ask for the old password, so they stay open), when an admin deletes
the username's access attempts in Django admin (or runs
``manage.py axes_reset_username``), or by itself LOGIN_USERNAME_LOCKOUT after it began.

The count lives in axes' own table, as one AccessAttempt row per username with
no address (USERNAME_ROW): admins find and remove it where they find and remove
the per-address locks, and no table of our own is needed.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.db import connection, transaction
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone

# The user agent of the per-username rows, shown as such in Django admin. Only
# rows without an address count (a client can send any user agent it likes).
USERNAME_ROW = "(all addresses)"


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


def _username_rows(username: str):
    return AccessAttempt.objects.filter(username=username, ip_address=None, user_agent=USERNAME_ROW)


def username_locked(username: str | None) -> bool:
    """Whether ``username`` has reached the ceiling of failed logins from all addresses."""
    if not username:
        return False
    started_after = timezone.now() - settings.LOGIN_USERNAME_LOCKOUT
    return (
        _username_rows(username)
        .filter(failures_since_start__gte=settings.LOGIN_USERNAME_FAILURE_LIMIT, attempt_time__gt=started_after)
        .exists()
    )


class LoginThrottleHandler(AxesDatabaseHandler):
    """Axes' database handler plus the ceiling of failed logins per username.

    The per-username row's attempt_time is when its count began; when the
    count reaches the limit it is set to the moment of the lock, from which
    LOGIN_USERNAME_LOCKOUT runs. Only failures whose password was checked
    count: an attempt already refused by a lock guesses nothing, so a single
    address paused after five failures cannot run the count up on its own.
    """

    def is_locked(self, request, credentials=None) -> bool:
        locked = super().is_locked(request, credentials)
        if not locked and username_locked(get_client_username(request, credentials)):
            request.crm_username_locked = True
            locked = True
        # Axes asks before the password is checked; user_login_failed reads the answer.
        request.crm_login_refused = locked
        return locked

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None:
            return
        username = get_client_username(request, credentials)
        counted = (
            username
            and not getattr(request, "crm_login_refused", False)
            and not self.is_whitelisted(request, credentials)
        )
        if counted and self._count_failure(username) >= settings.LOGIN_USERNAME_FAILURE_LIMIT:
            request.crm_username_locked = True
        if getattr(request, "crm_username_locked", False):
            # AxesMiddleware answers with the lockout page, also to an address that has no failures of its own.
            request.axes_locked_out = True
            request.axes_credentials = credentials

    @staticmethod
    @transaction.atomic
    def _count_failure(username: str) -> int:
        """Add one failure to the username's count; concurrent guesses all count, in one row."""
        # Raw SQL because no row can be locked yet before the first failure, and
        # the unique constraint axes puts on (username, ip_address, user_agent)
        # does not hold for an empty address: a transaction-scoped advisory lock
        # on the username serializes its failures instead.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('crm.login_throttle'), hashtext(%s))", [username])
        now = timezone.now()
        row, created = _username_rows(username).get_or_create(
            username=username,
            ip_address=None,
            user_agent=USERNAME_ROW,
            defaults={"failures_since_start": 1, "attempt_time": now, "get_data": "", "post_data": ""},
        )
        if not created:
            row.failures_since_start += 1
            if row.failures_since_start == settings.LOGIN_USERNAME_FAILURE_LIMIT:
                row.attempt_time = now  # the lock's time runs from here
            row.save(update_fields=["failures_since_start", "attempt_time"])
        return row.failures_since_start

    def clean_expired_user_attempts(self, request=None, credentials=None) -> int:
        """Forget per-address attempts after the cool-off, and per-username counts after their window or lock."""
        now = timezone.now()
        limit = settings.LOGIN_USERNAME_FAILURE_LIMIT
        username_row = Q(ip_address=None, user_agent=USERNAME_ROW)
        expired_count = Q(
            failures_since_start__lt=limit, attempt_time__lte=now - settings.LOGIN_USERNAME_FAILURE_WINDOW
        )
        expired_lock = Q(failures_since_start__gte=limit, attempt_time__lte=now - settings.LOGIN_USERNAME_LOCKOUT)
        count, _ = AccessAttempt.objects.filter(
            (~username_row & Q(attempt_time__lte=now - settings.AXES_COOLOFF_TIME))
            | (username_row & (expired_count | expired_lock))
        ).delete()
        return count


def username_unlock(username: str) -> int:
    """Lift every login lock of ``username``: the per-address ones and the ceiling."""
    count, _ = AccessAttempt.objects.filter(username=username).delete()
    return count


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's "set a new password" page; the new password also lifts the username's login locks.

    Guesses at the old password say nothing about the new one, and the person
    who set it proved they own the mailbox.
    """

    def form_valid(self, form):
        response = super().form_valid(form)
        username_unlock(form.user.get_username())
        return response


def lockout_response(request, original_response=None, credentials=None):
    """The friendly page for a locked-out login (429 Too Many Requests), styled like the login page."""
    username_wide = getattr(request, "crm_username_locked", False)
    context = {
        "username": get_client_username(request, credentials) or "",
        "username_wide": username_wide,
        "failure_limit": settings.LOGIN_USERNAME_FAILURE_LIMIT if username_wide else settings.AXES_FAILURE_LIMIT,
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "hours": int(settings.LOGIN_USERNAME_LOCKOUT.total_seconds() // 3600),
    }
    return render(request, "registration/lockout.html", context, status=429)
