"""Load test: 50 sales reps for 5 minutes against gunicorn on 100,000 opportunities: `make load`.

Not part of `make test`; needs the dependency group "load" (locust), which
`make load` installs. Steps:

1. The bench database of bench/run.py (`crm_bench`, built once with
   `seed_demo --scale 100000`; BENCH_DATABASE_URL as there).
2. Accounts loadrep01..loadrep50 with their own open opportunities and an offer
   each (bench/load_fixture.py).
3. gunicorn on 127.0.0.1 with DEBUG off, LOAD_WORKERS sync workers (4: see
   bench/README.md for why), and locust headless against it: LOAD_USERS users
   (50) spawned at LOAD_SPAWN_RATE per second (1), each doing a rep's day
   (bench/locustfile.py) for LOAD_DURATION (5m).
4. A table of p50/p95 per page and requests per second, on stdout and in
   bench/results/load.md; the journal entries the run posted are deleted.

Exits non-zero on any failed request: the goal is 0 errors.
"""

import contextlib
import csv
import os
import re
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import database_url, ensure_database, env, manage  # noqa: E402

USERS = int(os.environ.get("LOAD_USERS", "50"))
SPAWN_RATE = float(os.environ.get("LOAD_SPAWN_RATE", "1"))
DURATION = os.environ.get("LOAD_DURATION", "5m")
WORKERS = int(os.environ.get("LOAD_WORKERS", "4"))
PER_REP = int(os.environ.get("LOAD_OPPORTUNITIES_PER_REP", "20"))
PORT = int(os.environ.get("LOAD_PORT", "8978"))
PASSWORD = "load-password-1"  # noqa: S105 (local load-test accounts only)
RESULTS = ROOT / "bench" / "results"
BIN = ROOT / ".venv" / "bin"


def prepare_fixture_file(url: str, *, count: int, per_rep: int, name: str) -> Path:
    """Make (or reuse) the reps' accounts and records (bench/load_fixture.py); the JSON file describing them."""
    output = manage(
        url,
        "shell",
        "-c",
        "import json; from bench.load_fixture import ensure_reps; "
        f"print('FIXTURE', json.dumps(ensure_reps(count={count}, per_rep={per_rep}, password={PASSWORD!r})))",
        capture=True,
    ).stdout
    path = RESULTS / name
    path.write_text(re.search(r"^FIXTURE (.*)$", output, re.MULTILINE).group(1))
    return path


def start_gunicorn(url: str, port: int, workers: int, log: Path) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "crm.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env(url),
        # gunicorn's own messages and Django's log (errors with tracebacks) go to stderr.
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def busy_seconds() -> float:
    times = psutil.cpu_times()._asdict()
    return sum(times.get(name, 0) for name in ("user", "nice", "system", "irq", "softirq", "steal"))


class BackendCpu(threading.Thread):
    """CPU seconds of the PostgreSQL backends that serve gunicorn's workers, sampled every 2 s.

    Backends come and go (DB_CONN_MAX_AGE), so each one's last reading counts.
    Only for a database on TCP: a backend's title names its client's port.
    """

    def __init__(self, server_pid: int, port: int):
        super().__init__(daemon=True)
        self.server_pid, self.port, self.seen, self.done = server_pid, port, {}, threading.Event()

    def run(self):
        while not self.done.wait(2):
            try:
                self.sample()
            except psutil.Error:
                continue

    def sample(self):
        clients = {
            connection.laddr.port
            for worker in psutil.Process(self.server_pid).children()
            for connection in worker.net_connections(kind="tcp")
            if connection.raddr and connection.raddr.port == self.port
        }
        for process in psutil.process_iter(["name", "cmdline"]):
            title = " ".join(process.info["cmdline"] or [])
            match = re.search(r"\((\d+)\)", title)
            if process.info["name"] == "postgres" and match and int(match.group(1)) in clients:
                with contextlib.suppress(psutil.Error):
                    self.seen[process.pid] = sum(process.cpu_times()[:2])

    def seconds(self) -> float:
        self.done.set()
        return sum(self.seen.values())


