"""Building (or reusing) the demo organisation in one transaction, with bulk inserts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db.models import Max
from django.utils.text import slugify

from constellation.core.periods import Period as CorePeriod
from constellation.core.periods import period_containing
from constellation.server.audit import changes as writes
from constellation.server.audit.actions import record
from constellation.server.demo import content, series
from constellation.server.demo.asked import ask_what_waits
from constellation.server.demo.content import KrSpec, ObjectiveSpec
from constellation.server.demo.current import CURRENT
from constellation.server.demo.previous import PREVIOUS
from constellation.server.demo.reviewed import review_last_quarter
from constellation.server.kpis.models import Kpi, KpiReading
from constellation.server.okrs.models import Alignment, Initiative, KeyResult, Objective, Period
from constellation.server.orgs.access import Access
from constellation.server.orgs.models import Membership, Organization, Team
from constellation.server.strategy.models import Lever, RoadmapItem, Strategy
from constellation.server.tracking.models import CheckIn

DEMO_PASSWORD = "demo"


@dataclass(frozen=True, slots=True)
class DemoResult:
    """What `build_demo` did: built the organisation, or reused it and added check-ins."""

    organization: Organization
    created: bool
    check_ins_added: int
    period: str


@dataclass
class _Context:
    """Rows made so far, looked up by slug while the demo is built."""

    org: Organization
    people: dict[str, User]
    teams: dict[str, Team]
    levers: dict[str, Lever]
    kpis: dict[str, Kpi]
    roadmap: dict[str, RoadmapItem]


def build_demo(today: date, *, password: str | None = DEMO_PASSWORD) -> DemoResult:
    """Create the `demo` organisation, or reuse it and top up its check-ins to `today`.

    `password` is the demo people's password; None gives them an unusable one (a demo served
    beyond this machine must not open with a well-known login).
    """
    with writes.atomic():
        org = Organization.objects.filter(slug=content.ORG_SLUG).first()
        if org is None:
            org, added = _create(today), 0
            created = True
        else:
            added, created = _top_up(org, today), False
        _set_passwords(org, password)
        current = Period.objects.filter(organization=org, closed=False).order_by("-start").first()
    return DemoResult(org, created, added, current.key if current else "")


def _set_passwords(org: Organization, password: str | None) -> None:
    """Unusable passwords without one; else the demo password where none is usable yet.

    Only the demo's own people: anyone else added to the organisation keeps their password.
    """
    names = [person.username for person in content.PEOPLE]
    users = list(User.objects.filter(memberships__organization=org, username__in=names))
    if password is None:
        for user in users:
            user.set_unusable_password()
        User.objects.bulk_update(users, ["password"])
        return
    # One hash for all: hashing is deliberately slow and these accounts guard only a demo.
    hashed = make_password(password)
    missing = [user for user in users if not user.has_usable_password()]
    for user in missing:
        user.password = hashed
    User.objects.bulk_update(missing, ["password"])


def _create(today: date) -> Organization:
    """Every row of a fresh demo organisation."""
    org = Organization.objects.create(slug=content.ORG_SLUG, name=content.ORG_NAME)
    Strategy.objects.create(organization=org, vision=content.VISION, mission=content.MISSION)
    quarter = period_containing(today)
    previous = quarter.previous()
    current_row, previous_row = Period.objects.bulk_create(
        [
            Period(organization=org, key=quarter.key, start=quarter.start, end=quarter.end),
            Period(
                organization=org,
                key=previous.key,
                start=previous.start,
                end=previous.end,
                closed=True,
            ),
        ]
    )
    ctx = _Context(org, _people(org), {}, {}, {}, {})
    ctx.teams = _teams(org)
    _memberships(ctx)
    ctx.levers = _levers(org)
    ctx.roadmap = _roadmap(ctx, current_row)
    ctx.kpis = _kpis(org, previous.start, today)
    _objectives(ctx, CURRENT, current_row, quarter, today, closed=False)
    previous_specs = [_renamed(spec, previous) for spec in PREVIOUS]
    _objectives(ctx, previous_specs, previous_row, previous, today, closed=True)
    membership = Membership.objects.get(organization=org, user=ctx.people["demo"])
    review_last_quarter(Access(org, membership), org, previous_row, ctx.teams, ctx.people)
    ask_what_waits(org, current_row, ctx.teams, ctx.people)
    record(org.pk, ctx.people["demo"], "create", org, reason="demo organisation built")
    return org


def _renamed(spec: ObjectiveSpec, period: CorePeriod) -> ObjectiveSpec:
    """A past objective with the period in its slug, so slugs stay unique in the org."""
    suffix = "-" + period.key.lower()
    return replace(
        spec, slug=spec.slug + suffix, aligns_to=tuple(slug + suffix for slug in spec.aligns_to)
    )


def _people(org: Organization) -> dict[str, User]:
    """The demo people, created when missing (their passwords are set afterwards)."""
    names = [person.username for person in content.PEOPLE]
    existing = {user.username: user for user in User.objects.filter(username__in=names)}
    new = [
        User(
            username=person.username,
            first_name=person.first_name,
            last_name=person.last_name,
            email=f"{person.username}@demo.invalid",
            password=make_password(None),
        )
        for person in content.PEOPLE
        if person.username not in existing
    ]
    User.objects.bulk_create(new)
    existing.update({user.username: user for user in User.objects.filter(username__in=names)})
    return existing


def _teams(org: Organization) -> dict[str, Team]:
    rows = Team.objects.bulk_create(
        [
            Team(organization=org, slug=slug, name=name, phase=phase)
            for slug, name, _, phase in content.TEAMS
        ]
    )
    teams = {team.slug: team for team in rows}
    for slug, _, parent, _ in content.TEAMS:
        teams[slug].parent = teams[parent] if parent else None
    Team.objects.bulk_update(rows, ["parent"])
    return teams


def _memberships(ctx: _Context) -> None:
    rows = Membership.objects.bulk_create(
        [
            Membership(organization=ctx.org, user=ctx.people[person.username], role=person.role)
            for person in content.PEOPLE
        ]
    )
    through = Membership.teams.through
    through.objects.bulk_create(
        [
            through(membership_id=row.pk, team_id=ctx.teams[team].pk)
            for row, person in zip(rows, content.PEOPLE, strict=True)
            for team in person.teams
        ]
    )


def _levers(org: Organization) -> dict[str, Lever]:
    rows = Lever.objects.bulk_create(
        [
            Lever(organization=org, slug=slug, title=title, description=text, position=i)
            for i, (slug, title, text) in enumerate(content.LEVERS)
        ]
    )
    return {lever.slug: lever for lever in rows}


def _roadmap(ctx: _Context, period: Period) -> dict[str, RoadmapItem]:
    rows = RoadmapItem.objects.bulk_create(
        [
            RoadmapItem(
                organization=ctx.org,
                lever=ctx.levers[lever],
                title=title,
                period=period,
                status=status,
            )
            for lever, title, status in content.ROADMAP
        ]
    )
    return {item.title: item for item in rows}


def _kpis(org: Organization, since: date, today: date) -> dict[str, Kpi]:
    """The KPIs with weekly readings since the previous quarter began."""
    days = series.check_in_days(CorePeriod("kpi", since, today), today)
    kpis, readings = {}, []
    for slug, title, unit, direction, low, high, (first, last) in content.KPIS:
        values = series.kpi_values(slug, first, last, days)
        kpis[slug] = Kpi(
            organization=org,
            slug=slug,
            title=title,
            unit=unit,
            direction=direction,
            healthy_low=low,
            healthy_high=high,
            current=values[-1] if values else last,
        )
        readings.append((slug, values))
    Kpi.objects.bulk_create(kpis.values())
    KpiReading.objects.bulk_create(
        KpiReading(kpi=kpis[slug], value=value, taken_on=day)
        for slug, values in readings
        for day, value in zip(days, values, strict=True)
    )
    return kpis


def _objectives(
    ctx: _Context,
    specs: Iterable[ObjectiveSpec],
    period_row: Period,
    period: CorePeriod,
    today: date,
    *,
    closed: bool,
) -> None:
    """A period's objectives, key results, links, initiatives and check-ins."""
    specs = list(specs)
    state = Objective.State.CLOSED if closed else Objective.State.LAUNCHED
    objectives = Objective.objects.bulk_create(
        [
            Objective(
                organization=ctx.org,
                slug=spec.slug,
                team=ctx.teams[spec.team],
                period=period_row,
                title=spec.title,
                owner=ctx.people[spec.owner],
                focus=spec.focus,
                state=state,
                state_given=True,
                commitment=spec.commitment,
                position=i,
            )
            for i, spec in enumerate(specs)
        ]
    )
    by_slug = {objective.slug: objective for objective in objectives}
    _links(ctx, specs, by_slug)
    days = series.check_in_days(period, today)
    key_results, check_ins = _key_results(ctx, specs, by_slug, period, days)
    _initiatives(ctx, specs, by_slug, key_results)
    CheckIn.objects.bulk_create(check_ins)


