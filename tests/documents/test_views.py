import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from documents import selectors, services
from documents.models import MAX_LINES, Document, DocumentCounter, DocumentLine, DocumentStatus, Letterhead
from documents.totals import document_totals
from tests import factories
from tests.documents.conftest import png_bytes

LINE = {"description": "Workshop", "quantity": Decimal("2"), "unit": "days", "unit_price": Decimal("1200.00")}
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def opportunity(sales_user):
    organization = factories.make_organization(name="Bionext GmbH", code="BION")
    return factories.make_opportunity(organization=organization, owner=sales_user, name="CRM rollout")


@pytest.fixture
def other_sales_client(other_sales_user):
    client = Client()
    client.force_login(other_sales_user)
    return client


@pytest.fixture
def draft(opportunity):
    return factories.make_document(opportunity=opportunity, title="Offer", lines=[LINE])


def editor_data(document, **changes) -> dict:
    """The editor form as the browser posts it, with ``changes`` (line fields as line-<id>-<field>)."""
    data = {
        "title": document.title,
        "doc_type": document.doc_type,
        "language": document.language,
        "currency": document.currency,
        "vat_rate": str(document.vat_rate),
        "valid_until": document.valid_until.isoformat() if document.valid_until else "",
        "recipient": document.recipient_id or "",
        "intro": document.intro,
        "terms": document.terms,
    }
    for line in document.lines.all():
        for name in ["description", "quantity", "unit", "unit_price", "discount"]:
            data[f"line-{line.pk}-{name}"] = str(getattr(line, name))
    data.update(changes)
    return data


def test_new_document_opens_an_unnumbered_draft_and_leaving_it_uses_up_no_number(sales_client, opportunity):
    response = sales_client.post(reverse("documents:document-create"), {"opportunity": opportunity.short_name})
    document = Document.objects.get()
    assert (
        response.status_code == 302
        and response.url == document.get_absolute_url() == f"/documents/draft-{document.pk}/"
    )
    assert document.status == DocumentStatus.DRAFT and document.lines.count() == 1
    assert document.number is None and not DocumentCounter.objects.exists()
    page = sales_client.get(response.url)
    assert "Draft created." in page.text and "Draft (no number yet)" in page.text
    assert 'id="document-editor"' in page.text and "Discard draft" in page.text
    # Left without writing anything: the next document with content gets the first number.
    written = factories.make_document(opportunity=opportunity, lines=[LINE])
    assert written.sequence == 1


def test_the_first_save_with_content_numbers_the_draft(sales_client, opportunity):
    sales_client.post(reverse("documents:document-create"), {"opportunity": opportunity.short_name})
    document = Document.objects.get()
    line = document.lines.get()
    url = document.get_absolute_url()
    # A changed title (it comes filled in) is no content yet.
    response = sales_client.post(url, editor_data(document, title="Rollout"), **HTMX)
    document.refresh_from_db()
    assert response.status_code == 200 and document.title == "Rollout" and document.number is None

    response = sales_client.post(url, editor_data(document, **{f"line-{line.pk}-description": "Workshop"}), **HTMX)
    document.refresh_from_db()
    assert response.status_code == 200 and document.number == f"{document.year}-0001"
    # The page shows the number at once and the address bar moves to it.
    assert response["HX-Replace-Url"] == f"/documents/{document.number}/"
    assert 'id="document-number" hx-swap-oob="true"' in response.text and document.number in response.text
    # The draft's address keeps working: the open form posts to it, a bookmark leads to the number.
    assert sales_client.post(url, editor_data(document, title="Again"), **HTMX).status_code == 200
    assert sales_client.get(url)["Location"] == f"/documents/{document.number}/"


def test_an_untouched_draft_can_be_discarded_and_a_written_one_cannot(sales_client, other_sales_client, opportunity):
    empty = factories.make_document(opportunity=opportunity)
    written = factories.make_document(opportunity=opportunity, lines=[LINE])
    assert other_sales_client.post(reverse("documents:document-discard", args=[empty.key])).status_code == 403
    assert Document.objects.filter(pk=empty.pk).exists()

    response = sales_client.post(reverse("documents:document-discard", args=[written.key]), follow=True)
    assert "keeps its number: only empty drafts can be discarded" in response.text
    assert Document.objects.filter(pk=written.pk, number=written.number).exists()
    assert written.lines.count() == 1

    response = sales_client.post(reverse("documents:document-discard", args=[empty.key]))
    assert response.status_code == 302 and response.url == opportunity.get_absolute_url()
    assert not Document.objects.filter(pk=empty.pk).exists()


