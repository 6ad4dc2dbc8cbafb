"""The document PDF: HTML template → WeasyPrint within a time budget, with a URL fetcher that never leaves the machine.

WeasyPrint would otherwise fetch any URL a stylesheet or image names (http,
https, ftp, any file). Our template names none, and everything users type is
escaped, but the fetcher is the guarantee: it serves files inside our static
and media folders and data: URLs, and refuses everything else.
"""

import base64
import logging
import mimetypes
import os
import select
import signal
import time
import warnings
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

# WeasyPrint logs each rendering step at INFO (already while importing); keep its warnings only.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

from weasyprint import HTML  # noqa: E402
from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: E402

from documents import formatting, selectors  # noqa: E402
from documents.models import Document, DocumentStatus  # noqa: E402
from documents.totals import line_net  # noqa: E402

logger = logging.getLogger(__name__)


class URLRefused(ValueError):
    """The PDF asked for something outside our own static and media files."""


class RenderTooSlow(Exception):
    """Rendering took longer than its time budget (settings.DOCUMENT_PDF_SECONDS) and was stopped."""

    def __init__(self, seconds: float):
        super().__init__(f"PDF rendering stopped after {seconds:g} s")
        self.seconds = seconds


class RenderFailed(Exception):
    """WeasyPrint failed in the rendering process (its log says why)."""


# A document within the field limits renders in a second or two; the budget stops
# whatever still takes long well before gunicorn's 30 s worker timeout would kill
# the worker and every request it holds.
DEFAULT_RENDER_SECONDS = 15


def allowed_roots() -> list[Path]:
    roots = [settings.STATIC_ROOT, *settings.STATICFILES_DIRS, settings.MEDIA_ROOT]
    return [Path(root).resolve() for root in roots if root]


class LocalURLFetcher(URLFetcher):
    """Serve data: URLs and files under STATIC_ROOT, STATICFILES_DIRS and MEDIA_ROOT; refuse the rest."""

    def __init__(self):
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False, timeout=1)

    def fetch(self, url, headers=None):
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = self.local_path(url)
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})
        logger.warning("PDF: refused to fetch %s", url[:200])
        raise URLRefused(f"Refused URL (only our static and media files): {url[:200]}")

    @staticmethod
    def local_path(url: str) -> Path:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            logger.warning("PDF: refused to read from host %s", parts.netloc[:100])
            raise URLRefused(f"Refused file URL on another host: {url[:200]}")
        # resolve() follows symlinks and "..", so neither can lead outside the roots.
        path = Path(url2pathname(unquote(parts.path))).resolve()
        if not any(path.is_relative_to(root) for root in allowed_roots()) or not path.is_file():
            logger.warning("PDF: refused to read %s", path)
            raise URLRefused(f"Refused file outside static and media: {path}")
        return path


# The document's own words, in its language (not the user's interface language).
LABELS = {
    "de": {
        **formatting.TYPE_NAMES["de"],
        "number": "Nummer",
        "date": "Datum",
        "valid_until": "Gültig bis",
        "reference": "Projekt",
        "contact": "Ansprechpartner",
        "position": "Pos.",
        "description": "Beschreibung",
        "quantity": "Menge",
        "unit": "Einheit",
        "unit_price": "Einzelpreis",
        "discount": "Rabatt",
        "amount": "Betrag",
        "net": "Nettobetrag",
        "vat": "zzgl. {rate} USt.",
        "gross": "Gesamtbetrag",
        "validity": "Dieses Dokument ist gültig bis zum {date}.",
        "regards": "Mit freundlichen Grüßen",
        "page": "Seite",
        "of": "von",
        "vat_id": "USt-IdNr.",
        "draft": "Entwurf",
        "revision_of": "Ersetzt {number}",
        "carried": "Fortsetzung",
    },
    "en": {
        **formatting.TYPE_NAMES["en"],
        "number": "Number",
        "date": "Date",
        "valid_until": "Valid until",
        "reference": "Project",
        "contact": "Contact",
        "position": "No.",
        "description": "Description",
        "quantity": "Qty",
        "unit": "Unit",
        "unit_price": "Unit price",
        "discount": "Discount",
        "amount": "Amount",
        "net": "Net total",
        "vat": "VAT {rate}",
        "gross": "Total",
        "validity": "This document is valid until {date}.",
        "regards": "Kind regards",
        "page": "Page",
        "of": "of",
        "vat_id": "VAT ID",
        "draft": "Draft",
        "revision_of": "Replaces {number}",
        "carried": "continued",
    },
}
HOME_COUNTRIES = {"", "deutschland", "germany", "de"}


def recipient_lines(document: Document) -> list[str]:
    """The address block in German order: company, department, person, street, postcode city, COUNTRY."""
    organization = document.opportunity.organization
    member = document.recipient
    lines = [organization.name]
    if member is not None:
        if member.department:
            lines.append(member.department)
        lines.append(member.full_name)
    source = member if member is not None and (member.street or member.city) else organization
    lines.append(source.street)
    lines.append(" ".join(part for part in [source.postal_code, source.city] if part))
    if source.country.strip().lower() not in HOME_COUNTRIES:
        # DIN 5008: the destination country in capitals on the last line.
        lines.append(source.country.upper())
    return [line for line in lines if line]


