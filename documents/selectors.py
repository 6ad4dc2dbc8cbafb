"""Reads for documents: the detail page's section, the editor and the PDF."""

from decimal import Decimal

from django.db.models import DecimalField, F, Func, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from crm import permissions
from documents.models import DRAFT_KEY_PREFIX, Document, DocumentLine, Letterhead
from documents.totals import document_totals, totals_from_line_cents


def _attach_totals(documents) -> list[Document]:
    documents = list(documents)
    for document in documents:
        document.totals = document_totals(lines=document.lines.all(), vat_rate=document.vat_rate)
    return documents


_LISTED_FIELDS = [
    "opportunity_id",
    "number",
    "title",
    "doc_type",
    "status",
    "language",
    "currency",
    "vat_rate",
    "created_at",
    "created_by__display_name",
    "created_by__first_name",
    "created_by__last_name",
    "created_by__username",
]


def document_list(*, opportunity) -> list[Document]:
    """An opportunity's documents, newest first, with author and totals in one query.

    Each line's net is rounded to the cent in SQL the way documents.totals.line_net
    rounds it (totals_from_line_cents says why that is the same), so the section, the
    editor and the PDF agree without loading every line of every document.
    """
    line_cents = (
        DocumentLine.objects.filter(document=OuterRef("pk"))
        .order_by()
        .values("document")
        .annotate(
            cents=Sum(
                Func(
                    F("quantity") * F("unit_price") * (Value(100) - F("discount")),
                    function="ROUND",
                    output_field=DecimalField(),
                )
            )
        )
        .values("cents")
    )
    documents = list(
        Document.objects.filter(opportunity=opportunity)
        .select_related("created_by")
        # What the section shows: not the texts and settings of each document (~2 ms less for 10).
        .only(*_LISTED_FIELDS)
        .annotate(line_cents=Coalesce(Subquery(line_cents), Value(Decimal(0)), output_field=DecimalField()))
        .order_by("-created_at", "-id")
    )
    for document in documents:
        document.totals = totals_from_line_cents(cents=document.line_cents, vat_rate=document.vat_rate)
    return documents


def document_section(*, opportunity, user) -> dict:
    """What the opportunity page's documents section shows (documents/document_section.html): one query."""
    documents = document_list(opportunity=opportunity)
    for document in documents:
        # The permission reads the opportunity's owner: this one, not a query per document.
        document.opportunity = opportunity
        document.can_discard = document.number is None and permissions.can_change_document(user, document)
    return {"documents": documents, "can_add": permissions.can_add_document(user, opportunity)}


def live_documents() -> QuerySet[Document]:
    """Documents of opportunities that are not in the trash (crm/trash.py): what any URL may show."""
    return Document.objects.filter(opportunity__deleted_at__isnull=True)


def document_queryset() -> QuerySet[Document]:
    return live_documents().select_related(
        "opportunity__organization", "opportunity__owner", "recipient", "created_by", "approved_by", "revision_of"
    )


def by_key(queryset: QuerySet[Document], key: str) -> Document:
    """The document a URL names: by its number, or draft-<id> (Document.key), which stays valid once numbered."""
    if key.startswith(DRAFT_KEY_PREFIX):
        pk = key.removeprefix(DRAFT_KEY_PREFIX)
        if not (pk.isascii() and pk.isdigit() and len(pk) <= 18):
            raise Document.DoesNotExist
        return queryset.get(pk=int(pk))
    return queryset.get(number=key)


def document_get(*, key: str) -> Document:
    """One document with everything its page shows; lines prefetched, totals attached."""
    document = by_key(document_queryset().prefetch_related("lines"), key)
    return _attach_totals([document])[0]


def letterhead_get() -> Letterhead:
    """The workspace's letterhead (an empty one until an admin fills it in)."""
    letterhead = Letterhead.objects.filter(pk=1).first()
    return letterhead or Letterhead(pk=1, company_name="")
