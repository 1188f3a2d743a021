"""Every write to KPIs: their definition, their readings and promotion into a key result.

Leaders and admins define KPIs; anyone who may write adds readings (by hand, by the API or
by CSV), as long as they act for the KPI's team, if it has one, and may check in on the key
results the readings feed (`require_readings`, `require_feeding`). Each `do_*` validates its
input (`ActionError` names the field), writes in one transaction, records the change in the
audit history and refuses an edit that started from an older version (`Conflict`). Readings
keep one value per KPI and day: a later reading of a day replaces the earlier one, and the
KPI's `current` follows its latest reading.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import F, OuterRef, Subquery
from django.utils.text import slugify

from constellation.server.audit import changes as writes
from constellation.server.audit.actions import record, snapshot
from constellation.server.audit.models import AuditEvent
from constellation.server.errors import ActionError, Conflict, NotAllowed
from constellation.server.kpis.access import can_manage_kpis
from constellation.server.kpis.feed import feed_key_results, linked_key_results
from constellation.server.kpis.models import Kpi, KpiReading
from constellation.server.okrs.actions import lock_objectives
from constellation.server.okrs.drafting import KeyResultInput, do_create_key_result
from constellation.server.okrs.models import KeyResult, Objective
from constellation.server.orgs.access import Access, require_team
from constellation.server.orgs.models import Team
from constellation.server.tracking.actions import CheckInInput, do_check_in, require_check_in

LEADERS_ONLY = (
    "Only leaders and admins of the organisation define KPIs or promote them; "
    "members add readings. Ask a leader to make this change."
)
KPI_FIELDS = ("title", "unit", "direction", "healthy_low", "healthy_high", "team")
# Slugs the KPI pages' own addresses use (`/kpis/new/`, `/kpis/readings/...`).
RESERVED_SLUGS = frozenset({"new", "readings"})
SLUG_LENGTH = 60
# Readings must be dated in a sane window: a typo of the year is refused, not charted.
FIRST_DAY = date(1970, 1, 1)
LAST_DAY = date(2200, 12, 31)


def require_kpi_manager(access: Access) -> None:
    """Refuse a change to a KPI's definition by anyone but a leader or an admin (NotAllowed)."""
    access.require_write()
    if not can_manage_kpis(access):
        raise NotAllowed(LEADERS_ONLY)


@dataclass(slots=True)
class KpiInput:
    """What the KPI form (or API body) sends."""

    title: str
    unit: str = ""
    direction: str = Kpi.Direction.INCREASE
    healthy_low: float | None = None
    healthy_high: float | None = None
    team: Team | None = None


def _finite(field_name: str, value: float | None) -> None:
    if value is not None and not math.isfinite(value):
        raise ActionError(field_name, f"the {field_name.replace('_', ' ')} must be a number")


def check_kpi(access: Access, data: KpiInput) -> KpiInput:
    """The input cleaned (text stripped), or ActionError naming the first bad field."""
    data.title = (data.title or "").strip()
    data.unit = (data.unit or "").strip()
    if not data.title:
        raise ActionError("title", "a KPI needs a title")
    if len(data.title) > 300:
        raise ActionError("title", f"the title is {len(data.title)} characters long; at most 300")
    if len(data.unit) > 30:
        raise ActionError("unit", f"the unit is {len(data.unit)} characters long; at most 30")
    if data.direction not in Kpi.Direction.values:
        raise ActionError("direction", "the direction is either increase or decrease")
    _finite("healthy_low", data.healthy_low)
    _finite("healthy_high", data.healthy_high)
    low, high = data.healthy_low, data.healthy_high
    if low is not None and high is not None and low > high:
        raise ActionError(
            "healthy_high",
            f"the healthy range's high end ({high:g}) is below its low end ({low:g})",
        )
    if data.team is not None and data.team.organization_id != access.organization.pk:
        raise ActionError("team", "choose one of this organisation's teams")
    return data


def _new_slug(access: Access, title: str) -> str:
    """A slug from the title, unique in the organisation and clear of the pages' own words."""
    base = slugify(title)[: SLUG_LENGTH - 5].strip("-") or "kpi"
    taken = set(
        Kpi.objects.filter(organization=access.organization, slug__startswith=base).values_list(
            "slug", flat=True
        )
    ) | set(RESERVED_SLUGS)
    slug, number = base, 2
    while slug in taken:
        slug = f"{base}-{number}"
        number += 1
    return slug


