"""Every edit of objectives and key results, alignment, and the lifecycle's moves.

One operation has one door: the web forms and the API build the same typed input
(`ObjectiveEdit`, `KeyResultEdit`) and call the same `do_*`, so every face gives the same
refusals and leaves the same audit events. `check_*` decides who may (`ReadOnly`,
`NotAllowed`) and what may change (`ActionError` naming the field); `do_*` writes in one
transaction, records the change in the audit history, and never silently overwrites a
concurrent edit (`Conflict`). A form sends every field; an API PATCH only those it changes,
the others staying at `KEEP`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, timedelta
from enum import Enum
from typing import TYPE_CHECKING, Any, Final

from django.db import connection, models
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from constellation.core import model
from constellation.core.alignment import AlignmentGraph
from constellation.core.language import read
from constellation.core.periods import Period as CalendarPeriod
from constellation.core.periods import period_containing
from constellation.server.audit import changes as writes
from constellation.server.audit.actions import record, snapshot
from constellation.server.audit.models import AuditEvent
from constellation.server.errors import ActionError, Conflict, NotAllowed
from constellation.server.okrs.models import Alignment, KeyResult, Objective, Period
from constellation.server.okrs.notices import key_result_changes, notify_aligned, objective_changes
from constellation.server.orgs.access import Access, require_team
from constellation.server.orgs.models import Organization, Team

if TYPE_CHECKING:
    from constellation.server.kpis.models import Kpi
    from constellation.server.strategy.models import Lever

PIVOT_MESSAGE = (
    "This objective is launched: say why it changes. The reason is kept in its history, "
    "so everyone aligned to it can see what moved and why."
)
EDIT_OBJECTIVES = "change this team's objectives"
ALIGN_OBJECTIVES = "align this team's objectives"


class Keep(Enum):
    """The value of a field an edit leaves as it is saved."""

    KEEP = "keep"


KEEP: Final = Keep.KEEP


@dataclass(slots=True)
class ObjectiveEdit:
    """An edit of an objective: the fields it sets; those left at `KEEP` stay as saved.

    `state` is accepted only unchanged: the lifecycle (review, launch, quarterly review)
    moves it, never an edit.
    """

    title: str | Keep = KEEP
    team: Team | Keep = KEEP
    period: Period | Keep = KEEP
    owner: Any = KEEP  # a member of the organisation, or None for nobody
    focus: str | Keep = KEEP
    commitment: str | Keep = KEEP
    state: str | Keep = KEEP
    levers: list[Lever] | Keep = KEEP
    guardrails: list[Kpi] | Keep = KEEP


@dataclass(slots=True)
class KeyResultEdit:
    """An edit of a key result's definition: the fields it sets, the others at `KEEP`."""

    title: str | Keep = KEEP
    type: str | Keep = KEEP
    baseline: float | Keep | None = KEEP
    target: float | Keep | None = KEEP
    unit: str | Keep = KEEP
    weight: float | Keep | None = KEEP
    owner: Any = KEEP  # a member of the organisation, or None for nobody
    kpi: Kpi | Keep | None = KEEP
    healthy_low: float | Keep | None = KEEP
    healthy_high: float | Keep | None = KEEP


def given_fields(data: Any) -> dict[str, Any]:
    """The fields an input (a dataclass) sets, by name: every one not left at `KEEP`."""
    return {
        f.name: getattr(data, f.name) for f in fields(data) if getattr(data, f.name) is not KEEP
    }


def require_pivot_reason(objective: Objective, reason: str) -> None:
    """Refuse a change to a launched objective (or its key results) that gives no reason."""
    if objective.state == Objective.State.LAUNCHED and not (reason or "").strip():
        raise ActionError("reason", PIVOT_MESSAGE)


def require_objective_writer(
    access: Access, objective: Objective, doing: str = EDIT_OBJECTIVES
) -> None:
    """Refuse anyone but the objective's owner or someone who acts for its team.

    Viewers are refused first (`ReadOnly`); a member of another team gets `NotAllowed`. The
    team is read only when the person is neither a leader nor the owner.
    """
    access.require_write()
    if access.is_leader or objective.owner_id == access.user_id:
        return
    require_team(access, objective.team, doing)


