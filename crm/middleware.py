from urllib.parse import urlsplit

from django.contrib.auth.middleware import LoginRequiredMiddleware as BaseLoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


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
