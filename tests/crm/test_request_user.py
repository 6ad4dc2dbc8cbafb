"""What every request loads before its view: the user with permissions, and the configuration.

Both are read on every request (nothing to invalidate); these tests pin that a change shows on
the very next request, while an unchanged configuration is not rebuilt.
"""

from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opportunities import selectors
from opportunities.models import Phase, SavedView
from tests import factories


def test_the_session_user_arrives_with_their_permissions_in_one_query(sales_client, sales_user):
    with CaptureQueriesContext(connection) as queries:
        response = sales_client.get("/opportunities/")
    assert response.status_code == 200
    reading_users = [q["sql"] for q in queries.captured_queries if 'FROM "crm_user"' in q["sql"]]
    assert len(reading_users) == 1 and "auth_permission" in reading_users[0]
    assert not any(q["sql"].startswith('SELECT DISTINCT "django_content_type"') for q in queries.captured_queries)
    assert response.wsgi_request.user.has_perm("opportunities.view_opportunity")
    assert not response.wsgi_request.user.has_perm("opportunities.delete_opportunity")


def test_a_revoked_permission_counts_on_the_next_request(sales_client, sales_user):
    assert sales_client.get("/opportunities/").status_code == 200
    sales_user.groups.clear()
    assert sales_client.get("/opportunities/").status_code == 403
    sales_user.groups.add(Group.objects.get(name="Sales"))
    assert sales_client.get("/opportunities/").status_code == 200


def test_a_permission_given_to_the_user_directly_counts(sales_client, sales_user):
    deal = factories.make_opportunity(owner=sales_user)
    assert "Move to trash" not in sales_client.get(deal.get_absolute_url()).content.decode()
    sales_user.user_permissions.add(Permission.objects.get(codename="delete_opportunity"))
    assert "Move to trash" in sales_client.get(deal.get_absolute_url()).content.decode()


def test_an_inactive_user_is_logged_out(sales_client, sales_user):
    sales_user.is_active = False
    sales_user.save(update_fields=["is_active"])
    response = sales_client.get("/opportunities/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_unchanged_configuration_is_reused_and_a_change_is_seen_at_once(sales_user):
    first = selectors.configuration_get(user=sales_user)
    assert selectors.configuration_get(user=sales_user) is first

    phase = Phase.objects.get(name="Research")
    phase.name = "Discovery"
    phase.save(update_fields=["name"])
    changed = selectors.configuration_get(user=sales_user)
    assert changed is not first
    assert "Discovery" in [p.name for p in changed.phases]
    assert "Research" in [p.name for p in first.phases]  # what an earlier request held stays as it was


def test_each_user_gets_their_own_saved_views(sales_user, other_sales_user):
    SavedView.objects.create(owner=sales_user, name="Mine in Bavaria", query="q=bavaria")
    mine = selectors.configuration_get(user=sales_user)
    theirs = selectors.configuration_get(user=other_sales_user)
    assert "Mine in Bavaria" in [v.name for v in mine.saved_views]
    assert "Mine in Bavaria" not in [v.name for v in theirs.saved_views]
    # Back to the first user: still theirs, from the cache or not.
    assert "Mine in Bavaria" in [v.name for v in selectors.configuration_get(user=sales_user).saved_views]


def test_a_new_user_appears_in_the_configuration(sales_user):
    before = selectors.configuration_get(user=sales_user)
    newcomer = factories.make_user(username="newcomer", display_name="Nora Newcomer")
    after = selectors.configuration_get(user=sales_user)
    assert newcomer.pk not in [u.pk for u in before.users]
    assert after.user(newcomer.pk).name == "Nora Newcomer"


def test_a_user_loaded_elsewhere_reads_the_same_permissions(sales_user, manager):
    from crm.models import User

    sales = User.objects.get(pk=sales_user.pk)  # not through the session: no cache yet
    assert sales.has_perm("opportunities.view_opportunity")
    assert not sales.has_perm("opportunities.delete_opportunity")
    assert User.objects.get(pk=manager.pk).has_perm("opportunities.delete_opportunity")
