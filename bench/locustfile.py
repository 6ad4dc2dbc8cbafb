"""A sales rep's day, for locust (bench/load.py starts it; not part of `make test`).

Each simulated user logs in as an account of its own (bench/load_fixture.py,
described in the JSON file LOAD_FIXTURE names) and, with a few seconds of
thinking between clicks, opens the opportunity table (plain, filtered,
searched), the board, its opportunities' detail pages and reminders, moves its
own cards between open phases as the board's drag and drop does (htmx POST with
the version the card showed), posts journal entries and downloads its offer's
PDF. Every answer is checked for what a person would see: a wrong status, the
login page or a missing landmark counts as a failure.
"""

import itertools
import json
import os
import random
import re
from pathlib import Path

from locust import HttpUser, between, task

FIXTURE = json.loads(Path(os.environ["LOAD_FIXTURE"]).read_text())
PASSWORD = os.environ["LOAD_PASSWORD"]
NOTE_PREFIX = "Load test note"
SEARCHES = ["consulting", "software", "service", "gmbh", "analytics", "cloud"]
_accounts = itertools.count()


class Rep(HttpUser):
    wait_time = between(1, 5)

    def on_start(self):
        self.rep = FIXTURE["reps"][next(_accounts) % len(FIXTURE["reps"])]
        self.opportunities = [dict(o) for o in self.rep["opportunities"]]
        self.page("/accounts/login/", "login page", "password")
        with self.client.post(
            "/accounts/login/",
            {"username": self.rep["username"], "password": PASSWORD, "csrfmiddlewaretoken": self.csrf()},
            name="login POST",
            catch_response=True,
        ) as response:
            if "sessionid" not in self.client.cookies:
                response.failure(f"login as {self.rep['username']} failed ({response.status_code})")

    # -- helpers ---------------------------------------------------------------

    def csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    def htmx_headers(self) -> dict:
        return {"HX-Request": "true", "X-CSRFToken": self.csrf()}

    def page(self, path: str, name: str, landmark: str, headers: dict | None = None):
        with self.client.get(path, name=name, headers=headers, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            elif "/accounts/login/" in response.url and name != "login page":
                response.failure("sent to the login page")
            elif landmark not in response.text:
                response.failure(f"no {landmark!r} on the page")
            return response

    def mine(self) -> dict:
        return random.choice(self.opportunities)

    # -- a rep's day -----------------------------------------------------------

    @task(10)
    def table(self):
        self.page("/opportunities/", "table", 'id="opportunity-table"')

    @task(5)
    def table_filtered(self):
        phase = random.choice(FIXTURE["open_phases"])
        query = random.choice([f"?phase={phase}&owner=me", "?owner=me&sort=-value", f"?phase={phase}&group=owner"])
        self.page("/opportunities/" + query, "table: filter", 'id="opportunity-table"', headers={"HX-Request": "true"})

    @task(4)
    def table_search(self):
        query = random.choice([*SEARCHES, self.mine()["short_name"]])
        self.page(f"/opportunities/?q={query}", "table: search", 'id="opportunity-table"')

    @task(6)
    def board(self):
        self.page(random.choice(["/opportunities/board/", "/opportunities/board/?owner=me"]), "board", 'id="board"')

    @task(8)
    def detail(self):
        self.page(f"/opportunities/{self.mine()['short_name']}/", "detail", 'id="journal')

    @task(2)
    def reminders(self):
        self.page("/reminders/", "reminders", "reminder")

    @task(4)
    def move(self):
        """Drag a card to another open phase; the card comes back with its new version."""
        opportunity = self.mine()
        target = random.choice([p for p in FIXTURE["open_phases"] if p != opportunity["phase"]])
        with self.client.post(
            f"/opportunities/{opportunity['short_name']}/move/",
            {"group": "phase", "to": target, "version": opportunity["version"], "csrfmiddlewaretoken": self.csrf()},
            headers=self.htmx_headers(),
            name="board: move",
            catch_response=True,
        ) as response:
            version = re.search(r'data-version="(\d+)"', response.text or "")
            if response.status_code != 200 or version is None:
                response.failure(f"HTTP {response.status_code}: {response.text[:200]!r}")
                return
            opportunity["version"], opportunity["phase"] = int(version.group(1)), target
        # The board reloads its column totals after a move (hx-trigger="opportunityMoved from:body").
        self.page("/opportunities/board/totals/", "board: totals", "board-totals", headers={"HX-Request": "true"})

    @task(3)
    def journal_post(self):
        opportunity = self.mine()
        text = f"{NOTE_PREFIX}: called about {opportunity['short_name']}, they want a revised offer."
        with self.client.post(
            f"/journal/{opportunity['short_name']}/new/",
            {"mood": random.choice(["happy", "neutral", "sad"]), "text": text},
            headers=self.htmx_headers(),
            name="journal: post",
            catch_response=True,
        ) as response:
            if response.status_code != 200 or NOTE_PREFIX not in response.text:
                response.failure(f"HTTP {response.status_code}: {response.text[:200]!r}")

    @task(1)
    def pdf(self):
        number = random.choice(self.rep["documents"])
        with self.client.get(f"/documents/{number}/pdf/", name="document: PDF", catch_response=True) as response:
            if response.status_code != 200 or not response.content.startswith(b"%PDF"):
                response.failure(f"HTTP {response.status_code}, {response.headers.get('Content-Type')}")
