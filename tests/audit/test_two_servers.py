"""Beyond one machine: two app servers on one database (bench/two_servers.py)."""

import datetime
import importlib.util
from pathlib import Path

import pytest
from django.core.cache.backends.base import BaseCache
from django.urls import reverse

from tests import factories

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "two_servers.py"


@pytest.mark.django_db(transaction=True)
def test_log_in_on_one_server_and_work_on_the_other():
    # The servers are separate processes on the test database: the script's
    # records must be committed for them to see, hence transaction=True.
    spec = importlib.util.spec_from_file_location("two_servers", SCRIPT)
    two_servers = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(two_servers)

    result = two_servers.run()

    # run() raises on the first thing that does not hold; these are what it saw.
    first, second = result["servers"]
    assert first != second
    assert result["moved"][0] != result["moved"][1]
    assert result["audit"]["url"].endswith("/quick-edit/")
    assert result["after logout on the first"].startswith("/accounts/login/")
    # About 8 s on an idle machine (two gunicorn start-ups); make test can afford it.
    assert result["timings"]["round trip"] < 10


class RefusingCache(BaseCache):
    """A cache that fails the test when anything uses it."""

    def __init__(self, location, params):
        super().__init__(params)

    def _refuse(self, *args, **kwargs):
        raise AssertionError("something uses the cache: it is per process (LocMemCache), see CACHES in settings")

    add = get = set = touch = delete = clear = incr = has_key = get_many = set_many = delete_many = _refuse


@pytest.mark.django_db
def test_nothing_uses_the_per_process_cache(client, settings, sales_user):
    settings.CACHES = {"default": {"BACKEND": f"{__name__}.RefusingCache"}}
    opportunity = factories.make_opportunity(owner=sales_user)
    factories.make_journal_entry(opportunity=opportunity, author=sales_user, reminder_date=datetime.date(2030, 1, 1))
    client.post(reverse("login"), {"username": "sales1", "password": "wrong"})  # login throttling counts this

    response = client.post(reverse("login"), {"username": "sales1", "password": "pw"})
    pages = [
        reverse("opportunities:opportunity-list"),
        reverse("opportunities:opportunity-board"),
        opportunity.get_absolute_url(),
        reverse("organizations:organization-list"),
        opportunity.organization.get_absolute_url(),
        reverse("journal:reminder-list"),
    ]
    statuses = [client.get(page).status_code for page in pages]
    moved = client.post(
        reverse("opportunities:opportunity-quick-edit", args=[opportunity.short_name]),
        {"field": "phase", "value": factories.phase("Contact made").pk, "version": opportunity.version},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 302
    assert statuses == [200] * len(pages)
    assert moved.status_code == 200
    assert "Contact made" in moved.text
