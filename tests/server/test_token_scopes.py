"""Token scopes and lifetimes: read tokens only read, expired and revoked ones open nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone

from constellation.server.api.auth import EXPIRED_TOKEN, READ_ONLY_TOKEN
from constellation.server.api.routers.tokens import NOT_FROM_A_TOKEN
from constellation.server.tokens.actions import TokenError, do_create_token, do_revoke_token
from constellation.server.tokens.models import ApiToken
from tests.server.api_helpers import ApiClient
from tests.server.factories import World, make_world
from tests.server.test_isolation import (
    WRITES,
    Caller,
    acme_state,
    addresses,
    parameter_values,
)

TEAMS = "/orgs/acme/teams"
CHECK_IN = "/orgs/acme/key-results/activation/week1-activation/check-ins"


def test_a_read_token_gets_403_on_every_write_and_changes_nothing(world: World) -> None:
    found = addresses(parameter_values(world))
    # The admin may change everything: any refusal here comes from the token's scope.
    _, plaintext = do_create_token(world.admin, world.org, "reader", scope="read")
    before = acme_state(world)
    caller = Caller(world.admin, token=plaintext)
    problems: list[str] = []
    refused = 0
    for address in found:
        if not (address.is_api and address.in_acme):
            continue
        for method in address.methods:
            if method not in WRITES:
                continue
            response = caller.send(address, method)
            documented = method in address.bodies  # an operation of the OpenAPI document
            if documented and response.status_code != 403:
                problems.append(f"{method} {address.path} → {response.status_code}, not 403")
            elif response.status_code == 403:
                refused += 1
                if response.json()["detail"] != READ_ONLY_TOKEN:
                    problems.append(f"{method} {address.path} says {response.json()}")
            elif response.status_code != 405:
                problems.append(f"{method} {address.path} → {response.status_code}")
    assert problems == []
    assert refused >= 20
    assert acme_state(world) == before


def test_a_read_token_reads(world: World) -> None:
    _, plaintext = do_create_token(world.member, world.org, "reader", scope="read")
    client = ApiClient(plaintext)
    assert client.get(TEAMS).status_code == 200
    assert client.get("/orgs/acme/objectives", at="2026-11-15").status_code == 200


def test_a_write_token_writes_with_its_owners_role(world: World) -> None:
    _, plaintext = do_create_token(world.member, world.org, "writer", scope="write")
    response = ApiClient(plaintext).post(CHECK_IN, {"value": 47, "confidence": 8})
    assert response.status_code == 201
    _, viewers = do_create_token(world.viewer, world.org, "viewer", scope="write")
    assert ApiClient(viewers).post(CHECK_IN, {"value": 48}).status_code == 403


def test_an_expired_token_gets_401(world: World) -> None:
    token, plaintext = do_create_token(world.member, world.org, "short", expires_in_days=1)
    assert token.expires_at is not None
    assert ApiClient(plaintext).get(TEAMS).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = ApiClient(plaintext).get(TEAMS)
    assert response.status_code == 401
    assert response.data["detail"] == EXPIRED_TOKEN
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_revoked_token_gets_401_at_once(world: World) -> None:
    token, plaintext = do_create_token(world.member, world.org, "soon gone", scope="write")
    client = ApiClient(plaintext)
    assert client.get(TEAMS).status_code == 200
    do_revoke_token(token, world.member)
    assert client.get(TEAMS).status_code == 401
    assert client.post(CHECK_IN, {"value": 47}).status_code == 401


def test_a_token_cannot_create_a_token(world: World) -> None:
    _, plaintext = do_create_token(world.admin, world.org, "writer", scope="write")
    count = ApiToken.objects.count()
    response = ApiClient(plaintext).post("/orgs/acme/tokens", {"name": "child", "scope": "write"})
    assert response.status_code == 403
    assert response.data["detail"] == NOT_FROM_A_TOKEN
    assert ApiToken.objects.count() == count


def test_a_session_creates_tokens_with_a_scope_and_an_expiry(world: World) -> None:
    session = Client()
    session.force_login(world.member)
    client = ApiClient(client=session)
    body = {"name": "ci", "scope": "write", "expires_in_days": 30}
    created = client.post("/orgs/acme/tokens", body)
    assert created.status_code == 201
    assert created.data["scope"] == "write"
    token = ApiToken.objects.get(pk=created.data["id"])
    assert token.expires_at is not None
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    assert client.post("/orgs/acme/tokens", {"scope": "admin"}).status_code == 422
    assert client.post("/orgs/acme/tokens", {"expires_in_days": 0}).status_code == 422


def test_the_action_refuses_an_unknown_scope_or_expiry(world: World) -> None:
    with pytest.raises(TokenError) as scope:
        do_create_token(world.member, world.org, scope="admin")
    assert scope.value.field == "scope"
    with pytest.raises(TokenError) as expiry:
        do_create_token(world.member, world.org, expires_in_days=0)
    assert expiry.value.field == "expires_in_days"


def test_using_a_token_notes_when_it_was_last_used(world: World) -> None:
    token, plaintext = do_create_token(world.member, world.org, "used")
    assert token.last_used_at is None
    ApiClient(plaintext).get(TEAMS)
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert timezone.now() - token.last_used_at < timedelta(minutes=1)


@pytest.mark.django_db(transaction=True)
def test_tokens_made_before_scopes_keep_writing() -> None:
    world = make_world()
    before = [("api", "0001_initial")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old_token = executor.loader.project_state(before).apps.get_model("api", "ApiToken")
    old_token.objects.create(
        user_id=world.member.pk, organization_id=world.org.pk, token_hash="0" * 64, hint="old"
    )
    executor = MigrationExecutor(connection)
    # Forward to the latest migrations, so the tests after this one find the usual schema.
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert ApiToken.objects.get(hint="old").scope == "write"
    # New rows default to read: the least a token needs.
    assert ApiToken._meta.get_field("scope").default == "read"


def test_the_web_page_creates_a_read_token_unless_write_is_asked(world: World) -> None:
    client = Client()
    client.force_login(world.member)
    client.post("/o/acme/tokens/", {"name": "plain"})
    client.post("/o/acme/tokens/", {"name": "writer", "scope": "write", "expires_in_days": "7"})
    scopes = dict(ApiToken.objects.values_list("name", "scope"))
    assert scopes == {"plain": "read", "writer": "write"}
    html = client.get("/o/acme/tokens/").content.decode()
    assert '<td data-label="Scope">write</td>' in html
    assert '<td data-label="Scope">read</td>' in html
    ApiToken.objects.filter(name="writer").update(expires_at=timezone.now() - timedelta(days=1))
    html = client.get("/o/acme/tokens/").content.decode()
    assert '<td data-label="State">expired</td>' in html
