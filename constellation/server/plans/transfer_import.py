"""Plan → rows: upsert an OKR file into an organisation with bulk writes, audited.

The file is compared with the rows in the file's own words (ids, usernames, lists of ids),
so the report reads like the file and a second import of the same file finds nothing to
change: no write, no audit event, no version bump. Rows the file does not mention are kept.
Owners are named by username and must already be members of the organisation: an import
never creates a person nor enrols one, so it can neither pull in nor reveal someone of
another organisation.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, TypeVar

from django.db import models

from constellation.core import model
from constellation.core.periods import parse_period
from constellation.core.work_links import detect
from constellation.server.audit.models import AuditEvent
from constellation.server.kpis.models import Kpi
from constellation.server.okrs.models import (
    Alignment,
    Initiative,
    InitiativeLink,
    KeyResult,
    Objective,
    Period,
)
from constellation.server.orgs.models import Membership, Organization, Team
from constellation.server.plans.transfer_checks import check_plan
from constellation.server.plans.transfer_export import (
    CheckInRow,
    GuardrailLink,
    LeverLink,
    MoveLink,
    OrgRows,
    read_org,
)
from constellation.server.plans.transfer_report import (
    KINDS,
    FieldChange,
    ImportRefused,
    ImportReport,
    ObjectChange,
    jsonable,
)
from constellation.server.strategy.models import Lever, Strategy
from constellation.server.tracking.models import CheckIn

TEAM_FIELDS = ("name", "parent", "phase")
KPI_FIELDS = ("title", "unit", "direction", "healthy", "current")
OBJECTIVE_FIELDS = (
    *("team", "title", "period", "focus", "levers", "aligns_to", "guardrails"),
    *("commitment", "state", "owner"),
)
LINK_FIELDS = ("levers", "guardrails", "aligns_to")
KR_FIELDS = (
    *("title", "type", "baseline", "target", "current", "unit", "done", "kpi"),
    *("weight", "healthy", "confidence", "owner", "id_given"),
)
INITIATIVE_FIELDS = ("id", "title", "status", "owner", "moves", "links")
CHECK_IN_FIELDS = ("confidence", "note", "done")
STEPS = (
    "reading",
    "strategy",
    "levers",
    "teams",
    "KPIs",
    "periods",
    "people",
    "objectives",
    "alignment",
    "key results",
    "initiatives",
    "check-ins",
    "audit",
)
BATCH = 500
UPDATE_BATCH = 100

RowT = TypeVar("RowT", bound=models.Model)


def _blank(value: Any) -> Any:
    """Empty text and no value are the same thing in a column that stores blank for none."""
    return None if value == "" else value


def diff(old: object, new: object, names: tuple[str, ...]) -> list[FieldChange]:
    """The fields whose values differ between two dataclasses of the same kind."""
    changes = []
    for name in names:
        before, after = _blank(getattr(old, name)), _blank(getattr(new, name))
        if before != after:
            changes.append(FieldChange(name, before, after))
    return changes


def _position(row: models.Model, index: int) -> list[FieldChange]:
    """A change of place in the file's order, if any."""
    old = getattr(row, "position", index)
    return [FieldChange("position", old, index)] if old != index else []


def _data(item: object, names: tuple[str, ...]) -> dict[str, Any]:
    """A dataclass's fields as the audit history stores them."""
    return {name: jsonable(getattr(item, name)) for name in names}


