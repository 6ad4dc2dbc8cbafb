"""Reads for documents: the detail page's section, the editor and the PDF."""

from django.db.models import Prefetch, QuerySet

from documents.models import Document, DocumentLine, Letterhead
from documents.totals import document_totals


def _attach_totals(documents) -> list[Document]:
    documents = list(documents)
    for document in documents:
        document.totals = document_totals(lines=document.lines.all(), vat_rate=document.vat_rate)
    return documents


def document_list(*, opportunity) -> list[Document]:
    """An opportunity's documents, newest first, with author and totals in two queries.

    The totals come from the prefetched lines (second query) through the same
    rounding as the editor and the PDF, so the three always agree.
    """
    queryset = (
        Document.objects.filter(opportunity=opportunity)
        .select_related("created_by")
        .prefetch_related(
            Prefetch("lines", queryset=DocumentLine.objects.only("document_id", "quantity", "unit_price", "discount"))
        )
        .order_by("-created_at", "-id")
    )
    return _attach_totals(queryset)


def live_documents() -> QuerySet[Document]:
    """Documents of opportunities that are not in the trash (crm/trash.py): what any URL may show."""
    return Document.objects.filter(opportunity__deleted_at__isnull=True)


def document_queryset() -> QuerySet[Document]:
    return live_documents().select_related(
        "opportunity__organization", "opportunity__owner", "recipient", "created_by", "approved_by", "revision_of"
    )


def document_get(*, number: str) -> Document:
    """One document with everything its page shows; lines prefetched, totals attached."""
    document = document_queryset().prefetch_related("lines").get(number=number)
    return _attach_totals([document])[0]


def letterhead_get() -> Letterhead:
    """The workspace's letterhead (an empty one until an admin fills it in)."""
    letterhead = Letterhead.objects.filter(pk=1).first()
    return letterhead or Letterhead(pk=1, company_name="")
