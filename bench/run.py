"""Benchmarks at 100,000 opportunities: `make bench` (not part of `make test`).

1. Builds (once) a separate database `crm_bench` with `seed_demo --scale 100000`
   (on BENCH_DATABASE_URL, default: the machine's PostgreSQL on 127.0.0.1:5432,
   falling back to the embedded server).
2. Serves the app under gunicorn with DEBUG off on 127.0.0.1.
3. Logs in as sales1 and, for each measured URL, prints the median and p95 of
   50 sequential requests, the SQL queries per request (counted in-process with
   Django's test client against the same database) and the response size; then
   the same for a board move, each inline edit of the detail page and a journal post.

Results go to stdout and bench/results/latest.md.
"""

import http.cookiejar
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
SCALE = int(os.environ.get("BENCH_SCALE", "100000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "50"))
PORT = int(os.environ.get("BENCH_PORT", "8977"))
PASSWORD = "bench-password-1"  # noqa: S105 (local benchmark user only)


def database_url() -> str:
    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"]
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return "postgres://postgres@127.0.0.1:5432/crm_bench"
    except OSError:
        return ""  # embedded server; see ensure_database


def env(url: str) -> dict:
    result = dict(os.environ)
    result.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789abcdef",
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "SECURE_HSTS_SECONDS": "0",
            "LOG_LEVEL": "WARNING",
        }
    )
    if url:
        result["DATABASE_URL"] = url
    else:
        result.pop("DATABASE_URL", None)
    return result


def manage(url: str, *args, check=True, capture=False):
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env(url), check=check, capture_output=capture, text=True
    )