def do_create_kpi(access: Access, data: KpiInput, actor: Any) -> Kpi:
    """Define a new KPI; its slug comes from the title."""
    require_kpi_manager(access)
    check_kpi(access, data)
    with writes.atomic():
        kpi = Kpi.objects.create(
            organization=access.organization,
            slug=_new_slug(access, data.title),
            title=data.title,
            unit=data.unit,
            direction=data.direction,
            healthy_low=data.healthy_low,
            healthy_high=data.healthy_high,
            team=data.team,
        )
        record(access.organization.pk, actor, "create", kpi, after=snapshot(kpi))
    return kpi


def _stale(current: int, expected: int) -> Conflict:
    return Conflict(
        current,
        f"This KPI was changed by someone else since you opened it (now at version {current}, "
        f"yours was {expected}). Reload to see their change, then apply yours again.",
    )


def kpi_changes(kpi: Kpi, data: KpiInput) -> dict[str, Any]:
    """The fields of `data` that differ from the saved KPI (team as `team_id`)."""
    changes: dict[str, Any] = {}
    for name in KPI_FIELDS:
        value = getattr(data, name)
        if name == "team":
            if (value.pk if value else None) != kpi.team_id:
                changes["team_id"] = value.pk if value else None
        elif value != getattr(kpi, name):
            changes[name] = value
    return changes


def do_update_kpi(
    access: Access, kpi: Kpi, data: KpiInput, *, expected_version: int, actor: Any
) -> dict[str, Any]:
    """Save the KPI's new definition if nobody saved it since `expected_version`, else Conflict.

    Returns the changed fields (empty: nothing to save).
    """
    require_kpi_manager(access)
    check_kpi(access, data)
    with writes.atomic():
        locked = Kpi.objects.select_for_update().get(pk=kpi.pk)
        if locked.version != expected_version:
            raise _stale(locked.version, expected_version)
        changes = kpi_changes(locked, data)
        if changes:
            names = [name.removesuffix("_id") for name in changes]
            before = snapshot(locked, names)
            Kpi.objects.filter(pk=kpi.pk).update(**changes, version=F("version") + 1)
            locked.refresh_from_db()
            record(
                access.organization.pk,
                actor,
                "update",
                locked,
                before=before,
                after=snapshot(locked, names),
            )
    kpi.refresh_from_db()
    return changes


GUARDS_LAUNCHED = (
    "This KPI guards or feeds a launched objective: say why it goes. The reason is kept in "
    "that objective's history, with the guardrail or the feed it loses."
)


@dataclass(frozen=True, slots=True)
class KpiUses:
    """What a KPI is used by: objectives it guards, key results promoted from it (fed)."""

    guarded: list[Objective]
    fed: list[KeyResult]

    @property
    def launched(self) -> bool:
        """Whether any of them belongs to a launched objective."""
        objectives = [*self.guarded, *(kr.objective for kr in self.fed)]
        return any(o.state == Objective.State.LAUNCHED for o in objectives)


def kpi_uses(kpi: Kpi) -> KpiUses:
    """The objectives the KPI guards and the key results it feeds, with their objectives."""
    return KpiUses(
        guarded=list(kpi.guarded_objectives.order_by("id")),
        fed=list(kpi.key_results.select_related("objective").order_by("id")),
    )


def _unlinked_events(
    access: Access, kpi: Kpi, uses: KpiUses, actor: Any, reason: str
) -> list[AuditEvent]:
    """One event per objective losing the guardrail and per key result losing its feed, so each
    one's history tells (and its scores and findings are stored again)."""
    through = Objective.guardrails.through.objects.filter(objective__in=uses.guarded)
    guards: dict[int, list[str]] = {}
    for objective_id, slug in through.values_list("objective_id", "kpi__slug"):
        guards.setdefault(objective_id, []).append(slug)
    common = {
        "organization_id": access.organization.pk,
        "actor_id": getattr(actor, "pk", None),
        "action": "update",
        "reason": reason,
    }
    events = [
        AuditEvent(
            **common,
            object_type="objective",
            object_id=o.pk,
            object_repr=str(o)[:300],
            before={"guardrails": sorted(guards.get(o.pk, []))},
            after={"guardrails": sorted(set(guards.get(o.pk, [])) - {kpi.slug})},
        )
        for o in uses.guarded
    ]
    events += [
        AuditEvent(
            **common,
            object_type="keyresult",
            object_id=kr.pk,
            objective_id=kr.objective_id,
            object_repr=str(kr)[:300],
            before={"kpi": kpi.pk},
            after={"kpi": None},
        )
        for kr in uses.fed
    ]
    return events


