import threading
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, close_old_connections, connection, transaction

from documents import services
from documents.models import Document, DocumentCounter, DocumentStatus
from tests import factories

LINE = {"description": "Workshop", "quantity": Decimal("2"), "unit": "days", "unit_price": Decimal("1200.00")}


@pytest.fixture
def opportunity(sales_user):
    organization = factories.make_organization(name="Bionext GmbH", code="BION")
    return factories.make_opportunity(organization=organization, owner=sales_user, name="CRM rollout")


@time_machine.travel("2026-03-02 10:00 +01:00", tick=False)
def test_document_numbers_count_per_year(opportunity):
    first = factories.make_document(opportunity=opportunity, lines=[LINE])
    second = factories.make_document(opportunity=opportunity, lines=[LINE])
    assert [first.number, second.number] == ["2026-0001", "2026-0002"]
    assert first.status == DocumentStatus.DRAFT
    assert first.title == "Angebot: CRM rollout"
    assert str(first.valid_until) == "2026-04-01"
    with time_machine.travel("2027-01-01 00:30 +01:00", tick=False):
        assert factories.make_document(opportunity=opportunity, lines=[LINE]).number == "2027-0001"


def test_creating_a_draft_and_leaving_it_uses_up_no_number(opportunity, sales_user):
    # What "New document" does: a draft with one empty line.
    untouched = services.document_create(opportunity=opportunity, user=sales_user, lines=[{}])
    assert (untouched.number, untouched.year, untouched.sequence) == (None, None, None)
    assert not DocumentCounter.objects.exists()
    assert factories.make_document(opportunity=opportunity, lines=[LINE]).sequence == 1


@pytest.mark.parametrize(
    ("data", "line"),
    [
        ({"intro": "Dear Ms Hoffmann,"}, {}),
        ({"terms": "Payable within 14 days."}, {}),
        ({}, {"description": "Workshop"}),
        ({}, {"unit_price": Decimal("10")}),
        ({}, {"unit": "h"}),
    ],
)
def test_the_first_save_with_content_numbers_the_draft(opportunity, sales_user, data, line):
    document = services.document_create(opportunity=opportunity, user=sales_user, lines=[{}])
    line_id = document.lines.get().pk
    # Changing what came filled in (title, validity) or blank space is not content.
    services.document_update(
        document_id=document.pk, user=sales_user, data={"title": "Rollout", "intro": "  \n"}, lines={line_id: {}}
    )
    assert Document.objects.get(pk=document.pk).number is None
    updated = services.document_update(document_id=document.pk, user=sales_user, data=data, lines={line_id: line})
    assert updated.number == f"{updated.year}-0001" and updated.sequence == 1
    assert Document.objects.get(pk=document.pk).number == updated.number
    # Later saves keep it.
    services.document_update(document_id=document.pk, user=sales_user, data={"title": "Again"})
    assert Document.objects.get(pk=document.pk).number == updated.number