def require_key_result_writer(access: Access, key_result: KeyResult) -> None:
    """Refuse anyone but the key result's owner, its objective's owner or its team."""
    access.require_write()
    if key_result.owner_id == access.user_id:
        return
    require_objective_writer(access, key_result.objective)


def lifecycle_message(access: Access, objective: Objective) -> str:
    """Why an edit cannot change an objective's state, and how its team launches instead."""
    team = objective.team
    send = reverse("review-send", kwargs={"org": access.organization.slug, "team": team.slug})
    return (
        "The state changes only through the lifecycle, never by an edit. To launch, send "
        f"{team.name}'s drafts for review at {send}?period={objective.period.key} (or POST "
        "them to the API's review requests); once a reviewer approves, launch them from the "
        "review. The quarterly review closes them at the end of the period."
    )


def stale(row: models.Model, expected_version: int, what: str) -> Conflict:
    """The refusal of a change begun on an older version of `row` (one query)."""
    current = type(row)._default_manager.filter(pk=row.pk).values_list("version", flat=True)
    version = current.first() or expected_version
    return Conflict(
        version,
        f"This {what} was changed by someone else since you opened it "
        f"(now at version {version}, yours was {expected_version}). "
        "Reload it to see their change, then apply yours again.",
    )


def _save_version(row: Objective | KeyResult, expected_version: int, columns: dict) -> None:
    """Write `columns` and the next version if the row is still at `expected_version`."""
    rows = type(row)._default_manager.filter(pk=row.pk, version=expected_version)
    if not rows.update(**columns, version=F("version") + 1):
        raise stale(row, expected_version, str(row._meta.verbose_name))


def check_objective_parts(access: Access, values: dict[str, Any]) -> None:
    """Refuse an empty title, unknown choices, or parts from another organisation."""
    if "title" in values and not str(values["title"] or "").strip():
        raise ActionError("title", "an objective needs a title")
    if values.get("focus") not in (None, "", *Objective.Focus.values):
        raise ActionError("focus", f"choose one of {', '.join(Objective.Focus.values)}")
    if "commitment" in values and values["commitment"] not in Objective.Commitment.values:
        raise ActionError("commitment", "choose committed or aspirational")
    org_id = access.organization.pk
    if "team" in values and values["team"].organization_id != org_id:
        raise ActionError("team", "no such team in this organisation")
    if "period" in values and values["period"].organization_id != org_id:
        raise ActionError("period", "no such period in this organisation")
    for name in ("levers", "guardrails"):
        if any(row.organization_id != org_id for row in values.get(name) or []):
            raise ActionError(name, "choose among this organisation's own")


# The form's fields and the columns they are saved in.
OBJECTIVE_COLUMNS = {
    "title": "title",
    "team": "team_id",
    "period": "period_id",
    "owner": "owner_id",
    "focus": "focus",
    "commitment": "commitment",
}


def _column(value: Any) -> Any:
    """A value as its column holds it: a row as its id, a text stripped."""
    if isinstance(value, models.Model):
        return value.pk
    return value.strip() if isinstance(value, str) else value


@dataclass(slots=True)
class ObjectiveChange:
    """What an edit changes: columns to write, and links (levers, guardrails) to replace."""

    columns: dict[str, Any]
    links: dict[str, list[Any]]

    def __bool__(self) -> bool:
        return bool(self.columns or self.links)


