"""Writes for documents: numbering, lines, the approval workflow and the sent PDF."""

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from crm import permissions
from crm.history import acting
from documents.formatting import TYPE_NAMES
from documents.models import MAX_LINES, Document, DocumentLine, DocumentStatus, DocumentType
from opportunities.models import Opportunity

DOCUMENT_FIELDS = [
    "title",
    "doc_type",
    "language",
    "currency",
    "vat_rate",
    "valid_until",
    "recipient",
    "intro",
    "terms",
]
LINE_FIELDS = ["description", "quantity", "unit", "unit_price", "discount"]
VALID_DAYS = 30

# Raw SQL because correctness needs it: one statement takes the next number, and
# the row lock taken by ON CONFLICT DO UPDATE is held until the numbering
# transaction ends, so concurrent first saves queue up and a rolled-back one
# gives its number back (no gaps). A missing counter row starts above the highest
# number already in use that year, so a number is never handed out twice.
_NEXT_NUMBER_SQL = """
INSERT INTO documents_documentcounter (year, last_number)
VALUES (%s, (SELECT coalesce(max(sequence), 0) + 1 FROM documents_document WHERE year = %s))
ON CONFLICT (year) DO UPDATE SET last_number = documents_documentcounter.last_number + 1
RETURNING last_number
"""


def document_number_next(*, year: int) -> tuple[int, str]:
    """Take the next number of ``year`` (2026-0001, …); call inside the numbering transaction."""
    with connection.cursor() as cursor:
        cursor.execute(_NEXT_NUMBER_SQL, [year, year])
        sequence = cursor.fetchone()[0]
    return sequence, f"{year}-{sequence:04d}"


def _default_title(doc_type: str, opportunity: Opportunity, language: str) -> str:
    names = TYPE_NAMES.get(language, TYPE_NAMES["en"])
    return f"{names.get(doc_type, doc_type)}: {opportunity.name}"[:200]


def _has_content(document: Document) -> bool:
    """Whether someone wrote something of their own: an introduction, a closing text or a line.

    Title, recipient and validity come filled in, and a fresh line is empty; a
    draft with nothing more is one that was opened and left.
    """
    if document.intro.strip() or document.terms.strip():
        return True
    return (
        DocumentLine.objects.filter(document=document)
        .exclude(description__regex=r"^\s*$", unit__regex=r"^\s*$", unit_price=0)
        .exists()
    )


def _number_if_written(document: Document) -> None:
    """Give a draft the year's next number the first time it is saved with content.

    Numbering at the first real save rather than at "New document" keeps numbers
    gap-free when drafts are opened and left; numbering it now rather than at
    approval gives the draft its number while people discuss it ("offer 2026-0036").
    """
    if document.number is None and _has_content(document):
        _number(document)


def _number(document: Document) -> None:
    year = timezone.localdate().year
    document.year = year
    document.sequence, document.number = document_number_next(year=year)
    Document.objects.filter(pk=document.pk).update(year=year, sequence=document.sequence, number=document.number)


def _require_room_for_lines(count: int) -> None:
    if count > MAX_LINES:
        raise ValidationError(
            _("A document has at most %(limit)d lines. Split it into two, or group lines.") % {"limit": MAX_LINES},
            code="too_many_lines",
        )


@acting()
@transaction.atomic
def document_create(
    *, opportunity: Opportunity, user, data: dict | None = None, lines: Sequence[dict] = ()
) -> Document:
    """Create a draft with ``lines`` (dicts of line fields, ``{}`` for an empty one); numbered if it has content.

    Title, recipient and validity get sensible defaults. The lines are written in
    the same transaction, so a draft never exists without the lines it was created with.
    """
    permissions.require(permissions.can_add_document(user, opportunity))
    values = {field: value for field, value in (data or {}).items() if field in DOCUMENT_FIELDS}
    values.setdefault("doc_type", DocumentType.OFFER)
    values.setdefault("language", "de")
    values.setdefault("title", _default_title(values["doc_type"], opportunity, values["language"]))
    values.setdefault("valid_until", timezone.localdate() + dt.timedelta(days=VALID_DAYS))
    if "recipient" not in values:
        primary = opportunity.contact_links.filter(is_primary=True).select_related("member").first()
        values["recipient"] = primary.member if primary else None
    _require_room_for_lines(len(lines))
    document = Document(opportunity=opportunity, created_by=user, **values)
    document.full_clean()
    document.save()
    for position, values in enumerate(lines, start=1):
        unknown = set(values) - set(LINE_FIELDS)
        if unknown:
            raise ValueError(f"Not a line field: {sorted(unknown)}")
        line = DocumentLine(document=document, position=position, **values)
        line.full_clean(exclude=["document"])
        line.save()
    _number_if_written(document)
    return document


