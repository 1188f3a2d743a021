"""The plan-align-launch pages not covered elsewhere: bounded queries on the new-objective and
send-for-review pages, strategy forms that keep what was typed, and forms named for readers."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from constellation.server.kpis.models import Kpi
from constellation.server.orgs.models import Team
from constellation.server.strategy.models import Lever, RoadmapItem, Strategy
from tests.server.api_helpers import add_objectives
from tests.server.factories import World
from tests.server.sharing_factories import join, make_stakeholder, make_team, send_review

pytestmark = pytest.mark.django_db

STRATEGY = "/o/acme/strategy/2026/"
NEW_OBJECTIVE = "/o/acme/draft/new-objective/?team=growth&period=2026-Q4"
SEND = "/o/acme/teams/growth/send-for-review/?period=2026-Q4"


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _grow(world: World, start: int, count: int) -> None:
    """More levers, KPIs, teams and people to choose from, and more objectives in the period."""
    Lever.objects.bulk_create(
        Lever(organization=world.org, slug=f"lever-{n}", title=f"Bet {n}")
        for n in range(start, start + count)
    )
    Kpi.objects.bulk_create(
        Kpi(organization=world.org, slug=f"kpi-{n}", title=f"Health {n}", unit="%")
        for n in range(start, start + count)
    )
    Team.objects.bulk_create(
        Team(organization=world.org, slug=f"team-{n}", name=f"Team {n}")
        for n in range(start, start + count)
    )
    platform = make_team(world, f"more-{start}", f"More {start}")
    for n in range(start, start + count):
        make_stakeholder(world, platform, f"person-{n}")
    add_objectives(world, count, start=start)


def test_the_new_objective_page_runs_the_same_queries_at_any_size(world: World) -> None:
    client = _client(world.member)
    _grow(world, 0, 2)
    client.get(NEW_OBJECTIVE)
    small = _queries(client, NEW_OBJECTIVE)
    _grow(world, 2, 40)
    assert _queries(client, NEW_OBJECTIVE) == small
    assert small <= 25


def test_the_send_for_review_page_runs_the_same_queries_at_any_size(world: World) -> None:
    join(world, world.member, world.team)
    client = _client(world.member)
    _grow(world, 0, 2)
    client.get(SEND)
    small = _queries(client, SEND)
    _grow(world, 2, 40)
    html = client.get(SEND).content.decode()
    assert "Customers in segment 41 get value sooner (Draft)" in html  # every draft offered
    assert _queries(client, SEND) == small
    assert small <= 15


def test_the_send_page_says_so_when_the_team_has_nothing_left_to_send(world: World) -> None:
    send_review(world)  # the only draft is now in review
    html = _client(world.member).get(SEND).content.decode()
    assert "Growth has no draft objectives in 2026-Q4: nothing to send." in html


def test_a_vision_too_long_keeps_what_was_typed_and_says_why_next_to_it(world: World) -> None:
    vision = "Live data " * 501
    body = {"vision": vision, "mission": "Typed mission", "version": "1"}
    response = _client(world.leader).post(f"{STRATEGY}edit/", body)
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="strategy-vision-error"' in html and "at most 5000 characters" in html
    assert "Typed mission" in html and vision.strip() in html
    assert Strategy.objects.get(organization=world.org, year=2026).mission == ""


def test_a_roadmap_item_without_a_title_keeps_the_lever_and_quarter_chosen(world: World) -> None:
    body = {"title": "", "lever": "self-serve", "period": "2026-Q4", "status": "planned"}
    response = _client(world.leader).post(f"{STRATEGY}roadmap/", {**body, "version": "0"})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="new-item-title-error"' in html and "This field is required." in html
    assert '<option value="self-serve" selected>' in html
    assert '<option value="2026-Q4" selected>' in html
    assert not RoadmapItem.objects.exists()


def test_the_flow_forms_are_named_for_assistive_technology(world: World) -> None:
    strategy = _client(world.leader).get(STRATEGY).content.decode()
    for name in ("Edit the vision and mission of 2026", "Add a lever", "Add a roadmap item"):
        assert f'aria-label="{name}"' in strategy
    assert 'aria-label="Edit “Win self-serve”"' in strategy
    review = send_review(world)
    page = _client(world.leader).get(f"/o/acme/review-requests/{review.pk}/").content.decode()
    assert 'aria-labelledby="answer-heading"' in page
    assert '<h2 id="answer-heading">Your answer as a leader</h2>' in page
