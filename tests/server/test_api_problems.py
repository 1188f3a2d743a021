"""Every API error is an RFC 9457 problem document (`application/problem+json`), the answers
of unknown addresses, wrong methods and server failures included."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from constellation.server.tokens.actions import do_create_token
from tests.server.api_helpers import client_for, openapi
from tests.server.factories import World

pytestmark = pytest.mark.django_db

MEMBERS = ("type", "title", "status", "detail")


@pytest.fixture
def token(world: World) -> str:
    return do_create_token(world.member, world.org, "ci", scope="write")[1]


def call(method: str, path: str, token: str | None, **kwargs: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    client = Client(raise_request_exception=False)
    response = getattr(client, method)(path, headers=headers, **kwargs)
    assert response["Content-Type"] == "application/problem+json", response.content
    body = json.loads(response.content)
    assert all(name in body for name in MEMBERS), body
    assert body["type"] == "about:blank" and body["status"] == response.status_code
    assert isinstance(body["detail"], str) and body["detail"]
    return response, body


def test_an_unknown_address_is_a_404_problem(world: World, token: str) -> None:
    response, body = call("get", "/api/v1/orgs/acme/nothing-here", token)
    assert response.status_code == 404 and body["title"] == "Not Found"
    assert "/api/v1/orgs/acme/nothing-here" in body["detail"]


def test_a_method_the_address_does_not_take_is_a_405_problem(world: World, token: str) -> None:
    response, body = call("delete", "/api/v1/orgs/acme/objectives", token)
    assert response.status_code == 405 and body["title"] == "Method Not Allowed"
    assert "GET" in response["Allow"] and "DELETE is not allowed" in body["detail"]


def test_a_missing_token_is_a_401_problem_that_says_how(world: World) -> None:
    response, body = call("get", "/api/v1/orgs/acme/objectives", None)
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Bearer"
    assert "Authorization: Bearer" in body["detail"]


def test_bad_fields_are_listed_under_errors_with_a_sentence(world: World, token: str) -> None:
    url = "/api/v1/orgs/acme/key-results/activation/week1-activation/check-ins"
    body = json.dumps({"value": "many", "confidence": 42})
    response, problem = call("post", url, token, data=body, content_type="application/json")
    assert response.status_code == 422
    assert {e["path"] for e in problem["errors"]} == {"$.value", "$.confidence"}
    assert problem["detail"].startswith("The request cannot be used as sent: 2 bad fields")


def test_a_stale_version_is_a_409_problem_with_the_current_version(world: World) -> None:
    client = client_for(world.member, world.org)
    url = "/orgs/acme/objectives/activation"
    current = client.get(url).data["version"]
    edited = client.patch(url, {"title": "Teams reach value fast", "version": current})
    assert edited.status_code == 200
    stale = client.patch(url, {"title": "Another title", "version": current})
    assert stale.status_code == 409
    assert stale.data["current_version"] == current + 1 and stale.data["title"] == "Conflict"


def test_a_server_failure_is_a_500_problem(
    world: World, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from constellation.server.api.routers import orgs

    def broken(*args: Any) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(orgs, "memberships_of_person", broken)
    response, body = call("get", "/api/v1/orgs", token)
    assert response.status_code == 500 and body["title"] == "Internal Server Error"
    assert "database" not in body["detail"]  # nothing of the failure leaks


def test_the_openapi_document_gives_errors_as_problem_documents() -> None:
    for operations in openapi()["paths"].values():
        for operation in operations.values():
            for status, answer in operation["responses"].items():
                if int(status) >= 400 and "content" in answer:
                    assert list(answer["content"]) == ["application/problem+json"]
