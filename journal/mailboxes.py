"""IMAP polling (imap-tools): new mail of a configured mailbox into email_ingest.

Processed mail is flagged (IMAP's \\Flagged, which every server keeps; the mailbox is the CRM's
own, so nobody's stars get mixed in) or moved to another folder, never deleted.
The password comes from the environment variable the mailbox names (never stored, never shown).
"""

import logging
import os

from django.utils import timezone
from imap_tools import AND, MailBox, MailBoxUnencrypted, MailMessageFlags

from journal import mail, services
from journal.models import EmailMessage, Mailbox

logger = logging.getLogger(__name__)

PROCESSED = MailMessageFlags.FLAGGED
BATCH = 100


def mailbox_poll(*, mailbox: Mailbox) -> str:
    """Log the mailbox's new mail; returns one line for the job log. Errors are kept on the mailbox."""
    counts: dict[str, int] = {}
    try:
        password = os.environ.get(mailbox.password_env, "")
        if not password:
            raise RuntimeError(f"the environment variable {mailbox.password_env} is not set")
        client_class = MailBox if mailbox.use_tls else MailBoxUnencrypted
        with client_class(mailbox.host, mailbox.port).login(mailbox.username, password, mailbox.folder) as client:
            criteria = AND(flagged=False) if mailbox.processed == Mailbox.Processed.FLAG else AND(all=True)
            for message in client.fetch(criteria, mark_seen=False, bulk=BATCH, limit=BATCH):
                status = _ingest(mailbox, message)
                counts[status] = counts.get(status, 0) + 1
                if mailbox.processed == Mailbox.Processed.MOVE:
                    client.move(message.uid, mailbox.processed_folder)
                else:
                    client.flag(message.uid, PROCESSED, True)
    except Exception as error:
        mailbox.last_error = f"{timezone.now():%Y-%m-%d %H:%M}: {type(error).__name__}: {error}"[:2000]
        mailbox.last_polled_at = timezone.now()
        mailbox.save(update_fields=["last_error", "last_polled_at"])
        logger.warning("Mailbox %s: %s", mailbox, error)
        return f"{mailbox.name}: {mailbox.last_error}"
    mailbox.last_error = ""
    mailbox.last_polled_at = timezone.now()
    mailbox.save(update_fields=["last_error", "last_polled_at"])
    return f"{mailbox.name}: " + (", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "nothing new")


def _ingest(mailbox: Mailbox, message) -> str:
    """One message; an unreadable one is logged and marked processed, so it does not block the rest."""
    try:
        result = services.email_ingest(raw=message.obj.as_bytes(), source=EmailMessage.Source.IMAP, mailbox=mailbox)
    except mail.MailError as error:
        logger.warning("Mailbox %s, message %s not logged: %s", mailbox, message.uid, error)
        return "unreadable"
    return result.status
