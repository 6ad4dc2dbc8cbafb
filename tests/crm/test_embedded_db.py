"""The embedded PostgreSQL (crm/embedded_db.py) that `make run` starts and `make db-stop` stops."""

import subprocess
import sys
import tempfile
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def var_dir():
    # Under /tmp, not pytest's tmp_path: as root the server runs as its own system
    # user, who must be able to reach the folder (pytest's base folder is private).
    with tempfile.TemporaryDirectory(prefix="crm-embedded-") as folder:
        var = Path(folder) / "var"
        yield var
        for process in server_processes((var / "pgdata").resolve()):  # a failed test leaves no server behind
            process.kill()


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)  # noqa: S603


def server_processes(pgdata: Path) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["cmdline", "status"]):
        cmdline = process.info["cmdline"] or []
        if str(pgdata) in cmdline and process.info["status"] != psutil.STATUS_ZOMBIE:
            found.append(process)
    return found


def test_db_stop_shuts_the_embedded_server_down_cleanly(var_dir):
    start = run(
        "-c",
        f"from pathlib import Path; from crm.embedded_db import embedded_database_url as u; u(Path({str(var_dir)!r}))",
    )
    assert start.returncode == 0, start.stderr
    pgdata = (var_dir / "pgdata").resolve()
    assert server_processes(pgdata)

    stop = run("-m", "crm.embedded_db", "stop", str(var_dir))

    assert stop.returncode == 0, stop.stderr
    assert stop.stdout == "Stopped the embedded PostgreSQL.\n"
    assert "kill" not in stop.stderr.lower()  # not the wheel's "Failed to stop server; killing it instead"
    assert "database system is shut down" in (pgdata / "log").read_text().splitlines()[-1]
    assert not server_processes(pgdata)
    again = run("-m", "crm.embedded_db", "stop", str(var_dir))
    assert again.returncode == 0 and again.stdout == "The embedded PostgreSQL is not running.\n"
