"""Screenshots of the main organization pages with realistic data.

Runs with the suite (it is also a smoke test: no CSP or script errors on these
pages). To refresh the pictures in the docs:

    SCREENSHOT_DIR=docs/screenshots DEBUG=1 .venv/bin/pytest tests/e2e/test_screenshots.py
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests import factories
from tests.e2e.helpers import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

ORGANIZATIONS = [
    # name, code, street, postal code, city, country, website
    (
        "Bionic Systems GmbH",
        "BION",
        "Invalidenstraße 117",
        "10115",
        "Berlin",
        "Germany",
        "https://www.bionic-systems.de",
    ),
    (
        "Nordlicht Logistik AG",
        "NORD",
        "Am Sandtorkai 50",
        "20457",
        "Hamburg",
        "Germany",
        "https://nordlicht-logistik.de",
    ),
    ("Alpenblick Hotels GmbH", "ALPE", "Maximilianstraße 12", "80539", "München", "Germany", "https://alpenblick.de"),
    ("Rheinwerk Maschinenbau GmbH", "RHEI", "Deutz-Mülheimer Str. 30", "50679", "Köln", "Germany", ""),
    (
        "Havel Medical GmbH",
        "HAVE",
        "Friedrich-Ebert-Str. 88",
        "14467",
        "Potsdam",
        "Germany",
        "https://havel-medical.de",
    ),
    (
        "Schwarzwald Solar eG",
        "SCHW",
        "Bertoldstraße 45",
        "79098",
        "Freiburg",
        "Germany",
        "https://schwarzwald-solar.de",
    ),
    ("Elbtal Brauerei KG", "ELBT", "Königsbrücker Str. 7", "01099", "Dresden", "Germany", ""),
    ("Donau Software AG", "DONA", "Maximilianstraße 28", "93047", "Regensburg", "Germany", "https://donau-software.de"),
    ("Vienna Data Partners GmbH", "VDP", "Kärntner Ring 5", "1010", "Wien", "Austria", "https://viennadata.at"),
    (
        "Zürcher Präzision AG",
        "ZUPR",
        "Bahnhofstrasse 40",
        "8001",
        "Zürich",
        "Switzerland",
        "https://zuercher-praezision.ch",
    ),
    ("Taunus Pharma GmbH", "TAUN", "Louisenstraße 60", "61348", "Bad Homburg", "Germany", "https://taunus-pharma.de"),
    ("Ostsee Ferien GmbH", "OSTS", "", "", "", "", ""),
]

BIONIC_MEMBERS = [
    {
        "academic_title": "Dr.",
        "first_name": "Anna",
        "last_name": "Becker",
        "job_title": "Chief Information Officer",
        "department": "IT",
        "email": "anna.becker@bionic-systems.de",
        "phone": "+49 30 2094 1120",
        "influence_level": "top",
        "attitude": "positive",
        "personality": "conscientious",
        "notes": "Wants references from two other mid-sized customers before the board meeting.",
    },
    {
        "first_name": "Jonas",
        "last_name": "Hoffmann",
        "job_title": "Head of Sales Operations",
        "department": "Sales",
        "email": "j.hoffmann@bionic-systems.de",
        "phone": "+49 30 2094 1187",
        "influence_level": "high",
        "attitude": "enthusiastic",
        "personality": "initiative",
    },
    {
        "first_name": "Petra",
        "last_name": "Schulz",
        "job_title": "Purchasing Manager",
        "department": "Procurement",
        "email": "petra.schulz@bionic-systems.de",
        "street": "Lindenstraße 3",
        "postal_code": "10969",
        "city": "Berlin",
        "influence_level": "medium",
        "attitude": "skeptical",
        "personality": "stable",
    },
    {
        "first_name": "Tobias",
        "last_name": "Wagner",
        "job_title": "IT Administrator",
        "department": "IT",
        "phone": "+49 30 2094 1130",
        "influence_level": "low",
        "attitude": "neutral",
        "personality": "dominant",
    },
]


def make_realistic_data():
    sandra = factories.make_user(username="sandra", role="Sales", display_name="Sandra Klein")
    max_ = factories.make_user(username="max", role="Sales", display_name="Max Müller")
    julia = factories.make_user(username="julia", role="Managers", display_name="Julia Weber")
    owners = [sandra, max_, julia]
    organizations = []
    for index, (name, code, street, postal_code, city, country, website) in enumerate(ORGANIZATIONS):
        domain = website.removeprefix("https://").removeprefix("www.") if website else ""
        organization = factories.make_organization(
            name=name,
            code=code,
            street=street,
            postal_code=postal_code,
            city=city,
            country=country,
            website=website,
            email=f"info@{domain}" if domain else "",
            phone=f"+49 {30 + index} {4410 + index * 7} 0" if city else "",
        )
        organizations.append(organization)
        for number in range(index % 4):
            factories.make_member(
                organization=organization, first_name=["Lena", "Paul", "Sophie"][number], last_name=f"Contact{number}"
            )
        for number in range((index * 3) % 5):
            factories.make_opportunity(
                organization=organization,
                owner=owners[(index + number) % 3],
                name=["Rollout", "Support contract", "Training", "Integration"][number % 4],
                value=Decimal(5000 + 2500 * ((index + number) % 7)),
                phase=factories.phase(["Research", "Contact made", "Won", "Reminder"][number % 4]),
            )
    bionic = organizations[0]
    bionic.notes = (
        "Mid-sized medical device maker, 420 employees.\n"
        "Replacing spreadsheets and an old Access database; budget approved for Q3."
    )
    bionic.save()
    for data in BIONIC_MEMBERS:
        factories.make_member(organization=bionic, **data)
    today = timezone.localdate()
    for name, phase, status, owner, value, close_in_days in [
        ("CRM rollout for sales and service", "Contact made", "Sales", sandra, "48000", 45),
        ("Data migration from Access", "Research", "Sales", max_, "8500", 80),
        ("Support and maintenance contract", "Implementation", "Implementation", julia, "12000", 14),
        ("Onboarding workshop", "Won", "Finished", sandra, "3200", -30),
        ("Mobile app pilot", "Lost", "Lost", max_, "15000", -60),
    ]:
        factories.make_opportunity(
            organization=bionic,
            owner=owner,
            name=name,
            value=Decimal(value),
            phase=factories.phase(phase),
            status=factories.status(status),
            expected_close_date=today + timedelta(days=close_in_days),
        )
    return bionic


def test_screenshots_of_login_organization_list_and_detail(page, tmp_path):
    bionic = make_realistic_data()

    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", name="Welcome back")).to_be_visible()
    shots = [screenshot(page, "login", tmp_path)]

    login(page, username="sandra")
    page.goto("/organizations/")
    expect(page.locator("#organization-table tbody tr")).to_have_count(len(ORGANIZATIONS))
    shots.append(screenshot(page, "organizations-list", tmp_path))

    page.goto(bionic.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("Bionic Systems GmbH")
    shots.append(screenshot(page, "organization-detail", tmp_path))

    page.get_by_role("link", name="Add member").click()
    expect(page.locator("#member-form-new")).to_be_visible()
    page.locator("#member-form-new").get_by_role("button", name="Add member").click()
    expect(page.locator("#new-member-last_name_error")).to_be_visible()
    page.locator("#members").scroll_into_view_if_needed()
    shots.append(screenshot(page, "member-form-inline", tmp_path))

    for path in shots:
        assert path.stat().st_size > 10_000, path
