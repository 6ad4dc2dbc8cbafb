"""Log e-mail from files or a mail server's pipe: `manage.py ingest_email FILE…` (`-` reads standard input)."""

import sys

from django.core.management.base import BaseCommand, CommandError

from journal import mail, services
from journal.models import EmailMessage


class Command(BaseCommand):
    help = (
        "Log e-mail messages (.eml files, or one message on standard input with '-') in the journal, "
        "as the mailboxes do; prints where each one went. Exits with 1 when a message could not be read."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="message files (RFC 5322, .eml), or - for standard input")

    def handle(self, *args, files, **options):
        failed = 0
        for name in files:
            try:
                raw = sys.stdin.buffer.read() if name == "-" else _read(name)
                result = services.email_ingest(raw=raw, source=EmailMessage.Source.COMMAND)
            except (OSError, mail.MailError) as error:
                failed += 1
                self.stderr.write(f"{name}: not logged: {error}")
                continue
            self.stdout.write(f"{name}: {result.describe()}")
        if failed:
            raise CommandError(f"{failed} of {len(files)} messages could not be logged", returncode=1)


def _read(name: str) -> bytes:
    with open(name, "rb") as file:
        return file.read()