def _locked(document_id: int) -> Document:
    return Document.objects.select_for_update(of=("self",)).select_related("opportunity").get(pk=document_id)


def _require_draft(document: Document) -> None:
    if document.status != DocumentStatus.DRAFT:
        raise ValidationError(
            _("%(number)s is %(status)s: only drafts can be edited. Start a new revision to change it.")
            % {"number": document.number, "status": document.get_status_display().lower()},
            code="not_draft",
        )


def _require_recipient_of_organization(document: Document) -> None:
    if document.recipient_id and document.recipient.organization_id != document.opportunity.organization_id:
        raise ValidationError({"recipient": _("Choose a member of %(name)s.") % {"name": document.opportunity}})


@acting()
@transaction.atomic
def document_update(*, document_id: int, user, data: dict, lines: dict[int, dict] | None = None) -> Document:
    """Change a draft's fields and line values (``lines`` maps line id → changed fields)."""
    document = _locked(document_id)
    permissions.require(permissions.can_change_document(user, document))
    _require_draft(document)
    for name, value in data.items():
        if name not in DOCUMENT_FIELDS:
            raise ValueError(f"Not updatable: {name}")
        setattr(document, name, value)
    document.full_clean()
    _require_recipient_of_organization(document)
    document.save()
    if lines:
        changed = []
        for line in document.lines.filter(pk__in=lines.keys()):
            values = lines[line.pk]
            if any(getattr(line, name) != values[name] for name in LINE_FIELDS if name in values):
                for name in LINE_FIELDS:
                    if name in values:
                        setattr(line, name, values[name])
                line.full_clean(exclude=["document", "position"])
                changed.append(line)
        DocumentLine.objects.bulk_update(changed, LINE_FIELDS)
    _number_if_written(document)
    return document


@acting()
@transaction.atomic
def document_line_add(*, document_id: int, user, data: dict | None = None) -> DocumentLine:
    """Append a line (empty unless ``data`` says otherwise) at the end."""
    document = _locked(document_id)
    permissions.require(permissions.can_change_document(user, document))
    _require_draft(document)
    figures = document.lines.aggregate(last=Max("position"), count=Count("id"))
    _require_room_for_lines(figures["count"] + 1)
    line = DocumentLine(document=document, position=(figures["last"] or 0) + 1)
    for name, value in (data or {}).items():
        if name not in LINE_FIELDS:
            raise ValueError(f"Not a line field: {name}")
        setattr(line, name, value)
    line.full_clean(exclude=["document"])
    line.save()
    Document.objects.filter(pk=document.pk).update(updated_at=timezone.now())
    _number_if_written(document)
    return line


@acting()
@transaction.atomic
def document_line_remove(*, document_id: int, line_id: int, user) -> None:
    """Delete a line of a draft and close the gap in the positions."""
    document = _locked(document_id)
    permissions.require(permissions.can_change_document(user, document))
    _require_draft(document)
    document.lines.filter(pk=line_id).delete()
    _renumber(document, [line.pk for line in document.lines.all()])


@acting()
@transaction.atomic
def document_lines_reorder(*, document_id: int, user, line_ids: list[int]) -> None:
    """Put the draft's lines in the order of ``line_ids`` (lines not named keep their order, after them)."""
    document = _locked(document_id)
    permissions.require(permissions.can_change_document(user, document))
    _require_draft(document)
    current = [line.pk for line in document.lines.all()]
    known = [pk for pk in dict.fromkeys(line_ids) if pk in set(current)]
    _renumber(document, known + [pk for pk in current if pk not in set(known)])


def document_line_move(*, document_id: int, line_id: int, user, offset: int) -> None:
    """Move one line up (offset −1) or down (+1)."""
    order = list(DocumentLine.objects.filter(document_id=document_id).values_list("pk", flat=True))
    if line_id not in order:
        return
    index = order.index(line_id)
    target = min(max(index + offset, 0), len(order) - 1)
    order.insert(target, order.pop(index))
    document_lines_reorder(document_id=document_id, user=user, line_ids=order)


def _renumber(document: Document, ordered_ids: list[int]) -> None:
    # The (document, position) constraint is deferred, so swapping positions
    # in one UPDATE batch is fine until the transaction commits.
    lines = [DocumentLine(pk=pk, position=position) for position, pk in enumerate(ordered_ids, start=1)]
    DocumentLine.objects.bulk_update(lines, ["position"])
    Document.objects.filter(pk=document.pk).update(updated_at=timezone.now())


