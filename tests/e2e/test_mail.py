"""Browser test: a rep drops an .eml file on an opportunity's journal and finds the e-mail there."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from journal.models import EntryKind, JournalEntry
from tests import factories
from tests.e2e.helpers import login

pytestmark = pytest.mark.django_db(transaction=True)

MAIL = Path(__file__).parent.parent / "journal" / "mail"


@pytest.fixture
def sandra(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    sandra = factories.make_user(username="sandra", role="Sales", display_name="Sandra Sales")
    organization = factories.make_organization(name="Bionext GmbH", code="BION", city="Berlin")
    factories.make_opportunity(organization=organization, owner=sandra, name="CRM rollout")
    return sandra


def test_drop_an_eml_file_on_the_journal(page, sandra):
    login(page, username="sandra")
    page.goto("/opportunities/BION-1/")
    data = (MAIL / "reply_de.eml").read_text()

    # What a browser does when a file is dropped: a DataTransfer with the file, on the journal.
    page.evaluate(
        """(data) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([data], "reply.eml", {type: "message/rfc822"}));
            const journal = document.querySelector("#journal .journal-entries") || document.querySelector("#journal");
            journal.dispatchEvent(new DragEvent("dragover", {bubbles: true, cancelable: true, dataTransfer: transfer}));
            journal.dispatchEvent(new DragEvent("drop", {bubbles: true, cancelable: true, dataTransfer: transfer}));
        }""",
        data,
    )

    expect(page.get_by_text("1 e-mail logged.")).to_be_visible()
    entry = page.locator(".journal-entry").first
    expect(entry).to_contain_text("Lena Hoffmann wrote on")
    expect(entry).to_contain_text("AW: Angebot für die CRM-Einführung")
    expect(entry).to_contain_text("danke, das Angebot passt so.")
    expect(entry.get_by_text("Am 02.12.2026 um 10:15 schrieb")).to_be_hidden()  # folded away
    entry.get_by_text("Show the whole e-mail").click()
    expect(entry.get_by_text("Am 02.12.2026 um 10:15 schrieb", exact=False)).to_be_visible()
    assert JournalEntry.objects.get(kind=EntryKind.EMAIL).author == sandra


def test_choose_eml_files_with_the_button(page, sandra):
    login(page, username="sandra")
    page.goto("/opportunities/BION-1/")

    page.locator("#journal-mail-files").set_input_files(str(MAIL / "offer_en_pdf.eml"))

    expect(page.get_by_text("1 e-mail logged.")).to_be_visible()
    expect(page.locator(".journal-entry").first).to_contain_text("Offer for the CRM roll-out")
    expect(page.get_by_role("link", name="Offer 2026-0001.pdf")).to_be_visible()
