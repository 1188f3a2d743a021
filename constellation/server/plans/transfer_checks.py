"""What an OKR file must satisfy before the server takes it, checked against file and database.

A file may describe part of an organisation, so a reference may name something that exists
only in the database. The loader checks the file on its own; these checks add what only the
server knows (rows already there, column sizes, the alignment links kept outside the file, the
organisation's members).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from datetime import timedelta

from django.utils import timezone

from constellation.core import model
from constellation.core.alignment import AlignmentGraph
from constellation.core.okrfile.schema import MAX_LENGTH, is_id
from constellation.core.periods import is_period
from constellation.core.work_links import check_url
from constellation.server.okrs.models import Initiative, KeyResult, Objective
from constellation.server.orgs.models import Team
from constellation.server.plans.transfer_export import OrgRows

# The column sizes, shared with the loader so that `okr lint` refuses what this refuses.
_MAX = MAX_LENGTH
USERNAME_MAX = MAX_LENGTH["objective"]["owner"]


class Checker:
    """Collects problems with a plan, each as `FILE:LINE:COL: message`."""

    def __init__(
        self,
        plan: model.Plan,
        rows: OrgRows,
        db_alignments: list[tuple[str, str]],
        members: Collection[str] = (),
    ) -> None:
        """Check `plan` against the organisation's rows, its alignment links (as slugs) and the
        usernames of its members among the file's owners."""
        self.plan = plan
        self.rows = rows
        self.db_alignments = db_alignments
        self.members = set(members)
        self.problems: list[str] = []
        self.levers = {lever.id for lever in plan.levers} | {r.slug for r in rows.levers}
        self.teams = {team.id for team in plan.teams} | {r.slug for r in rows.teams}
        self.kpis = {kpi.id for kpi in plan.kpis} | {r.slug for r in rows.kpis}
        self.objectives = {o.id for o in plan.objectives} | set(rows.objective_slugs.values())
        self.rows_by_slug = {row.slug: row for row in rows.objectives}

    def add(self, line: int | None, message: str) -> None:
        """Record one problem at a line of the file."""
        self.problems.append(f"{self.plan.path or '<file>'}:{line or 1}:1: {message}")

    def run(self) -> list[str]:
        """Every problem found, in file order."""
        self.check_text(
            None, "organization", self.plan.organization, _MAX["the top level"]["organization"]
        )
        self.check_unique("lever", self.plan.levers)
        self.check_unique("team", self.plan.teams)
        self.check_unique("KPI", self.plan.kpis)
        self.check_unique("objective", self.plan.objectives)
        for lever in self.plan.levers:
            self.check_id(lever.line, "lever", lever.id, _MAX["lever"]["id"])
            self.check_text(lever.line, "title", lever.title, _MAX["lever"]["title"])
        self.check_teams()
        for kpi in self.plan.kpis:
            self.check_id(kpi.line, "KPI", kpi.id, _MAX["KPI"]["id"])
            self.check_text(kpi.line, "title", kpi.title, _MAX["KPI"]["title"])
            self.check_text(kpi.line, "unit", kpi.unit, _MAX["KPI"]["unit"])
        for objective in self.plan.objectives:
            self.check_objective(objective)
        self.check_cycles()
        return self.problems

    def check_unique(self, kind: str, items: Iterable[object]) -> None:
        """Each id at most once within its kind."""
        counts = Counter(getattr(item, "id", None) for item in items)
        for item in items:
            item_id = getattr(item, "id", None)
            if item_id is not None and counts[item_id] > 1:
                self.add(getattr(item, "line", None), f"{kind} id {item_id!r} is used twice")
                counts[item_id] = 0

    def check_id(self, line: int | None, kind: str, value: str | None, size: int) -> None:
        """An id as the file format allows it, short enough for its column."""
        if value is None:
            return
        if not is_id(value):
            self.add(line, f"{kind} id {value!r} is not an id: letters, digits, '_', '.', '-'")
        elif len(value) > size:
            self.add(line, f"{kind} id {value!r} is longer than {size} characters")

    def check_text(self, line: int | None, name: str, value: str | None, size: int) -> None:
        """A text that fits its column."""
        if value is not None and len(value) > size:
            self.add(line, f"{name} is longer than {size} characters ({len(value)})")

    def check_ref(self, line: int | None, what: str, value: str | None, known: set[str]) -> None:
        """A reference that names something in the file or already on the server."""
        if value is not None and value not in known:
            self.add(line, f"{what} {value!r} is neither in the file nor on the server")

    def check_teams(self) -> None:
        """Team ids, names, phases, parents that exist, and an org chart without loops."""
        phases = set(Team.Phase.values)
        slugs = self.rows.team_slugs
        parents = {r.slug: slugs.get(r.parent_id) if r.parent_id else None for r in self.rows.teams}
        for team in self.plan.teams:
            self.check_id(team.line, "team", team.id, _MAX["team"]["id"])
            self.check_text(team.line, "name", team.name, _MAX["team"]["name"])
            self.check_ref(team.line, "parent team", team.parent, self.teams)
            if team.phase is not None and team.phase not in phases:
                self.add(team.line, f"phase {team.phase!r} is not one of {sorted(phases)}")
            parents[team.id] = team.parent
        for team in self.plan.teams:
            seen = {team.id}
            current = parents.get(team.id)
            while current is not None:
                if current in seen:
                    self.add(team.line, f"team {team.id!r} is its own ancestor (parent loop)")
                    break
                seen.add(current)
                current = parents.get(current)

    def check_objective(self, objective: model.Objective) -> None:
        """One objective, its references, key results and initiatives."""
        line = objective.line
        self.check_id(line, "objective", objective.id, _MAX["objective"]["id"])
        self.check_text(line, "title", objective.title, _MAX["objective"]["title"])
        self.check_owner(line, objective.owner)
        self.check_ref(line, "team", objective.team, self.teams)
        if not is_period(objective.period):
            self.add(line, f"period {objective.period!r} is not YYYY-Qn or YYYY")
        self.check_choice(line, "focus", objective.focus, Objective.Focus.values)
        self.check_choice(line, "state", objective.state, Objective.State.values)
        self.check_choice(line, "commitment", objective.commitment, Objective.Commitment.values)
        for lever in objective.levers:
            self.check_ref(line, "lever", lever, self.levers)
        for kpi in objective.guardrails:
            self.check_ref(line, "guardrail KPI", kpi, self.kpis)
        for target in objective.aligns_to:
            self.check_ref(line, "aligned objective", target, self.objectives)
        self.check_unique(f"key result (in {objective.id!r})", objective.key_results)
        for kr in objective.key_results:
            self.check_key_result(objective, kr)
        self.check_initiatives(objective)

    def check_owner(self, line: int | None, owner: str | None) -> None:
        """An owner who already belongs to the organisation: an import never enrols anyone.

        Anyone else gets the same message whether or not the username exists in another
        organisation, so an import's answer tells nothing about other organisations' people.
        """
        self.check_text(line, "owner", owner, USERNAME_MAX)
        if owner is not None and len(owner) <= USERNAME_MAX and owner not in self.members:
            self.add(
                line,
                f"owner {owner!r} is not a member of this organisation: add them to it "
                "first, or leave the owner out",
            )

    def check_choice(self, line: int | None, name: str, value: str | None, allowed: list) -> None:
        """A value among the server's choices."""
        if value is not None and value not in allowed:
            self.add(line, f"{name} {value!r} is not one of {', '.join(map(str, allowed))}")

    def check_key_result(self, objective: model.Objective, kr: model.KeyResult) -> None:
        """One key result's id, sizes, choices and references."""
        line = kr.line or objective.line
        self.check_id(line, "key result", kr.id, _MAX["key result"]["id"])
        self.check_text(line, "title", kr.title, _MAX["key result"]["title"])
        self.check_text(line, "unit", kr.unit, _MAX["key result"]["unit"])
        self.check_owner(line, kr.owner)
        self.check_choice(line, "type", kr.type, KeyResult.Type.values)
        self.check_ref(line, "KPI", kr.kpi, self.kpis)
        confidences = [kr.confidence, *(c.confidence for c in kr.check_ins)]
        if any(c is not None and not 0 <= c <= 10 for c in confidences):
            self.add(line, "confidence must be a whole number from 0 to 10")
        # A check-in dated far ahead would stay the latest for good and pin the value, as
        # the check-in action refuses it too (an export's late check-ins stay importable).
        latest = timezone.localdate() + timedelta(days=1)
        for check_in in kr.check_ins:
            if check_in.on > latest:
                where = check_in.line or line
                self.add(where, f"check-in on {check_in.on.isoformat()} is more than a day ahead")

    def check_initiatives(self, objective: model.Objective) -> None:
        """Initiatives: ids, sizes, status, owners, web links, and moves naming key results of
        the objective."""
        known = {kr.id for kr in objective.key_results}
        row = self.rows_by_slug.get(objective.id)
        if row is not None:
            known |= {kr.slug for kr in self.rows.key_results.get(row.id, [])}
        self.check_unique(f"initiative (in {objective.id!r})", objective.initiatives)
        for initiative in objective.initiatives:
            line = initiative.line or objective.line
            self.check_id(line, "initiative", initiative.id, _MAX["initiative"]["id"])
            self.check_text(line, "title", initiative.title, _MAX["initiative"]["title"])
            self.check_choice(line, "status", initiative.status, Initiative.Status.values)
            self.check_owner(line, initiative.owner)
            for url in initiative.links:
                try:
                    check_url(url)
                except ValueError as error:
                    self.add(line, f"links of initiative {initiative.title[:60]!r}: {error}")
            for kr_id in initiative.moves:
                self.check_ref(line, f"key result of {objective.id!r}", kr_id, known)

    def check_cycles(self) -> None:
        """No objective aligns to itself and no chain of alignment comes back to its start."""
        in_file = {o.id for o in self.plan.objectives}
        links = [(s, t) for s, t in self.db_alignments if s not in in_file]
        for objective in self.plan.objectives:
            links.extend((objective.id, target) for target in objective.aligns_to)
        lines = {o.id: o.line for o in self.plan.objectives}
        for loop in AlignmentGraph(links).cycles():
            start = next((node for node in loop if node in in_file), loop[0])
            self.add(lines.get(start), "alignment would form a loop: " + " → ".join(loop))


def check_plan(
    plan: model.Plan,
    rows: OrgRows,
    db_alignments: list[tuple[str, str]],
    members: Collection[str] = (),
) -> list[str]:
    """Every reason the server cannot take this plan as it is (empty when it can).

    `members` are the usernames of the organisation's members among the file's owners; an
    owner not among them is refused.
    """
    return Checker(plan, rows, db_alignments, members).run()
