"""E-mail in the journal: reading, deciding where a mail goes, storing it, and every way in."""

import io
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from journal import mail, services
from journal.models import BlockedAddress, EmailMessage, EntryKind, JournalEntry, Mailbox, MailForwardAddress, Mood
from opportunities.models import Opportunity
from tests import factories

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "mail"


def raw(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def world():
    """Sales One (user-sales1@example.com, our domain) and Bionext with Lena and two open opportunities."""
    rep = factories.make_user(username="user-sales1", display_name="Sales One")
    bionext = factories.make_organization(name="Bionext GmbH", code="BION", website="https://www.bionext.de")
    lena = factories.make_member(
        organization=bionext, first_name="Lena", last_name="Hoffmann", email="lena.hoffmann@bionext.de"
    )
    first = factories.make_opportunity(organization=bionext, owner=rep, name="CRM-Einführung")
    return {"rep": rep, "bionext": bionext, "lena": lena, "first": first}


def ingest(name: str, **kwargs) -> services.IngestResult:
    return services.email_ingest(raw=raw(name), source=EmailMessage.Source.COMMAND, **kwargs)


def test_a_reply_goes_to_the_one_open_opportunity_of_the_senders_organization(world):
    result = ingest("reply_de.eml")

    assert result.status == "logged"
    entry = JournalEntry.objects.get(opportunity=world["first"])
    assert entry.kind == EntryKind.EMAIL
    assert entry.author == world["rep"]  # the colleague it was addressed to
    assert entry.text == "Hallo Herr Eins,\n\ndanke, das Angebot passt so. Wir unterschreiben nächste Woche."
    message = entry.email
    assert message.subject == "AW: Angebot für die CRM-Einführung"
    assert (message.direction, message.from_address, message.to) == (
        "in",
        "lena.hoffmann@bionext.de",
        ["user-sales1@example.com"],
    )
    assert "Am 02.12.2026 um 10:15 schrieb" in message.full_text  # kept, folded away on the page
    assert message.organization == world["bionext"]
    assert message.raw.read() == raw("reply_de.eml")
    assert result.describe() == f"logged on {world['first'].short_name} 'AW: Angebot für die CRM-Einführung'"


def test_the_same_message_id_never_makes_a_second_entry(world):
    assert ingest("reply_de.eml").status == "logged"
    again = ingest("reply_de.eml")

    assert again.status == "duplicate"
    assert JournalEntry.objects.filter(kind=EntryKind.EMAIL).count() == 1
    assert EmailMessage.objects.count() == 1


def test_an_e_mail_is_activity_but_does_not_change_the_opportunitys_mood(world):
    factories.make_journal_entry(opportunity=world["first"], author=world["rep"], mood=Mood.HAPPY)
    ingest("reply_de.eml")

    opportunity = Opportunity.objects.get(pk=world["first"].pk)
    assert opportunity.latest_mood == Mood.HAPPY
    assert opportunity.last_activity_at == JournalEntry.objects.latest("created_at").created_at


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("out_of_office.eml", "auto-reply (Auto-Submitted)"),
        ("newsletter.eml", "bulk mail (List-Id)"),
    ],
)
def test_auto_replies_and_bulk_mail_are_dropped_with_the_reason(world, name, reason):
    result = ingest(name)

    assert (result.status, result.reason) == ("dropped", reason)
    assert EmailMessage.objects.get().drop_reason == reason
    assert not JournalEntry.objects.exists()


def test_an_out_of_office_subject_alone_is_enough(world):
    text = (
        raw("reply_de.eml")
        .replace(b"<reply-de-1@", b"<ooo-2@")
        .replace(
            b"Subject: =?utf-8?q?AW=3A_Angebot_f=C3=BCr_die_CRM-Einf=C3=BChrung?=", b"Subject: Out of office: offer"
        )
    )
    result = services.email_ingest(raw=text, source="command")
    assert (result.status, result.reason) == ("dropped", "auto-reply (subject)")