@acting()
@transaction.atomic
def document_approve(*, document_id: int, user) -> Document:
    """Approve a draft: managers only, and only with lines that all have a description."""
    document = _locked(document_id)
    permissions.require(permissions.can_approve_documents(user))
    _require_draft(document)
    lines = list(document.lines.all())
    if not lines:
        raise ValidationError(_("Add at least one line item before approving."), code="no_lines")
    unnamed = [str(position) for position, line in enumerate(lines, start=1) if not line.description.strip()]
    if unnamed:
        raise ValidationError(
            _("Describe line %(positions)s before approving.") % {"positions": ", ".join(unnamed)},
            code="line_without_description",
        )
    if document.number is None:
        # Described lines are content, so this is numbered already; a document never leaves draft without.
        _number(document)
    document.status = DocumentStatus.APPROVED
    document.approved_by = user
    document.approved_at = timezone.now()
    document.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    return document


@acting()
@transaction.atomic
def document_reopen(*, document_id: int, user) -> Document:
    """Take an approved, unsent document back to draft (it needs approving again)."""
    document = _locked(document_id)
    permissions.require(permissions.can_change_document(user, document))
    if document.status != DocumentStatus.APPROVED:
        raise ValidationError(_("Only approved documents that are not sent yet can go back to draft."))
    document.status = DocumentStatus.DRAFT
    document.approved_by = None
    document.approved_at = None
    document.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    return document


@acting()
@transaction.atomic
def document_send(*, document_id: int, user) -> Document:
    """Mark an approved document sent: render its PDF once and store it; downloads return these bytes."""
    from documents import pdf

    document = _locked(document_id)
    permissions.require(permissions.can_change_document(user, document))
    if document.status != DocumentStatus.APPROVED:
        raise ValidationError(_("Only approved documents can be sent."), code="not_approved")
    document.status = DocumentStatus.SENT
    document.sent_at = timezone.now()
    try:
        content = pdf.render_document(document)
    except pdf.RenderTooSlow as error:
        raise ValidationError(
            _("The PDF took longer than %(seconds)s seconds to render, so it was not sent. Try again in a moment.")
            % {"seconds": f"{error.seconds:g}"},
            code="render_too_slow",
        ) from error
    document.pdf.save(pdf.filename(document), ContentFile(content), save=False)
    # Should the database write fail after the file is stored, remove the file again.
    stored_name = document.pdf.name
    try:
        document.save(update_fields=["status", "sent_at", "pdf", "updated_at"])
    except Exception:
        document.pdf.storage.delete(stored_name)
        raise
    return document


@acting()
@transaction.atomic
def document_decide(*, document_id: int, user, accepted: bool) -> Document:
    """Record the customer's answer to a sent document: accepted or rejected."""
    document = _locked(document_id)
    permissions.require(permissions.can_change_document(user, document))
    if document.status != DocumentStatus.SENT:
        raise ValidationError(_("Only sent documents can be accepted or rejected."), code="not_sent")
    document.status = DocumentStatus.ACCEPTED if accepted else DocumentStatus.REJECTED
    document.decided_at = timezone.now()
    document.save(update_fields=["status", "decided_at", "updated_at"])
    return document


@acting()
@transaction.atomic
def document_revise(*, document_id: int, user) -> Document:
    """Copy a document and its lines into a new draft with its own number."""
    source = Document.objects.select_related("opportunity").get(pk=document_id)
    permissions.require(permissions.can_add_document(user, source.opportunity))
    revision = document_create(
        opportunity=source.opportunity,
        user=user,
        # A fresh validity period (the default) rather than the old, maybe past, date.
        data={field: getattr(source, field) for field in DOCUMENT_FIELDS if field != "valid_until"},
    )
    revision.revision_of = source
    revision.save(update_fields=["revision_of"])
    DocumentLine.objects.bulk_create(
        [
            DocumentLine(
                document=revision, position=line.position, **{name: getattr(line, name) for name in LINE_FIELDS}
            )
            for line in source.lines.all()
        ]
    )
    _number_if_written(revision)
    return revision


@acting()
@transaction.atomic
def document_discard(*, document_id: int, user) -> Opportunity:
    """Delete a draft nobody wrote anything into (it has no number yet); returns its opportunity."""
    document = _locked(document_id)
    permissions.require(permissions.can_change_document(user, document))
    if not document.is_draft or document.number is not None:
        raise ValidationError(
            _("%(number)s has content and keeps its number: only empty drafts can be discarded.")
            % {"number": document.number or document.title},
            code="not_discardable",
        )
    opportunity = document.opportunity
    document.delete()
    return opportunity
