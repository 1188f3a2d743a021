"""API throttling: past API_RATE a caller gets a 429 with Retry-After, per token or address."""

from __future__ import annotations

from typing import Any

from django.test import Client, override_settings

from tests.server.api_helpers import ApiClient, client_for
from tests.server.factories import World

TEAMS = "/orgs/acme/teams"


def raw_get(client: ApiClient) -> Any:
    """GET the teams with the client's token, unchecked: a 429 is in no schema."""
    headers = {"Authorization": f"Bearer {client.token}"}
    return client.client.get("/api/v1" + TEAMS, headers=headers)


@override_settings(API_RATE="3/m")
def test_a_token_past_the_rate_gets_a_429_with_retry_after(world: World) -> None:
    client = client_for(world.member, world.org)
    assert [client.get(TEAMS).status_code for _ in range(3)] == [200, 200, 200]
    refused = raw_get(client)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    detail = refused.json()["detail"]
    assert "Too many requests" in detail and refused["Retry-After"] in detail


@override_settings(API_RATE="3/m")
def test_each_token_has_its_own_count(world: World) -> None:
    busy = client_for(world.member, world.org)
    for _ in range(3):
        busy.get(TEAMS)
    assert raw_get(busy).status_code == 429
    assert client_for(world.leader, world.org).get(TEAMS).status_code == 200


@override_settings(API_RATE="3/m")
def test_a_signed_in_session_is_counted_too(world: World) -> None:
    session = Client()
    session.force_login(world.member)
    statuses = [session.get("/api/v1" + TEAMS).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


@override_settings(API_RATE="3/m")
def test_anonymous_callers_are_counted_per_address(db: None) -> None:
    here = Client(REMOTE_ADDR="192.0.2.1")
    statuses = [here.get("/api/v1" + TEAMS).status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    refused = here.get("/api/v1" + TEAMS)
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert Client(REMOTE_ADDR="192.0.2.2").get("/api/v1" + TEAMS).status_code == 401


@override_settings(API_RATE="3/m")
def test_guessing_tokens_is_counted_per_address(db: None) -> None:
    here = Client(REMOTE_ADDR="192.0.2.3")
    statuses = [
        here.get("/api/v1" + TEAMS, headers={"Authorization": f"Bearer okr_guess{n}"}).status_code
        for n in range(4)
    ]
    assert statuses == [401, 401, 401, 429]


def test_the_default_rate_is_generous(world: World) -> None:
    client = client_for(world.member, world.org)
    assert {client.get(TEAMS).status_code for _ in range(50)} == {200}


def test_the_rate_is_documented_in_the_api_description() -> None:
    assert "429" in ApiClient().client.get("/api/v1/openapi.json").json()["info"]["description"]
