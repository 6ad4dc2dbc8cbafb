import os

import pytest

# Playwright's sync API runs an event loop in the test thread; Django refuses
# ORM calls there unless told it is safe (it is: the test thread owns the DB).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "1")

import importlib  # noqa: E402

from django.apps import apps as django_apps  # noqa: E402

from tests import factories  # noqa: E402

# Data migrations that seed configuration. A transactional test (threads,
# live_server) ends with a flush that deletes their rows; they are put back
# right after it, committed, so later tests see the database as migrated.
SEED_MIGRATIONS = [
    ("opportunities.migrations.0002_seed_configuration", "seed"),
    ("opportunities.migrations.0005_default_saved_views", "create"),
    ("crm.migrations.0002_roles", "create_roles"),
    ("crm.migrations.0005_managers_delete_members", "managers_only"),
]


def _ensure_seeded():
    from django.contrib.auth.models import Group

    from opportunities.models import Phase, SavedView

    if (
        Group.objects.filter(name="Managers").exists()
        and Phase.objects.exists()
        and SavedView.objects.filter(owner=None).exists()
    ):
        return
    for module, function in SEED_MIGRATIONS:
        getattr(importlib.import_module(module), function)(django_apps, None)


DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    "live_server",
}


@pytest.fixture(autouse=True)
def _seeded_configuration(request, django_db_blocker):
    marker = request.node.get_closest_marker("django_db")
    fixtures = set(request.fixturenames)
    if marker is None and not DATABASE_FIXTURES & fixtures:
        # A test without the database never asks for it: no test database is
        # created or opened for it, so such tests run alone (and on a
        # pytest-xdist worker that gets nothing else) without a database server.
        yield
        return
    # Set up the database fixture inside this one, so that this teardown runs
    # after its flush.
    request.getfixturevalue("_django_db_helper")
    _ensure_seeded()
    yield
    transactional = (marker is not None and marker.kwargs.get("transaction")) or {
        "transactional_db",
        "live_server",
    } & fixtures
    if transactional:
        with django_db_blocker.unblock():
            _ensure_seeded()


@pytest.fixture
def sales_user(db):
    return factories.make_user(username="sales1", role="Sales", display_name="Sandra Sales")


@pytest.fixture
def other_sales_user(db):
    return factories.make_user(username="sales2", role="Sales", display_name="Oskar Other")


@pytest.fixture
def manager(db):
    return factories.make_user(username="manager", role="Managers", display_name="Maria Manager")


@pytest.fixture
def admin_user(db):
    return factories.make_user(username="admin", role=None, display_name="Ada Admin", is_superuser=True)


@pytest.fixture
def sales_client(client, sales_user):
    client.force_login(sales_user)
    return client


@pytest.fixture
def manager_client(manager):
    # Its own client, so a test can act as a sales user and a manager at once.
    from django.test import Client

    client = Client()
    client.force_login(manager)
    return client
