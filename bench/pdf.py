"""PDF benchmark: `.venv/bin/python bench/pdf.py` (not part of `make test`).

In one warm process, on a throwaway database (test_crm_bench_pdf):
1. renders a 30-line, two-page German offer with letterhead and logo
   BENCH_REPEAT times (after one warm-up render) and prints median and p95;
2. marks it sent (the PDF is stored once) and downloads the stored PDF
   through Django's test client BENCH_DOWNLOADS times, printing median and p95;
3. renders the largest document the field limits allow (documents.models: 100 lines
   of 1,000 characters, a 5,000-character introduction and closing text) a few
   times: it must stay well inside the render budget (documents.pdf).

Targets (issue 7): render median ≤ 500 ms, p95 ≤ 800 ms; stored download p95 ≤ 20 ms.
Results go to stdout and bench/results/pdf.md.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "crm.settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789abcdef",
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
        "TEST_DATABASE_NAME": os.environ.get("BENCH_PDF_DATABASE", "test_crm_bench_pdf"),
        "MEDIA_ROOT": tempfile.mkdtemp(prefix="crm-bench-media-"),
    }
)
REPEAT = int(os.environ.get("BENCH_REPEAT", "30"))
DOWNLOADS = int(os.environ.get("BENCH_DOWNLOADS", "200"))
LARGEST_REPEAT = int(os.environ.get("BENCH_LARGEST_REPEAT", "3"))


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def timed(function, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), percentile(times, 0.95)


def build_offer():
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from documents.models import Letterhead
    from tests import factories

    logo = io.BytesIO()
    Image.new("RGB", (600, 200), (79, 70, 229)).save(logo, format="PNG")
    letterhead = Letterhead(
        pk=1,
        company_name="Nordlicht Software GmbH",
        address="Torstraße 110\n10119 Berlin",
        vat_id="DE298765432",
        bank_details="Berliner Bank\nIBAN DE89 3704 0044 0532 0130 00\nBIC COBADEFFXXX",
        footer_text="Es gelten unsere Allgemeinen Geschäftsbedingungen.",
    )
    letterhead.logo.save("logo.png", SimpleUploadedFile("logo.png", logo.getvalue()), save=False)
    letterhead.save()
    owner = factories.make_user(username="bench-sales", role="Managers", display_name="Sandra Sales")
    organization = factories.make_organization(
        name="Bionext GmbH", code="BION", street="Invalidenstraße 42", postal_code="10115", city="Berlin"
    )
    member = factories.make_member(organization=organization, first_name="Lena", last_name="Hoffmann")
    opportunity = factories.make_opportunity(
        organization=organization, owner=owner, name="CRM-Einführung", primary_contact=member
    )
    items = [
        ("Anforderungsanalyse mit Vertrieb und Innendienst", "Tage", "1200.00"),
        ("Konfiguration der Vertriebsphasen und Status", "Std.", "135.00"),
        ("Datenübernahme der Organisationen und Ansprechpartner, inkl. Dublettenprüfung", "Std.", "135.00"),
        ("Schulung Key-User (halbtags, bis 8 Personen)", "Tage", "850.00"),
        ("Lizenz Sales CRM Team, 12 Monate", "Nutzer", "348.00"),
        ("Projektmanagement und Abstimmungstermine", "Std.", "120.00"),
    ]
    lines = [
        {
            "description": items[i % 6][0],
            "quantity": Decimal(i % 4 + 1),
            "unit": items[i % 6][1],
            "unit_price": Decimal(items[i % 6][2]),
            "discount": Decimal(10) if i % 7 == 3 else Decimal(0),
        }
        for i in range(30)
    ]
    document = factories.make_document(
        opportunity=opportunity,
        title="Einführung Sales CRM für den Vertrieb",
        intro="Sehr geehrte Frau Hoffmann,\nvielen Dank für das Gespräch. Gerne bieten wir Ihnen an:",
        terms="Zahlbar innerhalb von 14 Tagen ohne Abzug.",
        lines=lines,
    )
    return owner, document


def build_largest(owner, opportunity):
    from documents import services
    from documents.models import INTRO_MAX_CHARS, LINE_DESCRIPTION_MAX_CHARS, MAX_LINES, TERMS_MAX_CHARS

    words = "Konfiguration der Vertriebsphasen und Status, Schulung und Abstimmung. "

    def text(length):
        return (words * (length // len(words) + 1))[:length]

    line = {
        "description": text(LINE_DESCRIPTION_MAX_CHARS),
        "quantity": Decimal("2.5"),
        "unit": "Std.",
        "unit_price": Decimal("135.00"),
    }
    return services.document_create(
        opportunity=opportunity,
        user=owner,
        data={"title": "Largest", "intro": text(INTRO_MAX_CHARS), "terms": text(TERMS_MAX_CHARS)},
        lines=[line] * MAX_LINES,
    )


def pages(content: bytes) -> int:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(content)
        file.flush()
        info = subprocess.run(["pdfinfo", file.name], capture_output=True, text=True, check=True).stdout
    return int(next(line for line in info.splitlines() if line.startswith("Pages:")).split()[1])


def main():
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from documents import pdf, selectors, services

        owner, document = build_offer()

        def render():
            return pdf.render_document(selectors.document_get(key=document.number))

        first = render()  # warm-up: fonts, stylesheets, templates
        render_median, render_p95 = timed(render, REPEAT)

        services.document_approve(document_id=document.pk, user=owner)
        services.document_send(document_id=document.pk, user=owner)
        client = Client()
        client.force_login(owner)
        url = f"/documents/{document.number}/pdf/"

        def download():
            response = client.get(url)
            assert response.status_code == 200
            b"".join(response.streaming_content)

        download()
        download_median, download_p95 = timed(download, DOWNLOADS)

        largest = build_largest(owner, document.opportunity)
        largest_pdf = pdf.render_document(selectors.document_get(key=largest.number))
        largest_median, largest_p95 = timed(
            lambda: pdf.render_document(selectors.document_get(key=largest.number)), LARGEST_REPEAT
        )
        rows = [
            f"PDF benchmark: 30-line offer, {pages(first)} pages, {len(first) // 1024} KiB",
            f"render (warm, {REPEAT}×):            median {render_median:7.1f} ms   p95 {render_p95:7.1f} ms",
            f"stored PDF download ({DOWNLOADS}×):   median {download_median:7.1f} ms   p95 {download_p95:7.1f} ms",
            f"largest allowed document, {pages(largest_pdf)} pages, render ({LARGEST_REPEAT}×): "
            f"median {largest_median:7.1f} ms   p95 {largest_p95:7.1f} ms   (budget {pdf.render_seconds():g} s)",
        ]
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    print("\n".join(rows))
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "pdf.md").write_text("```\n" + "\n".join(rows) + "\n```\n")


if __name__ == "__main__":
    main()