def check_objective_edit(
    access: Access, objective: Objective, data: ObjectiveEdit
) -> ObjectiveChange:
    """What `data` changes in `objective`, once the person may and every rule holds.

    A state other than the saved one is refused, naming how the lifecycle moves it; moving the
    objective to another team needs acting for that team too.
    """
    require_objective_writer(access, objective)
    values = given_fields(data)
    if values.pop("state", objective.state) != objective.state:
        raise ActionError("state", lifecycle_message(access, objective))
    check_objective_parts(access, values)
    team = values.get("team")
    if team is not None and team.pk != objective.team_id:
        require_team(access, team, "move objectives to this team")
        if team.archived_at is not None:
            raise ActionError("team", f"{team.name} is archived: it takes no new objectives")
    columns = {
        column: _column(values[name])
        for name, column in OBJECTIVE_COLUMNS.items()
        if name in values and getattr(objective, column) != _column(values[name])
    }
    links: dict[str, list[Any]] = {
        name: list(values[name])
        for name in ("levers", "guardrails")
        if name in values and _slugs(values[name]) != _slugs(getattr(objective, name).all())
    }
    return ObjectiveChange(columns, links)


def _slugs(rows: Any) -> list[str]:
    """Linked rows (levers or guardrails) as sorted slugs, the way the history shows them."""
    return sorted(row.slug for row in rows)


def lock_objectives(ids: Iterable[int]) -> None:
    """Hold these objectives' rows until the transaction ends, in id order (PostgreSQL; SQLite
    has one writer). Every write locks an objective before any of its key results: storing
    its score rewrites its key results' rows, so the other order could deadlock."""
    if connection.features.has_select_for_update:
        rows = Objective.objects.filter(id__in=sorted(set(ids))).order_by("id")
        list(rows.select_for_update().values_list("id", flat=True))


def do_edit_objective(
    access: Access,
    objective: Objective,
    data: ObjectiveEdit,
    *,
    expected_version: int,
    actor: Any,
    reason: str = "",
) -> bool:
    """Apply an edit if nobody saved since `expected_version` (else `Conflict`); False when it
    changes nothing. A launched objective changes only with a reason (a pivot)."""
    change = check_objective_edit(access, objective, data)
    if not change:
        if objective.version != expected_version:
            raise stale(objective, expected_version, "objective")
        return False
    require_pivot_reason(objective, reason)
    names = [column.removesuffix("_id") for column in change.columns]
    with writes.atomic():
        before = snapshot(objective, names)
        before |= {name: _slugs(getattr(objective, name).all()) for name in change.links}
        _save_version(objective, expected_version, change.columns)
        for name, rows in change.links.items():
            getattr(objective, name).set(rows)
        objective.refresh_from_db()
        after = snapshot(objective, names) | {n: _slugs(r) for n, r in change.links.items()}
        record(
            access.organization.pk,
            actor,
            "update",
            objective,
            before=before,
            after=after,
            reason=reason,
        )
        told = objective_changes(objective, before)
        if told and reason:
            told.append(f"why: {reason}")
        notify_aligned(objective, told, actor)
    return True


def check_key_result_parts(access: Access, values: dict[str, Any]) -> None:
    """Refuse a key result with no title, an unknown kind, a weight of 0 or less, or another
    organisation's KPI."""
    if "title" in values and not str(values["title"] or "").strip():
        raise ActionError("title", "a key result needs a title")
    if "type" in values and values["type"] not in KeyResult.Type.values:
        raise ActionError("type", f"choose one of {', '.join(KeyResult.Type.values)}")
    if "weight" in values and (values["weight"] is None or values["weight"] <= 0):
        raise ActionError("weight", "the weight must be a number above 0")
    kpi = values.get("kpi")
    if kpi is not None and kpi.organization_id != access.organization.pk:
        raise ActionError("kpi", "choose one of this organisation's KPIs")


MEASURED = ("type", "baseline", "target", "healthy_low", "healthy_high")


def reads_as_output(title: str) -> bool:
    """Whether a statement names work to deliver rather than a change (the coach's reader)."""
    return bool(title.strip()) and read(title).nature == "output"


