"""`Idempotency-Key` on every API POST: the same key and request give the first answer and
never a second write; the same key with another request is a 422; a key is the caller's own."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from constellation.server.okrs.models import Objective
from constellation.server.tokens.actions import do_create_token
from constellation.server.tokens.idempotency import KEPT_FOR
from constellation.server.tokens.models import IdempotentRequest
from constellation.server.tracking.models import CheckIn
from tests.server.factories import PASSWORD, World
from tests.server.sharing_factories import join

pytestmark = pytest.mark.django_db

URL = "/api/v1/orgs/acme/key-results/activation/week1-activation/check-ins"
BODY = {"value": 46, "confidence": 8, "note": "Guided setup is live", "date": "2026-11-14"}


def post(token: str, body: Any, key: str | None = None, url: str = URL) -> Any:
    headers = {"Authorization": f"Bearer {token}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return Client().post(
        url, data=json.dumps(body), content_type="application/json", headers=headers
    )


@pytest.fixture
def token(world: World) -> str:
    return do_create_token(world.member, world.org, "ci", scope="write")[1]


def test_the_same_check_in_sent_twice_with_one_key_is_stored_once(world: World, token: str) -> None:
    first = post(token, BODY, "check-in-1")
    again = post(token, BODY, "check-in-1")
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"] == "application/json; charset=utf-8"
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert CheckIn.objects.count() == 1


def test_the_same_key_with_another_body_is_a_422_and_writes_nothing(
    world: World, token: str
) -> None:
    assert post(token, BODY, "check-in-1").status_code == 201
    other = post(token, {**BODY, "value": 50}, "check-in-1")
    assert other.status_code == 422
    [error] = other.json()["errors"]
    assert error["loc"] == ["header", "Idempotency-Key"]
    assert "another request" in error["msg"]
    assert list(CheckIn.objects.values_list("value", flat=True)) == [46]


def test_other_keys_and_no_key_are_other_requests(world: World, token: str) -> None:
    for key in ("a", "b", None, None):
        assert post(token, BODY, key).status_code == 201
    assert CheckIn.objects.count() == 4


def test_a_key_belongs_to_its_caller(world: World, token: str) -> None:
    join(world, world.leader, world.team)
    other = do_create_token(world.leader, world.org, "ci", scope="write")[1]
    assert post(token, BODY, "shared-key").status_code == 201
    assert post(other, BODY, "shared-key").status_code == 201
    assert CheckIn.objects.count() == 2


def test_every_post_honours_the_key(world: World, token: str) -> None:
    join(world, world.member, world.team)
    body = {"title": "Teams see their week at a glance", "team": "growth", "id": "glance"}
    url = "/api/v1/orgs/acme/objectives"
    first = post(token, body, "new-objective", url)
    assert first.status_code == 201, first.content
    assert post(token, body, "new-objective", url).content == first.content
    assert Objective.objects.filter(slug="glance").count() == 1


def test_a_refused_request_is_replayed_as_refused(world: World, token: str) -> None:
    bad = {**BODY, "confidence": 42}
    first = post(token, bad, "bad-1")
    assert first.status_code == 422
    assert post(token, bad, "bad-1").content == first.content
    assert not CheckIn.objects.exists()


def test_a_request_still_being_processed_is_a_409(world: World, token: str) -> None:
    first = post(token, BODY, "slow")
    assert first.status_code == 201
    IdempotentRequest.objects.filter(key="slow").update(status=None)  # as while processing
    answer = post(token, BODY, "slow")
    assert answer.status_code == 409 and answer["Retry-After"] == "1"
    assert CheckIn.objects.count() == 1


def test_after_a_day_the_key_may_be_used_again(world: World, token: str) -> None:
    assert post(token, BODY, "daily").status_code == 201
    IdempotentRequest.objects.update(created_at=timezone.now() - KEPT_FOR - timedelta(minutes=1))
    answer = post(token, BODY, "daily")
    assert answer.status_code == 201 and "Idempotent-Replayed" not in answer
    assert CheckIn.objects.count() == 2
    assert IdempotentRequest.objects.count() == 1  # the old answer is gone


def test_an_unauthenticated_request_keeps_nothing(world: World) -> None:
    assert post("okr_wrong", BODY, "k").status_code == 401
    assert not IdempotentRequest.objects.exists()


@pytest.mark.parametrize("key", ["", " ", "x" * 256])
def test_a_key_must_be_1_to_255_characters(world: World, token: str, key: str) -> None:
    answer = post(token, BODY, key)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"] == ["header", "Idempotency-Key"]
    assert not CheckIn.objects.exists()


def test_a_signed_in_session_has_its_own_keys(world: World) -> None:
    browser = Client()
    browser.login(username="member", password=PASSWORD)
    headers = {"Idempotency-Key": "session-key"}
    for _ in range(2):
        answer = browser.post(
            URL, data=json.dumps(BODY), content_type="application/json", headers=headers
        )
        assert answer.status_code == 201, answer.content
    assert CheckIn.objects.count() == 1


def test_a_body_over_the_limit_is_a_413_not_a_crash(
    world: World, token: str, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    answer = post(token, {**BODY, "note": "x" * 2000}, "big")
    assert answer.status_code == 413 and "over 1 KiB" in answer.json()["detail"]
    assert not CheckIn.objects.exists() and not IdempotentRequest.objects.exists()
