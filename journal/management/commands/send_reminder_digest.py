"""Daily e-mail of overdue and due follow-ups: `manage.py send_reminder_digest` (run it from cron)."""

import os

from django.core.management.base import BaseCommand

from journal import services


class Command(BaseCommand):
    help = (
        "E-mail every person their overdue and due follow-ups. Run once a day (cron); "
        "a second run on the same day sends nothing to those who already got theirs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            default=os.environ.get("CRM_BASE_URL", ""),
            help="Address of the CRM for links in the e-mail, e.g. https://crm.example.com "
            "(default: the CRM_BASE_URL environment variable; without it the e-mail has no links).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Count who would get an e-mail; send nothing.")

    def handle(self, *args, base_url, dry_run, **options):
        result = services.reminder_digest_send(base_url=base_url, dry_run=dry_run)
        verb = "would send" if dry_run else "sent"
        self.stdout.write(f"Reminder digest: {verb} {result.sent}, already sent today {result.skipped}.")
