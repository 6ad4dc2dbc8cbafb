import os

import pytest

# Playwright's sync API runs an event loop in the test thread; Django refuses
# ORM calls there unless told it is safe (it is: the test thread owns the DB).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "1")

import importlib  # noqa: E402

from django.apps import apps as django_apps  # noqa: E402

from tests import factories  # noqa: E402

# Data migrations that seed configuration; re-applied after a transactional
# test's flush has emptied the tables (see _seeded_configuration).
SEED_MIGRATIONS = [
    ("opportunities.migrations.0002_seed_configuration", "seed"),
    ("crm.migrations.0002_roles", "create_roles"),
]


@pytest.fixture(autouse=True)
def _seeded_configuration(request):
    """Make the seeded phases, statuses and groups exist in every database test.

    Transactional tests (threads, live_server) end with a flush that deletes
    rows created by data migrations; the next test gets them back here.
    """
    request.getfixturevalue("_django_db_helper")
    marker = request.node.get_closest_marker("django_db")
    uses_db = marker is not None or {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    if not uses_db:
        return
    from django.contrib.auth.models import Group

    if not Group.objects.filter(name="Managers").exists():
        for module, function in SEED_MIGRATIONS:
            getattr(importlib.import_module(module), function)(django_apps, None)


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
def manager_client(client, manager):
    client.force_login(manager)
    return client