def check_key_result_measure(values: dict[str, Any], title: str = "") -> None:
    """Refuse numbers that measure nothing: a metric without a baseline or a target, or whose
    target is its baseline, a keep-in-range key result with no healthy range, or a range that
    ends below its start. `values` holds the key result's kind and numbers as they will be
    saved; `title`, its statement: one that reads as work to deliver is offered a milestone or
    an initiative instead."""
    kind = values.get("type", KeyResult.Type.METRIC)
    baseline, target = values.get("baseline"), values.get("target")
    low, high = values.get("healthy_low"), values.get("healthy_high")
    if kind == KeyResult.Type.METRIC and (baseline is None or target is None):
        missing = "baseline" if baseline is None else "target"
        if reads_as_output(title):
            raise ActionError(
                missing,
                f"“{title.strip()}” reads as work to deliver, not a change to measure, and has "
                "no numbers: make it a milestone, move it to the objective's initiatives, or "
                "give it a baseline and a target",
            )
        raise ActionError(
            missing,
            "a metric key result needs a baseline and a target: where it starts and where it "
            "should get to (or make it a milestone, done or not done)",
        )
    if kind == KeyResult.Type.METRIC and baseline is not None and baseline == target:
        raise ActionError(
            "target",
            f"the target is the baseline ({target:g}): a key result measures a change, "
            "so give a target that differs from where you start, or keep a value in a "
            "healthy range with a keep-in-range key result",
        )
    if kind == KeyResult.Type.RANGE:
        if low is None and high is None:
            raise ActionError(
                "healthy_low",
                "a keep-in-range key result needs its healthy range: where it starts, where "
                "it ends, or both",
            )
        if low is not None and high is not None and low > high:
            raise ActionError(
                "healthy_high",
                f"the healthy range ends ({high:g}) below where it starts ({low:g})",
            )


def key_result_columns(values: dict[str, Any], kind: str) -> dict[str, Any]:
    """The columns a key result's fields are saved in; a milestone has no numbers."""
    columns = {
        f"{name}_id" if name in ("owner", "kpi") else name: _column(value)
        for name, value in values.items()
    }
    if "unit" in columns:
        columns["unit"] = columns["unit"] or ""
    if kind == KeyResult.Type.MILESTONE:
        columns |= {"baseline": None, "target": None, "unit": ""}
    return columns


def check_key_result_edit(
    access: Access, key_result: KeyResult, data: KeyResultEdit
) -> dict[str, Any]:
    """The columns `data` changes in `key_result`, once the person may and every rule holds."""
    require_key_result_writer(access, key_result)
    values = given_fields(data)
    check_key_result_parts(access, values)
    if any(name in values for name in MEASURED):  # the numbers as they will be saved
        check_key_result_measure(
            {name: values.get(name, getattr(key_result, name)) for name in MEASURED},
            str(values.get("title", key_result.title) or ""),
        )
    columns = key_result_columns(values, values.get("type", key_result.type))
    return {name: value for name, value in columns.items() if getattr(key_result, name) != value}


def do_edit_key_result(
    access: Access,
    key_result: KeyResult,
    data: KeyResultEdit,
    *,
    expected_version: int,
    actor: Any,
    reason: str = "",
) -> bool:
    """Apply an edit of a key result's definition if nobody saved since `expected_version`
    (else `Conflict`); False when it changes nothing. A key result of a launched objective
    changes only with a reason (a pivot)."""
    columns = check_key_result_edit(access, key_result, data)
    if not columns:
        if key_result.version != expected_version:
            raise stale(key_result, expected_version, "key result")
        return False
    require_pivot_reason(key_result.objective, reason)
    names = [column.removesuffix("_id") for column in columns]
    with writes.atomic():
        lock_objectives([key_result.objective_id])
        before = snapshot(key_result, names)
        _save_version(key_result, expected_version, columns)
        objective = key_result.objective
        key_result.refresh_from_db()
        key_result.objective = objective
        record(
            access.organization.pk,
            actor,
            "update",
            key_result,
            before=before,
            after=snapshot(key_result, names),
            reason=reason,
        )
        notify_aligned(objective, key_result_changes(key_result, before), actor)
    return True


def _graph(organization_id: int) -> AlignmentGraph:
    """The organisation's alignment graph (ids as strings), in one query."""
    targets: dict[int, list[int]] = defaultdict(list)
    for source_id, target_id in Alignment.objects.filter(
        source__organization_id=organization_id
    ).values_list("source_id", "target_id"):
        targets[source_id].append(target_id)
    nodes = [
        model.Objective(
            id=str(source), team="", title="", period="", aligns_to=[str(t) for t in ids]
        )
        for source, ids in targets.items()
    ]
    return AlignmentGraph.from_objectives(nodes)


