"""The data bank: full-text search over an organisation's learnings and initiative results."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Query, Router

from constellation.server.api.auth import api_access
from constellation.server.api.databank_schemas import DataBankPage, Outcome
from constellation.server.api.errors import FieldError
from constellation.server.api.present import kr_id
from constellation.server.api.schemas import KR_ID, MAX_OFFSET, Message, ValidationProblems
from constellation.server.okrs.access import find_key_result, find_period
from constellation.server.okrs.models import KeyResult
from constellation.server.orgs.access import Access, find_team
from constellation.server.quarterly.databank import Filters, Hit, search
from constellation.server.quarterly.models import InitiativeResult, Learning
from constellation.server.strategy.access import find_lever

router = Router(tags=["data bank"])

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
Q_HELP = (
    "Words or quoted phrases; records matching more, or rarer, of them come first. "
    "Operators and punctuation are ignored. Empty: the newest records."
)


def _one(find: Callable[[Access, str], Any], access: Access, field: str, value: str | None) -> Any:
    """The organisation's row a query parameter names (None when absent), else a 422."""
    if value is None or value == "":
        return None
    row = find(access, value)
    if row is None:
        raise FieldError(field, f"this organisation has no {field} {value!r}", source="query")
    return row


def _key_result(access: Access, value: str | None) -> KeyResult | None:
    """The key result `objective/kr` names, else a 422 on `key_result`."""
    if not value:
        return None
    row = find_key_result(access, value)
    if row is None:
        raise FieldError(
            "key_result", f"no key result {value!r} in this organisation", source="query"
        )
    return row


def _hit_out(hit: Hit) -> dict[str, Any]:
    record, objective, key_result = hit.record, hit.objective, hit.key_result
    return {
        "kind": hit.kind,
        "id": record.pk,
        "score": hit.rank,
        "snippet": hit.text,
        "snippet_parts": [{"text": text, "match": match} for text, match in hit.snippet],
        "title": hit.title,
        "team": hit.team.slug,
        "period": hit.period.key,
        "objective": objective.slug if objective is not None else None,
        "key_result": (
            kr_id(key_result.objective.slug, key_result.slug) if key_result is not None else None
        ),
        "outcome": record.outcome if isinstance(record, InitiativeResult) else None,
        "tags": list(record.tags or []) if isinstance(record, Learning) else [],
        "created_at": record.created_at,
    }


@router.get(
    "/orgs/{org}/data-bank",
    response={200: DataBankPage, 401: Message, 404: Message, 422: ValidationProblems},
    summary="Search the learnings and initiative results of the organisation",
)
def search_data_bank(
    request: HttpRequest,
    org: str,
    q: Annotated[str, Query(max_length=300, description=Q_HELP)] = "",
    team: Annotated[str | None, Query(description="Only this team's (its slug).")] = None,
    lever: Annotated[
        str | None, Query(description="Only about objectives modelling this lever (its slug).")
    ] = None,
    key_result: Annotated[str | None, Query(description=KR_ID)] = None,
    period: Annotated[str | None, Query(description="Only this period's (`2026-Q4`).")] = None,
    outcome: Annotated[
        Outcome | None, Query(description="Only initiative results with this outcome.")
    ] = None,
    tag: Annotated[
        str | None, Query(max_length=100, description="Only learnings with this tag.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> dict[str, Any]:
    """Ranked by relevance (bm25 on SQLite, ts_rank on PostgreSQL), in a fixed number of
    queries whatever the data bank's size; never another organisation's records."""
    access = api_access(request, org)
    filters = Filters(
        team=_one(find_team, access, "team", team),
        lever=_one(find_lever, access, "lever", lever),
        key_result=_key_result(access, key_result),
        period=_one(find_period, access, "period", period),
        outcome=outcome or "",
        tag=(tag or "").strip(),
    )
    page = search(access, q, filters, limit, offset)
    following = None
    if page.has_next:
        query = request.GET.copy()
        query["offset"] = str(offset + limit)
        following = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return {
        "query": q,
        "terms": page.terms,
        "count": page.count,
        "offset": offset,
        "limit": limit,
        "next": following,
        "results": [_hit_out(hit) for hit in page.hits],
    }
