import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection

from opportunities.models import Opportunity, OpportunityContact
from opportunities.services import opportunity_create
from tests import factories


def test_opportunity_create_numbers_per_organization(sales_user):
    bion = factories.make_organization(name="Bionic", code="BION")
    acme = factories.make_organization(name="Acme", code="ACME")

    first = factories.make_opportunity(organization=bion, owner=sales_user)
    second = factories.make_opportunity(organization=bion, owner=sales_user)
    other = factories.make_opportunity(organization=acme, owner=sales_user)

    assert [first.short_name, second.short_name, other.short_name] == ["BION-1", "BION-2", "ACME-1"]


def test_opportunity_numbers_are_never_reused_after_delete(sales_user):
    bion = factories.make_organization(code="BION")
    factories.make_opportunity(organization=bion, owner=sales_user)
    second = factories.make_opportunity(organization=bion, owner=sales_user)
    second.delete()

    third = factories.make_opportunity(organization=bion, owner=sales_user)

    assert third.short_name == "BION-3"


def test_opportunity_create_defaults_phase_status_and_probability(sales_user):
    opportunity = factories.make_opportunity(owner=sales_user)

    assert opportunity.phase.name == "Uncontacted"
    assert opportunity.status.name == "Sales"
    assert opportunity.probability == opportunity.phase.default_probability
    assert opportunity.version == 1


def test_opportunity_create_records_primary_contact(sales_user):
    org = factories.make_organization()
    anna = factories.make_member(organization=org, last_name="Adler")
    bert = factories.make_member(organization=org, last_name="Berg")

    opportunity = factories.make_opportunity(
        organization=org, owner=sales_user, contacts=[anna, bert], primary_contact=bert
    )

    links = {
        link.member.last_name: link.is_primary for link in OpportunityContact.objects.filter(opportunity=opportunity)
    }
    assert links == {"Adler": False, "Berg": True}


def test_opportunity_create_refuses_negative_value(sales_user):
    with pytest.raises(ValidationError) as excinfo:
        factories.make_opportunity(owner=sales_user, value=Decimal("-1"))
    assert "value" in excinfo.value.message_dict


def test_database_refuses_two_primary_contacts(sales_user):
    org = factories.make_organization()
    opportunity = factories.make_opportunity(organization=org, owner=sales_user)
    one, two = factories.make_member(organization=org), factories.make_member(organization=org)
    OpportunityContact.objects.create(opportunity=opportunity, member=one, is_primary=True)

    with pytest.raises(IntegrityError):
        OpportunityContact.objects.create(opportunity=opportunity, member=two, is_primary=True)


@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_get_distinct_consecutive_short_names():
    owner = factories.make_user(role="Sales")
    org = factories.make_organization(code="BION")
    errors = []
    barrier = threading.Barrier(10)

    def create_five():
        try:
            barrier.wait()
            for _ in range(5):
                opportunity_create(organization=org, data={"name": "Concurrent"}, user=owner)
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=create_five) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    numbers = sorted(Opportunity.objects.filter(organization=org).values_list("number", flat=True))
    assert numbers == list(range(1, 51))
    org.refresh_from_db()
    assert org.opportunity_counter == 50
