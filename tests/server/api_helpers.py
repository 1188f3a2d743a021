"""An API client for tests: Bearer tokens, JSON bodies, every answer checked against OpenAPI."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from django.test import Client
from jsonschema import Draft202012Validator, FormatChecker

from constellation.server.api.urls import api
from constellation.server.audit.actions import record
from constellation.server.okrs.models import Alignment, KeyResult, Objective
from constellation.server.orgs.models import Organization
from constellation.server.tokens.actions import do_create_token
from constellation.server.tracking.models import CheckIn
from tests.server.factories import World

PREFIX = "/api/v1"
AT = "2026-11-15"


@cache
def openapi() -> dict[str, Any]:
    """The API's OpenAPI document, as served at /api/v1/openapi.json."""
    return json.loads(json.dumps(api.get_openapi_schema(path_prefix=PREFIX)))


def _template(method: str, path: str) -> str:
    """The OpenAPI path template a concrete path matches (literal segments win)."""
    matches = []
    for template, operations in openapi()["paths"].items():
        pattern = re.sub(r"\{[^}]+\}", "[^/]+", template)
        if re.fullmatch(pattern, path) and method in operations:
            matches.append(template)
    assert matches, f"{method.upper()} {path} is not in the OpenAPI document"
    return max(matches, key=lambda t: len(re.sub(r"\{[^}]+\}", "", t)))


def check_against_schema(method: str, path: str, status: int, body: Any) -> None:
    """Fail unless the answer is documented for this operation and status, and fits it."""
    template = _template(method, PREFIX + path.split("?")[0])
    responses = openapi()["paths"][template][method]["responses"]
    assert str(status) in responses, f"{status} is not documented for {method} {template}"
    content = responses[str(status)].get("content")
    if content is None:
        assert body is None, f"{method} {template} {status} documents no body"
        return
    media = "application/problem+json" if status >= 400 else "application/json"
    assert media in content, f"{method} {template} {status} is not documented as {media}"
    schema = dict(content[media]["schema"])
    # Put the components beside the schema so its `#/components/...` references resolve.
    schema["components"] = openapi()["components"]
    Draft202012Validator(schema, format_checker=FormatChecker()).validate(body)


class ApiClient:
    """Calls /api/v1 with a Bearer token (or a session) and checks each answer's schema."""

    def __init__(self, token: str | None = None, client: Client | None = None) -> None:
        self.token = token
        self.client = client or Client()

    def call(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        """Send the request; return the response with `.data` (the parsed JSON or None)."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        url = PREFIX + path
        if method == "get":
            response = self.client.get(url, params, headers=headers)
        else:
            data = json.dumps(body) if body is not None else ""
            response = getattr(self.client, method)(
                url, data=data, content_type="application/json", headers=headers
            )
        response.data = json.loads(response.content) if response.content else None
        if response.status_code >= 400:
            assert response["Content-Type"] == "application/problem+json", response["Content-Type"]
            assert response.data["status"] == response.status_code
        check_against_schema(method, path, response.status_code, response.data)
        return response

    def get(self, path: str, **params: Any) -> Any:
        """GET with query parameters."""
        return self.call("get", path, **params)

    def post(self, path: str, body: Any = None) -> Any:
        """POST a JSON body."""
        return self.call("post", path, body)

    def patch(self, path: str, body: Any = None) -> Any:
        """PATCH a JSON body."""
        return self.call("patch", path, body)

    def put(self, path: str, body: Any = None) -> Any:
        """PUT a JSON body."""
        return self.call("put", path, body)

    def delete(self, path: str) -> Any:
        """DELETE."""
        return self.call("delete", path)


def client_for(user: Any, org: Organization) -> ApiClient:
    """An API client with a fresh token of `user` in `org`."""
    _, plaintext = do_create_token(user, org, f"{user.username} test")
    return ApiClient(plaintext)


def add_objectives(world: World, count: int, start: int = 0) -> list[Objective]:
    """`count` more objectives in the world's period, each with 2 KRs, links and a check-in."""
    made = Objective.objects.bulk_create(
        Objective(
            organization=world.org,
            team=world.team,
            period=world.period,
            slug=f"bulk-{n}",
            title=f"Customers in segment {n} get value sooner",
            focus="customer",
            owner=world.member,
            position=10 + n,
        )
        for n in range(start, start + count)
    )
    krs = KeyResult.objects.bulk_create(
        KeyResult(
            objective=objective,
            slug=f"kr-{k}",
            title=f"Raise activation in segment {n} from {10 + k}% to {40 + k}%",
            baseline=10 + k,
            target=40 + k,
            current=20 + k,
            unit="%",
            position=k,
        )
        for n, objective in enumerate(made)
        for k in range(2)
    )
    Objective.levers.through.objects.bulk_create(
        Objective.levers.through(objective_id=o.pk, lever_id=world.lever.pk) for o in made
    )
    Objective.guardrails.through.objects.bulk_create(
        Objective.guardrails.through(objective_id=o.pk, kpi_id=world.kpi.pk) for o in made
    )
    Alignment.objects.bulk_create(Alignment(source=o, target=world.objective) for o in made)
    CheckIn.objects.bulk_create(
        CheckIn(key_result=kr, value=kr.current, confidence=7, checked_on="2026-11-01")
        for kr in krs
    )
    # Written in bulk like an import, and audited like one: cached views see the change.
    record(world.org.pk, None, "import", reason=f"{count} objectives added in bulk")
    return made


# The answer to an address that names nothing the caller may see.
PROBLEM_404 = {"type": "about:blank", "title": "Not Found", "status": 404, "detail": "Not found"}
