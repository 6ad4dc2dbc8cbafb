"""The machinery of ``manage.py seed_demo``: stages, the shared random source, bulk writes.

Each app keeps its part of the demo data next to its models, in ``<app>/demo.py``, as a
``DemoBuilder`` (a subclass of ``Builder``). The command finds these modules in
INSTALLED_APPS order and runs the STAGES one after another; within a stage, the apps run
in that order. So a builder sees what the builders of lower apps put on the ``Seeding``
(the organizations' plans, the opportunities' plans, …) and imports only its own and
lower apps, as everywhere else.

All builders draw from one ``random.Random``: the same --seed gives the same data. The
stages keep the order of those draws, so moving a step to another stage changes the data.
"""

import contextlib
import datetime as dt
import json
import random
from importlib import import_module

from django.apps import apps
from django.db import connection, models
from django.utils import timezone
from django.utils.module_loading import module_has_submodule
from psycopg import sql

from crm.models import User

ONE_DAY = dt.timedelta(days=1)

STAGES = (
    # Raise AlreadySeeded when the data is there already (before anything is written).
    "check",
    # Accounts and configuration rows that the records refer to.
    "setup",
    # The main records: organizations with their members, opportunities. The demo creates
    # them through the services; --scale plans them in memory with ids reserved.
    "records",
    # What happened to them: journal entries. --scale also writes its organizations here,
    # once the opportunities' plan has dated them.
    "activity",
    # What hangs off an opportunity: tasks, documents; --scale writes the opportunity rows
    # here, with the journal's and the tasks' summary columns filled.
    "details",
    # Corrections that need all the rest: the demo's organizations are backdated to some
    # weeks before their first opportunity.
    "finish",
)


class AlreadySeeded(Exception):
    """The data a builder would write is there already; the message says so."""


class Builder:
    """One app's part of the demo data; a subclass implements the stages it takes part in."""

    # Models whose tables --scale fills in bulk; their planner statistics are refreshed at the end.
    tables: tuple = ()

    def check(self, seeding: "Seeding") -> None:
        pass

    def setup(self, seeding: "Seeding") -> None:
        pass

    def records(self, seeding: "Seeding") -> None:
        pass

    def activity(self, seeding: "Seeding") -> None:
        pass

    def details(self, seeding: "Seeding") -> None:
        pass

    def finish(self, seeding: "Seeding") -> None:
        pass


def builders() -> list[Builder]:
    """One builder per installed app with a ``demo`` module, in INSTALLED_APPS order."""
    found = []
    for app_config in apps.get_app_configs():
        if module_has_submodule(app_config.module, "demo"):
            builder = getattr(import_module(f"{app_config.name}.demo"), "DemoBuilder", None)
            if builder is not None:
                found.append(builder())
    return found


class Seeding:
    """One run: the random source, the clock, the owners, and what builders hand up to higher apps.

    A builder hands its plans to the builders of higher apps as an attribute named after
    its app (``seeding.organizations``, ``seeding.opportunities``).
    """

    def __init__(self, *, rng: random.Random, scale: int | None, log):
        self.rng = rng
        self.scale = scale  # None: the demo
        self.log = log
        self.tz = timezone.get_current_timezone()
        # Whole hours: runs with the same seed within the hour write the same data.
        self.now = timezone.now().replace(minute=0, second=0, microsecond=0)
        self.today = self.localdate(self.now)
        self.owners: list[User] = []
        self.owner_weights: list[int] = []
        self.copier: Copier | None = None  # --scale only

    @property
    def demo(self) -> bool:
        return self.scale is None

    def run(self, builders: list[Builder]) -> None:
        for stage in STAGES:
            for builder in builders:
                getattr(builder, stage)(self)

    # Time ------------------------------------------------------------------------------------

    def localdate(self, moment: dt.datetime) -> dt.date:
        return moment.astimezone(self.tz).date()

    def at_work(self, moment: dt.datetime, earliest: dt.datetime | None = None, latest: dt.datetime | None = None):
        """Move a moment to office hours on a weekday, kept within [earliest, latest or now]."""
        day = self.localdate(moment)
        if day.weekday() == 5:
            day -= ONE_DAY
        elif day.weekday() == 6:
            day += ONE_DAY
        result = dt.datetime.combine(day, dt.time(self.rng.randint(8, 17), self.rng.randrange(60)), tzinfo=self.tz)
        result = min(result, latest or self.now)
        return max(result, earliest) if earliest else result

    def between(self, start: dt.datetime, end: dt.datetime) -> dt.datetime:
        return start + (end - start) * self.rng.random()

    # People ----------------------------------------------------------------------------------

    def owner(self) -> User:
        return self.rng.choices(self.owners, weights=self.owner_weights)[0]

    def other_user(self, owner: User, odds_owner: float) -> User:
        return owner if self.rng.random() < odds_owner else self.rng.choice(self.owners)