def _links(ctx: _Context, specs: list[ObjectiveSpec], by_slug: dict[str, Objective]) -> None:
    """Levers, guardrails and alignment of a period's objectives."""
    levers = Objective.levers.through
    guardrails = Objective.guardrails.through
    levers.objects.bulk_create(
        levers(objective_id=by_slug[spec.slug].pk, lever_id=ctx.levers[lever].pk)
        for spec in specs
        for lever in spec.levers
    )
    guardrails.objects.bulk_create(
        guardrails(objective_id=by_slug[spec.slug].pk, kpi_id=ctx.kpis[kpi].pk)
        for spec in specs
        for kpi in spec.guardrails
    )
    # Specs only ever align to objectives listed before them, so the links cannot loop.
    Alignment.objects.bulk_create(
        Alignment(source=by_slug[spec.slug], target=by_slug[target])
        for spec in specs
        for target in spec.aligns_to
    )


def _key_results(
    ctx: _Context,
    specs: list[ObjectiveSpec],
    by_slug: dict[str, Objective],
    period: CorePeriod,
    days: list[date],
) -> tuple[dict[tuple[str, str], KeyResult], list[CheckIn]]:
    """Key results whose current values follow their generated check-ins (not yet saved)."""
    rows: dict[tuple[str, str], KeyResult] = {}
    pending: list[tuple[KeyResult, User, list[series.Reading]]] = []
    for spec in specs:
        objective = by_slug[spec.slug]
        for position, kr in enumerate(spec.key_results):
            owner = ctx.people[kr.owner or spec.owner]
            readings = series.readings(f"{spec.slug}/{kr.slug}", kr, period, days)
            row = _key_result_row(objective, kr, position, owner)
            _follow(row, readings)
            rows[(spec.slug, kr.slug)] = row
            pending.append((row, owner, readings))
    KeyResult.objects.bulk_create(rows.values())
    check_ins = [
        _check_in(row, author, reading) for row, author, readings in pending for reading in readings
    ]
    return rows, check_ins


