"""A cached period view is patched after check-ins and computed afresh after anything else.

The patched view must equal the one a fresh read and computation gives: plan, scores and
statuses, coach findings and the listed records.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from constellation.server.audit.models import AuditEvent, count_events
from constellation.server.okrs import actions
from constellation.server.okrs.models import Alignment, KeyResult
from constellation.server.orgs.access import access_org
from constellation.server.plans import scores
from constellation.server.plans.plan import read_plan
from constellation.server.plans.scores import PeriodView, compute, period_view, revision, views
from constellation.server.tracking.actions import CheckInInput, do_check_in, do_check_ins
from tests.server import bulk
from tests.server.factories import World, make_key_result, make_objective, make_period
from tests.server.sharing_factories import join

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 15)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the whole-period reads of the view cache (one entry per read_plan call)."""
    views.clear()
    calls: list[int] = []

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return read_plan(*args, **kwargs)

    monkeypatch.setattr(scores, "read_plan", counted)
    return calls


def _milestone(world: World) -> KeyResult:
    return make_key_result(
        world.objective, "launch-guide", "Launch the onboarding guide", type="milestone"
    )


def _aligned_elsewhere(world: World) -> KeyResult:
    """An objective of the next period that this period's objective aligns to, with a KR."""
    later = make_period(world.org, "2027-Q1")
    target = make_objective(world.org, world.team, later, "expansion", "Teams grow with us")
    Alignment.objects.create(source=world.objective, target=target)
    return make_key_result(
        target, "seats", "Grow seats per team from 4 to 9", baseline=4, target=9, current=5
    )


def _comparable(view: PeriodView) -> dict[str, Any]:
    return {
        "plan": view.plan,
        "scores": {slug: score.as_dict() for slug, score in view.scores.items()},
        "statuses": {slug: score.status for slug, score in view.scores.items()},
        "findings": [finding.as_dict() for finding in view.findings],
        "by_objective": {
            slug: [finding.as_dict() for finding in found]
            for slug, found in view.findings_by_objective.items()
        },
        "records": list(view.objectives),
        "links": (view.aligns_to, view.aligned_from),
    }


def _fresh(world: World, *, with_findings: bool = True) -> dict[str, Any]:
    """The view computed from a fresh read, as `_comparable` shows it."""
    rows = read_plan(world.org, world.period, with_check_ins=True)
    computed = compute(rows, DAY, with_findings=with_findings)
    return _comparable(
        PeriodView(
            world.org,
            world.period,
            list(rows.records),
            rows.plan,
            computed.scores,
            computed.findings or [],
            computed.findings_by_objective,
            rows.aligns_to,
            rows.aligned_from,
        )
    )


def _random_check_in(rng: random.Random, key_result: KeyResult) -> CheckInInput:
    # Some readings are dated before the latest one: they join the history (and the forecast)
    # without moving the key result's current value.
    on = DAY - timedelta(days=rng.randrange(0, 40))
    confidence = rng.choice([None, *range(11)])
    if key_result.type == KeyResult.Type.MILESTONE:
        return CheckInInput(None, confidence, "milestone", rng.random() < 0.5, on)
    return CheckInInput(round(rng.uniform(-5, 80), 2), confidence, f"n{rng.random()}", None, on)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_check_ins_patch_the_view_into_the_one_a_fresh_read_gives(
    world: World, reads: list[int], seed: int
) -> None:
    bulk.add_objectives(world, 6)
    key_results = list(KeyResult.objects.filter(objective__period=world.period))
    key_results += [_milestone(world), _aligned_elsewhere(world)]
    bulk.add_check_ins(world.key_result, 3)  # audited: the cache starts after these writes
    join(world, world.member, world.team)  # checks in on Growth's key results, not only theirs
    access = access_org(world.member, "acme")
    rng = random.Random(seed)
    assert _comparable(period_view(world.org, world.period, on=DAY)) == _fresh(world)
    assert reads == [1]
    for _ in range(12):
        chosen = rng.sample(key_results, rng.randint(1, 3))
        entries = [(kr, _random_check_in(rng, kr)) for kr in chosen]
        if len(entries) > 1 and rng.random() < 0.5:
            do_check_ins(access, entries, world.member)
        else:
            for kr, data in entries:
                do_check_in(access, kr, data, world.member)
        if rng.random() < 0.3:  # the API's lists: findings not asked for
            view = period_view(world.org, world.period, on=DAY, with_findings=False)
            patched, fresh = _comparable(view), _fresh(world, with_findings=False)
            for name in ("findings", "by_objective"):
                del patched[name], fresh[name]
            assert patched == fresh
        else:
            assert _comparable(period_view(world.org, world.period, on=DAY)) == _fresh(world)
    assert reads == [1]  # every later view was patched, none read the whole period again
    view = period_view(world.org, world.period, on=DAY)
    assert _comparable(view) == _fresh(world)
    assert view.findings  # the comparison covered real findings