def test_a_document_never_leaves_draft_without_a_number(opportunity, sales_user):
    document = services.document_create(opportunity=opportunity, user=sales_user)
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.filter(pk=document.pk).update(status=DocumentStatus.APPROVED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.filter(pk=document.pk).update(number="2026-0001")  # without year and sequence


def test_only_an_unnumbered_draft_can_be_discarded(opportunity, sales_user):
    written = factories.make_document(opportunity=opportunity, lines=[LINE])
    with pytest.raises(ValidationError, match="keeps its number"):
        services.document_discard(document_id=written.pk, user=sales_user)
    assert Document.objects.filter(pk=written.pk).exists() and written.lines.count() == 1
    empty = services.document_create(opportunity=opportunity, user=sales_user, lines=[{}])
    assert services.document_discard(document_id=empty.pk, user=sales_user) == opportunity
    assert not Document.objects.filter(pk=empty.pk).exists()


def test_document_numbers_are_never_reused_after_a_delete(opportunity):
    first = factories.make_document(opportunity=opportunity, lines=[LINE])
    second = factories.make_document(opportunity=opportunity, lines=[LINE])
    second.delete()
    third = factories.make_document(opportunity=opportunity, lines=[LINE])
    assert third.sequence == first.sequence + 2


def test_document_number_starts_above_existing_numbers_when_the_counter_is_missing(opportunity):
    document = factories.make_document(opportunity=opportunity, lines=[LINE])
    DocumentCounter.objects.all().delete()
    assert factories.make_document(opportunity=opportunity, lines=[LINE]).sequence == document.sequence + 1


@pytest.mark.django_db(transaction=True)
def test_document_create_numbers_hold_under_concurrency():
    owner = factories.make_user(username="owner", role="Managers")
    opportunity = factories.make_opportunity(owner=owner)
    threads_count, per_thread = 8, 5
    barrier = threading.Barrier(threads_count)
    errors = []

    def create_some():
        try:
            barrier.wait()
            for _ in range(per_thread):
                services.document_create(opportunity=opportunity, user=owner, lines=[LINE])
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=create_some) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    sequences = sorted(Document.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, threads_count * per_thread + 1))
    assert DocumentCounter.objects.get().last_number == threads_count * per_thread


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_saves_get_distinct_consecutive_numbers():
    owner = factories.make_user(username="owner", role="Managers")
    opportunity = factories.make_opportunity(owner=owner)
    drafts = [services.document_create(opportunity=opportunity, user=owner, lines=[{}]) for _ in range(12)]
    barrier = threading.Barrier(len(drafts))
    errors = []

    def first_save(document):
        try:
            barrier.wait()
            line_id = document.lines.get().pk
            services.document_update(
                document_id=document.pk, user=owner, data={}, lines={line_id: {"description": "Workshop"}}
            )
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=first_save, args=[document]) for document in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    sequences = sorted(Document.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, len(drafts) + 1))
    assert DocumentCounter.objects.get().last_number == len(drafts)


def test_lines_add_remove_and_reorder_keep_positions_dense(opportunity, sales_user):
    document = factories.make_document(
        opportunity=opportunity, lines=[{**LINE, "description": name} for name in ["A", "B", "C"]]
    )
    a, b, c = document.lines.all()
    services.document_lines_reorder(document_id=document.pk, user=sales_user, line_ids=[c.pk, a.pk, b.pk])
    assert [(x.description, x.position) for x in document.lines.all()] == [("C", 1), ("A", 2), ("B", 3)]
    services.document_line_move(document_id=document.pk, line_id=b.pk, user=sales_user, offset=-1)
    assert [x.description for x in document.lines.all()] == ["C", "B", "A"]
    services.document_line_remove(document_id=document.pk, line_id=c.pk, user=sales_user)
    assert [(x.description, x.position) for x in document.lines.all()] == [("B", 1), ("A", 2)]


def test_document_update_refuses_bad_lines_and_keeps_the_old_values(opportunity, sales_user):
    document = factories.make_document(opportunity=opportunity, lines=[LINE])
    line = document.lines.get()
    with pytest.raises(ValidationError):
        services.document_update(
            document_id=document.pk, user=sales_user, data={}, lines={line.pk: {"quantity": Decimal("-1")}}
        )
    with pytest.raises(ValidationError):
        services.document_update(
            document_id=document.pk, user=sales_user, data={}, lines={line.pk: {"discount": Decimal("100.01")}}
        )
    line.refresh_from_db()
    assert line.quantity == Decimal("2") and line.discount == 0


def test_recipient_must_belong_to_the_organization(opportunity, sales_user):
    document = factories.make_document(opportunity=opportunity)
    stranger = factories.make_member(organization=factories.make_organization())
    with pytest.raises(ValidationError) as error:
        services.document_update(document_id=document.pk, user=sales_user, data={"recipient": stranger})
    assert "recipient" in error.value.message_dict


