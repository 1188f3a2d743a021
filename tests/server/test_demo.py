"""The demo organisation: its size, its deliberate mistakes, its history, and reuse."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.db import transaction

from constellation.core import coach
from constellation.server.demo import build_demo
from constellation.server.demo.asked import DRAFT_KEY_RESULTS, DRAFT_TITLE
from constellation.server.kpis.models import Kpi, KpiReading
from constellation.server.okrs.models import Alignment, KeyResult, Objective, Period
from constellation.server.orgs.access import access_org
from constellation.server.orgs.models import Membership, Organization, Team
from constellation.server.plans.plan import build_plan
from constellation.server.strategy.models import Lever, RoadmapItem, Strategy
from constellation.server.tracking.models import CheckIn

# A Wednesday half-way through 2026-Q2: seven Monday check-ins so far.
TODAY = date(2026, 5, 20)

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {
        "organizations": Organization.objects.filter(slug="demo").count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "teams": Team.objects.count(),
        "levers": Lever.objects.count(),
        "roadmap": RoadmapItem.objects.count(),
        "kpis": Kpi.objects.count(),
        "readings": KpiReading.objects.count(),
        "periods": Period.objects.count(),
        "objectives": Objective.objects.count(),
        "key_results": KeyResult.objects.count(),
        "alignments": Alignment.objects.count(),
        "check_ins": CheckIn.objects.count(),
    }


def _check_ins() -> list[tuple[str, str, date, float | None, bool | None, int | None, str]]:
    return sorted(
        CheckIn.objects.values_list(
            "key_result__objective__slug",
            "key_result__slug",
            "checked_on",
            "value",
            "done",
            "confidence",
            "note",
        )
    )


def _current(org: Organization) -> Period:
    return Period.objects.get(organization=org, closed=False)


def test_it_builds_a_company_of_eight_teams_with_an_org_chart() -> None:
    org = build_demo(TODAY).organization
    teams = Team.objects.filter(organization=org)
    assert teams.count() == 8
    roots = [team for team in teams if team.parent_id is None]
    assert [team.slug for team in roots] == ["company"]
    assert teams.filter(parent__slug="product").count() >= 2


def test_it_builds_a_strategy_with_four_levers_each_on_the_roadmap() -> None:
    org = build_demo(TODAY).organization
    strategy = Strategy.objects.get(organization=org)
    assert strategy.vision and strategy.mission
    levers = Lever.objects.filter(organization=org)
    assert levers.count() == 4
    for lever in levers:
        assert 1 <= lever.roadmap_items.count() <= 2


def test_it_has_three_kpis_and_the_unhealthy_one_guards_objectives() -> None:
    org = build_demo(TODAY).organization
    kpis = list(Kpi.objects.filter(organization=org))
    assert len(kpis) == 3
    unhealthy = [kpi for kpi in kpis if kpi.is_healthy() is False]
    assert [kpi.slug for kpi in unhealthy] == ["logo-churn"]
    assert unhealthy[0].guarded_objectives.exists()
    assert KpiReading.objects.filter(kpi=unhealthy[0]).latest("taken_on").value == 2.9


def test_about_25_objectives_sit_in_the_current_quarter_with_2_to_4_key_results() -> None:
    result = build_demo(TODAY)
    assert result.period == "2026-Q2"
    period = _current(result.organization)
    assert (period.start, period.end) == (date(2026, 4, 1), date(2026, 6, 30))
    objectives = Objective.objects.filter(period=period)
    assert 23 <= objectives.count() <= 27
    for objective in objectives:
        assert 2 <= objective.key_results.count() <= 4, objective.slug
        assert objective.owner is not None
        # All launched but the draft Growth sent to Amara for review.
        expected = Objective.State.IN_REVIEW if objective.title == DRAFT_TITLE else "launched"
        assert objective.state == expected, objective.slug
    metrics = KeyResult.objects.filter(objective__period=period, type="metric")
    assert metrics.count() >= 45
    assert not metrics.filter(baseline=None).exists()
    assert not metrics.filter(unit="").exists()


def test_alignment_links_cross_teams_and_never_loop() -> None:
    org = build_demo(TODAY).organization
    links = Alignment.objects.filter(source__organization=org).select_related("source", "target")
    assert links.count() >= 15
    assert all(link.source.team_id != link.target.team_id for link in links)
    plan = build_plan(org, _current(org))
    assert not [f for f in coach.lint(plan) if f.rule == "alignment-cycle"]


def test_check_ins_are_weekly_with_confidence_and_notes_up_to_today() -> None:
    org = build_demo(TODAY).organization
    period = _current(org)
    kr = KeyResult.objects.get(objective__slug="company-retention", slug="logo-retention")
    days = list(kr.check_ins.values_list("checked_on", flat=True))
    assert days == [date(2026, 4, 6) + timedelta(weeks=i) for i in range(7)]
    assert not CheckIn.objects.filter(checked_on__gt=TODAY).exists()
    current = CheckIn.objects.filter(key_result__objective__period=period)
    assert not current.filter(confidence=None).exists()
    assert current.exclude(note="").count() > current.count() // 3
    assert not current.filter(author=None).exists()
    latest = kr.check_ins.last()
    assert (kr.current, kr.confidence) == (latest.value, latest.confidence)


def test_the_previous_quarter_is_closed_with_final_values() -> None:
    org = build_demo(TODAY).organization
    previous = Period.objects.get(organization=org, closed=True)
    assert previous.key == "2026-Q1"
    objectives = Objective.objects.filter(period=previous)
    assert objectives.count() >= 6
    assert set(objectives.values_list("state", flat=True)) == {Objective.State.CLOSED}
    for kr in KeyResult.objects.filter(objective__period=previous):
        final = kr.check_ins.last()
        assert final.checked_on == previous.end
        assert kr.current == final.value


def test_the_previous_quarter_was_reviewed_into_the_data_bank_and_carried_on() -> None:
    from constellation.server.quarterly.models import (
        InitiativeResult,
        Learning,
        ObjectiveReview,
        TeamReflection,
    )

    org = build_demo(TODAY).organization
    previous = Period.objects.get(organization=org, closed=True)
    reviews = ObjectiveReview.objects.filter(objective__period=previous)
    assert reviews.count() == Objective.objects.filter(period=previous).count()
    assert {r.decision for r in reviews} == {"done", "carry_over", "rethink", "drop"}
    assert all(0 <= r.grade <= 1 for r in reviews)
    carried = Objective.objects.filter(period=_current(org), carried_from__isnull=False)
    assert {o.carried_from.review.decision for o in carried} == {"carry_over", "rethink"}
    assert TeamReflection.objects.filter(period=previous).count() == 5
    learnings = Learning.objects.filter(period=previous)
    assert learnings.count() >= 10
    assert all(learning.tags and learning.key_result_id for learning in learnings)
    assert {r.outcome for r in InitiativeResult.objects.filter(period=previous)} == {
        "worked",
        "partly",
        "did_not_work",
    }


def test_the_coach_finds_the_deliberate_mistakes_and_little_else() -> None:
    org = build_demo(TODAY).organization
    findings = coach.lint(build_plan(org, _current(org)))
    found = {(f.rule, f.object) for f in findings}
    assert ("output-kr", "growth-activation/onboarding-checklist") in found
    assert ("cascaded-kr", "success-onboarding/logo-retention") in found
    assert ("no-strategy-link", "data-decisions") in found
    assert ("kpi-as-kr", "platform-never-down/uptime") in found
    assert ("unhealthy-guardrail", "company-retention") in found
    rules = Counter(f.rule for f in findings)
    assert set(rules) <= {
        "output-kr",
        "cascaded-kr",
        "no-strategy-link",
        "kpi-as-kr",
        "unhealthy-guardrail",
    }, rules
    assert rules["output-kr"] == rules["cascaded-kr"] == rules["no-strategy-link"] == 1


def test_the_closed_quarter_draws_no_finding() -> None:
    org = build_demo(TODAY).organization
    previous = Period.objects.get(organization=org, closed=True)
    assert coach.lint(build_plan(org, previous)) == []


def test_building_twice_changes_nothing() -> None:
    build_demo(TODAY)
    before = _counts()
    again = build_demo(TODAY)
    assert not again.created
    assert again.check_ins_added == 0
    assert _counts() == before


def test_a_later_build_tops_up_check_ins_exactly_as_a_fresh_build_would() -> None:
    later = TODAY + timedelta(days=21)
    with transaction.atomic():
        build_demo(later)
        fresh = _check_ins()
        fresh_current = dict(KeyResult.objects.values_list("objective__slug", "current"))
        transaction.set_rollback(True)
    build_demo(TODAY)
    result = build_demo(later)
    assert (
        result.check_ins_added
        == 3
        * KeyResult.objects.filter(
            objective__period__closed=False, objective__state="launched"
        ).count()
    )
    assert _check_ins() == fresh
    assert dict(KeyResult.objects.values_list("objective__slug", "current")) == fresh_current


def test_the_demo_people_hold_every_role_and_log_in_with_demo() -> None:
    org = build_demo(TODAY).organization
    roles = Counter(Membership.objects.filter(organization=org).values_list("role", flat=True))
    assert roles["owner"] == 1 and roles["leader"] >= 1 and roles["viewer"] >= 1
    assert roles["member"] >= 2
    demo = User.objects.get(username="demo")
    assert demo.check_password("demo")
    assert access_org(demo, "demo").is_admin
    viewer = Membership.objects.get(organization=org, role="viewer").user
    assert not access_org(viewer, "demo").can_write


def test_without_a_password_the_demo_people_cannot_log_in() -> None:
    org = build_demo(TODAY, password=None).organization
    people = User.objects.filter(memberships__organization=org)
    assert people.count() >= 5
    assert not any(user.has_usable_password() for user in people)
    build_demo(TODAY)
    assert User.objects.get(username="demo").check_password("demo")
    build_demo(TODAY, password=None)
    assert not User.objects.get(username="demo").has_usable_password()


def test_a_password_someone_chose_is_kept() -> None:
    build_demo(TODAY)
    demo = User.objects.get(username="demo")
    demo.set_password("a better secret")
    demo.save()
    build_demo(TODAY)
    demo.refresh_from_db()
    assert demo.check_password("a better secret")


def test_the_build_is_audited() -> None:
    org = build_demo(TODAY).organization
    from constellation.server.audit.models import AuditEvent

    # The organisation, then the draft sent for review and its key results, made by Bruno.
    created = AuditEvent.objects.filter(organization=org, action="create")
    assert created.count() == 2 + len(DRAFT_KEY_RESULTS)
    assert AuditEvent.objects.filter(organization=org, action="send_for_review").count() == 1


def test_the_leader_and_another_team_find_work_waiting_on_their_home() -> None:
    from django.test import Client

    from constellation.server.sharing.models import Dependency, ReviewRequest

    build_demo(TODAY)
    review = ReviewRequest.objects.get(organization__slug="demo")
    assert review.state == ReviewRequest.State.OPEN
    assert [r.person.username for r in review.reviewers.all()] == ["amara"]
    dependency = Dependency.objects.get(organization__slug="demo")
    assert (dependency.from_team.slug, dependency.to_team.slug) == ("growth", "platform")
    amara, chen = Client(), Client()
    assert amara.login(username="amara", password="demo")
    assert chen.login(username="chen", password="demo")
    assert f"/o/demo/review-requests/{review.pk}/" in amara.get("/o/demo/home/").content.decode()
    assert f"/o/demo/dependencies/{dependency.pk}/" in chen.get("/o/demo/home/").content.decode()


def test_someone_added_to_the_demo_keeps_their_password_on_a_public_host() -> None:
    org = build_demo(TODAY).organization
    guest = User.objects.create_user("guest", password="guest secret")
    Membership.objects.create(organization=org, user=guest, role="member")
    build_demo(TODAY, password=None)
    guest.refresh_from_db()
    assert guest.check_password("guest secret")
    assert not User.objects.get(username="demo").has_usable_password()
