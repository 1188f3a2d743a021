"""Rows and core scores turned into the API's JSON objects (see schemas.py for each shape)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from constellation.core import model
from constellation.core.coach import Finding
from constellation.server.okrs.access import alignment_links
from constellation.server.okrs.models import Initiative, KeyResult, Objective
from constellation.server.orgs.access import Access
from constellation.server.plans.plan import ObjectiveRecord
from constellation.server.tracking.models import CheckIn

Links = dict[int, list[str]]
# The digits the core's `as_dict` keeps, so the API and `okr score --format json` agree.
ROUNDING = 4


def kr_id(objective_slug: str, kr_slug: str) -> str:
    """The API's id of a key result, as the coach names it: `objective/kr`."""
    return f"{objective_slug}/{kr_slug}"


def alignment_slugs(access: Access, objective_ids: Iterable[int]) -> tuple[Links, Links]:
    """Slugs each objective aligns to and is aligned from, in one query."""
    aligns_to: Links = defaultdict(list)
    aligned_from: Links = defaultdict(list)
    for source_id, source_slug, target_id, target_slug in alignment_links(
        access, list(objective_ids)
    ):
        aligns_to[source_id].append(target_slug)
        aligned_from[target_id].append(source_slug)
    return aligns_to, aligned_from


def _numbers(score: Any) -> dict[str, Any]:
    """Progress, expected pace and status of a core KrScore, rounded as its `as_dict` rounds
    them (without the forecast it would also write out)."""
    if score is None:
        return {"progress": 0.0, "expected": None, "status": None}
    return {
        "progress": _rounded(score.progress),
        # A draft has no pace: nothing is expected of it.
        "expected": None if score.status == "draft" else _rounded(score.expected),
        "status": score.status,
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, ROUNDING)


def _objective_numbers(score: Any) -> dict[str, Any]:
    """An ObjectiveScore's numbers, rounded as its `as_dict` rounds them (without its KRs)."""
    if score is None:
        return {
            "progress": 0.0,
            "expected": None,
            "status": None,
            "status_reason": None,
            "grade": None,
            "band": None,
        }
    return {
        "progress": round(score.progress, ROUNDING),
        "expected": None if score.status == "draft" else round(score.expected, ROUNDING),
        "status": score.status,
        "status_reason": score.reason,
        "grade": score.grade.value,
        "band": score.grade.band,
    }


def key_result_out(objective: Objective, kr: KeyResult, score: Any) -> dict[str, Any]:
    """One key result with its score (`score` is the core's KrScore, or None)."""
    return {
        "id": kr_id(objective.slug, kr.slug),
        "slug": kr.slug,
        "title": kr.title,
        "type": kr.type,
        "baseline": kr.baseline,
        "target": kr.target,
        "current": kr.current,
        "unit": kr.unit or None,
        "done": kr.done,
        "weight": kr.weight,
        "healthy_low": kr.healthy_low,
        "healthy_high": kr.healthy_high,
        "confidence": kr.confidence,
        **_numbers(score),
    }


def objective_out(
    objective: Objective, score: Any, aligns_to: Links, aligned_from: Links
) -> dict[str, Any]:
    """One prefetched objective with its core ObjectiveScore (or None) and its links."""
    kr_scores = {k.id: k for k in score.key_results} if score is not None else {}
    return {
        "id": objective.slug,
        "title": objective.title,
        "team": objective.team.slug,
        "team_name": objective.team.name,
        "period": objective.period.key,
        "state": objective.state,
        "commitment": objective.commitment,
        "focus": objective.focus or None,
        "owner": objective.owner.get_username() if objective.owner else None,
        "levers": [lever.slug for lever in objective.levers.all()],
        "aligns_to": aligns_to.get(objective.pk, []),
        "aligned_from": aligned_from.get(objective.pk, []),
        "guardrails": [kpi.slug for kpi in objective.guardrails.all()],
        **_objective_numbers(score),
        "version": objective.version,
        "key_results": [
            key_result_out(objective, kr, kr_scores.get(kr.slug))
            for kr in objective.key_results.all()
        ],
    }