def do_delete_kpi(
    access: Access, kpi: Kpi, *, expected_version: int, actor: Any, reason: str = ""
) -> KpiUses:
    """Delete a KPI and its readings (leaders and admins) if nobody saved it since
    `expected_version` (else `Conflict`); what used it, returned, is told in its own history.

    The objectives it guards lose the guardrail; the key results promoted from it keep their
    numbers and check-ins but are no longer fed by readings. When any of those is launched the
    delete needs a reason (a pivot), as a change to a launched objective does.
    """
    require_kpi_manager(access)
    with writes.atomic():
        uses = kpi_uses(kpi)
        lock_objectives([o.pk for o in uses.guarded] + [kr.objective_id for kr in uses.fed])
        locked = Kpi.objects.select_for_update().filter(pk=kpi.pk).first()
        if locked is None or locked.version != expected_version:
            raise _stale(locked.version if locked else expected_version, expected_version)
        if uses.launched and not reason.strip():
            raise ActionError("reason", GUARDS_LAUNCHED)
        before = {
            **snapshot(locked),
            "guards": [o.slug for o in uses.guarded],
            "feeds": [f"{kr.objective.slug}/{kr.slug}" for kr in uses.fed],
        }
        AuditEvent.objects.bulk_create(_unlinked_events(access, locked, uses, actor, reason))
        record(access.organization.pk, actor, "delete", locked, before=before, reason=reason)
        locked.delete()
    return uses


@dataclass(frozen=True, slots=True)
class ReadingRow:
    """One reading to save: a KPI, a day and a value (`line`: where a CSV file said so)."""

    kpi: Kpi
    taken_on: date
    value: float
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Replaced:
    """A day that already had a reading with another value."""

    kpi: Kpi
    taken_on: date
    before: float
    after: float


@dataclass(slots=True)
class ReadingsResult:
    """What saving readings did: added, replaced, unchanged, and the key results fed."""

    added: int = 0
    replaced: list[Replaced] = field(default_factory=list)
    unchanged: int = 0
    fed: int = 0
    kpis: list[Kpi] = field(default_factory=list)

    @property
    def saved(self) -> int:
        """How many readings were written (new or replacing another value)."""
        return self.added + len(self.replaced)

    def summary(self) -> str:
        """What happened, in a sentence or two (replaced values named, day by day)."""
        plural = "" if self.saved == 1 else "s"
        parts = [f"Saved {self.saved} reading{plural}: {self.added} new"]
        if self.replaced:
            shown = [
                f"{r.kpi.title} on {r.taken_on.isoformat()} was {r.before:g}, now {r.after:g}"
                for r in self.replaced[:5]
            ]
            more = len(self.replaced) - len(shown)
            listed = "; ".join(shown) + (f"; and {more} more" if more else "")
            parts.append(f"{len(self.replaced)} replaced a reading of the same day ({listed})")
        text = ", ".join(parts) + "."
        if self.unchanged:
            text += f" {self.unchanged} already recorded with the same value, left as they were."
        if self.fed:
            text += f" Fed {self.fed} linked key result{'' if self.fed == 1 else 's'}."
        return text


def require_readings(access: Access, kpis: list[Kpi]) -> None:
    """Refuse readings of a team's KPI by anyone who does not act for that team (NotAllowed).

    A KPI without a team is the organisation's: anyone who may write records its readings.
    """
    access.require_write()
    # One check per team, however many of its KPIs the readings touch.
    teams: dict[int, tuple[Team, Kpi]] = {}
    for kpi in kpis:
        if kpi.team is not None:
            teams.setdefault(kpi.team.pk, (kpi.team, kpi))
    for team, kpi in teams.values():
        require_team(access, team, f"record readings of the KPI “{kpi.title}”")


def require_feeding(access: Access, key_results: list[KeyResult]) -> None:
    """Refuse readings that would move a key result the person may not check in on.

    A reading becomes a check-in of every key result promoted from its KPI, so it follows
    the check-in rule (`require_check_in`, whose refusal names the key result's team):
    otherwise a reading would move another team's key result that a direct check-in may not.
    """
    try:
        require_check_in(access, key_results)
    except NotAllowed as refusal:
        raise NotAllowed(
            f"A KPI's reading is also a check-in of the key results promoted from it. {refusal}"
        ) from refusal


