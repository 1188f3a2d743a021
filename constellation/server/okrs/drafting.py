"""Writes of the drafting step: objectives and key results created, key results deleted.
Edits of objectives and key results are `okrs.actions`'; initiatives are `okrs.initiatives`'.

Every `do_*` here runs in one transaction, is audited, refuses a viewer and anyone who does
not act for the objective's team (`NotAllowed`), and refuses a change to a launched objective
that gives no reason (a pivot). Deletions name the version they started from and are refused
(`Conflict`) when someone saved in between.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Max
from django.utils.text import slugify

from constellation.server.audit import changes as writes
from constellation.server.audit.actions import record, snapshot
from constellation.server.errors import ActionError, Conflict
from constellation.server.okrs.actions import (
    check_key_result_measure,
    check_key_result_parts,
    check_objective_parts,
    given_fields,
    key_result_columns,
    lock_objectives,
    require_key_result_writer,
    require_objective_writer,
    require_pivot_reason,
)
from constellation.server.okrs.models import Alignment, KeyResult, Objective, Period
from constellation.server.okrs.notices import notify_deleted
from constellation.server.orgs.access import Access, require_team
from constellation.server.orgs.models import Team

if TYPE_CHECKING:
    from constellation.server.kpis.models import Kpi
    from constellation.server.strategy.models import Lever

SLUG_LENGTH = 80


@dataclass(slots=True)
class ObjectiveInput:
    """What the objective form sends: everything an objective is made of."""

    title: str
    team: Team
    period: Period
    owner: Any = None
    focus: str = ""
    commitment: str = Objective.Commitment.COMMITTED
    levers: list[Lever] = field(default_factory=list)
    guardrails: list[Kpi] = field(default_factory=list)
    slug: str = ""


@dataclass(slots=True)
class KeyResultInput:
    """What the key-result form sends."""

    title: str
    type: str = KeyResult.Type.METRIC
    baseline: float | None = None
    target: float | None = None
    unit: str = ""
    weight: float = 1.0
    owner: Any = None
    kpi: Kpi | None = None
    # A keep-in-range key result's healthy range; either end may be open.
    healthy_low: float | None = None
    healthy_high: float | None = None


def unique_slug(title: str, taken: set[str], given: str = "") -> str:
    """A slug from `given` or the title, made unique against `taken` with -2, -3..."""
    base = slugify(given or title)[: SLUG_LENGTH - 4].strip("-") or "objective"
    slug, number = base, 2
    while slug in taken:
        slug = f"{base}-{number}"
        number += 1
    return slug


def taken_slugs(queryset: Any, title: str, given: str) -> set[str]:
    """Slugs already used that a new one from this title could collide with (one query)."""
    base = slugify(given or title)[: SLUG_LENGTH - 4].strip("-") or "objective"
    return set(queryset.filter(slug__startswith=base).values_list("slug", flat=True))


def do_create_objective(access: Access, data: ObjectiveInput, actor: Any) -> Objective:
    """Create a draft objective with its levers and guardrails; the slug comes from the title."""
    access.require_write()
    check_objective_parts(access, given_fields(data))  # before the team's name can be told
    require_team(access, data.team, "write this team's objectives")
    if data.team.archived_at is not None:
        raise ActionError("team", f"{data.team.name} is archived: it takes no new objectives")
    with writes.atomic():
        scope = Objective.objects.filter(organization=access.organization)
        slug = unique_slug(data.title, taken_slugs(scope, data.title, data.slug), data.slug)
        position = scope.filter(team=data.team, period=data.period).aggregate(Max("position"))
        objective = Objective.objects.create(
            organization=access.organization,
            slug=slug,
            title=data.title.strip(),
            team=data.team,
            period=data.period,
            owner=data.owner,
            focus=data.focus,
            commitment=data.commitment,
            position=(position["position__max"] or 0) + 1,
        )
        objective.levers.set(data.levers)
        objective.guardrails.set(data.guardrails)
        after = {**snapshot(objective), **_links(data.levers, data.guardrails)}
        record(access.organization.pk, actor, "create", objective, after=after)
    return objective


def _links(levers: list[Lever], guardrails: list[Kpi]) -> dict[str, list[str]]:
    """Levers and guardrails as sorted slugs, the way the history shows them."""
    return {
        "levers": sorted(lever.slug for lever in levers),
        "guardrails": sorted(kpi.slug for kpi in guardrails),
    }


def do_create_key_result(
    access: Access, objective: Objective, data: KeyResultInput, actor: Any, reason: str = ""
) -> KeyResult:
    """Add a key result to an objective (after its others); its slug comes from the title.

    A milestone has no numbers: a baseline, target or unit given with one is dropped.
    """
    require_objective_writer(access, objective)
    values = given_fields(data)
    check_key_result_parts(access, values)
    check_key_result_measure(values, data.title)
    require_pivot_reason(objective, reason)
    columns = key_result_columns(values, data.type)
    with writes.atomic():
        scope = KeyResult.objects.filter(objective=objective)
        slug = unique_slug(data.title, taken_slugs(scope, data.title, ""))
        position = scope.aggregate(Max("position"))["position__max"]
        key_result = KeyResult.objects.create(
            objective=objective,
            slug=slug,
            slug_given=False,
            **columns,
            position=0 if position is None else position + 1,
        )
        record(
            access.organization.pk,
            actor,
            "create",
            key_result,
            after=snapshot(key_result),
            reason=reason,
        )
    return key_result


def _key_results_deleted(
    access: Access, key_result_ids: list[int], gone: str, reason: str, actor: Any
) -> None:
    """Hand the key results about to be deleted to the apps above that hang rows on them (the
    `KEY_RESULTS_DELETED_HANDLERS` setting: the teams asked for support on them are told),
    inside the delete's transaction and before the rows go."""
    for handler in writes.handlers_of("KEY_RESULTS_DELETED_HANDLERS"):
        handler(access, key_result_ids, gone, reason=reason, actor=actor)


