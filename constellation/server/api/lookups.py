"""The organisation's rows a request body names by slug or username, or a 422 naming the field."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from ninja.errors import ValidationError

from constellation.server.api.errors import FieldError, error_item
from constellation.server.api.periods import choose_period
from constellation.server.kpis.models import Kpi
from constellation.server.okrs.models import Period
from constellation.server.orgs.access import Access
from constellation.server.orgs.models import Team


def body_period(access: Access, key: str | None) -> Period:
    """The period the body names (default the current one), or a 422 on `period`."""
    try:
        chosen = choose_period(access.organization, key).period
    except FieldError as error:
        raise FieldError("period", error.message) from error
    if chosen is None:
        raise FieldError("period", "name a period: this organisation has none current")
    return chosen


def body_team(access: Access, slug: str, field: str = "team") -> Team:
    """The organisation's team with this slug, else a 422 on `field`."""
    team = Team.objects.filter(organization=access.organization, slug=slug).first()
    if team is None:
        raise FieldError(field, f"no team {slug!r} in this organisation")
    return team


def rows_by_slug(model: Any, access: Access, slugs: list[str], field: str) -> list[Any]:
    """The organisation's rows with these slugs, in order, or a 422 naming each unknown one."""
    rows = model.objects.filter(organization=access.organization, slug__in=slugs)
    found = {row.slug: row for row in rows}
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
    user = (
        get_user_model()
        .objects.filter(username=username, memberships__organization=access.organization)
        .first()
    )
    if user is None:
        raise FieldError(field, f"no member of this organisation is called {username!r}")
    return user


def body_kpi(access: Access, slug: str | None) -> Kpi | None:
    """The organisation's KPI with this slug (None for None), else a 422 on `kpi`."""
    if slug is None:
        return None
    kpi = Kpi.objects.filter(organization=access.organization, slug=slug).first()
    if kpi is None:
        raise FieldError("kpi", f"no KPI {slug!r} in this organisation")
    return kpi