@pytest.mark.parametrize(
    ("language", "amounts"),
    [
        ("en", ["€3,086.40", "€586.42", "€3,672.82"]),
        ("de", ["3.086,40\u00a0€", "586,42\u00a0€", "3.672,82\u00a0€"]),
    ],
)
def test_autosave_stores_the_input_and_answers_with_totals_in_the_readers_language(
    sales_client, draft, language, amounts
):
    line = draft.lines.get()
    data = editor_data(draft, **{f"line-{line.pk}-quantity": "2,5", f"line-{line.pk}-unit_price": "1.234,56"})
    response = sales_client.post(draft.get_absolute_url(), data, HTTP_ACCEPT_LANGUAGE=language, **HTMX)
    assert response.status_code == 200
    line.refresh_from_db()
    assert line.quantity == Decimal("2.5") and line.unit_price == Decimal("1234.56")
    # 2.5 × 1234.56 = 3086.40; VAT 19 % = 586.42; gross 3672.82 — swapped in out of band,
    # by the one money rule (crm.formats.money) in the reader's language, whatever the document's.
    assert 'id="document-totals"' in response.text and 'hx-swap-oob="true"' in response.text
    for amount in amounts:
        assert amount in response.text
    assert f'id="line-{line.pk}-net"' in response.text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("quantity", "-1", "The quantity cannot be negative."),
        ("unit_price", "-0,01", "The unit price cannot be negative."),
        ("discount", "101", "The discount is at most 100 %."),
        ("discount", "-5", "The discount cannot be negative."),
        ("quantity", "zwei", "Enter a number, e.g. 2,5."),
        ("quantity", "NaN", "Enter a number, e.g. 2,5."),
    ],
)
def test_bad_line_input_is_explained_next_to_the_field_and_nothing_is_saved(sales_client, draft, field, value, message):
    line = draft.lines.get()
    data = editor_data(draft, title="New title", **{f"line-{line.pk}-{field}": value})
    response = sales_client.post(draft.get_absolute_url(), data, **HTMX)
    assert response.status_code == 400
    assert f'id="id_line-{line.pk}-{field}-errors"' in response.text and message in response.text
    draft.refresh_from_db()
    line.refresh_from_db()
    assert draft.title == "Offer" and line.quantity == 2 and line.discount == 0

    # Without JavaScript: the page comes back with the message and what was typed.
    page = sales_client.post(draft.get_absolute_url(), data)
    assert page.status_code == 400 and message in page.text
    assert f'value="{value}"' in page.text and 'value="New title"' in page.text


def test_negative_vat_rate_is_refused(sales_client, draft):
    line = draft.lines.get()
    data = editor_data(draft, vat_rate="-7", title="Changed", **{f"line-{line.pk}-quantity": "9"})
    response = sales_client.post(draft.get_absolute_url(), data, **HTMX)
    assert response.status_code == 400 and "The VAT rate cannot be negative." in response.text
    draft.refresh_from_db()
    line.refresh_from_db()
    assert (draft.vat_rate, draft.title, line.quantity) == (Decimal("19.00"), "Offer", Decimal("2"))


@pytest.mark.parametrize(
    ("field", "limit", "message"),
    [
        ("intro", 5_000, "At most 5,000 characters: this has 5,001. Shorten it by 1."),
        ("terms", 5_000, "At most 5,000 characters: this has 5,001. Shorten it by 1."),
        ("description", 1_000, "At most 1,000 characters: this has 1,001. Shorten it by 1."),
    ],
)
def test_overlong_texts_are_refused_next_to_the_field_and_kept_in_it(sales_client, draft, field, limit, message):
    line = draft.lines.get()
    name = f"line-{line.pk}-description" if field == "description" else field
    text = "x" * (limit + 1)
    response = sales_client.post(draft.get_absolute_url(), editor_data(draft, **{name: text}), **HTMX)
    assert response.status_code == 400
    assert f'id="id_{name}-errors"' in response.text and message in response.text
    draft.refresh_from_db()
    line.refresh_from_db()
    assert (draft.intro, draft.terms, line.description) == ("", "", "Workshop")
    # Without JavaScript the page comes back with the text as typed, none of it cut off.
    page = sales_client.post(draft.get_absolute_url(), editor_data(draft, **{name: text}))
    assert page.status_code == 400 and message in page.text and text in page.text
    assert not re.search(r"<textarea[^>]*maxlength", page.text)
    # Exactly at the limit is fine.
    response = sales_client.post(draft.get_absolute_url(), editor_data(draft, **{name: text[:-1]}), **HTMX)
    assert response.status_code == 200


