"""The planning page: each lever with the objectives that model it, and what stands out."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from constellation.server.audit.actions import record
from constellation.server.okrs.models import Objective
from constellation.server.strategy.models import Lever, RoadmapItem
from tests.server.api_helpers import add_objectives
from tests.server.factories import World, make_objective, make_period

PAGE = "/o/acme/plan/2026-Q4/"


def _changed(world: World) -> None:
    """Note a change made to rows directly, as every action does, so no page shows stale data."""
    record(world.org.pk, None, "test_change", object_type="test")


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_each_lever_lists_the_objectives_that_model_it_with_links(world: World) -> None:
    body = _client(world.viewer).get(PAGE).content.decode()
    section = body[body.index('id="lever-self-serve"') :]
    assert "New teams get to value in their first week" in section
    assert 'href="/o/acme/objectives/activation/"' in section
    assert "Growth" in section and "draft" in section


def test_a_lever_no_objective_models_stands_out_in_words(world: World) -> None:
    Lever.objects.create(organization=world.org, slug="never-down", title="Never down", position=1)
    body = _client(world.member).get(PAGE).content.decode()
    lever = body[body.index('id="lever-never-down"') :]
    assert "lever-unmodelled" in body
    assert "No objective models this lever in 2026-Q4." in lever
    assert "1 modelled by no objective" in body


def test_objectives_with_no_lever_have_their_own_section(world: World) -> None:
    make_objective(world.org, world.team, world.period, "adhoc", "Customers find reports faster")
    body = _client(world.member).get(PAGE).content.decode()
    unlinked = body[body.index('id="unlinked"') :]
    assert "no lever" in unlinked
    assert 'href="/o/acme/objectives/adhoc/"' in unlinked
    assert "New teams get to value" not in unlinked


def test_roadmap_items_show_under_their_lever(world: World) -> None:
    RoadmapItem.objects.create(
        organization=world.org, lever=world.lever, title="Guided setup", period=world.period
    )
    body = _client(world.member).get(PAGE).content.decode()
    lever = body[body.index('id="lever-self-serve"') : body.index('id="unlinked"')]
    assert "Guided setup" in lever and "this period" in lever


def test_a_retired_lever_shows_only_while_objectives_still_model_it(world: World) -> None:
    Lever.objects.filter(pk=world.lever.pk).update(retired_at=timezone.now())
    body = _client(world.member).get(PAGE).content.decode()
    assert 'id="lever-self-serve"' in body and "retired" in body
    Objective.levers.through.objects.all().delete()
    _changed(world)
    body = _client(world.member).get(PAGE).content.decode()
    assert 'id="lever-self-serve"' not in body


def test_the_default_is_the_current_period_and_a_period_can_be_chosen(world: World) -> None:
    make_period(world.org, "2026-Q3")
    client = _client(world.member)
    assert "· 2026-Q4" in client.get("/o/acme/plan/").content.decode()
    response = client.get("/o/acme/plan/", {"period": "2026-Q3"})
    assert response.status_code == 302 and response.url == "/o/acme/plan/2026-Q3/"
    assert client.get("/o/acme/plan/1999-Q1/").status_code == 404


def test_an_outsider_gets_404(world: World) -> None:
    client = _client(world.outsider)
    assert client.get("/o/acme/plan/").status_code == 404
    assert client.get(PAGE).status_code == 404


def test_the_page_runs_the_same_queries_for_10_and_300_objectives(world: World) -> None:
    client = _client(world.member)
    client.get(PAGE)  # both counts below then find a cached view that a write made stale
    add_objectives(world, 10)
    _changed(world)
    with CaptureQueriesContext(connection) as few:
        client.get(PAGE)
    add_objectives(world, 290, start=10)
    Lever.objects.bulk_create(
        Lever(organization=world.org, slug=f"bet-{n}", title=f"Bet {n}") for n in range(20)
    )
    _changed(world)
    with CaptureQueriesContext(connection) as many:
        body = client.get(PAGE).content.decode()
    assert "Customers in segment 299 get value sooner" in body
    assert len(few) == len(many) <= 25
