"""Importing an OKR spreadsheet into a period: a preview of every change, then one apply.

The file's rows are laid over the period's plan as the server holds it (`period_objectives`),
and the result goes through the OKR file's import (`transfer.import_plan`): the same checks,
the same bulk writes, one audit event per row changed and the stored scores brought up to
date. What the file does not mention is kept (other objectives and key results, alignment,
levers, guardrails, initiatives, check-ins), and the rows keep their order, so importing a
fresh export changes nothing. `do_import_sheet` is the one door of the web page and the API.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q

from constellation.core import model
from constellation.core.okrfile.schema import derive_ids
from constellation.server.audit import changes as writes
from constellation.server.audit.actions import record
from constellation.server.okrs.access import other_periods_of
from constellation.server.okrs.models import Period
from constellation.server.orgs.access import Access, active_memberships_of, require_team, teams_of
from constellation.server.orgs.models import Team
from constellation.server.plans.sheets import period_objectives
from constellation.server.plans.sheets_read import (
    KeyResultRecord,
    ObjectiveRecord,
    Problem,
    SheetProblems,
    read_records,
)
from constellation.server.plans.transfer import ImportRefused, ImportReport, import_plan
from constellation.server.plans.transfer_report import jsonable

# `<file>:LINE:COL: message`, as the OKR file's checks word a problem.
_CHECK_PROBLEM = re.compile(r"^.*?:(\d+):\d+: (.*)$", re.DOTALL)
KINDS = ("objective", "key result")


@dataclass
class SheetImport:
    """What an import of a spreadsheet did (or, in a dry run, would do) to a period."""

    period: str
    dry_run: bool
    report: ImportReport
    emails: dict[str, str] = field(default_factory=dict)
    mentioned: set[str] = field(default_factory=set)

    def counts(self) -> dict[str, dict[str, int]]:
        """Created and updated objectives and key results, and the file's unchanged ones."""
        counts = {kind: {"created": 0, "updated": 0, "unchanged": 0} for kind in KINDS}
        changed = set()
        for change in self.report.changes:
            if change.kind in KINDS:
                counts[change.kind][change.action] += 1
                changed.add(change.key)
        for key in self.mentioned - changed:
            counts["key result" if "/" in key else "objective"]["unchanged"] += 1
        return counts

    def changes(self) -> list[dict[str, Any]]:
        """Each new or changed objective and key result, changed fields as before → after."""
        out = []
        for change in self.report.changes:
            if change.kind not in KINDS:
                continue
            fields = [
                {
                    "field": f.field,
                    "before": self.shown(f.field, f.old),
                    "after": self.shown(f.field, f.new),
                }
                for f in change.fields
            ]
            out.append(
                {"kind": change.kind, "key": change.key, "action": change.action, "fields": fields}
            )
        return out

    def shown(self, name: str, value: Any) -> Any:
        """A value as the spreadsheet writes it (owners by email)."""
        if name == "owner" and isinstance(value, str):
            return self.emails.get(value, value)
        if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
            return int(value)  # 50, as the file has it, not 50.0
        return jsonable(value)

    @property
    def changed(self) -> bool:
        """Whether the file changes (or would change) anything."""
        return any(change.kind in KINDS for change in self.report.changes)