def cycle_if_linked(source: Objective, target: Objective) -> list[Objective] | None:
    """The objectives on the loop that linking source → target would close, else None."""
    if source.pk == target.pk:
        return [source, source]
    path = _graph(source.organization_id).path_if_linked(str(source.pk), str(target.pk))
    if not path:
        return None
    by_id = Objective.objects.in_bulk([int(p) for p in path])
    return [by_id[int(p)] for p in path]


def check_alignment(source: Objective, target: Objective) -> None:
    """Refuse a link across organisations or one that closes a cycle (naming the cycle)."""
    if source.organization_id != target.organization_id:
        raise ActionError("aligns_to", "no such objective")
    # An objective supports one that runs at the same time: its own period or one enclosing it.
    here, there = source.period, target.period
    if not (there.start <= here.start and there.end >= here.end):
        raise ActionError(
            "aligns_to",
            f"choose an objective of the same period ({here.key}) or of a period that "
            f"encloses it; “{target.title[:80]}” is in {there.key}",
        )
    cycle = cycle_if_linked(source, target)
    if cycle:
        names = " → ".join(o.slug for o in cycle)
        raise ActionError("aligns_to", f"this link would close an alignment cycle: {names}")


def do_align(access: Access, source: Objective, target: Objective, actor: Any) -> bool:
    """Link source → target (a link, never a copy); False when it already existed."""
    require_objective_writer(access, source, ALIGN_OBJECTIVES)
    with writes.atomic():
        check_alignment(source, target)
        _, created = Alignment.objects.get_or_create(source=source, target=target)
        if created:
            record(
                access.organization.pk,
                actor,
                "align",
                source,
                after={"aligns_to": target.slug},
            )
    return created


def do_unalign(access: Access, source: Objective, target: Objective, actor: Any) -> bool:
    """Remove the link source → target; False when there was none."""
    require_objective_writer(access, source, ALIGN_OBJECTIVES)
    with writes.atomic():
        deleted, _ = Alignment.objects.filter(source=source, target=target).delete()
        if deleted:
            record(
                access.organization.pk,
                actor,
                "unalign",
                source,
                before={"aligns_to": target.slug},
            )
    return bool(deleted)


NOT_LAUNCHED: Final = frozenset({Objective.State.DRAFT, Objective.State.IN_REVIEW})


def do_move_objectives(
    access: Access,
    objectives: list[Objective],
    state: str,
    *,
    from_states: tuple[str, ...],
    actor: Any,
    reason: str,
) -> list[Objective]:
    """Move a set of objectives to `state` in one update, each move audited with its reason.

    Only objectives still in one of `from_states` move, so a state someone else changed
    meanwhile is never overwritten; the ones that moved are returned.
    """
    access.require_write()
    if state not in Objective.State.values:
        raise ActionError("state", f"unknown state {state!r}")
    with writes.atomic():
        ids = [o.pk for o in objectives]
        rows = Objective.objects.select_for_update().filter(
            organization=access.organization, pk__in=ids, state__in=from_states
        )
        before = dict(rows.values_list("pk", "state"))
        Objective.objects.filter(pk__in=list(before)).update(
            state=state, state_given=True, version=F("version") + 1
        )
        # Launched from a draft: its pace counts from today (reopened, it keeps its day).
        launched = [pk for pk, was in before.items() if was in NOT_LAUNCHED]
        if state == Objective.State.LAUNCHED and launched:
            Objective.objects.filter(pk__in=launched).update(launched_on=timezone.localdate())
        moved = [o for o in objectives if o.pk in before]
        AuditEvent.objects.bulk_create(
            AuditEvent(
                organization_id=access.organization.pk,
                actor_id=getattr(actor, "pk", None),
                action="update",
                object_type="objective",
                object_id=o.pk,
                object_repr=str(o)[:300],
                before={"state": before[o.pk]},
                after={"state": state},
                reason=reason,
            )
            for o in moved
        )
        for o in moved:
            o.state, o.state_given, o.version = state, True, o.version + 1
            if o.pk in launched and state == Objective.State.LAUNCHED:
                o.launched_on = timezone.localdate()
    return moved