def test_mail_between_colleagues_only_and_blocked_addresses_are_not_logged(world):
    internal = raw("reply_de.eml").replace(b"Lena.Hoffmann@bionext.de", b"boss@example.com")
    assert services.email_ingest(raw=internal, source="command").reason == "only internal addresses"

    BlockedAddress.objects.create(pattern="@bionext.de")
    assert ingest("subject_tag.eml").reason == "blocked address lena.hoffmann@bionext.de"
    assert not JournalEntry.objects.exists()


def test_an_unknown_sender_waits_in_unassigned_mail_with_its_html_as_text(world):
    result = ingest("unknown_sender.eml")

    assert result.status == "unassigned"
    message = EmailMessage.objects.get()
    assert message.entry is None
    assert message.full_text == "Hello,\n\nwe would like a demo. Grüße"  # no tags, no script, cp1252 read
    assert result.describe() == "waiting in Unassigned mail 'Interested in your product'"


def test_a_plus_address_or_a_subject_tag_decides_the_opportunity(world):
    second = factories.make_opportunity(organization=world["bionext"], owner=world["rep"], name="Schulung")
    assert second.short_name == "BION-2"

    assert ingest("plus_address.eml").message.entry.opportunity == second
    assert ingest("subject_tag.eml").message.entry.opportunity == second
    # Two open opportunities and no hint: a rep decides.
    assert ingest("reply_de.eml").status == "unassigned"


def test_a_reply_joins_its_threads_opportunity(world):
    second = factories.make_opportunity(organization=world["bionext"], owner=world["rep"], name="Schulung")
    first_mail = raw("plus_address.eml").replace(b"<plus-1@bionext.de>", b"<offer-1@example.com>")
    services.email_ingest(raw=first_mail, source="command")

    reply = ingest("reply_de.eml")  # In-Reply-To: <offer-1@example.com>

    assert reply.message.entry.opportunity == second
    assert reply.message.thread_root.message_id == "offer-1@example.com"


def test_outgoing_mail_with_attachments_keeps_them_under_a_safe_name(world):
    result = ingest("offer_en_pdf.eml")

    message = result.message
    assert (message.direction, message.entry.author) == ("out", world["rep"])
    assert message.cc == ["controlling@bionext.de"]
    files = {a.filename: a for a in message.attachments.all()}
    assert set(files) == {"Offer 2026-0001.pdf", "passwd"}
    assert files["Offer 2026-0001.pdf"].file.read().startswith(b"%PDF-1.4")
    assert "etc" not in files["passwd"].file.name
    assert message.entry.text == "Dear Ms Hoffmann,\n\nplease find our offer attached."


def test_the_personal_forward_address_logs_under_its_owner_unless_they_turned_it_off(world):
    other = factories.make_user(username="other")
    forward = MailForwardAddress.objects.create(user=other, token="abc123")  # noqa: S106
    text = raw("reply_de.eml").replace(b"To: Sales One <user-sales1@example.com>", b"To: crm+abc123@example.com")

    assert services.email_ingest(raw=text, source="command").message.entry.author == other

    forward.log_my_mail = False
    forward.save()
    text = text.replace(b"<reply-de-1@", b"<reply-de-2@")
    assert services.email_ingest(raw=text, source="command").reason == "the person turned off logging their mail"


@pytest.mark.parametrize(
    "message",
    [
        # Broken UTF-8 in the body and an undecodable encoded-word subject.
        b"From: a@bionext.de\r\nTo: user-sales1@example.com\r\nSubject: =?utf-8?b?////?=\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nGr\xfc\xdfe \xff\xfe\r\n",
        # iso-8859-1 header without encoded-word, unknown charset in the body.
        b"From: J\xf6rg <joerg@bionext.de>\r\nTo: user-sales1@example.com\r\nSubject: M\xe4rz\r\n"
        b"Content-Type: text/plain; charset=x-unknown\r\n\r\nHallo\r\n",
        # A multipart without its closing boundary.
        b"From: a@bionext.de\r\nTo: user-sales1@example.com\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n"
        b"--B\r\nContent-Type: text/plain\r\n\r\nHallo\r\n--B\r\nContent-Type: application/zip\r\n"
        b"Content-Disposition: attachment; filename=bomb.zip\r\nContent-Transfer-Encoding: base64\r\n\r\nUEsDBA==\r\n",
    ],
)
def test_odd_encodings_and_broken_mime_are_read_as_well_as_they_can_be(world, message):
    result = services.email_ingest(raw=message, source="command")

    assert result.status == "logged"
    assert result.message.entry.opportunity == world["first"]


