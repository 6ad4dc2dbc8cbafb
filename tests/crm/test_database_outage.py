"""A database that is down or drops the connection: a 503 page, recovery without a restart, no partial writes.

These tests break the real connection (pg_terminate_backend from a second
connection, or a database trigger that makes the backend terminate itself in
the middle of a write), so they commit: transactional_db.

Django closes a connection that failed at the start of the next request
(``close_old_connections`` on request_started); the test client leaves that
signal out, so the tests call it where a server would.
"""

import pytest
from django.db import OperationalError, close_old_connections, connection
from django.urls import reverse

from crm.views import server_error
from documents.models import Document
from opportunities.models import Opportunity
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

UNAVAILABLE = "The CRM cannot reach its database right now"


@pytest.fixture
def client(client):
    # A server answers an unhandled exception with the error page; the test
    # client would re-raise it instead.
    client.raise_request_exception = False
    return client


@pytest.fixture(autouse=True)
def _reconnect():
    yield
    # A test that failed halfway must not leave a dead connection to the next one.
    close_old_connections()


@pytest.fixture
def second_connection():
    """A raw connection of its own to the test database, as an administrator's psql would be."""
    raw = connection.get_new_connection(connection.get_connection_params())
    raw.autocommit = True
    yield raw
    raw.close()


def terminate(second_connection, pid: int) -> None:
    # Wait (up to 5 s) until the backend is gone, so the next query surely fails.
    second_connection.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])


@pytest.fixture
def dying_write(second_connection):
    """Make the backend that inserts into a table terminate itself right after the insert.

    The connection dies in the middle of the service's transaction, after some
    of its statements ran, as when the database is restarted mid-request.
    """
    created = []

    def arm(table: str) -> None:
        second_connection.execute(
            "CREATE FUNCTION test_die_after_insert() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NULL; END $$"
        )
        second_connection.execute(
            f"CREATE TRIGGER test_die_after_insert AFTER INSERT ON {table} "  # noqa: S608 (a fixed table name)
            "FOR EACH ROW EXECUTE FUNCTION test_die_after_insert()"
        )
        created.append(table)

    yield arm
    for table in created:
        second_connection.execute(f"DROP TRIGGER test_die_after_insert ON {table}")
        second_connection.execute("DROP FUNCTION test_die_after_insert()")


def assert_unavailable_page(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    page = response.content.decode()
    assert UNAVAILABLE in page
    assert "try again in a minute" in page
    assert "Server error" not in page


def test_a_dropped_connection_answers_503_and_the_next_request_reconnects(client, sales_user, second_connection):
    deal = factories.make_opportunity(owner=sales_user, name="Harbour cranes")
    client.force_login(sales_user)
    assert "Harbour cranes" in client.get(reverse("opportunities:opportunity-list")).content.decode()

    terminate(second_connection, connection.connection.info.backend_pid)
    response = client.get(reverse("opportunities:opportunity-list") + "?q=Harbour")

    assert_unavailable_page(response)
    # A GET offers to retry itself (and reloads after a minute).
    assert 'href="/opportunities/?q=Harbour"' in response.content.decode()
    assert 'http-equiv="refresh"' in response.content.decode()

    close_old_connections()  # what the next request's start does on a server
    response = client.get(deal.get_absolute_url())

    assert response.status_code == 200
    assert "Harbour cranes" in response.content.decode()


def test_an_unreachable_database_answers_503_to_pages_and_htmx_requests(client, sales_user, tmp_path):
    deal = factories.make_opportunity(owner=sales_user)
    contact_made = factories.phase("Contact made")
    client.force_login(sales_user)
    # The page that makes htmx requests knows what to tell the user on a 503 (static/js/app.js).
    board = client.get(reverse("opportunities:opportunity-board")).content.decode()
    assert 'data-unavailable-message="The CRM cannot reach its database right now. Try again in a minute' in board

    connection.close()
    settings_dict = connection.settings_dict
    saved = settings_dict["HOST"], settings_dict["PORT"]
    # A folder without a PostgreSQL socket in it: every connection attempt is refused.
    settings_dict["HOST"], settings_dict["PORT"] = str(tmp_path), "5432"
    try:
        page = client.get(reverse("opportunities:opportunity-board"))
        move = client.post(
            reverse("opportunities:opportunity-move", args=[deal.short_name]),
            {"group": "phase", "to": contact_made.pk, "version": deal.version},
            HTTP_HX_REQUEST="true",
        )
    finally:
        connection.close()
        settings_dict["HOST"], settings_dict["PORT"] = saved

    assert_unavailable_page(page)
    assert_unavailable_page(move)
    # Reloading a POST's URL would not repeat it: no retry link there.
    assert "Try again</a>" not in move.content.decode()
    assert Opportunity.objects.get(pk=deal.pk).version == deal.version


def test_a_move_whose_connection_dies_mid_write_changes_neither_the_opportunity_nor_its_history(
    client, sales_user, dying_write
):
    deal = factories.make_opportunity(owner=sales_user)
    events = deal.events.count()
    client.force_login(sales_user)
    # The history row is written by a trigger of the same UPDATE; the backend dies right after it.
    dying_write("opportunities_opportunityevent")

    response = client.post(
        reverse("opportunities:opportunity-move", args=[deal.short_name]),
        {"group": "phase", "to": factories.phase("Contact made").pk, "version": deal.version},
        HTTP_HX_REQUEST="true",
    )

    assert_unavailable_page(response)
    close_old_connections()
    after = Opportunity.objects.get(pk=deal.pk)
    assert (after.phase_id, after.version) == (deal.phase_id, deal.version)
    assert after.events.count() == events


def test_a_new_document_whose_connection_dies_while_writing_its_line_does_not_exist(client, sales_user, dying_write):
    deal = factories.make_opportunity(owner=sales_user)
    client.force_login(sales_user)
    # The draft row is written first, then its first line; the backend dies after the line's insert.
    dying_write("documents_documentline")

    response = client.post(reverse("documents:document-create"), {"opportunity": deal.short_name})

    assert_unavailable_page(response)
    close_old_connections()
    assert not Document.objects.filter(opportunity=deal).exists()


def test_the_503_page_links_back_only_to_a_path_of_this_site(rf):
    # "//evil.example/x" is a valid request path, and as a link it would leave the site.
    request = rf.get("/")
    request.path = "//evil.example/x"
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        response = server_error(request)

    assert response.status_code == 503
    assert "evil.example" not in response.content.decode()