def open_period(
    organization: Organization, calendar: CalendarPeriod, actor: Any = None
) -> tuple[Period, bool]:
    """The organisation's period of these dates, created (and audited) when it has none yet;
    whether it was created. Call inside the caller's transaction."""
    period, created = Period.objects.get_or_create(
        organization=organization,
        key=calendar.key,
        defaults={"start": calendar.start, "end": calendar.end},
    )
    if created:
        record(organization.pk, actor, "create", period, after=snapshot(period))
    return period, created


PLAN_AHEAD_MAX_DAYS: Final = 120


def check_plan_ahead(days: object) -> int:
    """How many days ahead the next quarter opens: a whole number from 0 to 120."""
    if isinstance(days, bool) or not isinstance(days, int):
        raise ActionError("plan_ahead_days", "give a whole number of days, such as 42")
    if not 0 <= days <= PLAN_AHEAD_MAX_DAYS:
        raise ActionError(
            "plan_ahead_days",
            f"{days} days is outside 0 to {PLAN_AHEAD_MAX_DAYS}: a quarter opens at most about "
            "four months ahead",
        )
    return days


def do_set_plan_ahead(access: Access, days: object, actor: Any) -> Organization:
    """Set how many days before it starts the next quarter opens for drafting (admins), and
    open it at once when that day has come."""
    access.require_write()
    if not access.is_admin:
        raise NotAllowed("only the organisation's admins set when the next quarter opens")
    value = check_plan_ahead(days)
    organization = access.organization
    with writes.atomic():
        before = organization.plan_ahead_days
        Organization.objects.filter(pk=organization.pk).update(plan_ahead_days=value)
        organization.plan_ahead_days = value
        if before != value:
            record(
                organization.pk,
                actor,
                "update",
                organization,
                before={"plan_ahead_days": before},
                after={"plan_ahead_days": value},
            )
        do_open_periods(organization, actor=actor)
    return organization


def opening_day(organization: Organization, on: date | None = None) -> tuple[str, date]:
    """The next quarter after the one containing `on` (today) and the day it opens."""
    following = period_containing(on or timezone.localdate()).next()
    return following.key, following.start - timedelta(days=organization.plan_ahead_days)


def do_open_periods(
    organization: Organization, on: date | None = None, actor: Any = None
) -> list[Period]:
    """The quarter containing `on` (today), and the next one from `plan_ahead_days` before it
    starts, created where the organisation has not got them yet (audited). Those created.

    Drafting, alignment and review of the next quarter need its period before it starts; the
    hourly calendar job and `okr serve` call this for every organisation.
    """
    day = on or timezone.localdate()
    wanted = [period_containing(day)]
    _, opens = opening_day(organization, day)
    if day >= opens:
        wanted.append(wanted[0].next())
    made: list[Period] = []
    with writes.atomic():
        for calendar in wanted:
            period, created = open_period(organization, calendar, actor)
            if created:
                made.append(period)
    return made


def do_open_periods_everywhere(on: date | None = None) -> int:
    """`do_open_periods` for every organisation that has begun (has a period); how many
    periods were created."""
    count = 0
    for organization in Organization.objects.filter(periods__isnull=False).distinct():
        count += len(do_open_periods(organization, on))
    return count


def do_start_first_period(
    organization: Organization, actor: Any = None, on: date | None = None
) -> Period | None:
    """Give an organisation without any period the quarter containing `on` (default today).

    A new organisation (the setup link, `okr org create`) would otherwise have nothing to
    draft in: the drafting page offers no "New objective" until a period exists. None when
    the organisation has a period already.
    """
    with writes.atomic():
        Organization.objects.select_for_update().filter(pk=organization.pk).first()
        if Period.objects.filter(organization=organization).exists():
            return None
        period, _ = open_period(organization, period_containing(on or timezone.localdate()), actor)
    return period
