"""POST /orgs/{org}/imports: an OKR file, a dry run first (what would change, what the coach
says with line numbers), then applied in one transaction, audited; admins only."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from constellation.server.audit.models import AuditEvent
from constellation.server.okrs.models import KeyResult, Objective
from constellation.server.plans.stored import rescore_organization
from constellation.server.tokens.actions import do_create_token
from tests.server.api_helpers import check_against_schema
from tests.server.factories import World

pytestmark = pytest.mark.django_db

PATH = "/orgs/acme/imports"
FILE = """version: 1
organization: Acme Analytics
period: 2026-Q4
teams:
  - id: company
    name: Acme
  - id: growth
    name: Growth
    parent: company
objectives:
  - id: activation
    team: growth
    title: New teams get to value in their first week
    key_results:
      - id: week1-activation
        title: Raise week-1 activation from 34% to 50%
        baseline: 34
        target: 50
        current: 45
        unit: "%"
  - id: referrals
    team: growth
    title: Happy customers bring their peers
    key_results:
      - title: Launch the referral programme
        baseline: 0
        target: 1
"""


def _send(
    token: str,
    body: Any = FILE,
    *,
    query: str = "",
    content_type: str = "application/yaml",
    **headers: str,
) -> Any:
    """POST the file with the token; the answer checked against the OpenAPI document."""
    path = PATH + query
    client = Client()
    answer = client.post(
        "/api/v1" + path,
        data=body,
        content_type=content_type,
        headers={"Authorization": f"Bearer {token}", **headers},
    )
    answer.data = json.loads(answer.content) if answer.content else None
    if answer.status_code >= 400:
        assert answer["Content-Type"] == "application/problem+json"
    check_against_schema("post", path, answer.status_code, answer.data)
    return answer


def _token(user: Any, org: Any, scope: str = "write") -> str:
    return do_create_token(user, org, "ci", scope=scope)[1]


def _imports() -> int:
    return AuditEvent.objects.filter(action="import").count()


def test_a_dry_run_is_the_default_and_writes_nothing(world: World) -> None:
    before = _imports()
    answer = _send(_token(world.admin, world.org))
    assert answer.status_code == 200
    assert answer.data["dry_run"] is True and answer.data["changed"] is True
    counts = answer.data["counts"]
    assert counts["objective"] == {"created": 1, "updated": 1, "unchanged": 0, "kept": 1}
    assert counts["key result"]["created"] == 1
    change = next(c for c in answer.data["changes"] if c["key"] == "activation/week1-activation")
    assert change["fields"]["current"] == [41, 45]
    findings = {(f["rule"], f["object"]): f["line"] for f in answer.data["findings"]}
    assert findings[("only-outputs", "referrals")] == 21  # `- id: referrals`
    assert not Objective.objects.filter(slug="referrals").exists()
    assert KeyResult.objects.get(pk=world.key_result.pk).current == 41
    assert _imports() == before


def test_applied_it_lands_in_one_transaction_audited_and_scored(world: World) -> None:
    answer = _send(_token(world.admin, world.org), query="?dry_run=false&name=okrs/acme.yaml")
    assert answer.status_code == 200 and answer.data["dry_run"] is False
    assert Objective.objects.filter(organization=world.org, slug="referrals").exists()
    assert KeyResult.objects.get(pk=world.key_result.pk).current == 45
    event = AuditEvent.objects.filter(action="import", object_type="objective").first()
    assert event is not None and event.actor == world.admin
    assert event.reason == "imported from okrs/acme.yaml"
    assert rescore_organization(world.org).total == 0
    again = _send(_token(world.admin, world.org), query="?dry_run=false")
    assert again.data["changed"] is False


def test_a_form_upload_works_too(world: World) -> None:
    upload = SimpleUploadedFile("okrs.yaml", FILE.encode(), content_type="application/yaml")
    client = Client()
    answer = client.post(
        "/api/v1" + PATH,
        {"file": upload},
        headers={"Authorization": f"Bearer {_token(world.admin, world.org)}"},
    )
    assert answer.status_code == 200 and answer.json()["dry_run"] is True


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ("version: 1\norganization: [\n", 3, 1, "YAML syntax error"),
        (FILE.replace("baseline: 0", "baseline: lots"), 26, 19, "baseline"),
    ],
    ids=["not YAML", "not an OKR file"],
)
def test_a_bad_file_is_a_422_naming_line_and_column(
    world: World, text: str, line: int, column: int | None, words: str
) -> None:
    answer = _send(_token(world.admin, world.org), text, query="?dry_run=false")
    assert answer.status_code == 422
    first = answer.data["errors"][0]
    assert (first["line"], first["column"]) == (line, column)
    assert first["loc"] == ["body", "line", line, "column", column]
    assert words in first["msg"]
    assert first["type"] == "okr_file"
    assert not Objective.objects.filter(slug="referrals").exists()


def test_a_file_the_organisation_refuses_is_a_422_naming_the_line(world: World) -> None:
    # The owner is nobody of this organisation: only the server can tell (the file is fine).
    text = FILE.replace("    title: Happy", "    owner: nobody\n    title: Happy")
    answer = _send(_token(world.admin, world.org), text, query="?dry_run=false")
    assert answer.status_code == 422
    first = answer.data["errors"][0]
    assert (first["type"], first["line"]) == ("import", 21)
    assert "nobody" in first["msg"]
    assert not Objective.objects.filter(slug="referrals").exists()


def test_an_empty_body_is_a_422(world: World) -> None:
    answer = _send(_token(world.admin, world.org), "")
    assert answer.status_code == 422 and answer.data["errors"][0]["loc"] == ["body", "body"]


@pytest.mark.parametrize(
    ("who", "scope", "status"),
    [
        ("leader", "write", 403),
        ("member", "write", 403),
        ("viewer", "write", 403),
        ("admin", "read", 403),
        ("outsider", "write", 404),
    ],
)
def test_only_an_admin_with_a_write_token_imports(
    world: World, who: str, scope: str, status: int
) -> None:
    org = world.other_org if who == "outsider" else world.org
    answer = _send(_token(getattr(world, who), org, scope), query="?dry_run=false")
    assert answer.status_code == status
    assert not Objective.objects.filter(slug="referrals").exists()


def test_the_same_idempotency_key_twice_applies_once(world: World) -> None:
    token = _token(world.admin, world.org)
    first = _send(token, query="?dry_run=false", **{"Idempotency-Key": "ci-run-42"})
    events = _imports()
    second = _send(token, query="?dry_run=false", **{"Idempotency-Key": "ci-run-42"})
    assert first.status_code == second.status_code == 200
    assert second["Idempotent-Replayed"] == "true"
    assert second.data == first.data and first.data["changed"] is True
    assert _imports() == events
    assert Objective.objects.filter(organization=world.org, slug="referrals").count() == 1
