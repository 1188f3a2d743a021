"""Reads of the strategy, scoped to one organisation: 404 for anything not in it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from constellation.server.errors import NotFound
from constellation.server.orgs.access import Access
from constellation.server.orgs.models import Organization
from constellation.server.strategy.models import Lever, RoadmapItem, Strategy

# Years a strategy may be written for: wide enough for any plan, narrow enough to catch typos.
FIRST_YEAR = 2000
LAST_YEAR = 2100


def can_edit_strategy(access: Access) -> bool:
    """Leaders and admins shape the strategy; members and viewers read it."""
    return access.is_leader


def valid_year(year: int) -> bool:
    """Whether a strategy may be written for this year."""
    return FIRST_YEAR <= year <= LAST_YEAR


def strategy_in_force(organization: Organization, year: int | None = None) -> Strategy | None:
    """The strategy of `year`, else the latest written before it (None: no year, the latest)."""
    rows = Strategy.objects.filter(organization=organization)
    if year is not None:
        rows = rows.filter(year__lte=year)
    return rows.order_by("-year").first()


def levers_of(access: Access) -> QuerySet[Lever]:
    """Every lever of the organisation, retired ones included, in their order."""
    return Lever.objects.restrict(access)


def levers_by_slug(access: Access, slugs: list[str]) -> QuerySet[Lever]:
    """The organisation's levers with these slugs (unknown ones: absent)."""
    return Lever.objects.restrict(access).filter(slug__in=slugs)


def find_lever(access: Access, slug: str | None) -> Lever | None:
    """One of the organisation's levers by slug, or None (also for no slug)."""
    if not slug:
        return None
    return Lever.objects.restrict(access).filter(slug=slug).first()


def access_lever(access: Access, slug: str) -> Lever:
    """One of the organisation's levers by slug, else 404."""
    lever = Lever.objects.filter(organization=access.organization, slug=slug).first()
    if lever is None:
        raise NotFound("No such lever")
    return lever


def access_roadmap_item(access: Access, item_id: int) -> RoadmapItem:
    """One of the organisation's roadmap items by id, else 404."""
    item = (
        RoadmapItem.objects.filter(organization=access.organization, pk=item_id)
        .select_related("lever", "period")
        .first()
    )
    if item is None:
        raise NotFound("No such roadmap item")
    return item


def active_levers(organization: Organization) -> list[Lever]:
    """The levers still in the strategy, in their order."""
    return list(Lever.objects.filter(organization=organization, retired_at__isnull=True))


def roadmap_of(access: Access) -> QuerySet[RoadmapItem]:
    """Every roadmap item of the organisation with its lever and period, oldest first."""
    return RoadmapItem.objects.restrict(access).select_related("lever", "period")


def roadmap_of_year(organization: Organization, year: int) -> list[RoadmapItem]:
    """Roadmap items planned in `year`, and those not scheduled yet, by quarter."""
    return list(
        RoadmapItem.objects.filter(organization=organization)
        .filter(Q(period__start__year=year) | Q(period__isnull=True))
        .select_related("lever", "period")
        .order_by("period__start", "id")
    )


@dataclass(slots=True)
class LeverPlan:
    """A lever with the roadmap items that serve it."""

    lever: Lever
    items: list[RoadmapItem] = field(default_factory=list)
    form: Any = None  # the lever's edit form, on pages that offer one

    @property
    def retired(self) -> bool:
        """Whether the bet has been taken out of the strategy."""
        return self.lever.retired_at is not None


@dataclass(slots=True)
class Workspace:
    """An organisation's strategy for one year: vision, mission, levers and roadmap."""

    year: int
    strategy: Strategy | None
    carried_from: Strategy | None
    levers: list[LeverPlan]
    retired: list[LeverPlan]
    unlinked: list[RoadmapItem]

    @property
    def version(self) -> int:
        """The version an edit of vision and mission starts from (0: none written yet)."""
        return self.strategy.version if self.strategy is not None else 0


def workspace(organization: Organization, year: int) -> Workspace:
    """Everything the strategy workspace shows for `year`, in four queries."""
    in_force = strategy_in_force(organization, year)
    own = in_force if in_force is not None and in_force.year == year else None
    plans = {
        lever.pk: LeverPlan(lever) for lever in Lever.objects.filter(organization=organization)
    }
    unlinked: list[RoadmapItem] = []
    for item in roadmap_of_year(organization, year):
        plan = plans.get(item.lever_id) if item.lever_id is not None else None
        if plan is None:
            unlinked.append(item)
        else:
            plan.items.append(item)
    return Workspace(
        year=year,
        strategy=own,
        carried_from=in_force if own is None else None,
        levers=[p for p in plans.values() if not p.retired],
        retired=[p for p in plans.values() if p.retired],
        unlinked=unlinked,
    )


def next_year_open(organization: Organization, on: date) -> tuple[int, int] | None:
    """(next year, days until it starts) once it is open for planning, like the next quarter:
    from the organisation's plan-ahead days before 1 January; None before that."""
    starts = date(on.year + 1, 1, 1)
    days = (starts - on).days
    return (starts.year, days) if days <= organization.plan_ahead_days else None
