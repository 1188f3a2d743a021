"""The load test's users: 90 % reads, 10 % writes of every kind, split over two app processes.

benchmarks/load/run.py prepares the data and the processes and runs this headless; it passes:
  LOAD_HOSTS     the two app addresses, comma separated (half the users go to each)
  LOAD_PEOPLE    a JSON file: org, period, objectives, teams, kpis, and per person a username,
                 a session id and an API token (one person per simulated user)
  LOAD_RECORDS   where every acknowledged (2xx) write is appended, one JSON object a line
  LOAD_WAIT      the seconds a user waits between requests, "min,max" (default 0.5,1.5)

Each simulated user writes only to the objectives of its own teams (team index modulo the
number of users), so no two users edit one row and a 409 is a real error, not a race the test
made; it reads everything. Alignments go from a team to a team of a lower index, as the
generated ones do, so none can close a loop.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import threading
from datetime import date, timedelta
from typing import Any

from locust import HttpUser, between, task

HOSTS = [h for h in os.environ.get("LOAD_HOSTS", "http://127.0.0.1:8000").split(",") if h]
PEOPLE: dict[str, Any] = {}
if os.environ.get("LOAD_PEOPLE"):
    with open(os.environ["LOAD_PEOPLE"], encoding="utf-8") as handle:
        PEOPLE = json.load(handle)
# Seconds each simulated user waits between two requests (LOAD_WAIT="min,max").
WAIT = [float(x) for x in os.environ.get("LOAD_WAIT", "0.5,1.5").split(",")]
RECORDS = open(os.environ.get("LOAD_RECORDS", os.devnull), "a", encoding="utf-8")  # noqa: SIM115
_lock = threading.Lock()
_numbers = itertools.count()


def record(kind: str, **values: Any) -> None:
    """Note an acknowledged write (flushed at once: the run may be stopped any time)."""
    with _lock:
        RECORDS.write(json.dumps({"kind": kind, **values}) + "\n")
        RECORDS.flush()


class Person(HttpUser):
    """One person of the organisation, signed in (session) and with an API token."""

    abstract = True
    wait_time = between(WAIT[0], WAIT[-1])

    def on_start(self) -> None:
        self.number = next(_numbers)
        people = PEOPLE["people"]
        me = people[self.number % len(people)]
        self.org, self.period = PEOPLE["org"], PEOPLE["period"]
        self.objectives, self.teams = PEOPLE["objectives"], PEOPLE["teams"]
        self.users = len(people)
        self.own_teams = [t for t in range(self.teams) if t % self.users == me["index"]]
        self.client.cookies.set("sessionid", me["session"])
        self.api = {"Authorization": f"Bearer {me['token']}"}
        self.version: dict[str, int] = {}  # what this user last saw, objectives and KRs
        self.writes = 0
        self.csrf = ""

    # ------------------------------------------------------------ what is read and written

    def _any_objective(self) -> str:
        return f"o{random.randrange(self.objectives):05d}"

    def _own_objective(self) -> tuple[int, str]:
        team = random.choice(self.own_teams)
        index = min(team * 5 + random.randrange(5), self.objectives - 1)
        return team, f"o{index:05d}"

    def _check(self, response: Any, expected: tuple[int, ...] = (200,)) -> bool:
        if response.status_code not in expected:
            response.failure(f"{response.status_code}: {response.text[:200]}")
            return False
        response.success()
        return True

    # ------------------------------------------------------------ reads: 90 %

    @task(40)
    def dashboard(self) -> None:
        self.client.get(f"/o/{self.org}/?period={self.period}", name="dashboard")

    @task(40)
    def api_objectives(self) -> None:
        offset = random.randrange(max(1, self.objectives // 100)) * 100
        self.client.get(
            f"/api/v1/orgs/{self.org}/objectives?period={self.period}&offset={offset}",
            headers=self.api,
            name="API objectives (a page)",
        )

    @task(40)
    def objective_page(self) -> None:
        self.client.get(f"/o/{self.org}/objectives/{self._any_objective()}/", name="objective page")

    @task(40)
    def team_page(self) -> None:
        team = f"t{random.randrange(self.teams):05d}"
        self.client.get(f"/o/{self.org}/teams/{team}/?period={self.period}", name="team page")

    @task(20)
    def my_week(self) -> None:
        self.client.get(f"/o/{self.org}/my-week/", name="My week")

    # ------------------------------------------------------------ writes: 10 %

    def _note(self, kind: str) -> str:
        self.writes += 1
        return f"load {kind} {self.number}-{self.writes}"

    @task(6)
    def api_check_in(self) -> None:
        _, objective = self._own_objective()
        kr = random.choice(["kr1", "kr3"])
        value, note = round(random.uniform(0, 100), 2), self._note("api")
        with self.client.post(
            f"/api/v1/orgs/{self.org}/key-results/{objective}/{kr}/check-ins",
            json={"value": value, "confidence": random.randint(3, 9), "note": note},
            headers=self.api,
            name="write: check-in (API)",
            catch_response=True,
        ) as response:
            if self._check(response, (201,)):
                key = f"{objective}/{kr}"
                self.version[key] = self.version.get(key, 1) + 1
                made = response.json()["check_in"]
                record("check_in", id=made["id"], kr=key, value=value, note=note)

    @task(3)
    def web_check_in(self) -> None:
        _, objective = self._own_objective()
        if not self.csrf:
            self.client.get(f"/o/{self.org}/objectives/{objective}/", name="objective page")
            self.csrf = self.client.cookies.get("csrftoken", "")
        value, note = round(random.uniform(0, 100), 2), self._note("web")
        form = {"value": value, "confidence": 6, "note": note, "csrfmiddlewaretoken": self.csrf}
        with self.client.post(
            f"/o/{self.org}/objectives/{objective}/key-results/kr2/check-ins/",
            data=form,
            name="write: check-in (web form)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if self._check(response, (302,)):
                key = f"{objective}/kr2"
                self.version[key] = self.version.get(key, 1) + 1
                record("check_in", kr=key, value=value, note=note)

    @task(4)
    def edit_objective(self) -> None:
        _, objective = self._own_objective()
        title = f"Customers get to value sooner ({self._note('title')})"
        body = {"version": self.version.get(objective, 1), "title": title, "reason": "load test"}
        with self.client.patch(
            f"/api/v1/orgs/{self.org}/objectives/{objective}",
            json=body,
            headers=self.api,
            name="write: objective title (API PATCH)",
            catch_response=True,
        ) as response:
            self._versioned(response, objective)
            if response.status_code == 200:
                record("objective_title", objective=objective, title=title)

    @task(2)
    def edit_key_result(self) -> None:
        _, objective = self._own_objective()
        key = f"{objective}/kr3"
        title = f"Raise week-1 activation to 70% ({self._note('kr')})"
        body = {"version": self.version.get(key, 1), "title": title, "reason": "load test"}
        with self.client.patch(
            f"/api/v1/orgs/{self.org}/key-results/{key}",
            json=body,
            headers=self.api,
            name="write: key result title (API PATCH)",
            catch_response=True,
        ) as response:
            self._versioned(response, key)
            if response.status_code == 200:
                record("key_result_title", kr=key, title=title)

    def _versioned(self, response: Any, key: str) -> None:
        if response.status_code == 409:
            self.version[key] = int(response.json().get("current_version", 1))
        elif response.status_code == 200:
            self.version[key] = int(response.json()["version"])
        self._check(response)

    @task(2)
    def align(self) -> None:
        team, objective = self._own_objective()
        if team == 0:
            return
        target = f"o{random.randrange(min(team * 5, self.objectives)):05d}"
        with self.client.post(
            f"/api/v1/orgs/{self.org}/objectives/{objective}/aligns-to",
            json={"target": target},
            headers=self.api,
            name="write: alignment (API)",
            catch_response=True,
        ) as response:
            if self._check(response, (200, 201)):
                record("alignment", source=objective, target=target)

    @task(2)
    def kpi_reading(self) -> None:
        kpi = random.choice(PEOPLE["kpis"])
        # A day no other write uses: a reading replaces the same day's, and this test checks
        # that every acknowledged reading is kept.
        self.writes += 1
        day = date.today() - timedelta(days=30 + self.number + self.users * self.writes)
        value = round(random.uniform(1, 100), 3)
        with self.client.post(
            f"/api/v1/orgs/{self.org}/kpis/{kpi}/readings",
            json={"value": value, "date": day.isoformat()},
            headers=self.api,
            name="write: KPI reading (API)",
            catch_response=True,
        ) as response:
            if self._check(response, (200, 201)):
                record("kpi_reading", kpi=kpi, date=day.isoformat(), value=value)

    @task(1)
    def create_objective(self) -> None:
        team = random.choice(self.own_teams)
        title = f"Owners trust the numbers they see ({self._note('new')})"
        body = {"title": title, "team": f"t{team:05d}", "period": self.period}
        with self.client.post(
            f"/api/v1/orgs/{self.org}/objectives",
            json=body,
            headers=self.api,
            name="write: new draft objective (API)",
            catch_response=True,
        ) as response:
            if self._check(response, (201,)):
                record("objective_created", objective=response.json()["id"], title=title)


class FirstApp(Person):
    """Half of the users, on the first app process."""

    host = HOSTS[0]


class SecondApp(Person):
    """The other half, on the second app process (the first again when only one is given)."""

    host = HOSTS[-1]
