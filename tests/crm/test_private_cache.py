"""Responses to a logged-in user say `Cache-Control: private, no-store` (crm.middleware.PrivateCacheMiddleware)."""

import pytest
from django.templatetags.static import static
from django.test import Client
from django.urls import reverse
from django.utils.cache import get_max_age

from tests import factories

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _production(settings):
    # As in production; the defect was seen with DEBUG off. WhiteNoise looks the
    # static files up in the source folders here (nothing is collected in tests).
    settings.DEBUG = False
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True


def directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.fixture
def deal(sales_user):
    organization = factories.make_organization(name="Bionext GmbH", code="BION")
    return factories.make_opportunity(organization=organization, owner=sales_user, name="CRM rollout")


def test_pages_fragments_and_the_csv_export_are_private_and_not_stored(sales_client, deal):
    responses = {
        "table": sales_client.get(reverse("opportunities:opportunity-list")),
        "table fragment": sales_client.get(reverse("opportunities:opportunity-list"), **HX),
        "board": sales_client.get(reverse("opportunities:opportunity-board")),
        "detail": sales_client.get(deal.get_absolute_url()),
        "csv": sales_client.get(reverse("opportunities:opportunity-export")),
        "redirect": sales_client.get("/"),
        "not found": sales_client.get("/opportunities/no-such-page/"),
    }

    assert responses["csv"]["Content-Type"].startswith("text/csv")
    assert "CRM rollout" in b"".join(responses["csv"].streaming_content).decode()
    for name, response in responses.items():
        assert {"private", "no-store"} <= directives(response), name
        assert "public" not in directives(response), name


def test_the_admin_and_the_answer_to_a_login_are_private(client, admin_user):
    factories.make_user(username="sandra", password="secret-pw-123")
    admin = Client()
    admin.force_login(admin_user)

    admin_page = admin.get(reverse("admin:index"))
    logged_in = client.post(reverse("login"), {"username": "sandra", "password": "secret-pw-123"})

    assert admin_page.status_code == 200 and {"private", "no-store"} <= directives(admin_page)
    assert logged_in.status_code == 302 and {"private", "no-store"} <= directives(logged_in)


def test_static_files_and_the_icon_stay_cacheable_for_a_logged_in_user(sales_client):
    stylesheet = sales_client.get(static("css/app.css"))
    icon = sales_client.get("/favicon.ico")

    for response in (stylesheet, icon):
        assert response.status_code == 200
        assert "no-store" not in directives(response)
        assert get_max_age(response) > 0


def test_the_phase_stylesheet_keeps_its_revalidation(sales_client):
    response = sales_client.get(reverse("phase-styles"))

    # Phase colours are no secret; the ETag makes every later load a cheap 304.
    assert directives(response) == {"no-cache"}
    assert sales_client.get(reverse("phase-styles"), HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_public_pages_for_anonymous_visitors_are_not_marked_private(client):
    reset = client.get(reverse("password_reset_done"))

    assert reset.status_code == 200
    assert "private" not in directives(reset)