class Importer:
    """One import of a plan into an organisation, inside the caller's transaction."""

    def __init__(
        self,
        plan: model.Plan,
        organization: Organization,
        report: ImportReport,
        *,
        actor: Any = None,
        reason: str = "",
        progress: Callable[[str], None] | None = None,
        keep_order: bool = False,
    ) -> None:
        """Prepare to import `plan` into `organization`, noting every change in `report`.

        With `keep_order` the rows keep their own positions and new ones go after the last:
        a spreadsheet's rows say nothing about order (and may hold one team's objectives).
        """
        self.plan = plan
        self.keep_order = keep_order
        self.org = organization
        self.report = report
        self.actor_id = getattr(actor, "pk", None)
        self.reason = reason
        self.progress = progress or (lambda step: None)
        self.audit: list[tuple[models.Model, dict | None, dict | None]] = []
        self.to_create: dict[type[models.Model], list[models.Model]] = defaultdict(list)
        # Changed rows grouped by the columns that changed, so each bulk update sets only those.
        self.to_update: dict[type[models.Model], dict[frozenset[str], list[models.Model]]] = (
            defaultdict(lambda: defaultdict(list))
        )
        self.kept: dict[str, list[str]] = defaultdict(list)
        self.rows: OrgRows

    # -- bookkeeping -------------------------------------------------------------------------

    def created(self, kind: str, key: str, row: models.Model, data: dict[str, Any]) -> None:
        """Note a new row (written later in bulk)."""
        self.report.changes.append(ObjectChange(kind, key, "created"))
        self.audit.append((row, None, data))
        self.to_create[type(row)].append(row)

    def updated(
        self, kind: str, key: str, row: models.Model, changes: list[FieldChange], values: dict
    ) -> None:
        """Note a changed row (written later in bulk); versioned rows move to a new version."""
        self.report.changes.append(ObjectChange(kind, key, "updated", changes))
        before = {c.field: jsonable(c.old) for c in changes}
        after = {c.field: jsonable(c.new) for c in changes}
        self.audit.append((row, before, after))
        columns = {name for name, value in values.items() if getattr(row, name) != value}
        for name in columns:
            setattr(row, name, values[name])
        if hasattr(row, "version"):
            row.version += 1
            columns.add("version")
        if columns:
            self.to_update[type(row)][frozenset(columns)].append(row)

    def upsert(
        self,
        kind: str,
        key: str,
        row: RowT | None,
        make: Callable[[], RowT],
        values: dict[str, Any],
        changes: list[FieldChange],
        data: dict[str, Any],
    ) -> RowT:
        """Create the row, update it when something changed, or count it as unchanged."""
        if row is None:
            row = make()
            for name, value in values.items():
                setattr(row, name, value)
            self.created(kind, key, row, data)
        elif changes:
            self.updated(kind, key, row, changes, values)
        else:
            self.report.unchanged[kind] += 1
        return row

    def place(self, row: models.Model | None, index: int, last: int) -> int:
        """Where a row goes: the file's order, or (keeping the order) where it already is."""
        if not self.keep_order:
            return index
        if row is not None:
            return int(getattr(row, "position", index))
        return last + 1 + index

    def moved(self, row: models.Model, index: int) -> list[FieldChange]:
        """A change of place in the file's order; none when the rows keep their order."""
        return [] if self.keep_order else _position(row, index)

    def flush(self, model_class: type[models.Model]) -> None:
        """Write the pending new and changed rows of one model, in bulk."""
        new = self.to_create.pop(model_class, [])
        if new:
            model_class._default_manager.bulk_create(new, batch_size=BATCH)
        for columns, rows in self.to_update.pop(model_class, {}).items():
            # Small batches: each is one UPDATE with a CASE per column over its rows.
            model_class._default_manager.bulk_update(rows, sorted(columns), batch_size=UPDATE_BATCH)

    # -- the import ----------------------------------------------------------------------------

    def run(self) -> None:
        """Check the plan against the rows, then write everything that differs."""
        self.progress(STEPS[0])
        slugs = [o.id for o in self.plan.objectives]
        objectives = Objective.objects.filter(organization=self.org, slug__in=slugs)
        self.rows = read_org(self.org, objectives, lock=True)
        self.user_ids = self.members()
        problems = check_plan(self.plan, self.rows, self.db_alignments(), self.user_ids)
        if problems:
            raise ImportRefused(problems)
        for step, write in zip(STEPS[1:], self.writers(), strict=True):
            self.progress(step)
            write()
        self.report_kept()

    def writers(self) -> list[Callable[[], None]]:
        """The writing steps of an import, in the order of STEPS (after reading)."""
        return [
            self.import_strategy,
            self.import_levers,
            self.import_teams,
            self.import_kpis,
            self.import_periods,
            self.import_people,
            self.import_objectives,
            self.import_links,
            self.import_key_results,
            self.import_initiatives,
            self.import_check_ins,
            self.write_audit,
        ]

    def db_alignments(self) -> list[tuple[str, str]]:
        """Every alignment link of the organisation, as slugs."""
        slugs = self.rows.objective_slugs
        pairs = Alignment.objects.filter(source__organization=self.org).values_list(
            "source_id", "target_id"
        )
        return [(slugs[s], slugs[t]) for s, t in pairs if s in slugs and t in slugs]

    def owner_names(self) -> list[str]:
        """Every username the file names as an owner, once each, in file order."""
        names = [o.owner for o in self.plan.objectives]
        names += [kr.owner for o in self.plan.objectives for kr in o.key_results]
        names += [i.owner for o in self.plan.objectives for i in o.initiatives]
        return [name for name in dict.fromkeys(names) if name]

    def members(self) -> dict[str, int]:
        """The file's owners who are members of the organisation: username → user id.

        Only this organisation's memberships are read, so whether a username exists
        elsewhere never changes what the import does or says.
        """
        rows = Membership.objects.filter(
            organization=self.org, user__username__in=self.owner_names()
        ).values_list("user__username", "user_id")
        return dict(rows)

    def import_strategy(self) -> None:
        """Vision and mission, when the file has a strategy."""
        if not self.plan.has_strategy:
            return
        # The file's strategy is the one of its period's year (one strategy per year).
        year = parse_period(self.plan.period).start.year
        row = Strategy.objects.filter(organization=self.org, year=year).first()
        names = ("vision", "mission")
        changes = []
        if row is not None:
            old = model.Plan("", "", vision=row.vision or None, mission=row.mission or None)
            changes = diff(old, self.plan, names)
        values = {"vision": self.plan.vision or "", "mission": self.plan.mission or ""}
        data = _data(self.plan, names)
        self.rows.strategy = self.upsert(
            "strategy",
            self.org.slug,
            row,
            lambda: Strategy(organization=self.org, year=year),
            values,
            changes,
            data,
        )
        self.flush(Strategy)

    def import_levers(self) -> None:
        """Levers by id, in the file's order."""
        existing = {row.slug: row for row in self.rows.levers}
        for index, lever in enumerate(self.plan.levers):
            row = existing.get(lever.id)
            changes = []
            if row is not None:
                changes = diff(self.rows.lever_data(row), lever, ("title",)) + _position(row, index)
            values = {"title": lever.title, "position": index}
            existing[lever.id] = self.upsert(
                "lever",
                lever.id,
                row,
                partial(Lever, organization=self.org, slug=lever.id),
                values,
                changes,
                _data(lever, ("id", "title")),
            )
        self.flush(Lever)
        self.lever_ids = {slug: row.pk for slug, row in existing.items()}

    def import_teams(self) -> None:
        """Teams by id; parents are linked once every team has a row."""
        existing = {row.slug: row for row in self.rows.teams}
        for team in self.plan.teams:
            row = existing.get(team.id)
            changes = diff(self.rows.team_data(row), team, TEAM_FIELDS) if row else []
            values = {"name": team.name, "phase": team.phase or ""}
            existing[team.id] = self.upsert(
                "team",
                team.id,
                row,
                partial(Team, organization=self.org, slug=team.id),
                values,
                changes,
                _data(team, ("id", *TEAM_FIELDS)),
            )
        self.flush(Team)
        self.team_ids = {slug: row.pk for slug, row in existing.items()}
        moved = []
        for team in self.plan.teams:
            row = existing[team.id]
            parent_id = self.team_ids[team.parent] if team.parent else None
            if row.parent_id != parent_id:
                row.parent_id = parent_id
                moved.append(row)
        Team.objects.bulk_update(moved, ["parent"], batch_size=BATCH)

    def import_kpis(self) -> None:
        """KPIs by id."""
        existing = {row.slug: row for row in self.rows.kpis}
        for kpi in self.plan.kpis:
            row = existing.get(kpi.id)
            changes = diff(self.rows.kpi_data(row), kpi, KPI_FIELDS) if row else []
            values = {
                "title": kpi.title,
                "unit": kpi.unit or "",
                "direction": kpi.direction,
                "healthy_low": kpi.healthy.low if kpi.healthy else None,
                "healthy_high": kpi.healthy.high if kpi.healthy else None,
                "current": kpi.current,
            }
            existing[kpi.id] = self.upsert(
                "kpi",
                kpi.id,
                row,
                partial(Kpi, organization=self.org, slug=kpi.id),
                values,
                changes,
                _data(kpi, ("id", *KPI_FIELDS)),
            )
        self.flush(Kpi)
        self.kpi_ids = {slug: row.pk for slug, row in existing.items()}

    def import_periods(self) -> None:
        """Every period the file names, with its calendar dates."""
        existing: dict[str, Period] = {row.key: row for row in self.rows.periods}
        keys = dict.fromkeys([self.plan.period, *(o.period for o in self.plan.objectives)])
        for key in keys:
            if key in existing:
                self.report.unchanged["period"] += 1
            if not key or key in existing:
                continue
            calendar = parse_period(key)
            row = Period(organization=self.org, key=key, start=calendar.start, end=calendar.end)
            self.created("period", key, row, {"key": key, "start": calendar.start.isoformat()})
            existing[key] = row
        self.flush(Period)
        self.period_ids = {key: row.pk for key, row in existing.items()}

    def import_people(self) -> None:
        """Owners by username: each is a member already (the checks refused anyone else)."""
        self.report.unchanged["person"] += len(self.user_ids)

    def objective_values(self, objective: model.Objective, index: int) -> dict[str, Any]:
        """The columns of an objective row, from the file."""
        values: dict[str, Any] = {
            "team_id": self.team_ids[objective.team],
            "period_id": self.period_ids[objective.period],
            "title": objective.title,
            "focus": objective.focus or "",
            "commitment": objective.commitment,
            "owner_id": self.user_ids.get(objective.owner) if objective.owner else None,
            "position": index,
            "state_given": objective.state is not None,
        }
        if objective.state is not None:
            values["state"] = objective.state
        return values

    def import_objectives(self) -> None:
        """Objectives by id (their own fields; links and children follow)."""
        existing = {row.slug: row for row in self.rows.objectives}
        self.objective_rows: dict[str, Objective] = {}
        self.relink: dict[str, set[str]] = {}
        last = max((row.position for row in self.rows.objectives), default=0)
        for index, objective in enumerate(self.plan.objectives):
            row = existing.get(objective.id)
            changes: list[FieldChange] = []
            if row is not None:
                old = self.rows.objective_data(row, children=False)
                changes = diff(old, objective, OBJECTIVE_FIELDS) + self.moved(row, index)
            changed = {c.field for c in changes}
            self.relink[objective.id] = set(LINK_FIELDS) if row is None else changed
            self.objective_rows[objective.id] = self.upsert(
                "objective",
                objective.id,
                row,
                partial(Objective, organization=self.org, slug=objective.id),
                self.objective_values(objective, self.place(row, index, last)),
                changes,
                _data(objective, ("id", *OBJECTIVE_FIELDS)),
            )
        self.flush(Objective)
        self.objective_ids = {slug: pk for pk, slug in self.rows.objective_slugs.items()}
        self.objective_ids.update({slug: row.pk for slug, row in self.objective_rows.items()})

    def import_links(self) -> None:
        """Levers, guardrails and alignment of objectives whose lists are new or changed."""
        tables: tuple[tuple[str, type[models.Model], str, str, dict[str, int]], ...] = (
            ("levers", LeverLink, "objective_id", "lever_id", self.lever_ids),
            ("guardrails", GuardrailLink, "objective_id", "kpi_id", self.kpi_ids),
            ("aligns_to", Alignment, "source_id", "target_id", self.objective_ids),
        )
        for name, table, owner, linked, ids in tables:
            stale: list[int] = []
            fresh: list[models.Model] = []
            for objective in self.plan.objectives:
                if name not in self.relink[objective.id]:
                    continue
                row_id = self.objective_rows[objective.id].pk
                stale.append(row_id)
                fresh += [
                    table(**{owner: row_id, linked: ids[x]}) for x in getattr(objective, name)
                ]
            if stale:
                table._default_manager.filter(**{f"{owner}__in": stale}).delete()
            table._default_manager.bulk_create(fresh, batch_size=BATCH)

    def key_result_values(self, kr: model.KeyResult, index: int) -> dict[str, Any]:
        """The columns of a key result row, from the file."""
        return {
            "title": kr.title,
            "type": kr.type,
            "baseline": kr.baseline,
            "target": kr.target,
            "current": kr.current,
            "unit": kr.unit or "",
            "done": kr.done,
            "weight": kr.weight,
            "healthy_low": kr.healthy.low if kr.healthy else None,
            "healthy_high": kr.healthy.high if kr.healthy else None,
            "confidence": kr.confidence,
            "owner_id": self.user_ids.get(kr.owner) if kr.owner else None,
            "kpi_id": self.kpi_ids[kr.kpi] if kr.kpi else None,
            "slug_given": kr.id_given,
            "position": index,
        }

    def import_key_results(self) -> None:
        """Key results by id within their objective."""
        self.kr_rows: dict[tuple[str, str], KeyResult] = {}
        for objective in self.plan.objectives:
            parent = self.objective_rows[objective.id]
            existing = {row.slug: row for row in self.rows.key_results.get(parent.pk, [])}
            for slug, known in existing.items():
                self.kr_rows[(objective.id, slug)] = known
            last = max((row.position for row in existing.values()), default=0)
            for index, kr in enumerate(objective.key_results):
                row = existing.get(kr.id)
                changes: list[FieldChange] = []
                if row is not None:
                    changes = diff(self.rows.key_result_data(row), kr, KR_FIELDS)
                    changes += self.moved(row, index)
                self.kr_rows[(objective.id, kr.id)] = self.upsert(
                    "key result",
                    f"{objective.id}/{kr.id}",
                    row,
                    partial(KeyResult, objective=parent, slug=kr.id),
                    self.key_result_values(kr, self.place(row, index, last)),
                    changes,
                    _data(kr, ("id", *KR_FIELDS)),
                )
        self.flush(KeyResult)

    def import_initiatives(self) -> None:
        """Initiatives by id (or by title when they have none), and what they move."""
        relink: list[tuple[Initiative, model.Initiative, str]] = []
        new_links: list[tuple[Initiative, model.Initiative]] = []
        for objective in self.plan.objectives:
            parent = self.objective_rows[objective.id]
            existing: dict[str, list[Initiative]] = defaultdict(list)
            rows = self.rows.initiatives.get(parent.pk, [])
            kr_slugs = {kr.id: kr.slug for kr in self.rows.key_results.get(parent.pk, [])}
            for known in rows:
                existing[known.slug or f"title:{known.title}"].append(known)
            last = max((known.position for known in rows), default=0)
            for index, item in enumerate(objective.initiatives):
                # An id added to an initiative that had none still names the same initiative.
                candidates = existing.get(item.id or "") or existing.get(f"title:{item.title}")
                row = candidates.pop(0) if candidates else None
                changes: list[FieldChange] = []
                if row is not None:
                    old = self.rows.initiative_data(row, kr_slugs)
                    changes = diff(old, item, INITIATIVE_FIELDS) + self.moved(row, index)
                values = {
                    "slug": item.id or "",
                    "title": item.title,
                    "status": item.status or "",
                    "owner_id": self.user_ids.get(item.owner) if item.owner else None,
                    "position": self.place(row, index, last),
                }
                written = self.upsert(
                    "initiative",
                    f"{objective.id}/{item.id or item.title}",
                    row,
                    partial(Initiative, objective=parent),
                    values,
                    changes,
                    _data(item, INITIATIVE_FIELDS),
                )
                if written.pk is None or any(c.field == "moves" for c in changes):
                    relink.append((written, item, objective.id))
                if written.pk is None or any(c.field == "links" for c in changes):
                    new_links.append((written, item))
            self.kept["initiative"] += [
                f"{objective.id}/{r.slug or r.title}" for rows in existing.values() for r in rows
            ]
        self.flush(Initiative)
        self.relink_moves(relink)
        self.relink_links(new_links)

    def relink_moves(self, relink: list[tuple[Initiative, model.Initiative, str]]) -> None:
        """Replace the key results moved by initiatives that are new or changed them."""
        stale = [row.pk for row, _, _ in relink]
        MoveLink.objects.filter(initiative_id__in=stale).delete()
        fresh = [
            MoveLink(initiative_id=row.pk, keyresult_id=self.kr_rows[(objective, kr)].pk)
            for row, item, objective in relink
            for kr in item.moves
        ]
        MoveLink.objects.bulk_create(fresh, batch_size=BATCH)

    def relink_links(self, changed: list[tuple[Initiative, model.Initiative]]) -> None:
        """Replace the links of initiatives that are new or whose links changed (kind and
        label read from each address, as the app does)."""
        InitiativeLink.objects.filter(initiative_id__in=[row.pk for row, _ in changed]).delete()
        fresh = []
        for row, item in changed:
            links = {link.url: link for link in map(detect, item.links)}  # duplicates once
            fresh += [
                InitiativeLink(
                    initiative_id=row.pk, url=link.url, kind=link.kind, label=link.label, position=i
                )
                for i, link in enumerate(links.values())
            ]
        InitiativeLink.objects.bulk_create(fresh, batch_size=BATCH)

    def import_check_ins(self) -> None:
        """Check-ins missing from a key result's history, matched by date and value."""
        for objective in self.plan.objectives:
            for kr in objective.key_results:
                row = self.kr_rows[(objective.id, kr.id)]
                existing: dict[tuple, list[CheckInRow]] = defaultdict(list)
                for check_in in self.rows.check_ins.get(row.pk, []):
                    existing[(check_in.checked_on, check_in.value)].append(check_in)
                for item in kr.check_ins:
                    self.import_check_in(f"{objective.id}/{kr.id}", row, item, existing)
                self.kept["check-in"] += [
                    f"{objective.id}/{kr.id}@{c.checked_on.isoformat()}"
                    for rows in existing.values()
                    for c in rows
                ]
        self.flush(CheckIn)

    def import_check_in(
        self,
        key: str,
        kr: KeyResult,
        item: model.CheckIn,
        existing: dict[tuple, list[CheckInRow]],
    ) -> None:
        """One check-in of the file: created, updated (same day and value) or unchanged."""
        candidates = existing.get((item.on, item.value))
        found = candidates.pop(0) if candidates else None
        changes = diff(self.rows.check_in_data(found), item, CHECK_IN_FIELDS) if found else []
        # Only a check-in that changes becomes a model instance (to be updated in bulk).
        row = found.as_model() if found is not None and changes else None
        if found is not None and not changes:
            self.report.unchanged["check-in"] += 1
            return
        values = {
            "value": item.value,
            "confidence": item.confidence,
            "note": item.note or "",
            "done": item.done,
        }
        self.upsert(
            "check-in",
            f"{key}@{item.on.isoformat()}",
            row,
            lambda: CheckIn(key_result=kr, checked_on=item.on),
            values,
            changes,
            {"on": item.on.isoformat(), **_data(item, ("value", *CHECK_IN_FIELDS))},
        )

    def write_audit(self) -> None:
        """One audit event per row created or changed, in bulk."""
        self.kr_objectives = {row.pk: row.objective_id for row in self.kr_rows.values()}
        events = [
            AuditEvent(
                organization_id=self.org.pk,
                actor_id=self.actor_id,
                action="import",
                object_type=row._meta.model_name or "",
                object_id=row.pk,
                objective_id=self.objective_of(row),
                object_repr=str(row)[:300],
                before=before,
                after=after,
                reason=self.reason,
            )
            for row, before, after in self.audit
        ]
        AuditEvent.objects.bulk_create(events, batch_size=BATCH)

    def objective_of(self, row: models.Model) -> int | None:
        """The objective whose history an imported row belongs to, if any."""
        if isinstance(row, Objective):
            return row.pk
        if isinstance(row, KeyResult | Initiative):
            return row.objective_id
        if isinstance(row, CheckIn):
            return self.kr_objectives.get(row.key_result_id)
        return None

    def report_kept(self) -> None:
        """What the database holds that the file does not mention: left as it is."""
        plan, rows = self.plan, self.rows
        on_server: dict[str, tuple[list[str], Sequence[Any]]] = {
            "lever": ([r.slug for r in rows.levers], plan.levers),
            "team": ([r.slug for r in rows.teams], plan.teams),
            "kpi": ([r.slug for r in rows.kpis], plan.kpis),
            "objective": (list(rows.objective_slugs.values()), plan.objectives),
        }
        for kind, (slugs, items) in on_server.items():
            in_file = {item.id for item in items}
            self.kept[kind] = [slug for slug in slugs if slug not in in_file]
        for objective in plan.objectives:
            in_file = {kr.id for kr in objective.key_results}
            parent = self.objective_rows[objective.id]
            self.kept["key result"] += [
                f"{objective.id}/{row.slug}"
                for row in rows.key_results.get(parent.pk, [])
                if row.slug not in in_file
            ]
        self.report.kept = {kind: self.kept[kind] for kind in KINDS if self.kept.get(kind)}