def test_workflow_draft_approved_sent_accepted(opportunity, sales_user, manager, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    document = factories.make_document(opportunity=opportunity, lines=[LINE])
    approved = services.document_approve(document_id=document.pk, user=manager)
    assert approved.status == DocumentStatus.APPROVED and approved.approved_by == manager
    sent = services.document_send(document_id=document.pk, user=sales_user)
    assert sent.status == DocumentStatus.SENT and sent.sent_at is not None
    assert sent.pdf.name.startswith("documents/") and sent.pdf.read().startswith(b"%PDF-")
    accepted = services.document_decide(document_id=document.pk, user=sales_user, accepted=True)
    assert accepted.status == DocumentStatus.ACCEPTED and accepted.decided_at is not None


def test_only_managers_approve(opportunity, sales_user):
    document = factories.make_document(opportunity=opportunity, lines=[LINE])
    with pytest.raises(PermissionDenied):
        services.document_approve(document_id=document.pk, user=sales_user)
    document.refresh_from_db()
    assert document.status == DocumentStatus.DRAFT


def test_approval_needs_described_lines(opportunity, manager, sales_user):
    document = factories.make_document(opportunity=opportunity)
    with pytest.raises(ValidationError, match="at least one line"):
        services.document_approve(document_id=document.pk, user=manager)
    services.document_line_add(document_id=document.pk, user=sales_user, data={"unit_price": Decimal(5)})
    with pytest.raises(ValidationError, match="Describe line 1"):
        services.document_approve(document_id=document.pk, user=manager)
    document.refresh_from_db()
    assert document.status == DocumentStatus.DRAFT


def test_only_drafts_can_be_edited(opportunity, sales_user, manager):
    document = factories.make_document(opportunity=opportunity, lines=[LINE])
    services.document_approve(document_id=document.pk, user=manager)
    line = document.lines.get()
    for attempt in [
        lambda: services.document_update(document_id=document.pk, user=sales_user, data={"title": "Changed"}),
        lambda: services.document_line_add(document_id=document.pk, user=sales_user),
        lambda: services.document_line_remove(document_id=document.pk, line_id=line.pk, user=sales_user),
    ]:
        with pytest.raises(ValidationError, match="only drafts can be edited"):
            attempt()
    assert document.lines.count() == 1


def test_steps_out_of_order_are_refused(opportunity, sales_user, manager):
    document = factories.make_document(opportunity=opportunity, lines=[LINE])
    with pytest.raises(ValidationError, match="Only approved"):
        services.document_send(document_id=document.pk, user=sales_user)
    with pytest.raises(ValidationError, match="Only sent"):
        services.document_decide(document_id=document.pk, user=sales_user, accepted=True)


def test_other_sales_users_cannot_change_someone_elses_document(opportunity, other_sales_user):
    document = factories.make_document(opportunity=opportunity, lines=[LINE])
    with pytest.raises(PermissionDenied):
        services.document_update(document_id=document.pk, user=other_sales_user, data={"title": "Mine now"})
    with pytest.raises(PermissionDenied):
        services.document_create(opportunity=opportunity, user=other_sales_user)


def test_new_revision_copies_into_a_new_draft(opportunity, sales_user, manager, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    document = factories.make_document(
        opportunity=opportunity, title="Offer A", lines=[LINE, {**LINE, "description": "Licence"}]
    )
    services.document_approve(document_id=document.pk, user=manager)
    services.document_send(document_id=document.pk, user=sales_user)
    revision = services.document_revise(document_id=document.pk, user=sales_user)
    assert revision.status == DocumentStatus.DRAFT
    assert revision.number != document.number and revision.revision_of == document
    assert revision.title == "Offer A" and not revision.pdf
    assert [line.description for line in revision.lines.all()] == ["Workshop", "Licence"]
    document.refresh_from_db()
    assert document.status == DocumentStatus.SENT


def test_reopen_takes_an_approved_document_back_to_draft(opportunity, sales_user, manager):
    document = factories.make_document(opportunity=opportunity, lines=[LINE])
    services.document_approve(document_id=document.pk, user=manager)
    reopened = services.document_reopen(document_id=document.pk, user=sales_user)
    assert reopened.status == DocumentStatus.DRAFT and reopened.approved_by is None
