"""Telling a source's owner that it stopped giving a number: once per streak of failures."""

from __future__ import annotations

from typing import Any

from constellation.server.notifications.actions import do_notify
from constellation.server.notifications.models import Notification
from constellation.server.orgs.models import Membership
from constellation.server.sources.models import DataSource


def owners_of(source: DataSource) -> list[Any]:
    """Who hears of a failure: the key result's owner (else its objective's), or the KPI's
    team lead; the person who set the source up when there is nobody else. Only active members."""
    people: list[Any] = []
    if source.key_result_id and source.key_result is not None:
        kr = source.key_result
        people = [kr.owner or kr.objective.owner]
    elif source.kpi_id and source.kpi is not None and source.kpi.team_id:
        people = [source.kpi.team.lead if source.kpi.team else None]
    people = [person for person in people if person is not None] or [source.created_by]
    active = set(
        Membership.objects.filter(
            organization_id=source.organization_id,
            user_id__in=[p.pk for p in people if p is not None],
            deactivated_at__isnull=True,
        ).values_list("user_id", flat=True)
    )
    return [p for p in people if p is not None and p.pk in active and p.is_active]


def source_page(source: DataSource) -> tuple[str, str]:
    """What the source feeds (its title) and the path of its page."""
    slug = source.organization.slug
    if source.kpi_id and source.kpi is not None:
        return source.kpi.title, f"/o/{slug}/kpis/{source.kpi.slug}/"
    kr = source.key_result
    assert kr is not None
    return kr.title, f"/o/{slug}/objectives/{kr.objective.slug}/#kr-{kr.slug}"


def tell_owner_of_failure(source: DataSource) -> None:
    """Notify the owner in the app and by email, inside the caller's transaction."""
    title, url = source_page(source)
    do_notify(
        source.organization,
        owners_of(source),
        Notification.Kind.OTHER,
        f"Automatic updates stopped: {title}"[:300],
        body=(
            f"The {source.get_kind_display()} that updates “{title}” failed: "
            f"{source.last_error}\n\nNothing was recorded. You hear of it once; the source "
            "keeps trying at its interval and says so on its page."
        ),
        url=url,
        email=True,
    )
