"""Personal access tokens: created once in plaintext, stored hashed, revoked, audited."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from django.test import Client

from constellation.server.audit.models import AuditEvent
from constellation.server.tokens.actions import TokenError, do_create_token, do_revoke_token
from constellation.server.tokens.models import ApiToken, hash_token
from tests.server.api_helpers import ApiClient, client_for
from tests.server.factories import World, make_world


@pytest.mark.django_db
def test_creating_a_token_stores_only_its_hash_and_audits_it(world: World) -> None:
    token, plaintext = do_create_token(world.member, world.org, "ci pipeline")
    assert plaintext.startswith("okr_") and len(plaintext) > 40
    assert token.token_hash == hash_token(plaintext)
    assert token.hint == plaintext[-4:]
    stored = list(ApiToken.objects.values_list("name", "token_hash", "hint"))
    assert all(plaintext not in value for row in stored for value in row)
    event = AuditEvent.objects.get(action="create_token")
    assert plaintext not in json.dumps(event.after)
    assert event.after["name"] == "ci pipeline"


@pytest.mark.django_db
def test_revoking_is_audited_once(world: World) -> None:
    token, _ = do_create_token(world.member, world.org)
    assert do_revoke_token(token, world.member) is True
    assert do_revoke_token(token, world.member) is False
    assert AuditEvent.objects.filter(action="revoke_token").count() == 1


@pytest.mark.django_db
def test_a_too_long_name_is_refused(world: World) -> None:
    with pytest.raises(TokenError):
        do_create_token(world.member, world.org, "x" * 101)
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_the_api_creates_lists_and_revokes_the_callers_own_tokens(world: World) -> None:
    client = client_for(world.viewer, world.org)
    # Tokens are created from a signed-in session: a token never creates a token.
    session = Client()
    session.force_login(world.viewer)
    created = ApiClient(client=session).post("/orgs/acme/tokens", {"name": "laptop"})
    assert created.status_code == 201
    assert created.data["scope"] == "read" and created.data["expires_at"] is None
    assert created["Cache-Control"] == "no-store"
    assert f"Authorization: Bearer {created.data['token']}" in created.data["usage"]
    fresh = ApiClient(created.data["token"])
    assert fresh.get("/orgs/acme/teams").status_code == 200
    listed = client.get("/orgs/acme/tokens").data
    assert {t["name"] for t in listed} == {"viewer test", "laptop"}
    assert all("token" not in t for t in listed)
    assert client.delete(f"/orgs/acme/tokens/{created.data['id']}").status_code == 204
    assert fresh.get("/orgs/acme/teams").status_code == 401


@pytest.mark.django_db
def test_nobody_sees_or_revokes_anyone_elses_token(world: World) -> None:
    token, plaintext = do_create_token(world.member, world.org, "mine")
    leader = client_for(world.leader, world.org)
    assert "mine" not in {t["name"] for t in leader.get("/orgs/acme/tokens").data}
    assert leader.delete(f"/orgs/acme/tokens/{token.pk}").status_code == 404
    outsider = client_for(world.outsider, world.other_org)
    assert outsider.delete(f"/orgs/acme/tokens/{token.pk}").status_code == 404
    assert outsider.post("/orgs/acme/tokens", {"name": "sneaky"}).status_code == 404
    assert ApiClient().post("/orgs/acme/tokens", {"name": "anon"}).status_code == 401
    assert ApiClient().get("/orgs/acme/tokens").status_code == 401
    assert ApiClient().delete(f"/orgs/acme/tokens/{token.pk}").status_code == 401
    assert ApiClient(plaintext).get("/orgs/acme/teams").status_code == 200
    assert not ApiToken.objects.filter(name__in=["sneaky", "anon"]).exists()


@pytest.mark.django_db
def test_a_bad_token_body_is_a_422(world: World) -> None:
    session = Client()
    session.force_login(world.member)
    response = ApiClient(client=session).post("/orgs/acme/tokens", {"name": "x" * 101})
    assert response.status_code == 422
    assert response.data["errors"][0]["path"] == "$.name"


def _http(url: str, token: str | None, body: dict | None = None) -> tuple[int, dict]:
    """A real HTTP request; the status and the JSON answer, errors included."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.django_db(transaction=True)
def test_a_token_works_over_real_http(live_server: object) -> None:
    world = make_world()
    _, plaintext = do_create_token(world.member, world.org, "http")
    base = f"{live_server.url}/api/v1/orgs/acme"  # type: ignore[attr-defined]
    status, body = _http(f"{base}/objectives?at=2026-11-15", plaintext)
    assert status == 200
    assert {o["id"] for o in body["objectives"]} == {"activation", "retention"}
    url = f"{base}/key-results/activation/week1-activation/check-ins"
    status, body = _http(url, plaintext, {"value": 47, "confidence": 8})
    assert status == 201
    assert body["key_result"]["current"] == 47
    assert _http(f"{base}/objectives", None)[0] == 401
    assert _http(f"{base}/objectives", plaintext + "x")[0] == 401
