"""Delete for good what has been in the trash for 30 days: `manage.py purge_trash` (run it daily from cron)."""

from django.core.management.base import BaseCommand

from crm.trash import RETENTION_DAYS
from opportunities import services


class Command(BaseCommand):
    help = f"Delete organizations and opportunities that have been in the trash for {RETENTION_DAYS} days."

    def handle(self, *args, **options):
        purged = services.trash_purge()
        for short_name in purged.opportunities:
            self.stdout.write(f"Deleted opportunity {short_name}")
        for name in purged.organizations:
            self.stdout.write(f"Deleted organization {name}")
        self.stdout.write(
            f"{len(purged.opportunities)} opportunities and {len(purged.organizations)} organizations deleted for good."
        )