def test_a_patch_leaves_the_cached_view_that_other_requests_hold_unchanged(
    world: World, reads: list[int]
) -> None:
    before = period_view(world.org, world.period, on=DAY)
    kept = _comparable(before)
    access = access_org(world.member, "acme")
    do_check_in(access, world.key_result, CheckInInput(49, 3, "", None, DAY), world.member)
    after = period_view(world.org, world.period, on=DAY)
    assert reads == [1]
    assert _comparable(before) == kept
    assert after.plan is not before.plan
    assert after.plan.objective("activation").key_results[0].current == 49
    assert before.plan.objective("activation").key_results[0].current == 41


def test_an_edit_after_a_check_in_makes_the_view_computed_afresh(
    world: World, reads: list[int]
) -> None:
    period_view(world.org, world.period, on=DAY)
    access = access_org(world.member, "acme")
    do_check_in(access, world.key_result, CheckInInput(45, 7, "", None, DAY), world.member)
    actions.do_edit_objective(
        access, world.objective, actions.ObjectiveEdit(title="Teams see value on day one"),
        expected_version=1, actor=world.member,
    )  # fmt: skip
    view = period_view(world.org, world.period, on=DAY)
    assert reads == [1, 1]
    assert view.plan.objective("activation").title == "Teams see value on day one"
    assert _comparable(view) == _fresh(world)


def test_a_check_in_outside_the_view_makes_it_computed_afresh(
    world: World, reads: list[int]
) -> None:
    later = make_period(world.org, "2027-Q1")
    elsewhere = make_objective(world.org, world.team, later, "later", "Later teams renew")
    kr = make_key_result(elsewhere, "renewals", "Raise renewals from 1 to 2", baseline=1, target=2)
    period_view(world.org, world.period, on=DAY)
    join(world, world.member, world.team)  # not the key result's owner: a member of its team
    access = access_org(world.member, "acme")
    do_check_in(access, kr, CheckInInput(1.5, 5, "", None, DAY), world.member)
    assert _comparable(period_view(world.org, world.period, on=DAY)) == _fresh(world)
    assert reads == [1, 1]


def test_a_write_committed_after_a_later_one_makes_the_view_computed_afresh(
    world: World, reads: list[int]
) -> None:
    period_view(world.org, world.period, on=DAY)
    seen = revision(world.org)
    access = access_org(world.member, "acme")
    do_check_in(access, world.key_result, CheckInInput(45, 7, "", None, DAY), world.member)
    # What a transaction that took an id below the last one seen and committed afterwards
    # leaves behind: one more event counted than the events after the last id seen.
    count_events(world.org.pk, 1, seen[1])
    assert revision(world.org)[0] == seen[0] + 2
    assert _comparable(period_view(world.org, world.period, on=DAY)) == _fresh(world)
    assert reads == [1, 1]


def test_check_ins_on_another_organisation_leave_the_view_cached(
    world: World, reads: list[int]
) -> None:
    period_view(world.org, world.period, on=DAY)
    globex = access_org(world.outsider, "globex")
    do_check_in(globex, world.other_key_result, CheckInInput(2, 9, "", None, DAY), world.outsider)
    period_view(world.org, world.period, on=DAY)
    assert reads == [1]
    assert AuditEvent.objects.filter(organization=world.other_org).count() == 1


def test_a_patched_dashboard_runs_the_same_queries_for_few_and_many_objectives(
    client, world: World, reads: list[int]
) -> None:
    client.force_login(world.member)
    url = reverse("dashboard", kwargs={"org": "acme"})
    access = access_org(world.member, "acme")

    def patched_queries(value: float) -> int:
        assert client.get(url).status_code == 200  # the view is cached
        data = CheckInInput(value, 7, "", None, DAY)
        do_check_in(access, world.key_result, data, world.member)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = patched_queries(44)
    bulk.add_objectives(world, 60)
    many = patched_queries(46)
    assert few == many
    assert reads == [1, 1]  # the first view of each size was read whole, the next patched