def ensure_database(url: str) -> str:
    if url:
        server, name = url.rsplit("/", 1)
        admin = f"{server}/postgres"
        exists = subprocess.run(
            ["psql", admin, "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
            capture_output=True,
            text=True,
        )
        if exists.stdout.strip() != "1":
            subprocess.run(["psql", admin, "-c", f'CREATE DATABASE "{name}"'], check=True)
    else:
        sys.path.insert(0, str(ROOT))
        from crm.embedded_db import embedded_database_url

        url = embedded_database_url(ROOT / "var", database="crm_bench")
    manage(url, "migrate", "--no-input", "-v0")
    count = (
        manage(
            url,
            "shell",
            "-c",
            "from opportunities.models import Opportunity; print(Opportunity.objects.count())",
            capture=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    # The bench user exists before seeding, so seed_demo gives it its share of
    # opportunities and open reminders (500 at 100,000 opportunities).
    manage(
        url,
        "shell",
        "-c",
        "from crm.models import User; from django.contrib.auth.models import Group; "
        "u, _ = User.objects.get_or_create(username='sales1', defaults={'display_name': 'Sales One'}); "
        f"u.set_password('{PASSWORD}'); u.is_active = True; u.save(); "
        "u.groups.add(Group.objects.get(name='Sales'))",
    )
    if int(count) < SCALE:
        print(f"Seeding {SCALE:,} opportunities (once) …", flush=True)
        started = time.monotonic()
        manage(url, "seed_demo", "--scale", str(SCALE))
        print(f"  seeded in {time.monotonic() - started:.0f} s", flush=True)
    # Measure the database as autovacuum keeps it in production: after migrations
    # (new or rebuilt indexes) and other runs' writes, the planner's statistics and
    # the visibility map (index-only scans) are up to date.
    manage(url, "shell", "-c", "from django.db import connection; connection.cursor().execute('VACUUM ANALYZE')")
    return url


class Client:
    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path):
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.status, response.read()

    def post(self, path, data, headers=None):
        request = urllib.request.Request(
            self.base + path,
            data=urllib.parse.urlencode(data, doseq=True).encode(),
            headers={"Referer": self.base + path, **(headers or {})},
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def csrf(self):
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def login(self, username, password):
        self.get("/accounts/login/")
        status, body = self.post(
            "/accounts/login/", {"username": username, "password": password, "csrfmiddlewaretoken": self.csrf()}
        )
        if not any(c.name == "sessionid" for c in self.jar):
            raise SystemExit(f"login failed ({status})")


def count_queries(url: str, paths: list[str]) -> dict:
    """SQL queries per request, counted in-process against the same database."""
    script = f"""
import django, json
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from crm.models import User
client = Client()
client.force_login(User.objects.get(username="sales1"))
result = {{}}
for path in {paths!r}:
    client.get(path)  # warm
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    result[path] = len(ctx.captured_queries)
print("QUERIES", json.dumps(result))
"""
    output = subprocess.run(
        [PYTHON, "-c", script],
        cwd=ROOT,
        env={**env(url), "DJANGO_SETTINGS_MODULE": "crm.settings"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    import json

    return json.loads(re.search(r"QUERIES (.*)", output).group(1))


def percentile(values, fraction):
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def measure(client, path, repeat=REPEAT):
    timings, size = [], 0
    client.get(path)  # warm caches and connections
    for _ in range(repeat):
        started = time.perf_counter()
        status, body = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise SystemExit(f"{path}: HTTP {status}")
        size = len(body)
    return statistics.median(timings), percentile(timings, 0.95), size


def table_paths(url) -> list[tuple[str, str]]:
    ids = manage(
        url,
        "shell",
        "-c",
        "from opportunities.models import Phase; from crm.models import User; "
        "print(Phase.objects.get(name='Research').pk, User.objects.get(username='sales1').pk)",
        capture=True,
    ).stdout.split()
    phase, owner = ids[-2], ids[-1]
    return [
        ("table: default page", "/opportunities/"),
        ("table: filter phase+owner", f"/opportunities/?phase={phase}&owner={owner}"),
        ("table: group by organization", "/opportunities/?group=organization"),
        ("table: text search", "/opportunities/?q=consulting"),
        ("table: sort by organization", "/opportunities/?sort=organization"),
        ("table: 100 rows", "/opportunities/?per_page=100"),
        ("csv export ~1,000 rows", f"/opportunities/export.csv?phase={phase}&value_min=25000"),
    ]


def board_paths(url) -> list[tuple[str, str]]:
    ids = manage(
        url,
        "shell",
        "-c",
        "from opportunities.models import Phase; print(Phase.objects.get(name='Research').pk)",
        capture=True,
    ).stdout.split()
    research = ids[-1]
    return [
        ("board: by phase", "/opportunities/board/"),
        ("board: by status", "/opportunities/board/?group=status"),
        ("board: owner=me", "/opportunities/board/?owner=me"),
        ("board: load more (30 cards)", f"/opportunities/board/cards/?column={research}&offset=30"),
    ]


def measure_moves(client, url, repeat=REPEAT):
    """Move one of sales1's open cards back and forth between two open phases."""
    out = manage(
        url,
        "shell",
        "-c",
        "from opportunities.models import Opportunity, Phase; "
        "p1 = Phase.objects.get(name='Research'); p2 = Phase.objects.get(name='Contact made'); "
        "from crm.models import User; "
        "o = Opportunity.objects.filter(phase__kind='open').order_by('id').first(); "
        "o.owner = User.objects.get(username='sales1'); o.save(update_fields=['owner']); "
        "print(o.short_name, o.version, o.phase_id, p1.pk, p2.pk)",
        capture=True,
    ).stdout.split()
    short_name, version, current, first, second = out[-5:]
    version = int(version)
    targets = [first, second] if current != first else [second, first]
    timings = []
    client.get("/opportunities/board/")
    for index in range(repeat + 1):
        started = time.perf_counter()
        status, body = client.post(
            f"/opportunities/{short_name}/move/",
            {"group": "phase", "to": targets[index % 2], "version": version, "csrfmiddlewaretoken": client.csrf()},
            headers={"HX-Request": "true", "X-CSRFToken": client.csrf()},
        )
        elapsed = (time.perf_counter() - started) * 1000
        if status != 200:
            raise SystemExit(f"move: HTTP {status}: {body[:300]!r}")
        version = int(re.search(rb'data-version="(\d+)"', body).group(1))
        if index:  # the first one warms up
            timings.append(elapsed)
    return statistics.median(timings), percentile(timings, 0.95), len(body)


def measure_journal_posts(client, url, repeat=REPEAT):
    """Post journal entries (htmx, as the detail page does) on one of sales1's opportunities, then remove them."""
    out = manage(
        url,
        "shell",
        "-c",
        "from opportunities.models import Opportunity; "
        "print(Opportunity.objects.filter(owner__username='sales1').order_by('id').first().short_name)",
        capture=True,
    ).stdout.split()
    short_name = out[-1]
    timings = []
    client.get(f"/journal/{short_name}/")
    for index in range(repeat + 1):
        started = time.perf_counter()
        status, body = client.post(
            f"/journal/{short_name}/new/",
            {"mood": "neutral", "text": f"bench note {index}", "csrfmiddlewaretoken": client.csrf()},
            headers={"HX-Request": "true", "X-CSRFToken": client.csrf()},
        )
        elapsed = (time.perf_counter() - started) * 1000
        if status != 200:
            raise SystemExit(f"journal post: HTTP {status}: {body[:300]!r}")
        if index:  # the first one warms up
            timings.append(elapsed)
    manage(
        url,
        "shell",
        "-c",
        "from journal.models import JournalEntry; "
        f"JournalEntry.objects.filter(opportunity__short_name='{short_name}', text__startswith='bench note ').delete()",
    )
    return statistics.median(timings), percentile(timings, 0.95), len(body)


INLINE_FIELDS = ["name", "description", "value", "probability", "expected_close_date", "category", "source"]
INLINE_FIELDS += ["status", "phase", "custom field"]


def measure_inline_edits(client, url, repeat=REPEAT):
    """Edit each field of the detail page in place (htmx, as the page does) on one of sales1's open opportunities.

    Every POST changes the value (two values in turn) with the version the previous answer gave;
    the fields are put back afterwards.
    """
    script = (
        "import json; from opportunities.models import Opportunity, Phase, Status, Category, Source, CustomField; "
        "from bench.detail_fixture import MARKER; "
        "o = Opportunity.objects.filter(owner__username='sales1', phase__kind='open').exclude(name=MARKER)"
        ".order_by('-id').first(); "
        "cf = CustomField.objects.filter(is_active=True, field_type='choice').order_by('position', 'id').first(); "
        "two = lambda model, **f: list(model.objects.filter(is_active=True, **f).order_by('position')"
        ".values_list('pk', flat=True)[:2]); "
        "print(json.dumps({'short_name': o.short_name, 'version': o.version, "
        "'phases': two(Phase, kind='open'), 'statuses': two(Status), 'categories': two(Category), "
        "'sources': two(Source), "
        "'custom': [cf.key, cf.choices[:2]] if cf else None, "
        "'restore': {f: str(getattr(o, f)) if getattr(o, f) is not None else None for f in "
        "['name', 'description', 'value', 'probability', 'expected_close_date', 'category_id', 'source_id', "
        "'status_id', 'phase_id']} | {'custom_values': o.custom_values}}))"
    )
    import json

    data = json.loads(manage(url, "shell", "-c", script, capture=True).stdout.strip().splitlines()[-1])
    short_name, version = data["short_name"], data["version"]
    client.get(f"/opportunities/{short_name}/")

    def values(field, index):
        two = {
            "name": [f"Inline edit bench {index}", f"Inline edit bench {index} (b)"],
            "description": [f"Edited in place, run {index}.", f"Edited in place, run {index} (b)."],
            "value": [str(10000 + index), str(20000 + index)],
            "probability": ["20", "40"],
            "expected_close_date": ["2031-01-15", "2031-02-15"],
            "category": data["categories"],
            "source": data["sources"],
            "status": data["statuses"],
            "phase": data["phases"],
        }
        if field == "custom field":
            return data["custom"][1][index % 2]
        return two[field][index % 2]

    results = []
    for field in INLINE_FIELDS:
        if field == "custom field" and not data["custom"]:
            continue
        key = f"cf_{data['custom'][0]}" if field == "custom field" else field
        timings = []
        for index in range(repeat + 1):
            started = time.perf_counter()
            status, body = client.post(
                f"/opportunities/{short_name}/fields/{key}/",
                {"value": values(field, index), "version": version, "csrfmiddlewaretoken": client.csrf()},
                headers={"HX-Request": "true", "X-CSRFToken": client.csrf()},
            )
            elapsed = (time.perf_counter() - started) * 1000
            if status != 200:
                raise SystemExit(f"inline edit {key}: HTTP {status}: {body[:300]!r}")
            version = max(int(v) for v in re.findall(rb'data-version="(\d+)"', body))
            if index:  # the first one warms up
                timings.append(elapsed)
        results.append((field, statistics.median(timings), percentile(timings, 0.95), len(body)))
    restore = json.dumps(data["restore"])
    manage(
        url,
        "shell",
        "-c",
        f"import json; from opportunities.models import Opportunity; "
        f"Opportunity.objects.filter(short_name={short_name!r}).update(**json.loads({restore!r}))",
    )
    return results


def detail_paths(url) -> list[tuple[str, str]]:
    """The detail page of the opportunity with the most journal entries, tasks and members."""
    out = manage(
        url,
        "shell",
        "-c",
        "from bench.detail_fixture import ensure_big_opportunity; print(ensure_big_opportunity())",
        capture=True,
    ).stdout.split()
    return [("detail: 200 entries, 30 tasks, 20 members, 10 documents", f"/opportunities/{out[-1]}/")]


def main():
    url = ensure_database(database_url())
    manage(url, "collectstatic", "--no-input", "-v0")
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "crm.wsgi",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env(url),
    )
    try:
        base = f"http://127.0.0.1:{PORT}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/accounts/login/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        client = Client(base)
        client.login("sales1", PASSWORD)
        # /reminders/: sales1 has 500 open reminders among ~300,000 journal entries (seed_demo --scale).
        paths = table_paths(url) + board_paths(url) + [("reminders", "/reminders/")] + detail_paths(url)
        queries = count_queries(url, [path for _, path in paths])
        lines = [
            f"Benchmark at {SCALE:,} opportunities, {REPEAT} sequential requests each, gunicorn (2 workers), DEBUG off",
            "",
            "| what | median ms | p95 ms | queries | bytes |",
            "|---|---:|---:|---:|---:|",
        ]
        print("\n".join(lines), flush=True)
        for label, path in paths:
            median, p95, size = measure(client, path)
            line = f"| {label} | {median:.1f} | {p95:.1f} | {queries[path]} | {size:,} |"
            lines.append(line)
            print(line, flush=True)
        median, p95, size = measure_moves(client, url)
        line = f"| board: move POST | {median:.1f} | {p95:.1f} | – | {size:,} |"
        lines.append(line)
        print(line, flush=True)
        for field, median, p95, size in measure_inline_edits(client, url):
            line = f"| detail: inline edit {field} | {median:.1f} | {p95:.1f} | – | {size:,} |"
            lines.append(line)
            print(line, flush=True)
        median, p95, size = measure_journal_posts(client, url)
        line = f"| journal: post entry | {median:.1f} | {p95:.1f} | – | {size:,} |"
        lines.append(line)
        print(line, flush=True)
        results = ROOT / "bench" / "results"
        results.mkdir(exist_ok=True)
        (results / "latest.md").write_text("\n".join(lines) + "\n")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
