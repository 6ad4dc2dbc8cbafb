"""The e-mail pages as a rep uses them: Unassigned mail, downloads, uploads onto a journal, my settings."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from journal import services
from journal.models import BlockedAddress, EmailMessage, EntryKind, JournalEntry, MailForwardAddress
from organizations.models import Member
from tests import factories

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "mail"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def bionext(sales_user):
    organization = factories.make_organization(name="Bionext GmbH", code="BION", website="https://bionext.de")
    first = factories.make_opportunity(organization=organization, owner=sales_user, name="CRM-Einführung")
    second = factories.make_opportunity(organization=organization, owner=sales_user, name="Schulung")
    return organization, first, second


def unknown(name="unknown_sender.eml") -> EmailMessage:
    return services.email_ingest(raw=(FIXTURES / name).read_bytes(), source="command").message


def from_bionext() -> EmailMessage:
    raw = (FIXTURES / "unknown_sender.eml").read_bytes().replace(b"pat@stranger.org", b"pat@bionext.de")
    return services.email_ingest(raw=raw, source="command").message


def test_unassigned_mail_lists_the_mail_with_the_organizations_open_opportunities(sales_client, bionext):
    organization, first, second = bionext
    message = from_bionext()
    assert message.status == "unassigned" and message.organization == organization

    page = sales_client.get(reverse("journal:unassigned-mail")).content.decode()

    assert "Interested in your product" in page
    assert f"Put on {first.short_name} CRM-Einführung" in page
    assert f"Put on {second.short_name} Schulung" in page
    assert "Add sender to Bionext GmbH" in page


def test_a_rep_puts_an_unassigned_mail_on_an_opportunity(sales_client, sales_user, bionext):
    _organization, first, _second = bionext
    message = from_bionext()

    response = sales_client.post(
        reverse("journal:unassigned-mail-assign", args=[message.pk]), {"opportunity": first.short_name.lower()}
    )

    assert response.status_code == 302
    entry = JournalEntry.objects.get(opportunity=first)
    assert (entry.kind, entry.author, entry.email) == (EntryKind.EMAIL, sales_user, message)
    assert "Interested in your product" not in sales_client.get(reverse("journal:unassigned-mail")).content.decode()


def test_an_unknown_short_name_is_refused_next_to_the_field_and_nothing_changes(sales_client, bionext):
    message = from_bionext()

    response = sales_client.post(
        reverse("journal:unassigned-mail-assign", args=[message.pk]), {"opportunity": "NOPE-9"}
    )

    assert response.status_code == 422
    assert "There is no opportunity NOPE-9." in response.content.decode()
    assert 'value="NOPE-9"' in response.content.decode()
    message.refresh_from_db()
    assert (message.status, message.entry) == ("unassigned", None)
    assert not JournalEntry.objects.exists()


def test_a_mail_someone_else_already_handled_is_not_handled_twice(sales_client, sales_user, bionext):
    _organization, first, second = bionext
    message = from_bionext()
    services.email_assign(message=message, opportunity=first, user=sales_user)

    response = sales_client.post(
        reverse("journal:unassigned-mail-assign", args=[message.pk]), {"opportunity": second.short_name}
    )

    assert response.status_code == 422
    assert JournalEntry.objects.get().opportunity == first


def test_ignore_and_add_the_sender_as_contact_person(manager_client, bionext):
    organization, _first, _second = bionext
    message = from_bionext()

    manager_client.post(reverse("journal:unassigned-mail-member", args=[message.pk]), {"organization": organization.pk})
    member = Member.objects.get(email="pat@bionext.de")
    assert (member.organization, member.first_name, member.last_name) == (organization, "Pat", "Stranger")

    manager_client.post(reverse("journal:unassigned-mail-ignore", args=[message.pk]))
    message.refresh_from_db()
    assert message.status == "ignored"
    assert not JournalEntry.objects.exists()


def test_someone_without_a_role_may_neither_see_nor_sort_mail(client, bionext):
    organization, first, _second = bionext
    message = from_bionext()
    client.force_login(factories.make_user(username="visitor", role=""))

    assert client.get(reverse("journal:unassigned-mail")).status_code == 403
    assert client.get(reverse("journal:email-download", args=[message.pk])).status_code == 403
    for name, data in [
        ("journal:unassigned-mail-assign", {"opportunity": first.short_name}),
        ("journal:unassigned-mail-member", {"organization": organization.pk}),
        ("journal:unassigned-mail-ignore", {}),
    ]:
        assert client.post(reverse(name, args=[message.pk]), data).status_code == 403
    message.refresh_from_db()
    assert (message.status, message.entry) == ("unassigned", None)
    assert not Member.objects.filter(email="pat@bionext.de").exists()


def test_uploading_eml_files_onto_a_journal_logs_them_there(sales_client, sales_user, bionext):
    _organization, _first, second = bionext
    files = [
        SimpleUploadedFile("reply.eml", (FIXTURES / "reply_de.eml").read_bytes(), "message/rfc822"),
        SimpleUploadedFile("broken.eml", b"\x00 not a mail", "message/rfc822"),
    ]

    response = sales_client.post(
        reverse("journal:journal-email-upload", args=[second.short_name]), {"files": files}, follow=True
    )

    page = response.content.decode()
    assert "1 e-mail logged." in page
    assert "broken.eml could not be read: no sender (From)" in page
    entry = JournalEntry.objects.get()
    assert (entry.opportunity, entry.author, entry.email.source) == (second, sales_user, "upload")


def test_downloads_are_attachments_that_never_render(sales_client, bionext):
    message = services.email_ingest(raw=(FIXTURES / "offer_en_pdf.eml").read_bytes(), source="command").message
    attachment = message.attachments.get(filename="Offer 2026-0001.pdf")

    original = sales_client.get(reverse("journal:email-download", args=[message.pk]))
    file = sales_client.get(reverse("journal:email-attachment", args=[attachment.pk]))

    assert original["Content-Disposition"].startswith("attachment;")
    assert b"".join(original.streaming_content) == (FIXTURES / "offer_en_pdf.eml").read_bytes()
    assert file["Content-Type"] == "application/octet-stream"
    assert file["X-Content-Type-Options"] == "nosniff"
    assert 'filename="Offer 2026-0001.pdf"' in file["Content-Disposition"]


def test_my_mail_settings_show_the_forward_address_and_keep_my_choices(sales_client, sales_user, settings):
    settings.CRM_MAIL_DOMAIN = "crm.example.com"
    assert "Create my forward address" in sales_client.get(reverse("journal:mail-settings")).content.decode()
    assert not MailForwardAddress.objects.exists()  # a GET changes nothing

    sales_client.post(reverse("journal:mail-settings"), {"action": "address"})
    page = sales_client.get(reverse("journal:mail-settings")).content.decode()
    token = MailForwardAddress.objects.get(user=sales_user).token
    assert f"crm+{token}@crm.example.com" in page

    sales_client.post(reverse("journal:mail-settings"), {"action": "settings"})  # box unticked
    assert MailForwardAddress.objects.get(user=sales_user).log_my_mail is False

    bad = sales_client.post(reverse("journal:mail-settings"), {"action": "block", "pattern": "not an address"})
    assert bad.status_code == 422
    assert "Enter an address (name@example.com) or a domain (@example.com)." in bad.content.decode()
    assert not BlockedAddress.objects.exists()

    sales_client.post(reverse("journal:mail-settings"), {"action": "block", "pattern": "@Private.example"})
    assert list(BlockedAddress.objects.values_list("pattern", "user")) == [("@private.example", sales_user.pk)]


def test_an_e_mail_entry_shows_its_subject_people_words_and_files_on_the_opportunity(sales_client, sales_user, bionext):
    _organization, _first, second = bionext
    raw = (FIXTURES / "offer_en_pdf.eml").read_bytes()
    services.email_ingest(raw=raw, source="upload", opportunity=second, user=sales_user)

    page = sales_client.get(second.get_absolute_url()).content.decode()

    assert "sent an e-mail on" in page
    assert "Offer for the CRM roll-out" in page
    assert "From user-sales1@example.com · To lena.hoffmann@bionext.de · Cc controlling@bionext.de" in page
    assert "please find our offer attached." in page
    # The quote is folded away, not gone.
    assert "Show the whole e-mail (quotes and signature)" in page
    assert "Offer 2026-0001.pdf" in page and "Original message (.eml)" in page


def test_the_journal_costs_one_query_more_with_e_mails_however_many(
    sales_client, sales_user, bionext, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _organization, _first, second = bionext

    def count():
        with CaptureQueriesContext(connection) as captured:
            sales_client.get(second.get_absolute_url())
        return len(captured.captured_queries)

    notes_only = count()
    raw = (FIXTURES / "offer_en_pdf.eml").read_bytes()
    services.email_ingest(raw=raw, source="upload", opportunity=second, user=sales_user)
    one_mail = count()
    for n in range(5):
        services.email_ingest(
            raw=raw.replace(b"<offer-en-1@", f"<offer-en-{n + 2}@".encode()),
            source="upload",
            opportunity=second,
            user=sales_user,
        )
    six_mails = count()

    assert one_mail == notes_only + 1  # the attachments' names
    assert six_mails == one_mail
