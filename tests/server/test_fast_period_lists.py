"""Large periods: the dashboard by team, its rows on demand, the paged objectives API, the cache.

A period's scores and findings are computed once per change of the organisation's data; the
pages and the API read them in a fixed number of queries, and any write shows on the very next
request.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from constellation.core import scoring
from constellation.server.okrs import actions
from constellation.server.okrs.models import Objective
from constellation.server.orgs.access import access_org
from constellation.server.orgs.models import Team
from constellation.server.plans.plan import build_plan
from constellation.server.plans.scores import period_view
from constellation.server.plans.transfer_export import export_plan
from constellation.server.tracking.actions import CheckInInput, do_check_in
from constellation.server.web.views.dashboard import INLINE_OBJECTIVES, TEAMS_PER_PAGE
from tests.server import api_helpers, bulk
from tests.server.api_helpers import AT, client_for
from tests.server.factories import World, make_objective

pytestmark = pytest.mark.django_db

LIST = "/orgs/acme/objectives"


def rows_url(team: str = "growth", org: str = "acme") -> str:
    return reverse("team-rows", kwargs={"org": org, "team": team}) + "?period=2026-Q4"


def _counted(send, *, cached: bool) -> tuple[int, object]:
    """Queries of one request (nothing is kept between requests: `cached` changes nothing)."""
    with CaptureQueriesContext(connection) as captured:
        response = send()
    return len(captured), response


def test_the_plan_read_from_rows_is_the_one_the_export_builds_from_models(world: World) -> None:
    bulk.add_objectives(world, 6)
    read = build_plan(world.org, world.period)
    exported = export_plan(world.org, world.period)
    by_id = {o.id: o for o in exported.objectives}
    assert [o.id for o in read.objectives] == [o.id for o in exported.objectives]
    for objective in read.objectives:
        expected = by_id[objective.id]
        assert (objective.levers, objective.guardrails) == (expected.levers, expected.guardrails)
        assert objective.aligns_to == expected.aligns_to
        assert [kr.id for kr in objective.key_results] == [k.id for k in expected.key_results]
        assert [kr.current for kr in objective.key_results] == [
            k.current for k in expected.key_results
        ]


def test_the_period_view_scores_with_the_core_engine_including_check_ins(world: World) -> None:
    bulk.add_check_ins(world.key_result, 5)
    view = period_view(world.org, world.period, on=date(2026, 11, 15))
    plan = build_plan(world.org, world.period, with_check_ins=True)
    expected = scoring.score_plan(plan, date(2026, 11, 15))
    assert {s.id: s.as_dict() for s in expected.objectives} == {
        slug: score.as_dict() for slug, score in view.scores.items()
    }
    assert view.scores["activation"].key_results[0].forecast is not None


def test_a_check_in_shows_at_once_on_the_dashboard_and_in_the_api(client, world: World) -> None:
    client.force_login(world.member)
    api = client_for(world.member, world.org)
    before = client.get(reverse("dashboard", kwargs={"org": "acme"})).content.decode()
    listed = {o["id"]: o for o in api.get(LIST, at=AT).data["objectives"]}
    assert listed["activation"]["key_results"][0]["current"] == 41.0
    access = access_org(world.member, "acme")
    do_check_in(access, world.key_result, CheckInInput(50, 9, "done", None), world.member)
    after = client.get(reverse("dashboard", kwargs={"org": "acme"})).content.decode()
    listed = {o["id"]: o for o in api.get(LIST, at=AT).data["objectives"]}
    assert listed["activation"]["key_results"][0]["current"] == 50.0
    assert listed["activation"]["key_results"][0]["progress"] == 1.0
    bar = re.compile(r'data-objective="activation".*?style="width: ([\d.]+)%"', re.S)
    assert bar.search(before)[1] != bar.search(after)[1]


def test_an_edit_and_an_alignment_show_at_once(world: World) -> None:
    api = client_for(world.member, world.org)
    assert api.get(LIST, at=AT).status_code == 200  # the view is now cached
    access = access_org(world.member, "acme")
    actions.do_edit_objective(
        access, world.objective, actions.ObjectiveEdit(title="Teams see value on day one"),
        expected_version=1, actor=world.member,
    )  # fmt: skip
    other = make_objective(
        world.org, world.team, world.period, "expansion", "Teams grow with us", owner=world.member
    )
    actions.do_align(access, other, world.objective, world.member)
    listed = {o["id"]: o for o in api.get(LIST, at=AT).data["objectives"]}
    assert listed["activation"]["title"] == "Teams see value on day one"
    assert listed["activation"]["version"] == 2
    assert listed["activation"]["aligned_from"] == ["expansion"]
    assert listed["expansion"]["aligns_to"] == ["activation"]


def test_aligned_from_is_on_every_objective_of_the_list_and_the_detail(world: World) -> None:
    api = client_for(world.viewer, world.org)
    listed = {o["id"]: o for o in api.get(LIST).data["objectives"]}
    assert listed["retention"]["aligned_from"] == ["activation"]
    assert listed["activation"]["aligned_from"] == []
    detail = api.get(f"{LIST}/retention").data
    assert detail["aligned_from"] == ["activation"]


def test_the_list_pages_by_100_and_links_the_next_page(world: World) -> None:
    api_helpers.add_objectives(world, 150)
    api = client_for(world.member, world.org)
    first = api.get(LIST)
    assert (first.data["count"], first.data["limit"], len(first.data["objectives"])) == (
        152,
        100,
        100,
    )
    assert "offset=100" in first.data["next"]
    following = api.get(first.data["next"].split("/api/v1", 1)[1])
    assert len(following.data["objectives"]) == 52
    assert following.data["next"] is None
    seen = [o["id"] for o in first.data["objectives"] + following.data["objectives"]]
    assert len(set(seen)) == 152
    assert len(api.get(LIST, limit=500).data["objectives"]) == 152


def test_a_limit_out_of_range_is_a_422_naming_it(world: World) -> None:
    api = client_for(world.member, world.org)
    for value in ("501", "0", "many"):
        response = api.get(LIST, limit=value)
        assert response.status_code == 422
        assert response.data["errors"][0]["loc"] == ["query", "limit"]


def test_the_list_filters_by_team_and_state(world: World) -> None:
    Objective.objects.filter(slug="retention").update(state="launched")
    api = client_for(world.member, world.org)
    growth = api.get(LIST, team="growth")
    assert [o["id"] for o in growth.data["objectives"]] == ["activation"]
    assert growth.data["count"] == 1
    launched = api.get(LIST, state="launched")
    assert [o["id"] for o in launched.data["objectives"]] == ["retention"]
    assert api.get(LIST, team="growth", state="launched").data["objectives"] == []


def test_an_unknown_team_or_state_is_a_422_naming_the_parameter(world: World) -> None:
    api = client_for(world.member, world.org)
    response = api.get(LIST, team="nobody")
    assert response.status_code == 422
    assert response.data["errors"][0]["loc"] == ["query", "team"]
    assert "no team 'nobody'" in response.data["errors"][0]["msg"]
    assert api.get(LIST, state="finished").data["errors"][0]["loc"] == ["query", "state"]


def test_the_list_runs_the_same_queries_for_10_and_500_objectives_first_or_again(
    world: World,
) -> None:
    api = client_for(world.member, world.org)
    api_helpers.add_objectives(world, 10)
    api.get(LIST)  # notes the token's use once

    def send() -> object:
        return api.get(LIST, limit=500, team="growth")

    few = [_counted(send, cached=cached)[0] for cached in (False, True)]
    api_helpers.add_objectives(world, 490, start=10)
    api.get(LIST)
    many = [_counted(send, cached=cached)[0] for cached in (False, True)]
    listed = send().data
    assert (listed["count"], len(listed["objectives"])) == (501, 500)
    assert many == few
    assert few[1] == few[0] <= 20


def test_a_large_dashboard_shows_teams_and_loads_their_rows_on_demand(client, world: World) -> None:
    bulk.add_objectives(world, INLINE_OBJECTIVES)
    client.force_login(world.member)
    html = client.get(reverse("dashboard", kwargs={"org": "acme"})).content.decode()
    assert "data-objective=" not in html
    assert f'hx-get="{rows_url()}"' in html
    assert 'hx-trigger="toggle once"' in html
    team_page = reverse("team", kwargs={"org": "acme", "team": "growth"}) + "?period=2026-Q4"
    assert f'<a href="{team_page}">Open the page of Growth</a>' in html
    assert "31 objectives" in html  # 30 bulk ones and activation


def test_the_team_rows_are_the_dashboards_rows_of_that_team(client, world: World) -> None:
    bulk.add_objectives(world, 4)
    client.force_login(world.viewer)
    response = client.get(rows_url())
    assert response.status_code == 200
    slugs = re.findall(r'data-objective="([^"]+)"', response.content.decode())
    assert sorted(slugs) == ["activation", "bulk-0", "bulk-2"]
    score = period_view(world.org, world.period).scores["activation"]
    assert f'style="width: {score.progress * 100:.1f}%"' in response.content.decode()
    assert client.get(rows_url("nobody")).status_code == 404


def test_an_outsider_gets_404_for_team_rows(client, world: World) -> None:
    client.force_login(world.outsider)
    response = client.get(rows_url())
    assert response.status_code == 404
    assert b"New teams get to value" not in response.content


def test_the_team_rows_run_the_same_queries_for_10_and_500_objectives(client, world: World) -> None:
    client.force_login(world.member)
    bulk.add_objectives(world, 10)
    client.get(rows_url())
    few = [_counted(lambda: client.get(rows_url()), cached=c)[0] for c in (False, True)]
    bulk.add_objectives(world, 490, start=10)
    counted, response = _counted(lambda: client.get(rows_url()), cached=False)
    many = [counted, _counted(lambda: client.get(rows_url()), cached=True)[0]]
    assert response.content.decode().count('class="objective-row"') == 251
    assert many == few


def test_the_dashboard_pages_its_teams(client, world: World) -> None:
    for number in range(TEAMS_PER_PAGE + 5):
        team = Team.objects.create(
            organization=world.org, slug=f"t{number:03}", name=f"T{number:03}"
        )
        make_objective(world.org, team, world.period, f"o{number}", f"Customers of {number} stay")
    client.force_login(world.member)
    url = reverse("dashboard", kwargs={"org": "acme"})
    first = client.get(url).content.decode()
    assert first.count('<section class="team-group') == TEAMS_PER_PAGE
    assert 'rel="next" href="?period=2026-Q4&amp;page=2"' in first
    second = client.get(url, {"page": "2"}).content.decode()
    assert second.count('<section class="team-group') == 7  # 32 teams in all
    assert 'rel="prev"' in second and 'rel="next"' not in second
    unreadable = client.get(url, {"page": "lots"}).content.decode()
    assert re.findall(r'id="team-([^"]+)"', unreadable) == re.findall(r'id="team-([^"]+)"', first)