def logo_data_uri(letterhead) -> str:
    """The logo as a data: URL, read through the storage API (works with S3 as with local files)."""
    if not letterhead.logo:
        return ""
    try:
        with letterhead.logo.open("rb") as file:
            content = file.read()
    except OSError:
        logger.warning("PDF: letterhead logo %s cannot be read", letterhead.logo.name)
        return ""
    content_type = mimetypes.guess_type(letterhead.logo.name)[0] or "image/png"
    return f"data:{content_type};base64,{base64.b64encode(content).decode()}"


def document_context(document: Document) -> dict:
    language = document.language
    labels = LABELS[language]
    letterhead = selectors.letterhead_get()
    lines = list(document.lines.all())
    totals = getattr(document, "totals", None)
    if totals is None:
        from documents.totals import document_totals

        totals = document_totals(lines=lines, vat_rate=document.vat_rate)

    def money(value):
        return formatting.format_money(value, currency=document.currency, language=language)

    rows = [
        {
            "position": position,
            "description": line.description,
            "quantity": formatting.format_quantity(line.quantity, language=language),
            "unit": line.unit,
            "unit_price": money(line.unit_price),
            "discount": formatting.format_percent(line.discount, language=language) if line.discount else "",
            "amount": money(line_net(quantity=line.quantity, unit_price=line.unit_price, discount=line.discount)),
        }
        for position, line in enumerate(lines, start=1)
    ]
    issued = timezone.localtime(document.sent_at).date() if document.sent_at else timezone.localdate()
    sender = " · ".join([letterhead.company_name, *letterhead.address_lines[:2]]) if letterhead.company_name else ""
    return {
        "document": document,
        "language": language,
        "labels": labels,
        "kind": labels[document.doc_type],
        "letterhead": letterhead,
        "logo": logo_data_uri(letterhead),
        "sender_line": sender,
        "recipient_lines": recipient_lines(document),
        "issued": formatting.format_date(issued, language=language),
        "valid_until": formatting.format_date(document.valid_until, language=language),
        "validity": labels["validity"].format(date=formatting.format_date(document.valid_until, language=language)),
        "rows": rows,
        "has_discount": any(line.discount for line in lines),
        "net": money(totals.net),
        "vat_label": labels["vat"].format(rate=formatting.format_percent(totals.vat_rate, language=language)),
        "vat": money(totals.vat),
        "gross": money(totals.gross),
        "is_draft": document.status == DocumentStatus.DRAFT,
        "author": document.created_by,
        "revision_note": labels["revision_of"].format(number=document.revision_of.number)
        if document.revision_of
        else "",
    }


def render_html(document: Document) -> str:
    with translation.override(document.language):
        return render_to_string("documents/document_pdf.html", document_context(document))


def render_document(document: Document) -> bytes:
    """The document as PDF bytes (A4, letterhead, lines, totals, page numbers)."""
    return render_pdf(render_html(document))


def render_seconds() -> float:
    return float(settings.DOCUMENT_PDF_SECONDS)


def render_pdf(html: str) -> bytes:
    """HTML → PDF bytes within the time budget; RenderTooSlow when it runs over.

    WeasyPrint is pure Python and cannot be interrupted, so it runs in a forked
    child that is killed at the deadline: fork shares the already imported
    WeasyPrint and fonts (no start-up cost), and the child touches no database
    connection and leaves with os._exit, so the parent's connection is unharmed.
    When the background job queue arrives, rendering moves there.
    """
    base_url = Path(settings.STATICFILES_DIRS[0]).resolve().as_uri() + "/"
    seconds = render_seconds()
    read_fd, write_fd = os.pipe()
    with warnings.catch_warnings():
        # Python warns that a child of a process with threads (a threaded dev server, the
        # test suite) may deadlock on a lock another thread held. The child only runs
        # WeasyPrint, and the deadline kills it should that ever happen.
        warnings.filterwarnings("ignore", "This process .* is multi-threaded", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child; its result is checked through the parent
        status = 1
        try:
            os.close(read_fd)
            content = HTML(string=html, base_url=base_url, url_fetcher=LocalURLFetcher()).write_pdf()
            with os.fdopen(write_fd, "wb") as pipe:
                pipe.write(content)
            status = 0
        except BaseException:
            logger.exception("PDF: rendering failed")
        finally:
            os._exit(status)
    os.close(write_fd)
    try:
        content = _read_until(read_fd, deadline=time.monotonic() + seconds)
    except RenderTooSlow:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        logger.warning("PDF: rendering stopped after %s s", seconds)
        raise RenderTooSlow(seconds) from None
    finally:
        os.close(read_fd)
    _pid, status = os.waitpid(pid, 0)
    if status != 0 or not content.startswith(b"%PDF-"):
        raise RenderFailed("The PDF could not be rendered.")
    return content


def _read_until(fd: int, *, deadline: float) -> bytes:
    chunks = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise RenderTooSlow(0)
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            continue
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def filename(document: Document) -> str:
    """2026-0001_BION-1_Offer.pdf"""
    with translation.override("en"):
        kind = str(document.get_doc_type_display()).replace(" ", "-")
    return f"{document.number or 'Draft'}_{document.opportunity.short_name}_{kind}.pdf"
