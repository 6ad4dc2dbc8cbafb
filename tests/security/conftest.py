"""A small world with something behind every URL: two sales people's opportunities, tasks,
members, journal entries with reminders, documents and saved views."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from documents.models import DocumentLine
from journal import services as journal_services
from opportunities.models import CustomField, SavedView, Tag
from tests import factories

MAIL = Path(__file__).parent.parent / "journal" / "mail"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Four users per test and logins in a loop: PBKDF2's deliberate slowness is not under test here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    sales: object
    other: object
    manager: object
    admin: object
    organization: object
    member: object
    mine: object  # the sales user's opportunity
    theirs: object  # another sales user's opportunity
    tag: object
    my_task: object
    their_task: object
    my_entry: object
    their_entry: object
    my_document: object
    their_document: object
    their_line: object
    their_view: object
    custom_field: object
    unassigned_mail: object
    their_mail: object


@pytest.fixture
def world(db, sales_user, other_sales_user, manager, admin_user, settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path / "media"  # sending a document stores its PDF
    organization = factories.make_organization(name="Bionext GmbH", code="BION", city="Berlin")
    member = factories.make_member(organization=organization, first_name="Lena", last_name="Hoffmann")
    custom_field = CustomField.objects.create(label="Region", key="region", field_type="text")
    tag = Tag.objects.create(name="Priority")
    mine = factories.make_opportunity(organization=organization, owner=sales_user, name="Mine", tags=[tag])
    theirs = factories.make_opportunity(
        organization=organization, owner=other_sales_user, name="Theirs", tags=[tag], primary_contact=member
    )
    my_document = factories.make_document(opportunity=mine, lines=[{"description": "Setup", "quantity": Decimal(1)}])
    their_document = factories.make_document(
        opportunity=theirs, lines=[{"description": "Training", "quantity": Decimal(2), "unit_price": Decimal(100)}]
    )
    return World(
        sales=sales_user,
        other=other_sales_user,
        manager=manager,
        admin=admin_user,
        organization=organization,
        member=member,
        mine=mine,
        theirs=theirs,
        tag=tag,
        my_task=factories.make_task(opportunity=mine, title="Call back"),
        their_task=factories.make_task(opportunity=theirs, title="Send the offer"),
        my_entry=factories.make_journal_entry(
            opportunity=mine,
            author=sales_user,
            text="Met them.",
            reminder_date=timezone.localdate() + dt.timedelta(days=1),
        ),
        their_entry=factories.make_journal_entry(
            opportunity=theirs,
            author=other_sales_user,
            text="Called them.",
            reminder_date=timezone.localdate() + dt.timedelta(days=1),
            reminder_assignee=other_sales_user,
        ),
        my_document=my_document,
        their_document=their_document,
        their_line=DocumentLine.objects.get(document=their_document),
        their_view=SavedView.objects.create(owner=other_sales_user, name="Their view", query="phase=1"),
        custom_field=custom_field,
        unassigned_mail=journal_services.email_ingest(
            raw=(MAIL / "unknown_sender.eml").read_bytes(), source="command"
        ).message,
        their_mail=journal_services.email_ingest(
            raw=(MAIL / "offer_en_pdf.eml").read_bytes(), source="upload", opportunity=theirs, user=other_sales_user
        ).message,
    )


@pytest.fixture
def clients(world) -> dict[str, Client]:
    """One logged-in client per role (and an anonymous one)."""
    result = {"anonymous": Client()}
    for role, user in [
        ("sales", world.sales),
        ("other", world.other),
        ("manager", world.manager),
        ("admin", world.admin),
    ]:
        client = Client()
        client.force_login(user)
        result[role] = client
    return result
