"""Shared by the security tests: resolving table entries to URLs and a fingerprint of the database."""

import hashlib

from django.apps import apps
from django.urls import reverse

from tests.security.url_table import URLS, Route

# Every table of our apps (with the many-to-many tables and the history events).
FINGERPRINT_APPS = ["crm", "organizations", "opportunities", "journal", "documents"]
HX = {"HTTP_HX_REQUEST": "true"}


def fingerprint() -> dict[str, str]:
    """A digest of every row of our tables: equal before and after means nothing was written."""
    result = {}
    for label in FINGERPRINT_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            # The base manager: rows in the trash count too (the default manager leaves them out).
            rows = model._base_manager.order_by("pk").values_list()
            digest = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
            result[model._meta.label] = digest
    return result


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(label for label in before if before[label] != after[label])


def admin_object_id(route: Route, world) -> str:
    model = route.admin_model
    obj = model._default_manager.order_by("pk").first()
    return str(obj.pk) if obj is not None else "1"


def url_for(route: Route, world, *, missing: bool = False) -> str | None:
    """The URL of ``route`` filled with the world's records (or with a missing one)."""
    if route.admin_model is not None:
        kwargs = {"object_id": admin_object_id(route, world)} if "object_id" in route.route else {}
        return reverse(route.name, kwargs=kwargs)
    entry = URLS[route.name]
    if missing:
        if entry.missing is None:
            return None
        kwargs = entry.missing(world)
    else:
        kwargs = entry.kwargs(world)
    url = reverse(route.name, kwargs=kwargs)
    return f"{url}?{entry.query}" if entry.query and not missing else url


def is_login_redirect(response) -> bool:
    location = response.get("Location", "")
    return response.status_code == 302 and (
        location.startswith(reverse("login")) or location.startswith(reverse("admin:login"))
    )
