"""Every POST needs a valid CSRF token; every URL naming a missing record answers 404, never 500."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.security.helpers import HX, changed_tables, fingerprint, url_for
from tests.security.url_table import ADMIN_MODEL_ACTIONS, URLS, routes

pytestmark = pytest.mark.django_db

POSTS = [(name, entry.post) for name, entry in URLS.items() if entry.post is not None]


def _route(name):
    return next(route for route in routes() if route.name == name)


def _client(world, role, *, enforce=True) -> Client:
    client = Client(enforce_csrf_checks=enforce)
    users = {"sales": world.sales, "other": world.other, "manager": world.manager, "admin": world.admin}
    if post_role := users.get(role):
        client.force_login(post_role)
    return client


@pytest.mark.parametrize(("name", "post"), POSTS, ids=[name for name, _post in POSTS])
def test_post_without_a_valid_csrf_token_is_refused_and_changes_nothing(world, name, post):
    if post.setup is not None:
        post.setup(world)
    # The role allowed to make this change (anonymous for the login and password-reset forms).
    role = post.allowed_by if post.sales != "auth" else "anonymous"
    client = _client(world, role)
    url = url_for(_route(name), world)
    data = post.data(world)
    before = fingerprint()

    missing = client.post(url, data)
    missing_htmx = client.post(url, data, **HX)
    forged = client.post(url, {**data, "csrfmiddlewaretoken": "x" * 64}, HTTP_X_CSRFTOKEN="y" * 64)

    assert (missing.status_code, missing_htmx.status_code, forged.status_code) == (403, 403, 403)
    assert changed_tables(before, fingerprint()) == []
    # With the token a page hands out, the same request goes through: the 403 was the token's doing.
    client.get(reverse("login") if role == "anonymous" else reverse("opportunities:opportunity-list"))
    token = client.cookies["csrftoken"].value
    accepted = client.post(url, data, HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code != 403


def test_admin_forms_refuse_posts_without_a_csrf_token(world):
    client = _client(world, "admin")
    before = fingerprint()
    refused = []
    for route in routes():
        if route.admin_model is None or route.admin_action not in ADMIN_MODEL_ACTIONS:
            continue
        response = client.post(url_for(route, world), {})
        refused.append((route.name, response.status_code))
    assert {status for _name, status in refused} == {403}, [item for item in refused if item[1] != 403]
    assert changed_tables(before, fingerprint()) == []


def test_every_url_that_names_a_record_is_classified_with_a_missing_one():
    unfilled = [
        route.name
        for route in routes()
        if route.name in URLS and re.search(r"<(int|str|path):", route.route)
        if URLS[route.name].missing is None and not route.name.startswith(("admin:", "password_reset"))
    ]
    assert unfilled == []


MISSING = [(name, entry) for name, entry in URLS.items() if entry.missing is not None]


@pytest.mark.parametrize(("name", "entry"), MISSING, ids=[name for name, _entry in MISSING])
def test_a_missing_record_is_404_not_500(world, clients, name, entry):
    route = _route(name)
    url = url_for(route, world, missing=True)
    variants = [url]
    # Ids beyond PostgreSQL's bigint and absurd short names or numbers are just as missing.
    for key, value in entry.missing(world).items():
        if isinstance(value, int) and value == 99_999_999:
            variants.append(reverse(name, kwargs={**entry.missing(world), key: 10**20}))
        elif key in ("short_name", "number"):
            variants.append(reverse(name, kwargs={**entry.missing(world), key: "ÄÖ-" + "9" * 300}))
    client = clients["manager"]
    before = fingerprint()
    for variant in variants:
        for method in ("get", "post"):
            for headers in ({}, HX):
                response = getattr(client, method)(variant, **headers)
                if response.status_code == 405:
                    continue  # the other method; the one the URL takes is checked too
                assert response.status_code == 404, (method, variant, response.status_code)
    assert changed_tables(before, fingerprint()) == []


# URLs that name something other than a record in the trash, or that exist to reach the trash.
NOT_TRASHED = {
    "opportunities:saved-view-delete",  # a saved view, not a record in the trash
    "opportunities:opportunity-restore",
    "organizations:organization-restore",
    # Unassigned mail belongs to no opportunity; putting it on a trashed one is refused with a message.
    "journal:unassigned-mail-assign",
    "journal:unassigned-mail-ignore",
    "journal:unassigned-mail-member",
}


@pytest.mark.parametrize("what", ["opportunity", "organization"])
def test_every_url_naming_a_record_in_the_trash_is_404(world, clients, what):
    """A record in the trash, or one under it (task, entry, document, member), is gone for every URL."""
    from opportunities import services as opportunity_services
    from organizations import services as organization_services

    if what == "opportunity":
        for opportunity in (world.mine, world.theirs):
            opportunity_services.opportunity_trash(opportunity=opportunity, user=world.manager)
    else:
        organization_services.organization_trash(organization=world.organization, user=world.manager)
    client = clients["manager"]
    before = fingerprint()
    wrong = []
    for name, entry in URLS.items():
        if entry.missing is None or name in NOT_TRASHED or name.startswith("admin:"):
            continue
        if what == "opportunity" and name.startswith("organizations:"):
            continue  # the organization itself is still there
        url = url_for(_route(name), world)
        data = entry.post.data(world) if entry.post else {}
        for method, kwargs in (("get", {}), ("post", {"data": data})):
            response = getattr(client, method)(url, **kwargs)
            if response.status_code not in (404, 405):
                wrong.append((method, url, response.status_code))
    assert wrong == []
    assert changed_tables(before, fingerprint()) == []
