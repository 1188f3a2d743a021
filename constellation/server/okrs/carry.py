"""Start from last period (the update step): unfinished objectives brought into a new period.

A carried objective is a new draft linked to its predecessor (`carried_from`); its key
results start where the last period ended (baseline = last value); its alignments are kept
when their targets are still in the organisation.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from constellation.server.audit import changes as writes
from constellation.server.audit.actions import snapshot
from constellation.server.audit.models import AuditEvent
from constellation.server.errors import ActionError
from constellation.server.okrs.drafting import unique_slug
from constellation.server.okrs.models import Alignment, KeyResult, Objective, Period
from constellation.server.orgs.access import Access, require_team


def do_carry_objectives(
    access: Access,
    sources: list[Objective],
    period: Period,
    actor: Any,
    *,
    without_key_results: Collection[int] = (),
) -> list[Objective]:
    """Bring these objectives into `period` as drafts; each copy links to its predecessor.

    `sources` must come prefetched (`okrs.access.objective_page_queryset`); the copies are
    written in bulk, so carrying ten objectives costs the same number of queries as carrying
    one. Sources whose id is in `without_key_results` come over bare (a team rethinking how
    to measure an objective starts its key results afresh).
    """
    access.require_write()
    if period.organization_id != access.organization.pk:
        raise ActionError("period", "no such period in this organisation")
    if any(o.organization_id != access.organization.pk for o in sources):
        raise ActionError("objectives", "choose among this organisation's objectives")
    # A carried objective is a new draft of its team: only who writes for that team carries it.
    for team in {source.team_id: source.team for source in sources}.values():
        require_team(access, team, "carry this team's objectives")
    with writes.atomic():
        scope = Objective.objects.filter(organization=access.organization)
        taken = set(scope.values_list("slug", flat=True))
        copies = Objective.objects.bulk_create([_copy(s, period, taken) for s in sources])
        pairs = list(zip(sources, copies, strict=True))
        _copy_links(pairs)
        key_results = KeyResult.objects.bulk_create(
            [
                kr
                for source, copy in pairs
                if source.pk not in without_key_results
                for kr in _key_results(source, copy)
            ]
        )
        targets = _alignment_targets(access, sources)
        Alignment.objects.bulk_create(
            [Alignment(source=c, target_id=t) for s, c in pairs for t in targets.get(s.pk, [])],
            ignore_conflicts=True,
        )
        _audit(access, pairs, key_results, targets, actor)
    return copies


def _copy(source: Objective, period: Period, taken: set[str]) -> Objective:
    """An unsaved draft copy of `source` in `period`, with a slug not yet taken."""
    slug = unique_slug(source.title, taken, f"{source.slug}-{period.key}")
    taken.add(slug)
    return Objective(
        organization_id=source.organization_id,
        slug=slug,
        team_id=source.team_id,
        period=period,
        title=source.title,
        owner_id=source.owner_id,
        focus=source.focus,
        commitment=source.commitment,
        position=source.position,
        carried_from=source,
    )


def _copy_links(pairs: list[tuple[Objective, Objective]]) -> None:
    """Levers and guardrails of each source on its copy, in two inserts."""
    levers = Objective.levers.through
    guardrails = Objective.guardrails.through
    levers.objects.bulk_create(
        [levers(objective_id=c.pk, lever_id=x.pk) for s, c in pairs for x in s.levers.all()]
    )
    guardrails.objects.bulk_create(
        [guardrails(objective_id=c.pk, kpi_id=x.pk) for s, c in pairs for x in s.guardrails.all()]
    )


def _key_results(source: Objective, copy: Objective) -> list[KeyResult]:
    """The source's key results for the copy, starting where the last period ended."""
    return [
        KeyResult(
            objective=copy,
            slug=kr.slug,
            slug_given=kr.slug_given,
            title=kr.title,
            type=kr.type,
            baseline=kr.current if kr.current is not None else kr.baseline,
            target=kr.target,
            unit=kr.unit,
            weight=kr.weight,
            healthy_low=kr.healthy_low,
            healthy_high=kr.healthy_high,
            owner_id=kr.owner_id,
            kpi_id=kr.kpi_id,
            position=kr.position,
        )
        for kr in source.key_results.all()
    ]


def _alignment_targets(access: Access, sources: list[Objective]) -> dict[int, list[int]]:
    """What each source aligns to, among objectives still in the organisation (one query)."""
    targets: dict[int, list[int]] = {}
    rows = Alignment.objects.filter(
        source__in=sources, target__organization=access.organization
    ).values_list("source_id", "target_id")
    for source_id, target_id in rows:
        targets.setdefault(source_id, []).append(target_id)
    return targets


def _audit(
    access: Access,
    pairs: list[tuple[Objective, Objective]],
    key_results: list[KeyResult],
    targets: dict[int, list[int]],
    actor: Any,
) -> None:
    """One audit event per carried objective, written in one insert."""
    slugs: dict[int, list[str]] = {}
    for kr in key_results:
        slugs.setdefault(kr.objective_id, []).append(kr.slug)
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                organization_id=access.organization.pk,
                actor_id=getattr(actor, "pk", None),
                action="carry",
                object_type="objective",
                object_id=copy.pk,
                object_repr=str(copy)[:300],
                after={
                    **snapshot(copy),
                    "key_results": slugs.get(copy.pk, []),
                    "aligns_to": len(targets.get(source.pk, [])),
                },
                reason=f"carried from {source.period.key}: {source.slug}",
            )
            for source, copy in pairs
        ]
    )