def lock_key_result(key_result: KeyResult, expected_version: int) -> KeyResult:
    """The key result as saved, if still at `expected_version`, else Conflict."""
    lock_objectives([key_result.objective_id])
    saved = KeyResult.objects.select_for_update().filter(pk=key_result.pk).first()
    if saved is None or saved.version != expected_version:
        raise Conflict(
            saved.version if saved is not None else expected_version,
            "This key result was changed by someone else since you opened it; "
            "reload it and decide again.",
        )
    return saved


def do_delete_key_result(
    access: Access, key_result: KeyResult, *, expected_version: int, actor: Any, reason: str = ""
) -> None:
    """Delete a key result (its check-ins go with it), keeping what it was in the history."""
    require_key_result_writer(access, key_result)
    require_pivot_reason(key_result.objective, reason)
    with writes.atomic():
        saved = lock_key_result(key_result, expected_version)
        record(
            access.organization.pk, actor, "delete", saved, before=snapshot(saved), reason=reason
        )
        _key_results_deleted(
            access, [saved.pk], f"the key result “{saved.title}” was deleted", reason, actor
        )
        saved.delete()


CLOSED_MESSAGE = (
    "This objective is closed: its grade and decision are the record of its quarter, so it "
    "is kept. Reopen the quarterly review to change it, or leave it in the history."
)


def check_delete_objective(access: Access, objective: Objective, reason: str) -> None:
    """Refuse deleting a closed objective (the quarter's record), and a launched one without a
    reason (a pivot everyone aligned to it can read in its history)."""
    require_objective_writer(access, objective)
    if objective.state == Objective.State.CLOSED:
        raise ActionError("state", CLOSED_MESSAGE)
    require_pivot_reason(objective, reason)


def _deleted_snapshot(objective: Objective) -> dict[str, Any]:
    """What a deleted objective was, as its history keeps it: its columns, its key results and
    the links that go with it (alignment both ways, levers, guardrails)."""
    links = Alignment.objects.filter(models.Q(source=objective) | models.Q(target=objective))
    pairs = list(links.values_list("source__slug", "target__slug"))
    return {
        **snapshot(objective),
        "key_results": list(objective.key_results.values_list("slug", flat=True)),
        "aligns_to": sorted(target for source, target in pairs if source == objective.slug),
        "aligned_from": sorted(source for source, target in pairs if target == objective.slug),
        **_links(list(objective.levers.all()), list(objective.guardrails.all())),
    }


def do_delete_objective(
    access: Access, objective: Objective, *, expected_version: int, actor: Any, reason: str = ""
) -> None:
    """Delete an objective with its key results, check-ins, initiatives, alignment links and
    stored findings, keeping what it was in the history; `Conflict` on a stale version.

    A draft or an objective in review goes with no more ado; a launched one needs a reason;
    a closed one is refused (`check_delete_objective`). The deletes of its rows reach
    `plans.stored` like any write, so what aligned to it and its team's set are scored again.
    """
    check_delete_objective(access, objective, reason)
    with writes.atomic():
        lock_objectives([objective.pk])
        saved = Objective.objects.select_for_update().filter(pk=objective.pk).first()
        if saved is None or saved.version != expected_version:
            raise Conflict(
                saved.version if saved is not None else expected_version,
                "This objective was changed by someone else since you opened it; "
                "reload it and decide again.",
            )
        before = _deleted_snapshot(saved)
        record(access.organization.pk, actor, "delete", saved, before=before, reason=reason)
        notify_deleted(saved, reason, actor)
        _key_results_deleted(
            access,
            list(saved.key_results.values_list("pk", flat=True)),
            f"the objective “{saved.title}” was deleted",
            reason,
            actor,
        )
        saved.delete()
