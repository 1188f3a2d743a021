"""The readiness check of a team: questions, a recommendation with reasons, the team's phase."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from constellation.core import coach
from constellation.server.audit.models import AuditEvent
from constellation.server.orgs.models import Team, TeamReadiness
from constellation.server.plans.plan import build_plan
from tests.server.factories import World
from tests.server.sharing_factories import join

PAGE = "/o/acme/teams/growth/readiness/"
EXPLORING = {
    "exploratory": "yes",
    "measurable_quarterly": "no",
    "stable_mission": "no",
    "outcome_metrics": "no",
    "version": "0",
}


@pytest.fixture(autouse=True)
def _member_of_growth(world: World) -> None:
    """The member is in Growth: only a team's own people write its readiness check."""
    join(world, world.member, world.team)


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_exploring_team_is_told_to_run_experiments_and_why(world: World) -> None:
    client = _client(world.member)
    response = client.post(PAGE, EXPLORING, follow=True)
    body = response.content.decode()
    assert "A list of hypotheses and experiments with learning goals, not OKRs yet" in body
    assert "does not yet know which outcome it can move" in body
    check = TeamReadiness.objects.get(team=world.team)
    assert (check.version, check.recommendation, check.phase) == (1, "experiments", "exploratory")
    assert Team.objects.get(pk=world.team.pk).phase == "exploratory"
    actions = set(AuditEvent.objects.filter(object_type="team").values_list("action", flat=True))
    assert actions == {"readiness", "update"}


def test_the_phase_it_sets_is_what_the_coach_reads(world: World) -> None:
    _client(world.member).post(PAGE, EXPLORING)
    findings = coach.lint(build_plan(world.org, world.period))
    assert ("okrs-may-not-fit", "growth") in {(f.rule, f.object) for f in findings}


def test_measurable_steady_work_gets_okrs_and_the_team_page_shows_it(world: World) -> None:
    client = _client(world.leader)
    answers = {**EXPLORING, "exploratory": "no", "measurable_quarterly": "yes"}
    client.post(PAGE, answers)
    assert TeamReadiness.objects.get(team=world.team).recommendation == "okrs"
    team_page = client.get("/o/acme/teams/growth/").content.decode()
    assert "OKRs fit this team&#x27;s work." in team_page
    assert 'href="/o/acme/teams/growth/readiness/"' in team_page


def test_long_cycle_work_gets_kpis_with_a_health_check(world: World) -> None:
    answers = {**EXPLORING, "exploratory": "no"}
    body = _client(world.member).post(PAGE, answers, follow=True).content.decode()
    assert "KPIs with a health check, not OKRs" in body
    assert Team.objects.get(pk=world.team.pk).phase == "mature"


def test_an_unanswered_question_is_named_and_the_other_answers_kept(world: World) -> None:
    answers = {**EXPLORING}
    del answers["stable_mission"]
    response = _client(world.member).post(PAGE, answers)
    assert response.status_code == 422
    body = response.content.decode()
    assert 'id="readiness-stable_mission-error"' in body
    assert "Answer this question" in body
    assert 'value="yes" id="readiness-exploratory_0" required checked' in body
    assert not TeamReadiness.objects.exists()


def test_a_check_taken_meanwhile_by_someone_else_is_not_replaced(world: World) -> None:
    _client(world.leader).post(PAGE, EXPLORING)
    late = {**EXPLORING, "exploratory": "no", "measurable_quarterly": "yes"}
    response = _client(world.member).post(PAGE, late)
    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone took this team&#x27;s readiness check" in body
    assert 'name="version" value="1"' in body
    assert TeamReadiness.objects.count() == 1


def test_a_viewer_reads_but_cannot_answer_and_an_outsider_gets_404(world: World) -> None:
    viewer = _client(world.viewer)
    assert viewer.get(PAGE).status_code == 200
    assert viewer.post(PAGE, EXPLORING).status_code == 403
    outsider = _client(world.outsider)
    assert outsider.get(PAGE).status_code == 404
    assert outsider.post(PAGE, EXPLORING).status_code == 404
    assert not TeamReadiness.objects.exists()
    assert Team.objects.get(pk=world.team.pk).phase == ""


def test_the_page_runs_the_same_queries_after_one_or_many_checks(world: World) -> None:
    client = _client(world.member)
    client.post(PAGE, EXPLORING)
    with CaptureQueriesContext(connection) as few:
        client.get(PAGE)
    for version in range(1, 15):
        client.post(PAGE, {**EXPLORING, "version": str(version)})
    assert TeamReadiness.objects.count() == 15
    with CaptureQueriesContext(connection) as many:
        client.get(PAGE)
    assert len(few) == len(many) <= 8
