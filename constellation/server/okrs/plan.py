"""Server rows turned into the core's plan dataclasses, in a fixed number of queries.

The coach and scoring run on `constellation.core.model.Plan`; the server never reimplements
them. Every function here runs the same number of queries whatever the number of objectives.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet

from constellation.core import model
from constellation.server.kpis.models import Kpi
from constellation.server.okrs.models import Alignment, Initiative, KeyResult, Objective, Period
from constellation.server.orgs.models import Organization, Team
from constellation.server.strategy.models import Lever, Strategy
from constellation.server.tracking.models import CheckIn


def _range(low: float | None, high: float | None) -> model.HealthyRange | None:
    if low is None and high is None:
        return None
    return model.HealthyRange(low=low, high=high)


def objectives_queryset(organization: Organization) -> QuerySet[Objective]:
    """Objectives with everything a page or the coach reads, prefetched."""
    return (
        Objective.objects.filter(organization=organization)
        .select_related("team", "period", "owner")
        .prefetch_related(
            Prefetch("levers", queryset=Lever.objects.only("id", "slug", "title")),
            Prefetch("guardrails", queryset=Kpi.objects.all()),
            Prefetch(
                "key_results",
                queryset=KeyResult.objects.select_related("owner", "kpi").order_by(
                    "position", "id"
                ),
            ),
            Prefetch(
                "initiatives",
                queryset=Initiative.objects.prefetch_related(
                    Prefetch("moves", queryset=KeyResult.objects.only("id", "slug"))
                ),
            ),
        )
    )


def alignment_map(
    objective_ids: Iterable[int],
) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """Both directions of alignment for these objectives, in one query."""
    ids = list(objective_ids)
    targets: dict[int, list[int]] = defaultdict(list)
    sources: dict[int, list[int]] = defaultdict(list)
    rows = Alignment.objects.filter(source_id__in=ids) | Alignment.objects.filter(target_id__in=ids)
    for source_id, target_id in rows.values_list("source_id", "target_id").order_by("id"):
        targets[source_id].append(target_id)
        sources[target_id].append(source_id)
    return targets, sources


def key_result_data(kr: KeyResult, check_ins: list[CheckIn] | None = None) -> model.KeyResult:
    """One key result row as the core's dataclass."""
    return model.KeyResult(
        id=kr.slug,
        title=kr.title,
        type=kr.type,  # type: ignore[arg-type]
        baseline=kr.baseline,
        target=kr.target,
        current=kr.current,
        unit=kr.unit or None,
        done=kr.done,
        kpi=kr.kpi.slug if kr.kpi_id and kr.kpi else None,
        weight=kr.weight,
        healthy=_range(kr.healthy_low, kr.healthy_high),
        confidence=kr.confidence,
        owner=kr.owner.username if kr.owner_id and kr.owner else None,
        check_ins=[
            model.CheckIn(
                on=c.checked_on, value=c.value, confidence=c.confidence, note=c.note, done=c.done
            )
            for c in (check_ins or [])
        ],
        id_given=kr.slug_given,
    )


def objective_data(
    objective: Objective,
    slugs: dict[int, str],
    targets: dict[int, list[int]],
    check_ins: dict[int, list[CheckIn]] | None = None,
) -> model.Objective:
    """One prefetched objective row as the core's dataclass."""
    check_ins = check_ins or {}
    kr_slugs = {kr.id: kr.slug for kr in objective.key_results.all()}
    return model.Objective(
        id=objective.slug,
        team=objective.team.slug,
        title=objective.title,
        period=objective.period.key,
        focus=objective.focus or None,  # type: ignore[arg-type]
        levers=[lever.slug for lever in objective.levers.all()],
        aligns_to=[slugs[t] for t in targets.get(objective.id, []) if t in slugs],
        guardrails=[kpi.slug for kpi in objective.guardrails.all()],
        key_results=[
            key_result_data(kr, check_ins.get(kr.id)) for kr in objective.key_results.all()
        ],
        initiatives=[
            model.Initiative(
                title=i.title,
                moves=[kr_slugs.get(m.id, m.slug) for m in i.moves.all()],
                id=i.slug or None,
                status=i.status or None,
            )
            for i in objective.initiatives.all()
        ],
        commitment=objective.commitment,  # type: ignore[arg-type]
        state=objective.state if objective.state_given else None,  # type: ignore[arg-type]
        owner=objective.owner.username if objective.owner_id and objective.owner else None,
    )


def check_ins_by_key_result(key_result_ids: Iterable[int]) -> dict[int, list[CheckIn]]:
    """Check-ins of these key results, oldest first, in one query."""
    grouped: dict[int, list[CheckIn]] = defaultdict(list)
    for check_in in CheckIn.objects.filter(key_result_id__in=list(key_result_ids)).order_by(
        "checked_on", "id"
    ):
        grouped[check_in.key_result_id].append(check_in)
    return grouped


def build_plan(
    organization: Organization,
    period: Period | None = None,
    *,
    objectives: list[Objective] | None = None,
    with_check_ins: bool = False,
) -> model.Plan:
    """The organisation's strategy, teams, KPIs and a period's objectives as a core Plan.

    Objectives that the period's objectives align to are included (from any period) so the
    coach can see copies of their key results; pass `objectives` to reuse rows already read.
    """
    if objectives is None:
        queryset = objectives_queryset(organization)
        if period is not None:
            queryset = queryset.filter(period=period)
        objectives = list(queryset)
    targets, _ = alignment_map(o.id for o in objectives)
    known = {o.id for o in objectives}
    missing = {t for ids in targets.values() for t in ids} - known
    extra = list(objectives_queryset(organization).filter(id__in=missing)) if missing else []
    rows = objectives + extra
    slugs = {o.id: o.slug for o in rows}
    check_ins = (
        check_ins_by_key_result(kr.id for o in rows for kr in o.key_results.all())
        if with_check_ins
        else {}
    )
    strategy = Strategy.objects.filter(organization=organization).first()
    levers = [
        model.Lever(id=lever.slug, title=lever.title)
        for lever in Lever.objects.filter(organization=organization)
    ]
    return model.Plan(
        organization=organization.name,
        period=period.key if period is not None else "",
        vision=strategy.vision or None if strategy else None,
        mission=strategy.mission or None if strategy else None,
        levers=levers,
        teams=[
            model.Team(
                id=team.slug,
                name=team.name,
                parent=team.parent.slug if team.parent_id and team.parent else None,
                phase=team.phase or None,  # type: ignore[arg-type]
            )
            for team in Team.objects.filter(organization=organization).select_related("parent")
        ],
        kpis=[
            model.Kpi(
                id=kpi.slug,
                title=kpi.title,
                unit=kpi.unit or None,
                direction=kpi.direction,  # type: ignore[arg-type]
                healthy=_range(kpi.healthy_low, kpi.healthy_high),
                current=kpi.current,
            )
            for kpi in Kpi.objects.filter(organization=organization)
        ],
        objectives=[objective_data(o, slugs, targets, check_ins) for o in rows],
        has_strategy=strategy is not None or bool(levers),
    )
