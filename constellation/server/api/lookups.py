"""The organisation's rows a request body names by slug or username, or a 422 naming the field.

Each helper reads through the owning app's access functions; all it adds is the API's answer
when a body names something the organisation does not have: a 422 on that field, not a 404
(the address itself was found).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ninja.errors import ValidationError

from constellation.server.api.errors import FieldError, error_item
from constellation.server.api.periods import choose_period
from constellation.server.kpis.access import find_kpi
from constellation.server.kpis.models import Kpi
from constellation.server.okrs.models import Period
from constellation.server.orgs.access import Access, find_member, find_team
from constellation.server.orgs.models import Team

# An access function reading the organisation's rows with some slugs (unknown ones absent).
BySlug = Callable[[Access, list[str]], Iterable[Any]]


def body_period(access: Access, key: str | None) -> Period:
    """The period the body names (default the current one), or a 422 on `period`."""
    try:
        chosen = choose_period(access, key).period
    except FieldError as error:
        raise FieldError("period", error.message) from error
    if chosen is None:
        raise FieldError("period", "name a period: this organisation has none current")
    return chosen


def body_team(access: Access, slug: str, field: str = "team") -> Team:
    """The organisation's team with this slug, else a 422 on `field`."""
    team = find_team(access, slug)
    if team is None:
        raise FieldError(field, f"no team {slug!r} in this organisation")
    return team


def rows_by_slug(read: BySlug, access: Access, slugs: list[str], field: str) -> list[Any]:
    """The rows `read` finds for these slugs, in order, or a 422 naming each unknown one."""
    found = {row.slug: row for row in read(access, slugs)}
    problems = [
        error_item(["body", field, i], f"no {field[:-1]} {slug!r} in this organisation")
        for i, slug in enumerate(slugs)
        if slug not in found
    ]
    if problems:
        raise ValidationError(problems)
    return [found[slug] for slug in dict.fromkeys(slugs)]


def body_member(access: Access, username: str | None, field: str = "owner") -> Any:
    """The organisation's member with this username (None for None), else a 422."""
    if username is None:
        return None
    user = find_member(access, username)
    if user is None:
        raise FieldError(field, f"no member of this organisation is called {username!r}")
    return user


def body_kpi(access: Access, slug: str | None) -> Kpi | None:
    """The organisation's KPI with this slug (None for None), else a 422 on `kpi`."""
    if slug is None:
        return None
    kpi = find_kpi(access, slug)
    if kpi is None:
        raise FieldError("kpi", f"no KPI {slug!r} in this organisation")
    return kpi