def test_a_document_has_at_most_100_lines_and_all_of_them_can_be_saved(sales_client, draft):
    DocumentLine.objects.bulk_create(
        DocumentLine(document=draft, position=position, description="Hour") for position in range(2, MAX_LINES + 1)
    )
    response = sales_client.post(draft.get_absolute_url(), editor_data(draft, action="add"), **HTMX)
    assert response.status_code == 400
    assert "A document has at most 100 lines. Split it into two, or group lines." in response.text
    assert draft.lines.count() == MAX_LINES
    # The whole editor of a full document still fits in one request (DATA_UPLOAD_MAX_NUMBER_FIELDS).
    assert sales_client.post(draft.get_absolute_url(), editor_data(draft, title="Full"), **HTMX).status_code == 200


def test_lines_are_added_moved_and_removed_in_place(sales_client, draft):
    url = draft.get_absolute_url()
    response = sales_client.post(url, editor_data(draft, action="add"), **HTMX)
    assert response.status_code == 200 and response.text.lstrip().startswith('<div id="document-lines"')
    first, second = draft.lines.all()
    assert response.text.count('class="line-row"') == 2 and "autofocus" in response.text

    data = editor_data(draft, **{f"line-{second.pk}-description": "Licence"}, action=f"up:{second.pk}")
    response = sales_client.post(url, data, **HTMX)
    assert [line.description for line in draft.lines.all()] == ["Licence", "Workshop"]
    assert response.text.index(f'id="line-{second.pk}"') < response.text.index(f'id="line-{first.pk}"')

    response = sales_client.post(url, editor_data(draft, action=f"remove:{first.pk}"), **HTMX)
    assert [line.description for line in draft.lines.all()] == ["Licence"]
    assert f'id="line-{first.pk}"' not in response.text


def test_line_actions_work_without_javascript(sales_client, draft):
    response = sales_client.post(draft.get_absolute_url(), editor_data(draft, action="add"))
    assert response.status_code == 302 and response.url.endswith("#lines")
    assert draft.lines.count() == 2


def test_editing_a_sent_document_is_refused(sales_client, draft, manager, media_root):
    services.document_approve(document_id=draft.pk, user=manager)
    services.document_send(document_id=draft.pk, user=draft.created_by)
    response = sales_client.post(draft.get_absolute_url(), editor_data(draft, title="Sneaky"), **HTMX)
    assert response.status_code == 409 and "only drafts can be edited" in response.text
    page = sales_client.post(draft.get_absolute_url(), editor_data(draft, title="Sneaky"))
    assert page.status_code == 409 and "only drafts can be edited" in page.text
    draft.refresh_from_db()
    assert draft.title == "Offer"
    # The page shows the record, not the editor.
    assert 'id="document-editor"' not in sales_client.get(draft.get_absolute_url()).text


def test_approving_needs_a_manager(sales_client, manager_client, draft):
    url = reverse("documents:document-approve", args=[draft.number])
    assert sales_client.post(url).status_code == 403
    assert "A manager approves the draft" in sales_client.get(draft.get_absolute_url()).text
    response = manager_client.post(url, follow=True)
    assert f"{draft.number} approved" in response.text
    draft.refresh_from_db()
    assert draft.status == DocumentStatus.APPROVED


def test_approving_an_empty_document_explains_why_not(manager_client, opportunity, manager):
    document = factories.make_document(opportunity=opportunity, user=manager)
    response = manager_client.post(reverse("documents:document-approve", args=[document.key]), follow=True)
    assert "Add at least one line item before approving." in response.text
    document.refresh_from_db()
    assert document.status == DocumentStatus.DRAFT