# --- bulk writes (--scale) ---------------------------------------------------------------------


@contextlib.contextmanager
def history_triggers_disabled():
    """Switch off the history (pghistory) triggers for a bulk load, inside its transaction.

    Their trigger functions use plpgsql EXCEPTION blocks, i.e. two subtransactions
    per row: on a COPY of a few hundred thousand rows the transaction overflows
    PostgreSQL's subtransaction cache and the load crawls (bench/README.md). Bulk
    benchmark data needs no "created" history events. ALTER TABLE is
    transactional, so a failed load leaves the triggers as they were.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgrelid::regclass::text, tgname FROM pg_trigger "
            "WHERE NOT tgisinternal AND tgname LIKE 'pgtrigger_%' AND tgenabled <> 'D'"
        )
        triggers = cursor.fetchall()
        for table, name in triggers:
            cursor.execute(f'ALTER TABLE {table} DISABLE TRIGGER "{name}"')
    yield
    # On success only: after a failure the rollback undoes the DISABLE anyway.
    # Deferred foreign-key checks run now (they would at commit) because ALTER
    # TABLE refuses a table with pending trigger events.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table, name in triggers:
            cursor.execute(f'ALTER TABLE {table} ENABLE TRIGGER "{name}"')


def _copy_value(value):
    return json.dumps(value) if isinstance(value, dict | list) else value


class Copier:
    """Writes rows with PostgreSQL COPY through the psycopg 3 cursor under Django's connection."""

    def __init__(self, cursor):
        self.cursor = cursor

    def reserve_ids(self, model: type[models.Model], count: int) -> list[int]:
        """Take ``count`` ids from the table's sequence so rows can reference each other before they exist."""
        self.cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [row[0] for row in self.cursor.fetchall()]

    def copy(self, model: type[models.Model], names: list[str], rows) -> int:
        """COPY ``rows`` (tuples in the order of ``names``) into the model's table; returns the count.

        Other NOT NULL columns get their model default, so a column added later does not
        break the generator; columns with a database default are left to the database.
        """
        meta = model._meta
        extras = [
            f
            for f in meta.concrete_fields
            if f.name not in names and not f.primary_key and not f.null and f.db_default is models.NOT_PROVIDED
        ]
        columns = [meta.get_field(name).column for name in names] + [f.column for f in extras]
        tail = tuple(_copy_value(f.get_default()) for f in extras)
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(meta.db_table), sql.SQL(", ").join(sql.Identifier(column) for column in columns)
        )
        count = 0
        with self.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row + tail)
                count += 1
        return count


def analyze(builders: list[Builder]) -> None:
    """Refresh the planner's statistics; also VACUUM when not inside a transaction (sets the visibility map)."""
    tables = [model._meta.db_table for builder in builders for model in builder.tables]
    # VACUUM cannot run inside a transaction (the tests wrap each test in one).
    statement = sql.SQL("ANALYZE {}") if connection.in_atomic_block else sql.SQL("VACUUM (ANALYZE) {}")
    with connection.cursor() as django_cursor:
        for table in tables:
            django_cursor.cursor.execute(statement.format(sql.Identifier(table)))
