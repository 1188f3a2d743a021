"""Every write to objectives, key results, initiatives and alignment.

`check_*` validates and raises `ActionError` naming the field; `do_*` writes in one
transaction, records the change in the audit history, and never silently overwrites a
concurrent edit (`Conflict`).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import transaction
from django.db.models import F

from constellation.core import model
from constellation.core.alignment import AlignmentGraph
from constellation.server.audit.actions import record, snapshot
from constellation.server.audit.models import AuditEvent
from constellation.server.errors import ActionError, Conflict
from constellation.server.okrs.notices import key_result_changes, notify_aligned, objective_changes
from constellation.server.okrs.models import Alignment, KeyResult, Objective
from constellation.server.orgs.access import Access

OBJECTIVE_FIELDS = ("title", "focus", "state", "commitment", "team_id", "owner_id", "period_id")
PIVOT_MESSAGE = (
    "This objective is launched: say why it changes. The reason is kept in its history, "
    "so everyone aligned to it can see what moved and why."
)


def require_pivot_reason(
    objective: Objective, reason: str, changes: dict[str, Any] | None = None
) -> None:
    """Refuse a change to a launched objective (or its key results) that gives no reason.

    Closing a launched objective is the end of its period, not a pivot, so it needs none.
    """
    if objective.state != Objective.State.LAUNCHED or (reason or "").strip():
        return
    closing = changes is not None and changes.get("state", "closed") == "closed"
    if closing and changes is not None and changes.keys() <= {"state"}:
        return
    raise ActionError("reason", PIVOT_MESSAGE)


def do_update_objective(
    access: Access,
    objective: Objective,
    changes: dict[str, Any],
    *,
    expected_version: int,
    actor: Any,
    reason: str = "",
) -> Objective:
    """Apply `changes` if nobody saved the objective since `expected_version`, else Conflict."""
    access.require_write()
    unknown = set(changes) - set(OBJECTIVE_FIELDS)
    if unknown:
        raise ActionError(sorted(unknown)[0], "this field cannot be changed here")
    if "title" in changes and not str(changes["title"]).strip():
        raise ActionError("title", "an objective needs a title")
    require_pivot_reason(objective, reason, changes)
    stored = dict(changes)
    if "state" in stored:
        stored["state_given"] = True  # a state someone chose is exported, not inferred
    with transaction.atomic():
        before = snapshot(objective, [f.removesuffix("_id") for f in changes])
        updated = Objective.objects.filter(pk=objective.pk, version=expected_version).update(
            **stored, version=F("version") + 1
        )
        if not updated:
            current = Objective.objects.filter(pk=objective.pk).values_list("version", flat=True)
            version = current[0] if current else expected_version
            raise Conflict(
                version,
                "This objective was changed by someone else since you opened it "
                f"(now at version {version}, yours was {expected_version}). "
                "Reload it to see their change, then apply yours again.",
            )
        objective.refresh_from_db()
        record(
            access.organization.pk,
            actor,
            "update",
            objective,
            before=before,
            after=snapshot(objective, [f.removesuffix("_id") for f in changes]),
            reason=reason,
        )
        told = objective_changes(objective, before)
        if told and reason:
            told.append(f"why: {reason}")
        # Closing ends what others align to: worth an email, not only an in-app note.
        closed = "state" in changes and objective.state == Objective.State.CLOSED
        notify_aligned(objective, told, actor, email=closed)
    return objective


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
    access.require_write()
    with transaction.atomic():
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
    access.require_write()
    with transaction.atomic():
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


def do_update_key_result(
    access: Access,
    key_result: KeyResult,
    changes: dict[str, Any],
    *,
    expected_version: int,
    actor: Any,
    reason: str = "",
) -> KeyResult:
    """Edit a key result's definition if nobody saved it since `expected_version`.

    A key result of a launched objective changes only with a `reason` (a pivot).
    """
    access.require_write()
    allowed = {"title", "baseline", "target", "unit", "weight", "type", "owner_id", "kpi_id"}
    unknown = set(changes) - allowed
    if unknown:
        raise ActionError(sorted(unknown)[0], "this field cannot be changed here")
    if "weight" in changes and (changes["weight"] is None or changes["weight"] <= 0):
        raise ActionError("weight", "the weight must be a number above 0")
    require_pivot_reason(key_result.objective, reason)
    with transaction.atomic():
        before = snapshot(key_result, [f.removesuffix("_id") for f in changes])
        updated = KeyResult.objects.filter(pk=key_result.pk, version=expected_version).update(
            **changes, version=F("version") + 1
        )
        if not updated:
            raise Conflict(
                KeyResult.objects.get(pk=key_result.pk).version,
                "This key result was changed by someone else since you opened it; "
                "reload it and apply your change again.",
            )
        key_result.refresh_from_db()
        record(
            access.organization.pk,
            actor,
            "update",
            key_result,
            before=before,
            after=snapshot(key_result, [f.removesuffix("_id") for f in changes]),
            reason=reason,
        )
        notify_aligned(key_result.objective, key_result_changes(key_result, before), actor)
    return key_result


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
    with transaction.atomic():
        ids = [o.pk for o in objectives]
        rows = Objective.objects.select_for_update().filter(
            organization=access.organization, pk__in=ids, state__in=from_states
        )
        before = dict(rows.values_list("pk", "state"))
        Objective.objects.filter(pk__in=list(before)).update(
            state=state, state_given=True, version=F("version") + 1
        )
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
    return moved
