"""Progress, grades, status and coach findings of server objectives, from the core engine.

A whole period's view (scores and findings) is computed once per revision of the
organisation's data and kept in this process: the revision is read from the database on every
request (the number and the last id of the organisation's audit events, which every action
records), so a change made through any server is seen by the very next request. After
check-ins alone the cached view is patched (`okrs.incremental`) rather than computed again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Max, Sum
from django.utils import timezone

from constellation.core import coach, scoring
from constellation.core.model import Plan
from constellation.server.audit.models import AuditRevision
from constellation.server.okrs.models import Objective, Period
from constellation.server.orgs.models import Organization
from constellation.server.plans import incremental
from constellation.server.plans.plan import Links, PlanRows, read_plan

# Whole-period views kept per process; one entry per (organisation, period, day).
CACHED_VIEWS = 32


@dataclass(slots=True)
class PeriodView:
    """A period's objectives with their scores and the coach's findings, read once.

    `objectives` are the rows passed in (model instances), or else `ObjectiveRecord`s of the
    whole period; both have `pk`, `slug`, `title`, `team`, `state` and `commitment`.
    """

    organization: Organization
    period: Period | None
    objectives: list[Any]
    plan: Plan
    scores: dict[str, scoring.ObjectiveScore]
    findings: list[coach.Finding]
    findings_by_objective: dict[str, list[coach.Finding]] = field(default_factory=dict)
    aligns_to: Links = field(default_factory=dict)
    aligned_from: Links = field(default_factory=dict)


@dataclass(slots=True)
class Computed:
    """What the core engine made of some rows; shared between requests, so never changed
    except to add the coach's findings the first time a caller needs them."""

    rows: PlanRows
    scores: dict[str, scoring.ObjectiveScore]
    findings: list[coach.Finding] | None = None
    findings_by_objective: dict[str, list[coach.Finding]] = field(default_factory=dict)

    def with_findings(self) -> Computed:
        """Run the coach on the plan once (the API's lists do not need it, pages do)."""
        if self.findings is None:
            findings = coach.lint(self.rows.plan)
            by_objective: dict[str, list[coach.Finding]] = {}
            for finding in findings:
                owner = _owner_of(finding)
                if owner is not None:
                    by_objective.setdefault(owner, []).append(finding)
            # Set last: another thread reading meanwhile sees either nothing or everything.
            self.findings_by_objective = by_objective
            self.findings = findings
        return self


class ViewCache:
    """Computed whole-period views of this process, each with the revision it was built at."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[tuple, tuple[tuple, Computed]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, revision: tuple) -> Computed | None:
        """The view stored under `key` if it was built at `revision`, else None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] != revision:
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def entry(self, key: tuple) -> tuple[tuple, Computed] | None:
        """The view stored under `key` with the revision it was built at, current or not."""
        with self._lock:
            return self._entries.get(key)

    def put(self, key: tuple, revision: tuple, computed: Computed) -> None:
        """Keep a view, forgetting the least recently used one beyond the size."""
        with self._lock:
            self._entries[key] = (revision, computed)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget every view."""
        with self._lock:
            self._entries.clear()


views = ViewCache(CACHED_VIEWS)


def revision(organization: Organization) -> tuple[int, int]:
    """A value that changes whenever the organisation's data does, in one small query.

    Every action records an audit event in its transaction. The last id alone could miss a
    transaction that commits after a later one (ids are taken before commit); the number of
    events grows with every commit, so the pair changes with every committed write. Both come
    from the organisation's few `AuditRevision` counters, which the same transactions update,
    so the query costs the same however long the history is.
    """
    found = AuditRevision.objects.filter(organization_id=organization.pk).aggregate(
        count=Sum("events"), last=Max("last_event_id")
    )
    return found["count"] or 0, found["last"] or 0


def _owner_of(finding: coach.Finding) -> str | None:
    if finding.object is None:
        return None
    return finding.object.split("/", 1)[0]


def compute(rows: PlanRows, on: date, *, with_findings: bool = True) -> Computed:
    """Score (and coach) a plan with the core engine."""
    score = scoring.score_plan(rows.plan, on)
    computed = Computed(rows, {s.id: s for s in score.objectives})
    return computed.with_findings() if with_findings else computed


def computed_period(
    organization: Organization, period: Period | None, on: date, *, with_check_ins: bool = True
) -> Computed:
    """The whole period's view (all periods with None), from this process's cache if current.

    The revision is read before the rows: a write landing in between makes the next request
    read a newer revision and compute again, never keep older rows under a newer revision.
    A cached view that only check-ins have made stale is patched instead; the patch is a new
    `Computed`, so a request still reading the old one never sees it half changed.
    """
    key = (
        organization.pk,
        organization.created_at,
        period.pk if period is not None else None,
        on,
        with_check_ins,
    )
    current = revision(organization)
    found = views.get(key, current)
    if found is not None:
        return found
    stale = views.entry(key)
    if stale is not None:
        patched = _patched(organization, stale, on, with_check_ins=with_check_ins)
        if patched is not None:
            views.put(key, *patched)
            return patched[1]
    rows = read_plan(organization, period, with_check_ins=with_check_ins)
    found = compute(rows, on, with_findings=False)
    views.put(key, current, found)
    return found


def _patched(
    organization: Organization, stale: tuple[tuple, Computed], on: date, *, with_check_ins: bool
) -> tuple[tuple, Computed] | None:
    """A stale view brought up to date after check-ins alone, with its revision; else None."""
    since, computed = stale
    found = incremental.refresh(
        organization, since, computed.rows, computed.scores, on, with_check_ins=with_check_ins
    )
    if found is None:
        return None
    current, rows, scores = found
    patched = Computed(rows, scores)
    # No coach rule reads what a check-in changes (see okrs.incremental): the findings hold.
    if computed.findings is not None:
        patched.findings_by_objective = computed.findings_by_objective
        patched.findings = computed.findings
    return current, patched


def period_view(
    organization: Organization,
    period: Period | None,
    *,
    on: date | None = None,
    objectives: list[Objective] | None = None,
    with_check_ins: bool = True,
    with_findings: bool = True,
) -> PeriodView:
    """Score and coach a period's objectives (or the given rows) in a bounded number of queries.

    Without `objectives` the whole period is read (all periods when `period` is None) and the
    result is cached per revision; with them, only those rows and what they align to.
    """
    day = on or timezone.localdate()
    if objectives is None:
        computed = computed_period(organization, period, day, with_check_ins=with_check_ins)
        if with_findings:
            computed.with_findings()
        shown: list[Any] = list(computed.rows.records)
    else:
        ids = [o.pk for o in objectives]
        rows = read_plan(organization, period, objective_ids=ids, with_check_ins=with_check_ins)
        computed = compute(rows, day, with_findings=with_findings)
        shown = list(objectives)
    return PeriodView(
        organization,
        period,
        shown,
        computed.rows.plan,
        computed.scores,
        computed.findings or [],
        computed.findings_by_objective if computed.findings is not None else {},
        computed.rows.aligns_to,
        computed.rows.aligned_from,
    )


def current_period(organization: Organization, on: date | None = None) -> Period | None:
    """The period containing today (quarters before years), else the latest one."""
    day = on or timezone.localdate()
    periods = list(Period.objects.filter(organization=organization))
    containing = [p for p in periods if p.start <= day <= p.end]
    if containing:
        return min(containing, key=lambda p: p.end - p.start)
    return max(periods, key=lambda p: p.start) if periods else None
