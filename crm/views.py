import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults, i18n
from django.views.decorators.http import require_GET

from crm import services


@require_GET
def home(request):
    """The start page is the opportunity table."""
    return redirect("opportunities:opportunity-list")


# SQLSTATEs that mean "the server is not there for us right now": connection
# exceptions (class 08), the server shutting down or starting up, or a
# backend terminated by an administrator (57P01-57P03), too many connections.
# A deadlock or a statement timeout is also an OperationalError, but the
# database is reachable then, so it stays an ordinary 500.
_UNAVAILABLE_SQLSTATES = {"57P01", "57P02", "57P03", "53300"}
RETRY_AFTER_SECONDS = 60


def database_unavailable(error: BaseException | None) -> bool:
    """Whether ``error`` says the database cannot be reached (down, restarting, connection lost)."""
    if isinstance(error, InterfaceError):
        return True
    if not isinstance(error, OperationalError):
        return False
    # Django wraps the driver's error; psycopg's carries the SQLSTATE, or none
    # when the failure is on our side of the socket (refused, closed, timed out).
    sqlstate = getattr(error.__cause__, "sqlstate", None)
    return sqlstate is None or sqlstate.startswith("08") or sqlstate in _UNAVAILABLE_SQLSTATES


def server_error(request):
    """Django's 500 page, or a 503 "try again in a minute" when the database cannot be reached.

    Django calls this handler for any exception a view or a middleware did not
    handle, while that exception is being handled (so ``sys.exc_info()`` names
    it). A database outage usually shows first in a middleware (the session of
    LoginRequiredMiddleware), where no view's error handling could catch it.
    The page is rendered without a request context: context processors, the
    user and the session all read the database.
    """
    if database_unavailable(sys.exc_info()[1]):
        # Reloading a GET repeats it; a POST's URL would not. "//host/…" is no path of ours.
        path = request.get_full_path()
        retry = request.method == "GET" and url_has_allowed_host_and_scheme(path, allowed_hosts=None)
        context = {"retry_url": path if retry else ""}
        response = HttpResponse(render_to_string("503.html", context), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return defaults.server_error(request)


def set_language(request):
    """The account menu's language choice: Django's cookie, and remembered for the user's e-mails.

    A GET only redirects back, as Django's view does.
    """
    response = i18n.set_language(request)
    language = request.POST.get("language", "")
    if request.method == "POST" and settings.LANGUAGE_COOKIE_NAME in response.cookies:
        services.user_language_remember(user=request.user, language=language)
    return response
