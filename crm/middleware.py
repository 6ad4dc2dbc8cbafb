import time
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.middleware import LoginRequiredMiddleware as BaseLoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _


class LoginRequiredMiddleware(BaseLoginRequiredMiddleware):
    """Django's login requirement; an htmx request answers 401 with HX-Redirect to the login page.

    The browser follows a redirect of an htmx request by itself, so after a session
    expired the login form would be swapped into a table cell or card. HX-Redirect
    sends the whole page to the login form instead, and back to the page (not to
    the fragment's URL) after logging in.
    """

    def handle_no_permission(self, request, view_func):
        if request.headers.get("HX-Request") != "true":
            return super().handle_no_permission(request, view_func)
        current = request.headers.get("HX-Current-URL", "")
        if current and url_has_allowed_host_and_scheme(current, allowed_hosts={request.get_host()}):
            parts = urlsplit(current)
            next_url = parts.path + (f"?{parts.query}" if parts.query else "")
        else:
            next_url = resolve_url("home")
        login = redirect_to_login(
            next_url, resolve_url(self.get_login_url(view_func)), self.get_redirect_field_name(view_func)
        )
        response = HttpResponse(status=401)
        response["HX-Redirect"] = login["Location"]
        return response


class PrivateCacheMiddleware:
    """``Cache-Control: private, no-store`` on every response to a logged-in user.

    Pages, fragments and exports behind the login must not stay in a shared
    proxy's cache nor in the browser's (the back button on a shared computer
    after logging out). A response that says how it may be cached (the phase
    stylesheet's revalidation, a download's own header) keeps its own say.
    Static files never get here: WhiteNoise answers them first. Error pages
    (5xx) hold nothing private, and after a database outage's 503 asking for
    the user would wait for the database once more.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code >= 500 or response.has_header("Cache-Control"):
            return response
        if request.user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response


# The session key holding the time of the session's last request (seconds since the epoch).
LAST_ACTIVITY_KEY = "_crm_last_activity"
# The time is rewritten at most once a minute: writing it on every request
# would add a session UPDATE to every page. The timeout is a minute coarser.
ACTIVITY_RESOLUTION_SECONDS = 60


def session_activity_start(sender, request, user, **kwargs):
    """A login starts the idle clock (in the login's own session write, so it costs no query)."""
    request.session[LAST_ACTIVITY_KEY] = int(time.time())


class SessionIdleTimeoutMiddleware:
    """Log out a session that has had no request for SESSION_IDLE_MINUTES.

    The session cookie itself lasts SESSION_COOKIE_AGE (two weeks); a session left
    open on an unattended computer ends after the idle time instead. The next
    request then meets the login page (an htmx request its HX-Redirect, see
    LoginRequiredMiddleware) with a message saying why, and comes back after the login.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        # Without a session cookie this reads nothing; with one, the session is
        # loaded anyway for the user of the request.
        if SESSION_KEY in session:
            now = int(time.time())
            last = session.get(LAST_ACTIVITY_KEY)
            if last is not None and now - last > settings.SESSION_IDLE_MINUTES * 60:
                logout(request)
                messages.info(request, _("You were logged out after a while without activity. Please log in again."))
            elif last is None or now - last >= ACTIVITY_RESOLUTION_SECONDS:
                session[LAST_ACTIVITY_KEY] = now
        return self.get_response(request)
