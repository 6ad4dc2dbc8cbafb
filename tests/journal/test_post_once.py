"""A journal post is idempotent: the same rendered form posted twice saves one entry (issue 14 #16)."""

import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from journal.models import JournalEntry
from tests import factories

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def opportunity(sales_user):
    organization = factories.make_organization(name="Bionic Systems GmbH", code="BION")
    return factories.make_opportunity(organization=organization, owner=sales_user, name="CRM rollout")


def _form_data(client, opportunity) -> dict:
    """The "Post entry" form as the journal page renders it (its one-time token included), filled in."""
    html = client.get(reverse("journal:journal-entry-list", args=[opportunity.short_name])).content.decode()
    form = re.search(r'<form class="form journal-form" id="journal-form".*?</form>', html, re.S).group(0)
    token = re.search(r'<input type="hidden" name="post_token" value="([0-9a-f-]{36})"', form).group(1)
    return {"mood": "happy", "text": "Demo went well.", "post_token": token}


def _create_url(opportunity) -> str:
    return reverse("journal:journal-entry-create", args=[opportunity.short_name])


def test_each_rendered_form_gets_its_own_token(sales_client, opportunity):
    assert _form_data(sales_client, opportunity)["post_token"] != _form_data(sales_client, opportunity)["post_token"]


def test_a_double_submit_without_javascript_saves_one_entry(sales_client, opportunity):
    data = _form_data(sales_client, opportunity)

    first = sales_client.post(_create_url(opportunity), data)
    second = sales_client.post(_create_url(opportunity), data)

    entry = JournalEntry.objects.get()
    assert entry.text == "Demo went well."
    # Both land on the one entry; no error page for the second.
    assert first.status_code == second.status_code == 302
    assert first.url == second.url
    assert first.url.endswith(f"#entry-{entry.pk}")


def test_a_repeated_htmx_post_answers_with_the_same_entry_and_a_fresh_form(sales_client, opportunity):
    data = _form_data(sales_client, opportunity)

    sales_client.post(_create_url(opportunity), data, **HX)
    again = sales_client.post(_create_url(opportunity), data, **HX)

    entry = JournalEntry.objects.get()
    html = again.content.decode()
    assert again.status_code == 200
    assert f'id="entry-{entry.pk}"' in html
    fresh = re.search(r'name="post_token" value="([0-9a-f-]{36})"', html).group(1)
    assert fresh != data["post_token"]


def test_a_new_form_posts_a_new_entry(sales_client, opportunity):
    sales_client.post(_create_url(opportunity), _form_data(sales_client, opportunity))
    sales_client.post(_create_url(opportunity), _form_data(sales_client, opportunity))

    assert JournalEntry.objects.count() == 2


def test_a_token_is_not_taken_over_by_someone_else(sales_client, other_sales_user, opportunity):
    data = _form_data(sales_client, opportunity)
    sales_client.post(_create_url(opportunity), data)
    other = Client()
    other.force_login(other_sales_user)

    response = other.post(_create_url(opportunity), {**data, "text": "Mine"}, **HX)

    assert response.status_code == 422
    assert "This form was already used" in response.content.decode()
    assert list(JournalEntry.objects.values_list("author_id", "text")) == [(opportunity.owner_id, "Demo went well.")]


@pytest.mark.django_db(transaction=True)
def test_the_same_form_posted_twice_at_once_saves_one_entry():
    sales_user = factories.make_user(username="sales1", role="Sales", display_name="Sandra Sales")
    organization = factories.make_organization(name="Bionic Systems GmbH", code="BION")
    opportunity = factories.make_opportunity(organization=organization, owner=sales_user, name="CRM rollout")
    clients = [Client() for _ in range(4)]
    for client in clients:
        client.force_login(sales_user)
    data = _form_data(clients[0], opportunity)
    barrier = threading.Barrier(len(clients))
    answers, errors = [], []

    def post(client):
        try:
            barrier.wait()
            answers.append(client.post(_create_url(opportunity), data))
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=[client]) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    entry = JournalEntry.objects.get()
    assert [answer.status_code for answer in answers] == [302] * len(clients)
    assert {answer.url for answer in answers} == {f"/journal/BION-1/#entry-{entry.pk}"}
    opportunity.refresh_from_db()
    assert opportunity.latest_mood == "happy"
