import re
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from documents import pdf, selectors, services
from documents.models import Document, DocumentStatus
from documents.pdf import LocalURLFetcher, URLRefused


def pdf_text(content: bytes, tmp_path: Path, *pages: int) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(content)
    args = ["pdftotext", "-layout"]
    if pages:
        args += ["-f", str(pages[0]), "-l", str(pages[-1])]
    # poppler-utils (Makefile SYSTEM_PACKAGES); fixed arguments.
    return subprocess.run([*args, str(path), "-"], check=True, capture_output=True, text=True).stdout  # noqa: S603


def pdf_pages(content: bytes, tmp_path: Path) -> int:
    path = tmp_path / "info.pdf"
    path.write_bytes(content)
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout  # noqa: S603, S607
    return int(next(line for line in info.splitlines() if line.startswith("Pages:")).split()[1])


def test_offer_pdf_shows_number_recipient_and_totals(offer, tmp_path):
    document = selectors.document_get(key=offer.number)
    content = pdf.render_document(document)
    text = pdf_text(content, tmp_path)
    assert offer.number in text
    for line in ["Bionext GmbH", "Einkauf", "Dr. Lena Hoffmann", "Invalidenstraße 42", "10115 Berlin"]:
        assert line in text
    assert "DEUTSCHLAND" not in text  # the home country is left out of the address
    assert "Nordlicht Software GmbH · Torstraße 110 · 10119 Berlin" in text
    totals = document.totals
    assert f"{totals.net:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".") + " €" in text
    assert "Nettobetrag" in text and "zzgl. 19 % USt." in text and "Gesamtbetrag" in text
    gross = f"{totals.gross:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    assert gross + " €" in text
    assert "IBAN DE89 3704 0044 0532 0130 00" in text and "USt-IdNr. DE298765432" in text


def test_thirty_lines_make_two_pages_with_the_table_header_and_page_numbers_on_each(offer, tmp_path):
    document = selectors.document_get(key=offer.number)
    content = pdf.render_document(document)
    assert pdf_pages(content, tmp_path) == 2
    first, second = pdf_text(content, tmp_path, 1), pdf_text(content, tmp_path, 2)
    assert "Seite 1 von 2" in first and "Seite 2 von 2" in second
    assert "BESCHREIBUNG" in first and "BESCHREIBUNG" in second
    assert 'class="watermark"' in pdf.render_html(document)  # a draft says so (fixed: on every page)
    assert "IBAN" in first and "IBAN" in second  # the footer repeats


def test_english_document_uses_english_words_and_number_format(offer, tmp_path, sales_user):
    from documents import services

    services.document_update(document_id=offer.pk, user=sales_user, data={"language": "en"})
    document = selectors.document_get(key=offer.number)
    text = pdf_text(pdf.render_document(document), tmp_path)
    assert "Net total" in text and "VAT 19 %" in text and "Page 1 of 2" in text
    assert f"€{document.totals.gross:,.2f}" in text


def test_pdf_filename_names_number_opportunity_and_type(offer):
    assert pdf.filename(offer) == f"{offer.number}_BION-1_Offer.pdf"