class Overlay:
    """Lays a file's records over a period's objectives, noting problems by row and column."""

    def __init__(self, access: Access, period: Period, base: list[model.Objective]) -> None:
        """Start from the period's objectives as the server holds them."""
        self.access = access
        self.period = period
        self.objectives = base
        self.by_id = {o.id: o for o in base}
        self.before = {o.id: _values(o) for o in base}
        self.problems: list[Problem] = []
        self.teams: dict[str, Team] = {}
        self.owners: dict[str, str] = {}  # email or username (lower case) → username
        self.emails: dict[str, str] = {}  # username → email, to show owners as the file does
        self.mentioned: set[str] = set()

    def bad(self, record: ObjectiveRecord | KeyResultRecord, column: str, message: str) -> None:
        """Note a problem of one cell."""
        self.problems.append(Problem(record.row, column, message, record.sheet))

    def prepare(self, objectives: list[ObjectiveRecord], krs: list[KeyResultRecord]) -> None:
        """Read the teams, owners and other periods' objectives the file names (3 queries)."""
        names = {r.team for r in objectives} | {o.team for o in self.objectives}
        self.teams = {t.slug: t for t in teams_of(self.access).filter(slug__in=names)}
        owners = {r.owner for r in objectives if r.owner} | {r.owner for r in krs if r.owner}
        owners |= {o.lower() for o in owners}
        members = active_memberships_of(self.access).filter(
            Q(user__email__in=owners) | Q(user__username__in=owners)
        )
        for username, email in members.values_list("user__username", "user__email"):
            self.owners[username.lower()] = username
            if email:
                self.owners[email.lower()] = username
                self.emails[username] = email
        slugs = [r.id for r in objectives if r.id not in self.by_id]
        self.elsewhere = other_periods_of(self.access, slugs)

    def owner(self, record: ObjectiveRecord | KeyResultRecord, column: str) -> str | None:
        """The username of the member a cell names by email (or username)."""
        if record.owner is None:
            return None
        username = self.owners.get(record.owner.lower())
        if username is None:
            self.bad(record, column, f"{record.owner!r} is not a member of this organisation")
        return username

    def objective(self, record: ObjectiveRecord) -> None:
        """Update the objective the row names, or add it to the period."""
        if record.id in self.elsewhere:
            other = self.elsewhere[record.id]
            self.bad(
                record,
                "objective",
                f"{record.id!r} is an objective of {other}, not {self.period.key}",
            )
            return
        if record.team not in self.teams:
            self.bad(record, "team", f"{record.team!r} is not a team of this organisation")
            return
        owner = self.owner(record, "objective_owner")
        self.mentioned.add(record.id)
        found = self.by_id.get(record.id)
        if found is None:
            found = model.Objective(
                id=record.id, team=record.team, title="", period=self.period.key
            )
            self.objectives.append(found)
            self.by_id[record.id] = found
        found.team, found.title, found.focus = record.team, record.title, record.focus
        found.commitment, found.owner, found.line = record.commitment, owner, record.row

    def key_results(self, records: list[KeyResultRecord]) -> None:
        """Update or add each key result; ids left blank are made from titles, as in a file."""
        by_objective: dict[str, list[KeyResultRecord]] = {}
        for item in records:
            by_objective.setdefault(item.objective, []).append(item)
        for objective_id, rows in by_objective.items():
            objective = self.by_id.get(objective_id)
            if objective is None:
                continue  # its objective's row was refused
            known = {kr.title: kr.id for kr in objective.key_results}
            given = [r.id or known.get(r.title) for r in rows]
            ids = derive_ids([r.title for r in rows], given)
            existing = {kr.id: kr for kr in objective.key_results}
            for row, kr_id in zip(rows, ids, strict=True):
                self.key_result(objective, existing, row, kr_id)

    def key_result(
        self,
        objective: model.Objective,
        existing: dict[str, model.KeyResult],
        record: KeyResultRecord,
        kr_id: str,
    ) -> None:
        """One key result's values from its row."""
        if record.type == "range" and record.healthy is None:
            self.bad(
                record, "healthy", "a key result of type range needs a healthy range (95..100)"
            )
        owner = self.owner(record, "key_result_owner")
        self.mentioned.add(f"{objective.id}/{kr_id}")
        kr = existing.get(kr_id)
        if kr is None:
            kr = model.KeyResult(id=kr_id, title="", id_given=record.id is not None)
            objective.key_results.append(kr)
            existing[kr_id] = kr
        kr.title, kr.type, kr.baseline, kr.target = (
            record.title,
            record.type,
            record.baseline,
            record.target,
        )
        kr.unit, kr.current, kr.done, kr.confidence = (
            record.unit,
            record.current,
            record.done,
            record.confidence,
        )
        kr.weight, kr.healthy, kr.owner, kr.line = record.weight, record.healthy, owner, record.row

    def touched_teams(self) -> set[str]:
        """The teams whose objectives the file changes (before and after a move)."""
        teams = set()
        for objective in self.objectives:
            before = self.before.get(objective.id)
            if before is None or before != _values(objective):
                teams.add(objective.team)
                if before is not None:
                    teams.add(before[0])
        return teams


def _values(objective: model.Objective) -> tuple[Any, ...]:
    """What a spreadsheet can change of an objective and its key results, to compare."""
    krs = tuple(
        (
            *(kr.id, kr.title, kr.type, kr.baseline, kr.target, kr.unit, kr.current, kr.done),
            *(kr.confidence, kr.weight, kr.healthy.text() if kr.healthy else None, kr.owner),
        )
        for kr in objective.key_results
    )
    fields = (objective.title, objective.focus, objective.commitment, objective.owner)
    return (objective.team, *fields, krs)


def _refused(refused: ImportRefused) -> SheetProblems:
    """The OKR file's checks' problems, by the row they were found on."""
    problems = []
    for text in refused.problems:
        match = _CHECK_PROBLEM.match(text)
        row, message = (int(match[1]), match[2]) if match else (1, text)
        problems.append(Problem(row, None, message))
    return SheetProblems(problems)


def do_import_sheet(
    access: Access, period: Period, data: bytes, filename: str, actor: Any, *, dry_run: bool = True
) -> SheetImport:
    """Import a spreadsheet's objectives and key results into `period`, or (dry run) say what
    it would change; SheetProblems names each bad row and column, and nothing is written."""
    access.require_write()
    records = read_records(data, filename)
    with writes.atomic():
        base = period_objectives(access.organization, period, lock=True)
        overlay = Overlay(access, period, base)
        overlay.prepare(records.objectives, records.key_results)
        for objective in records.objectives:
            overlay.objective(objective)
        overlay.key_results(records.key_results)
        if overlay.problems:
            raise SheetProblems(overlay.problems)
        for team in sorted(overlay.touched_teams()):
            require_team(access, overlay.teams[team], "import their OKRs")
        result = _import(access, period, overlay, filename, actor, dry_run=dry_run)
        if dry_run:
            transaction.set_rollback(True)
    return result


def _import(
    access: Access, period: Period, overlay: Overlay, filename: str, actor: Any, *, dry_run: bool
) -> SheetImport:
    """Run the OKR file's import on the period's plan with the file laid over it."""
    organization = access.organization
    plan = model.Plan(organization.name, period.key, objectives=overlay.objectives, path=filename)
    try:
        report = import_plan(
            plan,
            organization.slug,
            actor=actor,
            reason=f"imported from the spreadsheet {filename}"[:300],
            keep_order=True,
        )
    except ImportRefused as refused:
        raise _refused(refused) from refused
    result = SheetImport(period.key, dry_run, report, overlay.emails, overlay.mentioned)
    if result.changed and not dry_run:
        # One event for the whole file: its rows were written in bulk, so the period's
        # scores and findings are made again (`plans.stored`).
        record(
            organization.pk,
            actor,
            "import",
            organization,
            after={"spreadsheet": filename[:200], "period": period.key, "counts": result.counts()},
            reason="imported from a spreadsheet",
        )
    return result