def test_sent_pdf_downloads_are_the_stored_bytes(sales_client, manager_client, draft, letterhead):
    manager_client.post(reverse("documents:document-approve", args=[draft.number]))
    sales_client.post(reverse("documents:document-send", args=[draft.number]))
    draft.refresh_from_db()
    stored = draft.pdf.read()
    assert draft.status == DocumentStatus.SENT and stored.startswith(b"%PDF-")
    # Whatever changes afterwards, the download is what was sent.
    Letterhead.objects.update(company_name="Renamed AG")
    Document.objects.filter(pk=draft.pk).update(title="Changed in the database")
    response = sales_client.get(reverse("documents:document-pdf", args=[draft.number]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == stored
    assert response["Content-Disposition"] == f'attachment; filename="{draft.number}_BION-1_Offer.pdf"'


def test_draft_pdf_is_rendered_on_request(sales_client, draft, letterhead):
    response = sales_client.get(reverse("documents:document-pdf", args=[draft.number]) + "?preview=1")
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert response["Content-Disposition"].startswith("inline;")


def test_pdf_download_checks_the_same_permission_as_the_page(client, sales_client, draft):
    url = reverse("documents:document-pdf", args=[draft.number])
    assert Client().get(url).status_code == 302  # anonymous: to the login page
    outsider = Client()
    outsider.force_login(factories.make_user(role=None))
    assert outsider.get(url).status_code == 403
    assert outsider.get(draft.get_absolute_url()).status_code == 403
    assert sales_client.get(reverse("documents:document-pdf", args=["2026-9999"])).status_code == 404


def test_accepting_can_mark_the_opportunity_won(sales_client, manager, draft, media_root):
    services.document_approve(document_id=draft.pk, user=manager)
    services.document_send(document_id=draft.pk, user=draft.created_by)
    page = sales_client.get(draft.get_absolute_url())
    assert "On acceptance, mark BION-1 as won" in page.text
    response = sales_client.post(
        reverse("documents:document-decide", args=[draft.number]), {"accepted": "1", "mark_won": "1"}, follow=True
    )
    assert "accepted and BION-1 marked as won" in response.text
    draft.opportunity.refresh_from_db()
    assert draft.opportunity.is_won


def test_rejecting_leaves_the_opportunity_open(sales_client, manager, draft, media_root):
    services.document_approve(document_id=draft.pk, user=manager)
    services.document_send(document_id=draft.pk, user=draft.created_by)
    sales_client.post(reverse("documents:document-decide", args=[draft.number]), {"accepted": "0", "mark_won": "1"})
    draft.refresh_from_db()
    draft.opportunity.refresh_from_db()
    assert draft.status == DocumentStatus.REJECTED and not draft.opportunity.is_won


def test_new_revision_opens_a_fresh_draft(sales_client, manager, draft, media_root):
    services.document_approve(document_id=draft.pk, user=manager)
    response = sales_client.post(reverse("documents:document-revise", args=[draft.number]), follow=True)
    revision = Document.objects.get(revision_of=draft)
    assert response.redirect_chain[-1][0] == revision.get_absolute_url()
    assert f"Revision {revision.number} created" in response.text


def test_documents_section_shows_each_document_in_constant_queries(
    rf, django_assert_num_queries, opportunity, sales_user, manager
):
    for index in range(3):
        factories.make_document(
            opportunity=opportunity, title=f"Offer {index}", lines=[LINE, {**LINE, "discount": Decimal("10")}]
        )
    services.document_approve(document_id=Document.objects.first().pk, user=manager)
    request = rf.get("/")
    request.user = sales_user
    sales_user.has_perm("documents.add_document")  # permissions are cached per request
    factories.make_document(opportunity=opportunity, title="Untouched")
    # 1. documents with their authors and the sum of their lines (for the totals)
    with django_assert_num_queries(1):
        section = selectors.document_section(opportunity=opportunity, user=sales_user)
        html = render_to_string(
            "documents/document_section.html",
            {"opportunity": opportunity, "document_section": section},
            request=request,
        )
    assert html.count('class="doc-item"') == 3
    # 2400 + 2160 net, 866.40 VAT, 5426.40 gross per document (German documents, an English reader).
    assert html.count("€4,560<") == 3 and html.count("€866.40<") == 3 and html.count("€5,426.40<") == 3
    assert "Approved" in html and html.count("Download PDF") == 3 and "Sandra Sales" in html
    assert "New document" in html
    # The draft nobody wrote into: no number, no amounts, a way to discard it.
    assert html.count('class="doc-item is-unnumbered"') == 1 and "Draft (no number yet)" in html
    assert html.count("Discard draft") == 1


def test_documents_section_totals_round_each_line_like_the_editor_and_the_pdf(opportunity):
    halves = [
        {"quantity": Decimal("3"), "unit_price": Decimal("0.35"), "discount": Decimal("50")},  # 0.525
        {"quantity": Decimal("0.001"), "unit_price": Decimal("5.00")},  # 0.005
        {"quantity": Decimal("2.5"), "unit_price": Decimal("0.01")},  # 0.025
        {"quantity": Decimal("1"), "unit_price": Decimal("10.00"), "discount": Decimal("33.33")},  # 6.667
        {"quantity": Decimal("0.333"), "unit_price": Decimal("0.15"), "discount": Decimal("0")},  # 0.04995
        # 31 significant digits: more than Decimal's default precision.
        {"quantity": Decimal("999999999.999"), "unit_price": Decimal("999999999999.99"), "discount": Decimal("0.01")},
    ]
    empty = factories.make_document(opportunity=opportunity, title="Empty")
    document = factories.make_document(opportunity=opportunity, title="Halves", lines=halves)
    Document.objects.filter(pk=document.pk).update(vat_rate=Decimal("7.77"))
    document.refresh_from_db()

    listed = {item.pk: item.totals for item in selectors.document_list(opportunity=opportunity)}

    assert listed[document.pk] == document_totals(lines=document.lines.all(), vat_rate=document.vat_rate)
    assert listed[document.pk] == selectors.document_get(key=document.number).totals
    assert listed[empty.pk].gross == Decimal("0.00") and listed[empty.pk].net.as_tuple().exponent == -2


def test_documents_section_has_an_empty_state(rf, opportunity, other_sales_user):
    request = rf.get("/")
    request.user = other_sales_user
    html = render_to_string(
        "documents/document_section.html",
        {
            "opportunity": opportunity,
            "document_section": selectors.document_section(opportunity=opportunity, user=other_sales_user),
        },
        request=request,
    )
    assert "No documents yet" in html and "New document" not in html


@pytest.fixture
def admin_client(admin_user, media_root):
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.fixture
def letterhead_url(db):
    # The row comes from a migration; a transactional test elsewhere may have flushed it.
    Letterhead.objects.get_or_create(pk=1, defaults={"company_name": ""})
    return reverse("admin:documents_letterhead_change", args=[1])


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "SVG logos are not"),
        ("logo.png", b'<?xml version="1.0"?><svg onload="alert(1)"/>', "SVG logos are not"),
        ("logo.png", b"%PDF-1.7 this is no image", "This file is not an image we can print"),
        ("logo.png", png_bytes()[:40], "This file is not an image we can print"),
    ],
)
def test_letterhead_logo_must_be_a_real_raster_image(admin_client, letterhead_url, name, content, message):
    response = admin_client.post(
        letterhead_url,
        {"company_name": "Nordlicht GmbH", "address": "Torstraße 1", "logo": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 200 and message in response.text
    assert 'value="Nordlicht GmbH"' in response.text  # nothing typed is lost
    assert Letterhead.objects.get().company_name == ""


def test_letterhead_is_edited_as_one_row_in_the_admin(admin_client, letterhead_url):
    response = admin_client.post(
        letterhead_url, {"company_name": "Nordlicht GmbH", "logo": SimpleUploadedFile("logo.png", png_bytes())}
    )
    assert response.status_code == 302
    letterhead = Letterhead.objects.get()
    assert letterhead.company_name == "Nordlicht GmbH" and letterhead.logo.name.startswith("letterhead/")
    # One letterhead: no second one can be added, and it cannot be deleted.
    assert admin_client.get(reverse("admin:documents_letterhead_add")).status_code == 403
    assert admin_client.get(reverse("admin:documents_letterhead_delete", args=[1])).status_code == 403


@pytest.mark.parametrize("line_count", [1, 12])
def test_editor_page_queries_do_not_grow_with_lines(sales_client, opportunity, django_assert_num_queries, line_count):
    document = factories.make_document(opportunity=opportunity, lines=[LINE] * line_count)
    factories.make_member(organization=opportunity.organization)
    # 1. session, 2. user with permissions (crm.auth_backends), 3. the document with
    # opportunity, organization, owner, recipient, author, approver and original, 4. its lines,
    # 5. its revisions, 6. the organization's members for the recipient menu
    with django_assert_num_queries(7):
        response = sales_client.get(document.get_absolute_url())
    assert response.text.count('class="line-row"') == line_count
