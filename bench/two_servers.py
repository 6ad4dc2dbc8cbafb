"""Two app servers, one database: log in on one, work on the other (README, "Deployment").

Starts two gunicorn instances on two free ports of 127.0.0.1 against the same
database, sharing nothing else but the SECRET_KEY (as servers behind a load
balancer would). Logs in on the first; with that session cookie loads
/opportunities/ on the second and moves an opportunity to another phase there
with the table's quick edit (CSRF token from that page); checks that the first
shows the change, that the audit trail names the user and the second server's
URL, and that after logging out on the second the first no longer knows the
session.

    .venv/bin/python bench/two_servers.py     # DATABASE_URL, or the embedded database

It creates a user, an organization and an opportunity of its own and deletes
them again. tests/audit/test_two_servers.py runs it against the test database.
The servers run with DEBUG=1 only to skip collectstatic; nothing checked here
depends on it.
"""

import contextlib
import http.cookiejar
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
START_TIMEOUT = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url(settings: dict) -> str:
    """The URL of Django's current database (a unix socket folder goes into ?host=)."""
    user = urllib.parse.quote(settings["USER"] or "")
    password = urllib.parse.quote(settings["PASSWORD"] or "")
    name = urllib.parse.quote(settings["NAME"])
    host = settings["HOST"] or ""
    if host.startswith("/"):
        return f"postgres://{user}:{password}@/{name}?host={urllib.parse.quote(host, safe='')}"
    port = f":{settings['PORT']}" if settings["PORT"] else ""
    return f"postgres://{user}:{password}@{host}{port}/{name}"