def record_out(
    record: ObjectiveRecord,
    data: model.Objective,
    score: Any,
    aligns_to: Links,
    aligned_from: Links,
) -> dict[str, Any]:
    """One objective of a list from its row values and the core's dataclass (no model rows).

    The same shape and values as `objective_out`, which presents one model instance.
    """
    kr_scores = {k.id: k for k in score.key_results} if score is not None else {}
    return {
        "id": record.slug,
        "title": record.title,
        "team": record.team.slug,
        "team_name": record.team.name,
        "period": record.period,
        "state": record.state,
        "commitment": record.commitment,
        "focus": record.focus or None,
        "owner": record.owner,
        "levers": list(data.levers),
        "aligns_to": aligns_to.get(record.pk, []),
        "aligned_from": aligned_from.get(record.pk, []),
        "guardrails": list(data.guardrails),
        **_objective_numbers(score),
        "version": record.version,
        "key_results": [
            {
                "id": kr_id(record.slug, kr.id),
                "slug": kr.id,
                "title": kr.title,
                "type": kr.type,
                "baseline": kr.baseline,
                "target": kr.target,
                "current": kr.current,
                "unit": kr.unit,
                "done": kr.done,
                "weight": kr.weight,
                "healthy_low": kr.healthy.low if kr.healthy is not None else None,
                "healthy_high": kr.healthy.high if kr.healthy is not None else None,
                "confidence": kr.confidence,
                **_numbers(kr_scores.get(kr.id)),
            }
            for kr in data.key_results
        ],
    }


def check_in_out(objective_slug: str, kr_slug: str, check_in: CheckIn) -> dict[str, Any]:
    """One check-in (its author read through select_related)."""
    return {
        "id": check_in.pk,
        "key_result": kr_id(objective_slug, kr_slug),
        "date": check_in.checked_on,
        "value": check_in.value,
        "done": check_in.done,
        "confidence": check_in.confidence,
        "note": check_in.note,
        "author": check_in.author.get_username() if check_in.author else None,
        "automatic": check_in.automatic,
        "created_at": check_in.created_at,
        "version": check_in.version,
    }


def objective_detail(
    objective: Objective,
    score: Any,
    links: tuple[Links, Links],
    history: dict[int, list[CheckIn]],
    findings: list[Finding],
) -> dict[str, Any]:
    """An objective with each key result's check-ins and findings, initiatives and findings."""
    data = objective_out(objective, score, *links)
    krs = {kr.slug: kr for kr in objective.key_results.all()}
    slugs = {kr.pk: kr.slug for kr in krs.values()}
    for item in data["key_results"]:
        kr = krs[item["slug"]]
        item["check_ins"] = [
            check_in_out(objective.slug, kr.slug, c) for c in history.get(kr.pk, [])
        ]
        item["findings"] = [f.as_dict() for f in findings if f.object == item["id"]]
        item["version"] = kr.version
    data["initiatives"] = [
        initiative_out(objective.slug, initiative, slugs)
        for initiative in objective.initiatives.all()
    ]
    data["findings"] = [f.as_dict() for f in findings]
    return data


def initiative_out(
    objective_slug: str, initiative: Initiative, slugs: dict[int, str] | None = None
) -> dict[str, Any]:
    """An initiative read with its owner, links and moves (`okrs.access` prefetches them)."""
    slugs = slugs or {}
    return {
        "id": initiative.slug or None,
        "number": initiative.pk,
        "title": initiative.title,
        "description": initiative.description,
        "status": initiative.status or None,
        "owner": initiative.owner.get_username() if initiative.owner else None,
        "moves": [kr_id(objective_slug, slugs.get(m.pk, m.slug)) for m in initiative.moves.all()],
        "links": [
            {"url": link.url, "kind": link.kind, "label": link.label}
            for link in initiative.links.all()
        ],
        "version": initiative.version,
    }


def objective_score_out(objective: Objective, score: Any) -> dict[str, Any]:
    """An objective's id, version and score, after a change to one of its key results."""
    numbers = _objective_numbers(score)
    return {
        "id": objective.slug,
        "progress": numbers["progress"],
        "grade": numbers["grade"],
        "status": numbers["status"],
        "status_reason": numbers["status_reason"],
        "version": objective.version,
    }