def check_reading(access: Access, row: ReadingRow) -> None:
    """Refuse a reading of another organisation's KPI, a non-finite value or a far-off day."""
    if row.kpi.organization_id != access.organization.pk:
        raise ActionError("kpi", "choose one of this organisation's KPIs")
    if not math.isfinite(row.value):
        raise ActionError("value", "the value must be a finite number")
    if not FIRST_DAY <= row.taken_on <= LAST_DAY:
        raise ActionError("date", f"the date must be between {FIRST_DAY} and {LAST_DAY}")


def _write(rows: list[ReadingRow], kpi_ids: list[int], actor: Any) -> tuple[ReadingsResult, list]:
    """Insert new days, replace changed values, skip identical ones (a few queries in all).

    Returns the result and the rows actually written (new or replacing another value).
    """
    first, last = min(r.taken_on for r in rows), max(r.taken_on for r in rows)
    existing = {
        (reading.kpi_id, reading.taken_on): reading
        for reading in KpiReading.objects.filter(
            kpi_id__in=kpi_ids, taken_on__gte=first, taken_on__lte=last
        )
    }
    author = actor if getattr(actor, "pk", None) else None
    result, new, changed, written = ReadingsResult(), [], [], []
    for row in rows:
        saved = existing.get((row.kpi.pk, row.taken_on))
        if saved is None:
            new.append(
                KpiReading(kpi=row.kpi, taken_on=row.taken_on, value=row.value, author=author)
            )
        elif saved.value == row.value:
            result.unchanged += 1
            continue
        else:
            result.replaced.append(Replaced(row.kpi, row.taken_on, saved.value, row.value))
            saved.value, saved.author = row.value, author
            changed.append(saved)
        written.append(row)
    KpiReading.objects.bulk_create(new, batch_size=500)
    KpiReading.objects.bulk_update(changed, ["value", "author"], batch_size=500)
    result.added = len(new)
    return result, written


def _follow_latest(kpi_ids: list[int]) -> dict[int, float | None]:
    """Set each KPI's `current` to its latest reading's value (one UPDATE); the new values."""
    latest = KpiReading.objects.filter(kpi=OuterRef("pk")).order_by("-taken_on", "-id")
    Kpi.objects.filter(pk__in=kpi_ids).update(current=Subquery(latest.values("value")[:1]))
    return dict(Kpi.objects.filter(pk__in=kpi_ids).values_list("pk", "current"))


def _audit_readings(
    access: Access,
    actor: Any,
    kpis: dict[int, tuple[Kpi, float | None]],
    result: ReadingsResult,
    written: list[ReadingRow],
    source: str,
) -> None:
    """One audit event per KPI whose readings changed, written together."""
    replaced = {(r.kpi.pk, r.taken_on): r for r in result.replaced}
    per_kpi: dict[int, dict[str, list]] = {}
    for row in written:
        entry = per_kpi.setdefault(row.kpi.pk, {"added": [], "replaced": []})
        old = replaced.get((row.kpi.pk, row.taken_on))
        day = row.taken_on.isoformat()
        if old is None:
            entry["added"].append({"date": day, "value": row.value})
        else:
            entry["replaced"].append({"date": day, "before": old.before, "after": old.after})
    AuditEvent.objects.bulk_create(
        AuditEvent(
            organization_id=access.organization.pk,
            actor_id=getattr(actor, "pk", None),
            action="record_readings",
            object_type="kpi",
            object_id=kpi_id,
            object_repr=str(kpis[kpi_id][0])[:300],
            before={"current": kpis[kpi_id][1]},
            after={"current": kpis[kpi_id][0].current, "source": source, **changes},
        )
        for kpi_id, changes in per_kpi.items()
    )


