import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from documents.models import Letterhead
from tests import factories

SERVICES = [
    ("Anforderungsanalyse mit Vertrieb und Innendienst", "Tage", "1200.00"),
    ("Konfiguration der Vertriebsphasen und Status", "Std.", "135.00"),
    ("Datenübernahme der Organisationen und Ansprechpartner, inkl. Dublettenprüfung", "Std.", "135.00"),
    ("Schulung Key-User (halbtags, bis 8 Personen)", "Tage", "850.00"),
    ("Lizenz Sales CRM Team, 12 Monate", "Nutzer", "348.00"),
    ("Projektmanagement und Abstimmungstermine", "Std.", "120.00"),
]


def png_bytes(size=(240, 80), color=(79, 70, 229)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def letterhead(db, media_root):
    Letterhead.objects.filter(pk=1).delete()  # the migration's empty row
    letterhead = Letterhead(
        pk=1,
        company_name="Nordlicht Software GmbH",
        address="Torstraße 110\n10119 Berlin\nDeutschland",
        email="vertrieb@nordlicht.example",
        phone="+49 30 1234567-0",
        website="www.nordlicht.example",
        vat_id="DE298765432",
        register="Amtsgericht Charlottenburg HRB 123456 B",
        managing_directors="Geschäftsführung: Jana Berg, Tim Ochs",
        bank_details="Berliner Bank\nIBAN DE89 3704 0044 0532 0130 00\nBIC COBADEFFXXX",
        footer_text="Es gelten unsere Allgemeinen Geschäftsbedingungen.",
    )
    letterhead.logo.save("logo.png", SimpleUploadedFile("logo.png", png_bytes()), save=False)
    letterhead.save()
    return letterhead


@pytest.fixture
def offer(db, sales_user, letterhead):
    """A 30-line German offer to a contact person at a Berlin company: two pages."""
    organization = factories.make_organization(
        name="Bionext GmbH",
        code="BION",
        street="Invalidenstraße 42",
        postal_code="10115",
        city="Berlin",
        country="Deutschland",
    )
    member = factories.make_member(
        organization=organization,
        academic_title="Dr.",
        first_name="Lena",
        last_name="Hoffmann",
        department="Einkauf",
    )
    opportunity = factories.make_opportunity(
        organization=organization, owner=sales_user, name="CRM-Einführung", primary_contact=member
    )
    lines = [
        {
            "description": SERVICES[index % len(SERVICES)][0],
            "quantity": Decimal(index % 4 + 1) + Decimal("0.5") * (index % 2),
            "unit": SERVICES[index % len(SERVICES)][1],
            "unit_price": Decimal(SERVICES[index % len(SERVICES)][2]),
            "discount": Decimal("10") if index % 7 == 3 else Decimal(0),
        }
        for index in range(30)
    ]
    return factories.make_document(
        opportunity=opportunity,
        title="Einführung Sales CRM für den Vertrieb",
        intro="Sehr geehrte Frau Dr. Hoffmann,\nvielen Dank für das angenehme Gespräch. Gerne bieten wir Ihnen an:",
        terms="Zahlbar innerhalb von 14 Tagen ohne Abzug. Reisekosten werden nach Aufwand abgerechnet.",
        lines=lines,
    )
