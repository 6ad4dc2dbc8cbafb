"""``manage.py seed_demo``: realistic demo data, or ``--scale N`` rows for benchmarks.

The command builds nothing itself: each app's ``demo.py`` holds its part (crm.seeding).
"""

import argparse
import contextlib
import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from crm.seeding import AlreadySeeded, Copier, Seeding, analyze, builders, history_triggers_disabled

HELP = """\
Fill the database with realistic demo data, or with --scale N rows for benchmarks.

Demo (default): about 40 organizations in Germany, Austria, Switzerland, the UK,
the US, France and the Netherlands, about 150 contact persons and 200
opportunities in every phase, with tasks, journal entries (reminders overdue,
today and ahead), custom-field values and a few offers. Idempotent: when the demo
organizations exist it prints "demo data already present" and changes nothing.

Users: with the setting CRM_DEMO_USERS (on when DEBUG) it creates admin
(superuser), manager (group Managers), sales1 and sales2 (group Sales), all with
the password "demo"; existing accounts are left as they are. Without it, no
account with a known password is ever created: the opportunities go to the
active members of the groups Sales and Managers, or, when there are none, to
three owner accounts with unusable passwords (an admin can set one later).

--scale N: N opportunities (10% open, the rest won, finished or lost), N/5
organizations, about 0.6N members, 3N journal entries, 2N tasks and some
documents, written with COPY. It adds the sales users rep01..rep20 (unusable
passwords) and, with CRM_DEMO_USERS, the demo users; every active user owns a
share, and each gets N/200 open reminders (500 at 100,000). It works on an
empty database or next to the demo data, and refuses to run twice (rep01 exists).

The same --seed gives the same data within the hour; dates are relative to now.
"""


class Command(BaseCommand):
    help = HELP

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = argparse.RawDescriptionHelpFormatter
        return parser

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (default 2026).")
        parser.add_argument(
            "--scale", type=int, metavar="N", help="Write N opportunities and related rows for benchmarks."
        )

    def handle(self, *args, seed: int, scale: int | None, verbosity: int, **options):
        started = time.monotonic()

        def log(label: str, count: int) -> None:
            if verbosity >= 1:
                self.stdout.write(f"  {label:<18} {count:>10,}   {time.monotonic() - started:6.1f} s")
                self.stdout.flush()

        if scale is not None and scale < 1:
            raise CommandError("--scale needs a positive number of opportunities.")
        seeding = Seeding(rng=random.Random(seed), scale=scale, log=log)
        found = builders()
        try:
            with transaction.atomic(), contextlib.ExitStack() as stack:
                if scale is not None:
                    stack.enter_context(history_triggers_disabled())
                    seeding.copier = Copier(stack.enter_context(connection.cursor()).cursor)
                seeding.run(found)
        except AlreadySeeded as present:
            if scale is not None:
                raise CommandError(str(present)) from None
            self.stdout.write(str(present))
            return
        analyze(found)
        if verbosity >= 1:
            self.stdout.write(self.style.SUCCESS(f"Done in {time.monotonic() - started:.1f} s."))
