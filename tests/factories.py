"""Keyword-only builders for test data; writes go through the services."""

import itertools
from decimal import Decimal

from django.contrib.auth.models import Group

from crm.models import User
from opportunities import services as opportunity_services
from opportunities.models import Phase, Status, Tag, Task
from organizations.models import Member, Organization

_counter = itertools.count(1)


def make_user(*, username=None, role="Sales", display_name="", password="pw", **extra) -> User:  # noqa: S107
    username = username or f"user{next(_counter)}"
    user = User.objects.create_user(
        username=username, password=password, display_name=display_name, email=f"{username}@example.com", **extra
    )
    if extra.get("is_superuser"):
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def make_organization(*, name=None, code=None, **fields) -> Organization:
    n = next(_counter)
    name = name or f"Organization {n}"
    code = code or f"ORG{n}"
    return Organization.objects.create(name=name, code=code, **fields)


def make_member(*, organization, last_name=None, **fields) -> Member:
    return Member.objects.create(organization=organization, last_name=last_name or f"Person{next(_counter)}", **fields)


def phase(name: str) -> Phase:
    return Phase.objects.get(name=name)


def status(name: str) -> Status:
    return Status.objects.get(name=name)


def make_opportunity(*, organization=None, owner, name=None, value=Decimal("1000.00"), **data):
    organization = organization or make_organization()
    data.setdefault("name", name or f"Project {next(_counter)}")
    data.setdefault("value", value)
    contacts = data.pop("contacts", ())
    primary_contact = data.pop("primary_contact", None)
    tags = data.pop("tags", ())
    return opportunity_services.opportunity_create(
        organization=organization,
        data={"owner": owner, **data},
        user=owner,
        tags=tags,
        contacts=contacts,
        primary_contact=primary_contact,
    )


def make_task(*, opportunity, title=None, **fields) -> Task:
    return Task.objects.create(opportunity=opportunity, title=title or f"Task {next(_counter)}", **fields)


def make_tag(*, name) -> Tag:
    return Tag.objects.create(name=name)


def make_document(*, opportunity, user=None, lines=(), **data):
    """A draft document through the service; ``lines`` are dicts of line fields.

    It has a number once it has content (an introduction, a closing text or a line
    that says something); without, it is an unnumbered draft.
    """
    from documents import services as document_services

    user = user or opportunity.owner
    document = document_services.document_create(opportunity=opportunity, user=user, data=data)
    for line in lines:
        document_services.document_line_add(document_id=document.pk, user=user, data=line)
    if lines:
        document.refresh_from_db()  # numbered by its first line with content
    return document


def make_journal_entry(*, opportunity, author, text="Called them.", **fields):
    """An entry posted through the service; created_at and reminder_done_at can be set afterwards."""
    from journal import services as journal_services
    from journal.models import JournalEntry

    created_at = fields.pop("created_at", None)
    done_at = fields.pop("reminder_done_at", None)
    entry = journal_services.journal_entry_post(opportunity=opportunity, author=author, text=text, **fields)
    if created_at is not None or done_at is not None:
        JournalEntry.objects.filter(pk=entry.pk).update(
            **({"created_at": created_at} if created_at is not None else {}),
            **({"reminder_done_at": done_at} if done_at is not None else {}),
        )
        entry.refresh_from_db()
    return entry