def test_a_mail_that_is_too_large_or_unreadable_stores_nothing(world, media):
    with pytest.raises(mail.MailError, match="too large: 30.0 MB"):
        services.email_ingest(raw=b"x" * (30 * 1024 * 1024), source="command")
    with pytest.raises(mail.MailError, match="no sender"):
        services.email_ingest(raw=b"\x00\x01 not a mail", source="command")

    assert not EmailMessage.objects.exists()
    assert not any(Path(media).rglob("*.eml"))


def test_ingest_email_command_reads_files_and_standard_input_and_says_where_each_went(world, monkeypatch):
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw("newsletter.eml"))))
    broken = FIXTURES / "missing.eml"

    with pytest.raises(CommandError) as failed:
        call_command("ingest_email", str(FIXTURES / "reply_de.eml"), "-", str(broken), stdout=out, stderr=err)

    assert failed.value.returncode == 1
    lines = out.getvalue().splitlines()
    assert lines[0].endswith(
        f"reply_de.eml: logged on {world['first'].short_name} 'AW: Angebot für die CRM-Einführung'"
    )
    assert lines[1] == "-: dropped: bulk mail (List-Id) 'Bionext Newsletter Dezember'"
    assert "missing.eml: not logged" in err.getvalue()


# IMAP: a real server (mail-devel, in its own process) and imap-tools.


@pytest.fixture
def imap_server(tmp_path):
    port = 40143
    process = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "mail_devel",
            "--user",
            "crm@example.com",
            "--password",
            "secret",
            "--imap-host",
            "127.0.0.1",
            "--imap-port",
            str(port),
            "--smtp-port",
            "40025",
            "--no-http",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    from imap_tools import MailBoxUnencrypted

    deadline = time.monotonic() + 20
    while True:
        try:
            client = MailBoxUnencrypted("127.0.0.1", port).login("crm@example.com", "secret")
            break
        except OSError:
            assert time.monotonic() < deadline, "mail-devel did not start"
            time.sleep(0.2)
    yield client, port
    client.logout()
    process.terminate()
    process.wait(timeout=10)


def test_a_polled_mailbox_logs_new_mail_once_and_keeps_it(world, imap_server, monkeypatch):
    from journal import mailboxes

    client, port = imap_server
    for name in ("reply_de.eml", "newsletter.eml"):
        client.append(raw(name), "INBOX")
    monkeypatch.setenv("CRM_MAILBOX_TEST_PASSWORD", "secret")
    box = Mailbox.objects.create(
        name="Sales",
        host="127.0.0.1",
        port=port,
        use_tls=False,
        username="crm@example.com",
        password_env="CRM_MAILBOX_TEST_PASSWORD",
    )

    assert mailboxes.mailbox_poll(mailbox=box) == "Sales: 1 dropped, 1 logged"
    assert mailboxes.mailbox_poll(mailbox=box) == "Sales: nothing new"

    assert JournalEntry.objects.get().email.mailbox == box
    client.folder.set("INBOX")
    kept = list(client.fetch(mark_seen=False))
    assert len(kept) == 2  # flagged, never deleted
    assert all(mailboxes.PROCESSED in message.flags for message in kept)


def test_a_mailbox_that_cannot_be_reached_keeps_its_error(world):
    from journal import mailboxes

    box = Mailbox.objects.create(
        name="Gone",
        host="127.0.0.1",
        port=1,
        use_tls=False,
        username="x",
        password_env="CRM_NOT_SET",
    )

    assert "CRM_NOT_SET is not set" in mailboxes.mailbox_poll(mailbox=box)
    box.refresh_from_db()
    assert "CRM_NOT_SET is not set" in box.last_error