def summary(prefix: Path) -> tuple[list[str], int, int]:
    """The markdown table of locust's stats CSV; total requests and failures."""
    rows = list(csv.DictReader(prefix.with_name(prefix.name + "_stats.csv").open()))
    lines = [
        "| page | requests | failures | p50 ms | p95 ms | max ms | req/s |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    total = failures = 0
    for row in rows:
        label = "**all**" if row["Name"] == "Aggregated" else f"{row['Name']}"
        lines.append(
            f"| {label} | {int(row['Request Count']):,} | {row['Failure Count']} | {row['50%']} | {row['95%']} "
            f"| {float(row['Max Response Time']):.0f} | {float(row['Requests/s']):.1f} |"
        )
        if row["Name"] == "Aggregated":
            total, failures = int(row["Request Count"]), int(row["Failure Count"])
    return lines, total, failures


def main():
    RESULTS.mkdir(exist_ok=True)
    url = ensure_database(database_url())
    manage(url, "collectstatic", "--no-input", "-v0")
    fixture = prepare_fixture_file(url, count=USERS, per_rep=PER_REP, name="load-fixture.json")
    log = RESULTS / "load-gunicorn.log"
    server = start_gunicorn(url, PORT, WORKERS, log)
    prefix = RESULTS / "load"
    started = time.monotonic()
    # Where the CPU went: the machine's 2 cores also run PostgreSQL, locust and whatever else is running.
    load_before = os.getloadavg()[0]
    busy_before, children_before = busy_seconds(), os.times()
    backends = BackendCpu(server.pid, urllib.parse.urlsplit(url).port or 5432)
    backends.start()
    try:
        locust = subprocess.run(
            [
                str(BIN / "locust"),
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "--users",
                str(USERS),
                "--spawn-rate",
                str(SPAWN_RATE),
                "--run-time",
                DURATION,
                "--host",
                f"http://127.0.0.1:{PORT}",
                "--csv",
                str(prefix),
                "--only-summary",
                "--stop-timeout",
                "10",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env={**os.environ, "LOAD_FIXTURE": str(fixture), "LOAD_PASSWORD": PASSWORD},
        )
        app_cpu = sum(sum(child.cpu_times()[:2]) for child in psutil.Process(server.pid).children())
        locust_cpu = sum(os.times()[2:4]) - sum(children_before[2:4])
        busy = busy_seconds() - busy_before
        db_cpu = backends.seconds()
    finally:
        server.terminate()
        server.wait(timeout=30)
    elapsed = time.monotonic() - started
    removed = manage(
        url, "shell", "-c", "from bench.load_fixture import remove_notes; print(remove_notes())", capture=True
    ).stdout.split()[-1]
    table, total, failures = summary(prefix)
    lines = [
        f"Load test on crm_bench: {USERS} users "
        f"(spawn {SPAWN_RATE}/s), {DURATION}, think time 1-5 s, gunicorn {WORKERS} sync workers, DEBUG off, "
        f"{os.cpu_count()} cores shared with PostgreSQL and locust",
        "",
        *table,
        "",
        f"{total:,} requests in {elapsed:.0f} s, {failures} failed; {removed} journal entries of the run removed.",
        f"CPU: {busy / elapsed * 100:.0f}% of {os.cpu_count()} cores busy on average ({busy:.0f} core-seconds): "
        f"gunicorn workers {app_cpu:.0f}, their PostgreSQL backends {db_cpu:.0f}, locust {locust_cpu:.0f}, "
        f"other processes on the machine {busy - app_cpu - db_cpu - locust_cpu:.0f} "
        f"(load average {load_before:.1f} when the run started).",
    ]
    if failures:
        lines.append("Failures (bench/results/load_failures.csv):")
        lines += [
            f"- {row['Name']}: {row['Error']} ×{row['Occurrences']}"
            for row in csv.DictReader(prefix.with_name(prefix.name + "_failures.csv").open())
        ]
    text = "\n".join(lines)
    print(text, flush=True)
    (RESULTS / "load.md").write_text(text + "\n")
    if failures or locust.returncode:
        raise SystemExit(f"{failures} requests failed (locust exit code {locust.returncode})")


if __name__ == "__main__":
    main()
