"""One grade: the grade a quarterly review settles on is the one every face shows.

The engine grades the standard objective 0.5 (41 of 34→50 and 2 of 3→1); its review changes
that to 0.9, with a reason. The objective page, the team page, the dashboard, the API, `okr
export` (and `okr score` on what it wrote) and the report all show 0.9, while the review and
the report still say what the engine computed.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from constellation.core.okrfile import dump_plan, load_text
from constellation.core.scoring import score_plan
from constellation.server.orgs.access import access_org
from constellation.server.plans.transfer import export_org
from constellation.server.quarterly.actions import ReviewInput, do_review_objective
from constellation.server.quarterly.models import ObjectiveReview
from tests.server.api_helpers import client_for
from tests.server.factories import World, today

PERIOD = "?period=2026-Q4"
REVIEWED = '<span class="grade band-green">0.9</span>'
COMPUTED = '<span class="grade band-yellow">0.5</span>'


@pytest.fixture
def reviewed(world: World) -> ObjectiveReview:
    """The Growth objective's review, changing the engine's 0.5 to 0.9 with a reason."""
    access = access_org(world.leader, "acme")
    data = ReviewInput(grade=0.9, reason="The real goal shipped early", decision="done")
    return do_review_objective(
        access, world.objective, data, expected_version=0, actor=world.leader
    )


def _page(world: World, name: str, **kwargs: str) -> str:
    client = Client()
    client.force_login(world.member)
    url = reverse(name, kwargs={"org": "acme", **kwargs}) + PERIOD
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _row(html: str, slug: str) -> str:
    """The table row of one objective on a list page."""
    found = re.search(rf'<tr[^>]*data-objective="{slug}".*?</tr>', html, re.S)
    assert found is not None, f"no row for {slug}"
    return found[0]


def test_the_review_keeps_the_engines_grade_beside_the_one_it_settled_on(
    reviewed: ObjectiveReview,
) -> None:
    assert (reviewed.computed_grade, reviewed.grade_override) == (0.5, 0.9)


def test_the_objective_page_shows_the_reviewed_grade(world: World, reviewed: object) -> None:
    html = _page(world, "objective", slug="activation")
    assert '<span class="grade band-green">Grade 0.9</span>' in html
    assert "set by its quarterly review" in html


def test_the_team_page_shows_the_reviewed_grade(world: World, reviewed: object) -> None:
    row = _row(_page(world, "team", team="growth"), "activation")
    assert REVIEWED in row and COMPUTED not in row


def test_the_dashboard_shows_the_reviewed_grade(world: World, reviewed: object) -> None:
    row = _row(_page(world, "dashboard"), "activation")
    assert REVIEWED in row and COMPUTED not in row


def test_the_api_shows_the_reviewed_grade_in_the_detail_and_the_list(
    world: World, reviewed: object
) -> None:
    api = client_for(world.viewer, world.org)
    detail = api.get("/orgs/acme/objectives/activation").data
    assert (detail["grade"], detail["band"]) == (0.9, "green")
    listed = api.get("/orgs/acme/objectives", period="2026-Q4").data["objectives"]
    assert next(o for o in listed if o["id"] == "activation")["grade"] == 0.9


def test_okr_export_writes_the_reviewed_grade_and_okr_score_reads_it(
    world: World, reviewed: object
) -> None:
    text = dump_plan(export_org("acme"))
    block = text[text.index("- id: activation") :]
    assert "grade: 0.9" in block[: block.index("key_results:")]
    plan = load_text(text, path="exported.yaml")
    scores = {score.id: score for score in score_plan(plan, today()).objectives}
    assert scores["activation"].grade.value == 0.9
    assert scores["retention"].grade.value == 0.0  # not reviewed: the engine's grade
    assert "grade:" not in text[text.index("- id: retention") : text.index("- id: activation")]


def test_the_report_shows_the_reviewed_grade_and_what_the_engine_computed(
    world: World, reviewed: object
) -> None:
    url = reverse("team-report", kwargs={"org": "acme", "team": "growth", "period": "2026-Q4"})
    client = Client()
    client.force_login(world.member)
    html = client.get(url).content.decode()
    assert '<dd class="computed-grade">0.5</dd>' in html
    assert '<span class="grade">0.9</span>' in html
    assert "changed from 0.5: The real goal shipped early" in html


def test_without_a_review_every_face_shows_the_engines_grade(world: World) -> None:
    assert COMPUTED in _row(_page(world, "team", team="growth"), "activation")
    assert (
        client_for(world.viewer, world.org).get("/orgs/acme/objectives/activation").data["grade"]
        == 0.5
    )
    text = dump_plan(export_org("acme"))
    assert "grade:" not in text


def test_a_second_review_compares_with_the_engines_grade_not_the_reviewed_one(
    world: World, reviewed: ObjectiveReview
) -> None:
    access = access_org(world.leader, "acme")
    data = ReviewInput(grade=0.9, reason="Still true", decision="done", note="Agreed")
    again = do_review_objective(
        access, world.objective, data, expected_version=1, actor=world.leader
    )
    assert (again.computed_grade, again.grade_override, again.note) == (0.5, 0.9, "Agreed")
