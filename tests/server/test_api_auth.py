"""Who may call the API: Bearer tokens for one organisation, the web session, nobody else."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from constellation.server.okrs.models import Objective
from constellation.server.tokens.actions import do_create_token, do_revoke_token
from constellation.server.tokens.models import ApiToken
from tests.server.api_helpers import PROBLEM_404, ApiClient, client_for
from tests.server.factories import PASSWORD, World

pytestmark = pytest.mark.django_db


def test_it_answers_401_with_a_json_message_without_a_token(world: World) -> None:
    response = ApiClient().get("/orgs/acme/objectives")
    assert response.status_code == 401
    assert "Authorization: Bearer" in response.data["detail"]
    assert response["WWW-Authenticate"] == "Bearer"


def test_it_answers_401_for_an_unknown_token(world: World) -> None:
    response = ApiClient("okr_not-a-real-token").get("/orgs/acme/objectives")
    assert response.status_code == 401
    assert "Invalid or revoked token" in response.data["detail"]


def test_a_revoked_token_stops_working_at_once(world: World) -> None:
    token, plaintext = do_create_token(world.member, world.org, "ci")
    assert ApiClient(plaintext).get("/orgs/acme/teams").status_code == 200
    do_revoke_token(token, world.member)
    assert ApiClient(plaintext).get("/orgs/acme/teams").status_code == 401


def test_a_token_of_an_inactive_person_is_refused(world: World) -> None:
    client = client_for(world.member, world.org)
    world.member.is_active = False
    world.member.save()
    assert client.get("/orgs/acme/teams").status_code == 401


def test_a_token_works_only_for_its_own_organisation(world: World) -> None:
    # The outsider administers globex; their token must not open acme, even by slug.
    outsider = client_for(world.outsider, world.other_org)
    assert outsider.get("/orgs/globex/objectives").status_code == 200
    response = outsider.get("/orgs/acme/objectives")
    assert response.status_code == 404
    assert response.data == PROBLEM_404


def test_a_token_does_not_open_another_org_its_owner_also_belongs_to(world: World) -> None:
    from constellation.server.orgs.models import Membership

    Membership.objects.create(organization=world.other_org, user=world.member, role="member")
    acme_token = client_for(world.member, world.org)
    assert acme_token.get("/orgs/globex/objectives").status_code == 404
    orgs = acme_token.get("/orgs").data
    assert [o["slug"] for o in orgs] == ["acme"]


def test_it_notes_when_a_token_was_last_used_at_most_once_a_minute(world: World) -> None:
    token, plaintext = do_create_token(world.member, world.org, "ci")
    client = ApiClient(plaintext)
    client.get("/orgs/acme/teams")
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    client.get("/orgs/acme/teams")
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    client.get("/orgs/acme/teams")
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first - timedelta(seconds=1)


def test_a_logged_in_session_reads_the_api(world: World) -> None:
    browser = Client()
    browser.login(username="member", password=PASSWORD)
    response = ApiClient(client=browser).get("/orgs/acme/objectives")
    assert response.status_code == 200
    assert [o["slug"] for o in ApiClient(client=browser).get("/orgs").data] == ["acme"]


def test_a_session_write_needs_the_csrf_token(world: World) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.login(username="member", password=PASSWORD)
    body = json.dumps({"version": 1, "title": "Teams reach value on day one"})
    url = "/api/v1/orgs/acme/objectives/activation"
    refused = browser.patch(url, body, content_type="application/json")
    assert refused.status_code == 403
    assert Objective.objects.get(pk=world.objective.pk).version == 1
    csrf = "k" * 32  # a CSRF secret as the web pages would have set it in the cookie
    browser.cookies["csrftoken"] = csrf
    accepted = browser.patch(url, body, content_type="application/json", HTTP_X_CSRFTOKEN=csrf)
    assert accepted.status_code == 200
    assert Objective.objects.get(pk=world.objective.pk).title == "Teams reach value on day one"


def test_a_bad_token_is_refused_even_beside_a_session(world: World) -> None:
    browser = Client()
    browser.login(username="member", password=PASSWORD)
    response = ApiClient("okr_wrong", client=browser).get("/orgs/acme/objectives")
    assert response.status_code == 401


def test_the_openapi_document_and_offline_docs_are_served(world: World) -> None:
    client = Client()
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/orgs/{org}/objectives" in schema["paths"]
    assert schema["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"
    page = client.get("/api/v1/docs").content.decode()
    assert "cdn" not in page.lower()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert client.get("/static/ninja/swagger-ui-bundle.js").status_code == 200


def test_the_token_lookup_uses_the_hash_not_the_plaintext(world: World) -> None:
    token, plaintext = do_create_token(world.member, world.org, "ci")
    assert token.token_hash != plaintext
    assert not ApiToken.objects.filter(token_hash=plaintext).exists()
    assert token.created_at <= timezone.now()


def test_a_session_of_someone_outside_the_organisation_gets_404(world: World) -> None:
    browser = Client()
    browser.login(username="outsider", password=PASSWORD)
    client = ApiClient(client=browser)
    assert client.get("/orgs/acme/objectives").status_code == 404
    assert client.get("/orgs/globex/objectives").status_code == 200
    assert [o["slug"] for o in client.get("/orgs").data] == ["globex"]


def test_every_operation_has_a_short_unique_camel_case_id(world: World) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    ids = [op["operationId"] for ops in schema["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z]+(?:[A-Z][a-z0-9]*)*", name) for name in ids), ids
    paths = schema["paths"]
    assert paths["/api/v1/orgs/{org}/objectives"]["get"]["operationId"] == "listObjectives"
    check_ins = paths["/api/v1/orgs/{org}/key-results/{objective}/{key_result}/check-ins"]
    assert check_ins["post"]["operationId"] == "createCheckIn"
    assert not any("constellation" in name for name in ids)


def test_the_openapi_document_is_a_valid_openapi_description(world: World) -> None:
    from openapi_spec_validator import validate

    validate(Client().get("/api/v1/openapi.json").json())
