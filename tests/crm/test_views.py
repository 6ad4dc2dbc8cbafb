import re

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse

from opportunities.models import Phase
from tests import factories

pytestmark = pytest.mark.django_db


def test_start_page_opens_the_opportunity_table(sales_client):
    response = sales_client.get("/")

    assert response.status_code == 302
    assert response["Location"] == reverse("opportunities:opportunity-list")


def test_start_page_sends_anonymous_people_to_login(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_phase_stylesheet_gives_every_phase_its_colour(client):
    won = Phase.objects.get(name="Won")

    response = client.get(reverse("phase-styles"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert f".phase-{won.pk}{{--phase-color:{won.color}}}" in response.content.decode()
    assert response.content.decode().count("--phase-color") == Phase.objects.count()
    # Unchanged colours cost a 304, a changed colour shows at once.
    assert client.get(reverse("phase-styles"), HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    won.color = "#000000"
    won.save()
    assert client.get(reverse("phase-styles"), HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 200


def test_login_page_logs_in_and_offers_password_reset(client):
    factories.make_user(username="sandra", password="secret-pw-123")

    page = client.get(reverse("login"))
    wrong = client.post(reverse("login"), {"username": "sandra", "password": "nope"})
    right = client.post(reverse("login"), {"username": "sandra", "password": "secret-pw-123"})

    assert "Welcome back" in page.content.decode()
    assert reverse("password_reset") in page.content.decode()
    assert "Please enter a correct username and password" in wrong.content.decode()
    assert 'value="sandra"' in wrong.content.decode()
    assert right.status_code == 302 and right["Location"] == reverse("opportunities:opportunity-list")


def test_password_reset_sends_a_working_link(client):
    factories.make_user(username="sandra", password="old-pw-123")

    response = client.post(reverse("password_reset"), {"email": "sandra@example.com"})

    assert response.status_code == 302
    assert "Check your e-mail" in client.get(response["Location"]).content.decode()
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": "n3w-Passw0rd!", "new_password2": "n3w-Passw0rd!"}, follow=True
    )
    assert "Your password is set" in done.content.decode()
    # Through the login form: the throttle (django-axes) only accepts logins that come with a request.
    login = client.post(reverse("login"), {"username": "sandra", "password": "n3w-Passw0rd!"})
    assert login.status_code == 302 and login["Location"] == reverse("opportunities:opportunity-list")


def test_layout_has_navigation_user_menu_and_csrf_for_htmx(client, sales_user):
    client.force_login(sales_user)

    html = client.get(reverse("organizations:organization-list")).content.decode()

    for name in [
        "opportunities:opportunity-list",
        "opportunities:opportunity-board",
        "organizations:organization-list",
        "journal:reminder-list",
    ]:
        assert f'href="{reverse(name)}"' in html
    assert "Sandra Sales" in html and '<span class="avatar" data-tone="s"' in html
    assert re.search(
        r'<form method="post" action="/accounts/logout/">\s*<input type="hidden" name="csrfmiddlewaretoken"', html
    )
    assert re.search(r"hx-headers='\{\"X-CSRFToken\": \"\w+\"\}'", html)
    assert reverse("admin:index") not in html


def test_layout_links_admin_for_staff(client, admin_user):
    client.force_login(admin_user)

    assert reverse("admin:index") in client.get(reverse("organizations:organization-list")).content.decode()


def test_pages_fit_the_content_security_policy(client, sales_user):
    organization = factories.make_organization()
    factories.make_member(organization=organization, influence_level="top")
    factories.make_opportunity(organization=organization, owner=sales_user)
    client.force_login(sales_user)

    for url in [reverse("organizations:organization-list"), organization.get_absolute_url()]:
        response = client.get(url)
        html = response.content.decode()
        nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
        # No inline styles, and every script is ours, loaded from a file with the nonce.
        assert " style=" not in html and "<style" not in html
        scripts = re.findall(r"<script[^>]*>", html)
        assert scripts and all(f'nonce="{nonce}"' in tag and " src=" in tag for tag in scripts)
        assert '"includeIndicatorStyles": false' in html and '"allowEval": false' in html


def test_unknown_page_offers_a_search(sales_client):
    response = sales_client.get("/no/such/page/")

    html = response.content.decode()
    assert response.status_code == 404
    assert f'action="{reverse("opportunities:opportunity-list")}"' in html and 'name="q"' in html


def test_error_page_renders_without_a_request():
    html = render_to_string("500.html")

    assert "Something went wrong on our side" in html
    assert "/static/css/app.css" in html