def do_record_readings(
    access: Access, rows: list[ReadingRow], actor: Any, *, source: str = "web"
) -> ReadingsResult:
    """Save readings in one transaction; feed the key results linked to their KPIs.

    The KPIs' rows are locked first, so two uploads of the same days run one after the
    other and the later one's values stay (and it says it replaced them).
    """
    access.require_write()
    for row in rows:
        check_reading(access, row)
    if not rows:
        return ReadingsResult()
    kpi_ids = sorted({row.kpi.pk for row in rows})
    with writes.atomic():
        locked = {
            kpi.pk: (kpi, kpi.current)
            # Only the KPI rows are locked: PostgreSQL refuses FOR UPDATE on the nullable
            # side of the outer join to the KPI's (optional) team.
            for kpi in Kpi.objects.select_for_update(of=("self",))
            .filter(pk__in=kpi_ids, organization=access.organization)
            .select_related("team")
            .order_by("pk")
        }
        # Both rules are checked before the first write, so a refusal leaves nothing behind.
        require_readings(access, [kpi for kpi, _ in locked.values()])
        key_results = linked_key_results(access, kpi_ids)
        require_feeding(access, key_results)
        result, written = _write(rows, kpi_ids, actor)
        for kpi_id, current in _follow_latest(kpi_ids).items():
            locked[kpi_id][0].current = current
        _audit_readings(access, actor, locked, result, written, source)
        result.fed = feed_key_results(access, written, actor, key_results) if written else 0
        # An alert follows a reading at once; the worker's sweep is only the safety net.
        from constellation.server.kpis.tasks import enqueue_kpi_checks

        enqueue_kpi_checks(kpi_ids)
    result.kpis = [locked[pk][0] for pk in kpi_ids]
    for row in rows:
        row.kpi.current = locked[row.kpi.pk][0].current
    return result


def do_add_reading(
    access: Access, kpi: Kpi, taken_on: date, value: float, actor: Any
) -> ReadingsResult:
    """One reading entered by hand or by the API (replacing that day's, if any)."""
    return do_record_readings(access, [ReadingRow(kpi, taken_on, value)], actor, source="web")


def _promotion_title(kpi: Kpi, baseline: float, target: float) -> str:
    verb = "Raise" if target > baseline else "Cut"
    return f"{verb} {kpi.title} from {baseline:g}{kpi.unit} to {target:g}{kpi.unit}"[:300]


def _check_promotion(kpi: Kpi, objective: Objective, baseline: float, target: float) -> None:
    """Refuse a target that does not move the KPI its way, a closed objective, or an objective
    of another team than the KPI's (the web offers only `promotable_objectives`)."""
    if objective.organization_id != kpi.organization_id:
        raise ActionError("objective", "choose one of this organisation's objectives")
    if kpi.team_id is not None and objective.team_id != kpi.team_id:
        raise ActionError(
            "objective",
            f"this KPI belongs to {kpi.team.name if kpi.team else 'a team'}: "
            "choose one of that team's objectives",
        )
    if objective.state == Objective.State.CLOSED:
        raise ActionError("objective", "this objective is closed: choose an open one")
    if not math.isfinite(target):
        raise ActionError("target", "the target must be a number")
    if target == baseline:
        raise ActionError("target", f"the target must differ from the baseline ({baseline:g})")
    if kpi.direction == Kpi.Direction.INCREASE and target < baseline:
        raise ActionError(
            "target", f"this KPI should increase: choose a target above the baseline ({baseline:g})"
        )
    if kpi.direction == Kpi.Direction.DECREASE and target > baseline:
        raise ActionError(
            "target", f"this KPI should decrease: choose a target below the baseline ({baseline:g})"
        )


def do_promote_kpi(
    access: Access,
    kpi: Kpi,
    objective: Objective,
    *,
    target: float,
    actor: Any,
    title: str = "",
    reason: str = "",
) -> KeyResult:
    """Make the KPI a key result of `objective`: baseline = latest reading, linked to the KPI.

    The key result starts at its baseline (a check-in dated like the reading), and from then
    on every new reading of the KPI is also a check-in of the key result.
    """
    require_kpi_manager(access)
    # The key result joins the objective's team's plan: a write of that team.
    require_team(access, objective.team, "add key results to its objectives")
    latest = KpiReading.objects.filter(kpi=kpi).order_by("-taken_on", "-id").first()
    if latest is None:
        raise ActionError("target", "record a reading first: the baseline is the latest reading")
    _check_promotion(kpi, objective, latest.value, target)
    data = KeyResultInput(
        title=(title or "").strip() or _promotion_title(kpi, latest.value, target),
        baseline=latest.value,
        target=target,
        unit=kpi.unit,
        kpi=kpi,
    )
    with writes.atomic():
        key_result = do_create_key_result(access, objective, data, actor, reason=reason)
        do_check_in(
            access,
            key_result,
            CheckInInput(
                value=latest.value,
                checked_on=latest.taken_on,
                note=f"Baseline: the latest reading of the KPI “{kpi}”",
            ),
            actor,
        )
        record(
            access.organization.pk,
            actor,
            "promote",
            kpi,
            after={"objective": objective.slug, "key_result": key_result.slug, "target": target},
            objective_id=objective.pk,
        )
    return key_result