@pytest.fixture
def listener():
    """A TCP listener on 127.0.0.1 that records every connection made to it."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    connections = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                conn, address = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            connections.append(address)
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], connections
    stop.set()
    thread.join(timeout=2)
    server.close()


def test_pdf_rendering_never_connects_anywhere(listener):
    port, connections = listener
    base = f"127.0.0.1:{port}"
    html = f"""<!DOCTYPE html><html><head>
    <link rel="stylesheet" href="http://{base}/style.css">
    <style>
      @import url("https://{base}/import.css");
      @font-face {{ font-family: Remote; src: url("http://{base}/font.woff2"); }}
      body {{ font-family: Remote; background: url("http://{base}/background.png"); }}
    </style></head><body>
    <img src="http://{base}/logo.png"><img src="ftp://{base}/logo.png"><img src="//{base}/relative.png">
    <object data="http://{base}/object.svg"></object><iframe src="http://{base}/frame.html"></iframe>
    <p>text</p></body></html>"""
    content = pdf.render_pdf(html)
    assert content.startswith(b"%PDF-")
    assert connections == []


def test_user_text_cannot_smuggle_in_urls(offer, listener, sales_user, tmp_path):
    from documents import services

    port, connections = listener
    services.document_update(
        document_id=offer.pk,
        user=sales_user,
        data={
            "intro": f'<img src="http://127.0.0.1:{port}/x.png"><link rel=stylesheet href="http://127.0.0.1:{port}/">'
        },
    )
    content = pdf.render_document(selectors.document_get(key=offer.number))
    assert connections == []
    assert "<img src=" in pdf_text(content, tmp_path)  # printed as text, not followed


@pytest.mark.parametrize(
    ("url", "refusal"),
    [
        ("http://127.0.0.1:{port}/x.png", "Refused URL (only our static and media files)"),
        ("https://127.0.0.1:{port}/x.css", "Refused URL (only our static and media files)"),
        ("ftp://127.0.0.1:{port}/x", "Refused URL (only our static and media files)"),
        ("gopher://127.0.0.1:{port}/", "Refused URL (only our static and media files)"),
        ("file:///etc/passwd", "Refused file outside static and media"),
        ("file://otherhost/srv/static/css/app.css", "Refused file URL on another host"),
    ],
)
def test_url_fetcher_refuses_everything_but_our_files(url, refusal, listener, caplog):
    # Our own refusal, said and logged by our fetcher: WeasyPrint's base class would also
    # refuse these schemes (with a ValueError of its own), so a fetcher that handed them
    # on would pass a test that only expects some exception.
    port, connections = listener
    url = url.format(port=port)
    with pytest.raises(URLRefused, match=re.escape(refusal)):
        LocalURLFetcher().fetch(url)
    assert [r.getMessage() for r in caplog.records if r.name == "documents.pdf"][0].startswith("PDF: refused to ")
    assert connections == []


def test_a_render_over_its_time_budget_is_stopped_with_a_clear_answer(offer, sales_client, settings):
    # The defect: a 2 MB introduction (written before the limits) rendered for over a
    # minute and gunicorn killed the worker. Now the render stops at the budget.
    Document.objects.filter(pk=offer.pk).update(intro="Lorem ipsum dolor sit amet. " * 75_000)
    settings.DOCUMENT_PDF_SECONDS = 1
    started = time.monotonic()
    response = sales_client.get(reverse("documents:document-pdf", args=[offer.number]))
    assert time.monotonic() - started < 10
    assert response.status_code == 503 and response["Retry-After"] == "60"
    assert "took longer than 1 seconds, so it was stopped" in response.text
    assert response["Content-Type"].startswith("text/html")


def test_sending_over_the_time_budget_changes_nothing(offer, manager, sales_user, settings):
    services.document_approve(document_id=offer.pk, user=manager)
    settings.DOCUMENT_PDF_SECONDS = 0.01
    with pytest.raises(ValidationError, match="took longer than 0.01 seconds to render, so it was not sent"):
        services.document_send(document_id=offer.pk, user=sales_user)
    offer.refresh_from_db()
    assert offer.status == DocumentStatus.APPROVED and not offer.pdf and offer.sent_at is None


def test_rendering_in_a_child_leaves_the_database_connection_usable(offer):
    assert pdf.render_document(selectors.document_get(key=offer.number)).startswith(b"%PDF-")
    assert Document.objects.filter(pk=offer.pk).exists()


def test_url_fetcher_refuses_paths_that_climb_out_of_static(tmp_path):
    static = Path(settings.STATICFILES_DIRS[0]).resolve()
    with pytest.raises(URLRefused):
        LocalURLFetcher().fetch(f"file://{static}/../manage.py")
    link = static / "css" / "_escape_test_link"
    try:
        link.symlink_to("/etc/hostname")
        with pytest.raises(URLRefused):
            LocalURLFetcher().fetch(link.as_uri())
    finally:
        link.unlink(missing_ok=True)


def test_url_fetcher_serves_static_media_and_data(media_root):
    static_css = Path(settings.STATICFILES_DIRS[0]).resolve() / "css" / "app.css"
    response = LocalURLFetcher().fetch(static_css.as_uri())
    assert response.read().startswith(b"/*") and response.content_type == "text/css"
    (media_root / "logo.png").write_bytes(b"\x89PNG fake")
    assert LocalURLFetcher().fetch((media_root / "logo.png").as_uri()).read() == b"\x89PNG fake"
    assert LocalURLFetcher().fetch("data:text/plain;base64,aGk=").read() == b"hi"