class Browser:
    """A cookie jar and the requests a browser would make; ``base`` says which server gets them."""

    def __init__(self):
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect())

    def request(self, base: str, path: str, data: dict | None = None, headers: dict | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(base + path, data=body, headers=headers or {})  # noqa: S310 - our servers
        try:
            with self.opener.open(request, timeout=20) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    def cookie(self, name: str) -> str:
        return next(cookie.value for cookie in self.cookies if cookie.name == name)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def csrf_from_form(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def csrf_from_body(page: str) -> str:
    # base.html hands htmx the token: hx-headers='{"X-CSRFToken": "…"}'.
    return json.loads(re.search(r"hx-headers='([^']+)'", page).group(1))["X-CSRFToken"]


def start(port: int, env: dict) -> subprocess.Popen:
    command = [
        str(GUNICORN), "crm.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1",
        "--log-level", "warning", "--chdir", str(ROOT),
    ]  # fmt: skip
    return subprocess.Popen(command, env=env, cwd=ROOT)  # noqa: S603


def wait_until_up(base: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn on {base} exited with {process.returncode}")
        with contextlib.suppress(OSError), urllib.request.urlopen(base + "/accounts/login/", timeout=2):  # noqa: S310
            return
        time.sleep(0.1)
    raise SystemExit(f"gunicorn on {base} did not answer within {START_TIMEOUT} s")


def check(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def make_records():
    """A manager with a known password and an opportunity of their own (through the services)."""
    from django.contrib.auth.models import Group

    from crm.models import User
    from opportunities.services import opportunity_create
    from organizations.services import organization_create

    suffix = secrets.token_hex(3).upper()
    password = secrets.token_urlsafe(16)
    user = User.objects.create_user(
        username=f"two-servers-{suffix.lower()}", password=password, display_name="Two Servers"
    )
    user.groups.add(Group.objects.get(name="Managers"))
    organization = organization_create(data={"name": f"Two Servers {suffix}", "code": f"TS{suffix}"}, user=user)
    opportunity = opportunity_create(organization=organization, data={"name": "Load balancer"}, user=user)
    return user, password, opportunity


def delete_records(user, opportunity) -> None:
    from crm.models import User
    from opportunities.models import Opportunity
    from organizations.models import Organization

    Opportunity.objects.filter(pk=opportunity.pk).delete()
    Organization.objects.filter(pk=opportunity.organization_id).delete()
    User.objects.filter(pk=user.pk).delete()


def run() -> dict:
    """Start both servers, do the round trip, stop them; returns what was seen and the timings in seconds."""
    from django.db import connection

    from opportunities.models import Opportunity, Phase, PhaseKind

    started = time.monotonic()
    user, password, opportunity = make_records()
    target = Phase.objects.filter(kind=PhaseKind.OPEN, is_active=True).exclude(pk=opportunity.phase_id).first()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crm.settings",
        "DATABASE_URL": database_url(connection.settings_dict),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "1",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    ports = free_port(), free_port()
    first, second = (f"http://127.0.0.1:{port}" for port in ports)
    servers = [start(port, env) for port in ports]
    try:
        for base, process in zip((first, second), servers, strict=True):
            wait_until_up(base, process)
        up = time.monotonic()
        browser = Browser()

        # Log in on the first server.
        status, _, page = browser.request(first, "/accounts/login/")
        token = csrf_from_form(page)
        status, headers, _ = browser.request(
            first,
            "/accounts/login/",
            {"username": user.username, "password": password, "csrfmiddlewaretoken": token},
        )
        check(status == 302 and headers["Location"] == "/opportunities/", f"login on {first}: {status}")
        session = browser.cookie("sessionid")

        # The table on the second server, with the first one's session cookie.
        status, _, page = browser.request(second, "/opportunities/")
        check(status == 200, f"/opportunities/ on {second}: {status}")
        check(opportunity.short_name in page, f"{opportunity.short_name} is not in the table on {second}")

        # A quick edit there: the phase, with the CSRF token that page carries.
        edit = f"/opportunities/{opportunity.short_name}/quick-edit/"
        status, _, row = browser.request(
            second,
            edit,
            {"field": "phase", "value": target.pk, "version": opportunity.version},
            {"X-CSRFToken": csrf_from_body(page), "HX-Request": "true"},
        )
        check(status == 200 and target.name in row, f"quick edit on {second}: {status}")

        # The first server shows it: the detail page's history names who moved it, from where to where.
        status, _, page = browser.request(first, f"/opportunities/{opportunity.short_name}/")
        check(status == 200, f"detail page on {first}: {status}")
        check(
            "<strong>Two Servers</strong> moved it to another phase" in page
            and f"<del>{opportunity.phase.name}</del> → <ins>{target.name}</ins>" in page,
            f"the move is not in the history on {first}",
        )
        stored = Opportunity.objects.get(pk=opportunity.pk)
        check(stored.phase_id == target.pk and stored.version == opportunity.version + 1, "the database disagrees")
        event = stored.events.select_related("pgh_context").latest("pgh_id")
        context = event.pgh_context.metadata if event.pgh_context else None
        check(context == {"user": user.pk, "url": edit}, f"the audit trail names {context}")

        # Logging out on the second ends the session on the first as well.
        status, _, page = browser.request(second, "/opportunities/")
        status, _, _ = browser.request(second, "/accounts/logout/", {"csrfmiddlewaretoken": csrf_from_body(page)})
        check(status == 302, f"logout on {second}: {status}")
        status, headers, _ = Browser().request(first, "/opportunities/", headers={"Cookie": f"sessionid={session}"})
        check(status == 302 and headers["Location"].startswith("/accounts/login/"), f"{first} still knows the session")
        done = time.monotonic()
    finally:
        for process in servers:
            process.terminate()
        for process in servers:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        delete_records(user, opportunity)
    return {
        "servers": (first, second),
        "moved": (opportunity.phase.name, target.name),
        "audit": context,
        "after logout on the first": headers["Location"],
        "timings": {"start": up - started, "round trip": done - up, "total": time.monotonic() - started},
    }


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
    import django

    django.setup()
    result = run()
    print(  # noqa: T201
        "two servers, one database: logged in on one, worked on the other — "
        + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in result["timings"].items())
    )


if __name__ == "__main__":
    main()
