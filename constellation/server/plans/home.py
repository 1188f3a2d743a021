"""A person's home in an organisation: what needs them, their OKRs, and their teams'.

What needs a person: review requests they were asked to answer, requests for support made to
their teams and not answered yet, their key results due a check-in (as the reminders count
them: nobody checked in since the latest check-in time), and draft objectives of their teams
or their own in periods not yet over. Then the objectives they own or own a key result of in
the current periods, with the age of each key result's last check-in, and their teams'
objectives. Every list is one query on stored scores whatever the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from constellation.server.audit import changes
from constellation.server.okrs.access import (
    drafts_to_finish,
    objectives_of_teams,
    owned_objectives,
)
from constellation.server.okrs.models import KeyResult, Objective, Period
from constellation.server.orgs.access import Access, own_teams
from constellation.server.orgs.models import Team
from constellation.server.plans.my_week import current_periods
from constellation.server.sharing.access import dependencies_awaiting, reviews_awaiting
from constellation.server.sharing.models import Dependency, Reviewer
from constellation.server.tracking.access import (
    CheckInWindow,
    check_in_window,
    check_ins_due,
    owned_key_results,
)
from constellation.server.tracking.cadence import now


def check_in_age(last: date | None, today: date) -> str:
    """How long ago a key result was last checked in on, in words."""
    if last is None:
        return "never checked in"
    days = (today - last).days
    if days <= 0:
        return "checked in today"
    if days == 1:
        return "checked in yesterday"
    if days < 14:
        return f"checked in {days} days ago"
    if days < 60:
        return f"checked in {days // 7} weeks ago"
    return f"checked in {days // 30} months ago"


@dataclass(slots=True)
class AgedKeyResult:
    """A key result with the day of its last check-in and that day's age in words."""

    key_result: KeyResult
    last_check_in: date | None
    age: str


@dataclass(slots=True)
class MyObjective:
    """An objective the person owns or owns a key result of, with those key results and the
    age of the latest check-in on any of them."""

    objective: Objective
    key_results: list[AgedKeyResult]
    age: str


@dataclass(slots=True)
class TeamObjectives:
    """One of the person's teams with its objectives of the current periods."""

    team: Team
    objectives: list[Objective] = field(default_factory=list)


@dataclass(slots=True)
class Home:
    """Everything on a person's home page, read on one day."""

    today: date
    window: CheckInWindow
    periods: list[Period]
    teams: list[Team]
    reviews: list[Reviewer]
    dependencies: list[Dependency]
    due: list[AgedKeyResult]
    drafts: list[Objective]
    mine: list[MyObjective]
    team_objectives: list[TeamObjectives]

    @property
    def needs_count(self) -> int:
        """How many things need the person."""
        return len(self.reviews) + len(self.dependencies) + len(self.due) + len(self.drafts)


def _aged(rows: list[KeyResult], today: date) -> list[AgedKeyResult]:
    made = []
    for row in rows:
        last = getattr(row, "last_check_in", None)
        made.append(AgedKeyResult(row, last, check_in_age(last, today)))
    return made


def _mine(access: Access, person: Any, periods: list[Period], today: date) -> list[MyObjective]:
    objectives = owned_objectives(access, person, periods) if periods else []
    rows = owned_key_results(access, person, objectives) if objectives else []
    by_objective: dict[int, list[KeyResult]] = {}
    for row in rows:
        by_objective.setdefault(row.objective_id, []).append(row)
    made = []
    for objective in objectives:
        key_results = by_objective.get(objective.pk, [])
        for row in key_results:
            row.objective = objective  # already read: no query per row for the page's links
        aged = _aged(key_results, today)
        checked = [kr.last_check_in for kr in aged if kr.last_check_in is not None]
        made.append(MyObjective(objective, aged, check_in_age(max(checked, default=None), today)))
    return made


def _by_team(teams: list[Team], objectives: list[Objective]) -> list[TeamObjectives]:
    grouped = {team.pk: TeamObjectives(team) for team in teams}
    for objective in objectives:
        grouped[objective.team_id].objectives.append(objective)
    return list(grouped.values())


def personal_home(access: Access, person: Any) -> Home:
    """The person's home in this organisation, in a fixed number of queries."""
    changes.flush()  # stored scores are current before they are read
    window = check_in_window(access, now())
    today = window.today
    periods = current_periods(access, today)
    teams = list(own_teams(access))
    team_rows = objectives_of_teams(access, teams, periods) if teams and periods else []
    return Home(
        today=today,
        window=window,
        periods=periods,
        teams=teams,
        reviews=reviews_awaiting(access, person),
        dependencies=dependencies_awaiting(access, teams) if teams else [],
        due=_aged(check_ins_due(access, person, window), today),
        drafts=drafts_to_finish(access, person, teams, today),
        mine=_mine(access, person, periods, today),
        team_objectives=_by_team(teams, team_rows),
    )
