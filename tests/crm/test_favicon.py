"""Browsers ask every site for /favicon.ico (Django admin names no icon): it is the app's icon."""

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_favicon_ico_is_the_apps_icon_for_anyone(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert response["Content-Type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
    assert b"".join(response.streaming_content).startswith(b"\x00\x00\x01\x00")  # an ICO file


def test_admin_pages_name_the_svg_icon(admin_client):
    page = admin_client.get(reverse("admin:index")).content.decode()

    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    assert "CRM administration" in page  # still Django's admin/base_site.html around it
    assert finders.find("favicon.svg")
