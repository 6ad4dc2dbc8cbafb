"""The permission matrix: every URL of the project for an anonymous visitor, Sales, Managers and
Admins (tests/security/url_table.py says what each gets), and every POST on another sales person's
records against the rules in crm/permissions.py."""

from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from tests.security.helpers import HX, changed_tables, fingerprint, is_login_redirect, url_for
from tests.security.url_table import ANONYMOUS_OK, ROLES, URLS, Post, routes

pytestmark = pytest.mark.django_db


def test_every_url_is_classified():
    unclassified = [
        route.route
        for route in routes()
        if route.admin_model is None and not (route.name is None and route.route.startswith("admin/"))
        if route.name not in URLS
    ]
    assert not unclassified, f"Classify these URLs in tests/security/url_table.py: {unclassified}"
    stale = set(URLS) - {route.name for route in routes()}
    assert not stale, f"These entries name no URL any more: {stale}"


def _walk():
    """(route, entry) for the URLs the matrix requests; unnamed admin redirects are the admin's own."""
    for route in routes():
        if route.name is None:
            continue
        yield route, (URLS.get(route.name) if route.admin_model is None else None)


def test_anonymous_visitors_are_sent_to_log_in(world):
    client = Client()
    before = fingerprint()
    for route, entry in _walk():
        url = url_for(route, world)
        for method, headers in [("get", {}), ("get", HX), ("post", {}), ("post", HX)]:
            response = getattr(client, method)(url, **headers)
            if entry is not None and entry.anonymous == ANONYMOUS_OK:
                assert response.status_code < 500, (method, url, response.status_code)
                continue
            if headers:
                # htmx: 401 and the whole page to the login form, not the form inside a fragment.
                assert response.status_code == 401, (method, url, response.status_code)
                assert response["HX-Redirect"].startswith((reverse("login"), reverse("admin:login"))), url
            else:
                assert is_login_redirect(response), (method, url, response.status_code)
    assert changed_tables(before, fingerprint()) == []


@pytest.mark.parametrize("role", ROLES)
def test_every_get_answers_as_classified_and_changes_nothing(world, clients, role):
    client = clients[role]
    index = ROLES.index(role)
    before = fingerprint()
    wrong = []
    for route, entry in _walk():
        url = url_for(route, world)
        response = client.get(url)
        fragment = client.get(url, **HX)
        assert response.status_code < 500 and fragment.status_code < 500, url
        if entry is None:  # a generated admin URL
            if role == "admin":
                expected = {200} if route.admin_action == "changelist" else {200, 302, 403}
                ok = response.status_code in expected
            else:
                ok = is_login_redirect(response)
        elif role != "admin" and route.name.startswith("admin:") and entry.get[index] == 302:
            # Its own login page sends logged-in people on; logout sends non-staff to the index.
            ok = is_login_redirect(response) or route.name in ("admin:login", "admin:logout", "admin:view_on_site")
        else:
            ok = response.status_code == entry.get[index]
        if not ok:
            wrong.append((route.name, url, response.status_code))
    assert wrong == []
    assert changed_tables(before, fingerprint()) == []


def test_post_only_urls_refuse_get_and_get_only_urls_refuse_post(world, clients):
    client = clients["manager"]
    for route, entry in _walk():
        if entry is None or route.name.startswith("admin:") or entry.anonymous == ANONYMOUS_OK:
            continue
        url = url_for(route, world)
        if entry.get[1] == 405:
            assert entry.post is not None, route.name
            assert client.get(url).status_code == 405, url
        if entry.post is None:
            assert client.post(url).status_code == 405, url


# Login forms and cookie-only POSTs touch no one's records.
POSTS = [
    (name, entry.post)
    for name, entry in URLS.items()
    if entry.post is not None and entry.post.sales not in ("auth", "cookie")
]


def _post(client, route_name, world, post: Post, *, htmx=False):
    route = next(route for route in routes() if route.name == route_name)
    return client.post(url_for(route, world), post.data(world), **(HX if htmx else {}))


@pytest.mark.parametrize(("name", "post"), POSTS, ids=[name for name, _post in POSTS])
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_post_on_another_sales_persons_records_follows_the_rules(world, clients, name, post, htmx):
    if post.setup is not None:
        post.setup(world)
    _refresh(world)
    before = fingerprint()

    response = _post(clients["sales"], name, world, post, htmx=htmx)

    if post.sales == "refused":
        assert response.status_code in post.refused_status, response.status_code
        assert changed_tables(before, fingerprint()) == []
        # The same request from someone allowed does change it: the body was valid.
        _refresh(world)
        allowed = _post(clients[post.allowed_by], name, world, post, htmx=htmx)
        assert allowed.status_code < 400, allowed.status_code
        assert changed_tables(before, fingerprint()) != []
    else:
        assert response.status_code < 400, response.status_code
        assert changed_tables(before, fingerprint()) != []


def _refresh(world):
    for record in (world.theirs, world.mine, world.their_document, world.their_entry):
        record.refresh_from_db()


def test_an_htmx_request_after_the_session_ended_sends_the_page_to_log_in_and_back(world):
    page = world.theirs.get_absolute_url() + "?history=all"

    response = Client().post(
        f"{world.theirs.get_absolute_url()}tasks/",
        {"title": "Call back"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver{page}",
    )
    foreign = Client().get(
        reverse("opportunities:opportunity-list"), HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="https://evil.example/x"
    )

    assert response.status_code == 401
    assert response["HX-Redirect"] == reverse("login") + "?next=" + quote(page)
    assert foreign["HX-Redirect"] == reverse("login") + "?next=/"