def _key_result_row(objective: Objective, kr: KrSpec, position: int, owner: User) -> KeyResult:
    return KeyResult(
        objective=objective,
        slug=kr.slug,
        title=kr.title,
        type=kr.type,
        baseline=kr.baseline,
        target=kr.target,
        current=kr.baseline,
        unit=kr.unit,
        done=False if kr.type == "milestone" else None,
        healthy_low=kr.healthy_low,
        owner=owner,
        position=position,
    )


def _follow(row: KeyResult, readings: list[series.Reading]) -> None:
    """Move a key result to its latest check-in, as a real check-in does."""
    if not readings:
        return
    latest = readings[-1]
    if latest.value is not None:
        row.current = latest.value
    if latest.done is not None:
        row.done = latest.done
    row.confidence = latest.confidence


def _check_in(row: KeyResult, author: User | None, reading: series.Reading) -> CheckIn:
    return CheckIn(
        key_result=row,
        value=reading.value,
        done=reading.done,
        confidence=reading.confidence,
        note=reading.note,
        author=author,
        checked_on=reading.on,
    )


def _initiatives(
    ctx: _Context,
    specs: list[ObjectiveSpec],
    by_slug: dict[str, Objective],
    key_results: dict[tuple[str, str], KeyResult],
) -> None:
    planned = [(spec, i, item) for spec in specs for i, item in enumerate(spec.initiatives)]
    rows = Initiative.objects.bulk_create(
        Initiative(
            objective=by_slug[spec.slug],
            slug=slugify(item.title),
            title=item.title,
            status=item.status,
            roadmap_item=ctx.roadmap.get(item.roadmap or ""),
            position=i,
        )
        for spec, i, item in planned
    )
    moves = Initiative.moves.through
    moves.objects.bulk_create(
        moves(initiative_id=row.pk, keyresult_id=key_results[(spec.slug, kr)].pk)
        for row, (spec, _, item) in zip(rows, planned, strict=True)
        for kr in item.moves
    )


def _top_up(org: Organization, today: date) -> int:
    """Add the weekly check-ins due since the last one, for the demo's open periods."""
    specs = {(objective.slug, kr.slug): kr for objective in CURRENT for kr in objective.key_results}
    rows = KeyResult.objects.filter(
        objective__organization=org, objective__period__closed=False
    ).select_related("objective__period", "objective__owner", "owner")
    latest = dict(
        CheckIn.objects.filter(key_result__in=rows)
        .values("key_result_id")
        .annotate(last=Max("checked_on"))
        .values_list("key_result_id", "last")
    )
    changed: list[KeyResult] = []
    check_ins: list[CheckIn] = []
    for row in rows:
        spec = specs.get((row.objective.slug, row.slug))
        if spec is None:
            continue  # added through the app: people check it in themselves
        period_row = row.objective.period
        period = CorePeriod(period_row.key, period_row.start, period_row.end)
        last = latest.get(row.pk) or period.start - timedelta(days=1)
        days = [day for day in series.check_in_days(period, today) if day > last]
        if not days:
            continue
        readings = series.readings(f"{row.objective.slug}/{row.slug}", spec, period, days)
        _follow(row, readings)
        row.version += 1
        author = row.owner or row.objective.owner
        check_ins.extend(_check_in(row, author, reading) for reading in readings)
        changed.append(row)
    CheckIn.objects.bulk_create(check_ins)
    KeyResult.objects.bulk_update(changed, ["current", "done", "confidence", "version"])
    if check_ins:
        record(org.pk, None, "demo_top_up", org, after={"check_ins": len(check_ins)})
    return len(check_ins)
