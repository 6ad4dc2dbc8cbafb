import re

import pytest
from playwright.sync_api import expect

from documents.models import Document, DocumentStatus
from tests import factories
from tests.e2e.helpers import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def fill_line(page, position: int, *, description: str, quantity: str, unit: str, price: str, discount: str = ""):
    page.get_by_label(f"Description of line {position}", exact=True).fill(description)
    page.get_by_label(f"Quantity of line {position}", exact=True).fill(quantity)
    page.get_by_label(f"Unit of line {position}", exact=True).fill(unit)
    page.get_by_label(f"Unit price of line {position}", exact=True).fill(price)
    if discount:
        page.get_by_label(f"Discount of line {position}", exact=True).fill(discount)


def test_offer_with_three_lines_is_approved_sent_and_downloaded(page, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    sandra = factories.make_user(username="sandra", role="Sales", display_name="Sandra Sales")
    factories.make_user(username="maria", role="Managers", display_name="Maria Manager")
    organization = factories.make_organization(
        name="Bionext GmbH", code="BION", street="Invalidenstraße 42", postal_code="10115", city="Berlin"
    )
    member = factories.make_member(organization=organization, first_name="Lena", last_name="Hoffmann")
    opportunity = factories.make_opportunity(
        organization=organization, owner=sandra, name="CRM rollout", primary_contact=member
    )

    login(page, username="sandra")
    page.goto(opportunity.get_absolute_url())
    page.locator("#documents").get_by_role("button", name="New document").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Angebot: CRM rollout")
    page.wait_for_load_state()
    page.get_by_label("Title").fill("CRM rollout for sales")

    fill_line(page, 1, description="Requirements workshop", quantity="2", unit="days", price="1.200,00")
    # Amounts in the reader's language (English here), whatever the document's (German).
    expect(page.locator("#document-totals")).to_contain_text("€2,400")

    page.get_by_role("button", name="Add line").click()
    expect(page.get_by_label("Description of line 2", exact=True)).to_be_focused()
    fill_line(page, 2, description="Configuration", quantity="-4", unit="h", price="135")
    # Bad input: the message appears next to the field, the typed value stays, totals keep the last good state.
    expect(page.locator(".line-row").nth(1)).to_contain_text("The quantity cannot be negative.")
    expect(page.get_by_label("Quantity of line 2", exact=True)).to_have_value("-4")
    page.get_by_label("Quantity of line 2", exact=True).fill("4")
    expect(page.locator(".line-row").nth(1)).not_to_contain_text("The quantity cannot be negative.")

    page.get_by_role("button", name="Add line").click()
    fill_line(page, 3, description="Licence, 12 months", quantity="5", unit="users", price="348", discount="10")
    # 2400 + 540 + 1566 = 4506.00 net; 856.14 VAT; 5362.14 gross
    totals = page.locator("#document-totals")
    expect(totals).to_contain_text("€4,506")
    expect(totals).to_contain_text("€856.14")
    expect(totals).to_contain_text("€5,362.14")

    # Reorder in place: the licence moves up one.
    page.get_by_role("button", name="Move line 3 up").click()
    expect(page.get_by_label("Description of line 2", exact=True)).to_have_value("Licence, 12 months")
    expect(page.locator("#editor-status")).to_contain_text("Saved")
    screenshot(page, "document-editor", tmp_path)
    expect(page.get_by_text("A manager approves the draft before it can be sent.")).to_be_visible()

    document = Document.objects.get()
    assert [line.description for line in document.lines.all()] == [
        "Requirements workshop",
        "Licence, 12 months",
        "Configuration",
    ]

    # The manager approves and marks it sent.
    page.context.clear_cookies()
    login(page, username="maria")
    page.goto(document.get_absolute_url())
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text(f"{document.number} approved")).to_be_visible()
    page.get_by_role("button", name="Mark as sent").click()
    expect(page.get_by_text(f"{document.number} marked as sent")).to_be_visible()
    expect(page.locator(".page-title .badge")).to_have_text("Sent")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename == f"{document.number}_BION-1_Offer.pdf"
    document.refresh_from_db()
    assert document.status == DocumentStatus.SENT
    assert download.path().read_bytes() == document.pdf.read()

    # The opportunity page lists it with its amounts.
    page.goto(opportunity.get_absolute_url())
    section = page.locator("#documents")
    expect(section).to_contain_text("CRM rollout for sales")
    expect(section).to_contain_text("€5,362.14")
    expect(section.locator(".doc-status")).to_have_text("Sent")
    expect(page).to_have_url(re.compile(r"/opportunities/BION-1/$"))
    section.scroll_into_view_if_needed()
    screenshot(page, "opportunity-documents", tmp_path)


def test_a_new_document_left_untouched_takes_no_number_and_can_be_discarded(page, tmp_path):
    sandra = factories.make_user(username="sandra", role="Sales", display_name="Sandra Sales")
    opportunity = factories.make_opportunity(owner=sandra, name="CRM rollout")
    login(page, username="sandra")
    page.goto(opportunity.get_absolute_url())
    page.locator("#documents").get_by_role("button", name="New document").click()
    expect(page.locator("#document-number")).to_have_text("Draft (no number yet)")
    page.wait_for_load_state()

    # Leaving it: no number is used up, and the opportunity lists it as an unnumbered draft.
    page.goto(opportunity.get_absolute_url())
    section = page.locator("#documents")
    expect(section.locator(".doc-item")).to_contain_text("Draft (no number yet)")
    assert Document.objects.get().number is None
    screenshot(page, "opportunity-documents-unnumbered", tmp_path)
    section.get_by_role("button", name="Discard draft").click()
    expect(page.get_by_text("Empty draft discarded.")).to_be_visible()
    expect(page.locator("#documents")).to_contain_text("No documents yet")
    assert not Document.objects.exists()

    # Writing into a new one numbers it as soon as it is saved: the header and the address show the number.
    page.locator("#documents").get_by_role("button", name="New document").click()
    page.wait_for_load_state()
    page.get_by_label("Description of line 1", exact=True).fill("Requirements workshop")
    expect(page.locator("#document-number .badge")).to_have_text(re.compile(r"^\d{4}-0001$"))
    document = Document.objects.get()
    expect(page).to_have_url(re.compile(rf"/documents/{document.number}/$"))
    expect(page.get_by_role("button", name="Discard draft")).to_have_count(0)
    # Further typing still saves (the form keeps posting to the draft's first address).
    page.get_by_label("Quantity of line 1", exact=True).fill("3")
    page.get_by_label("Unit price of line 1", exact=True).fill("100")
    expect(page.locator("#document-totals")).to_contain_text("€300")
    line = document.lines.get()
    assert (line.quantity, line.unit_price) == (3, 100)
