"""The quarterly review's first API addresses answer 308 to the ones that say `quarterly-review`."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from constellation.server.quarterly.models import ObjectiveReview, TeamReflection
from constellation.server.tokens.actions import do_create_token
from tests.server.api_helpers import PREFIX, openapi
from tests.server.factories import World
from tests.server.sharing_factories import join

pytestmark = pytest.mark.django_db

OLD_REVIEW = f"{PREFIX}/orgs/acme/objectives/activation/review"
NEW_REVIEW = f"{PREFIX}/orgs/acme/objectives/activation/quarterly-review"
OLD_REFLECTION = f"{PREFIX}/orgs/acme/teams/growth/reviews/2026-Q4/reflection"
NEW_REFLECTION = f"{PREFIX}/orgs/acme/teams/growth/quarterly-reviews/2026-Q4/reflection"
OLD_FINISH = f"{PREFIX}/orgs/acme/teams/growth/reviews/2026-Q4/finish"
NEW_FINISH = f"{PREFIX}/orgs/acme/teams/growth/quarterly-reviews/2026-Q4/finish"


def _bearer(user: Any, world: World) -> dict[str, str]:
    """A token header of `user` in Acme, as an old client sends it."""
    _, plaintext = do_create_token(user, world.org, "old client")
    return {"Authorization": f"Bearer {plaintext}"}


def _send(method: str, path: str, headers: dict[str, str], body: Any = None, **kw: Any) -> Any:
    """A JSON request by a plain client: the old addresses are not in the OpenAPI document."""
    data = json.dumps(body) if body is not None else ""
    return getattr(Client(), method)(
        path, data=data, content_type="application/json", headers=headers, **kw
    )


def test_reading_an_objectives_review_at_the_old_address_is_a_308_to_the_new_one(
    world: World,
) -> None:
    headers = _bearer(world.viewer, world)
    response = Client().get(OLD_REVIEW, headers=headers)
    assert (response.status_code, response["Location"]) == (308, NEW_REVIEW)
    followed = Client().get(OLD_REVIEW, headers=headers, follow=True)
    assert followed.redirect_chain == [(NEW_REVIEW, 308)]
    assert followed.status_code == 200
    assert followed.json() == Client().get(NEW_REVIEW, headers=headers).json()


def test_a_review_put_at_the_old_address_is_redirected_with_its_body_and_saved(
    world: World,
) -> None:
    join(world, world.member, world.team)
    headers = _bearer(world.member, world)
    body = {"version": 0, "decision": "done", "note": "Sent by an old client"}
    response = _send("put", OLD_REVIEW, headers, body)
    assert (response.status_code, response["Location"]) == (308, NEW_REVIEW)
    assert not ObjectiveReview.objects.exists()  # a redirect only: nothing saved yet
    followed = _send("put", OLD_REVIEW, headers, body, follow=True)
    assert followed.redirect_chain == [(NEW_REVIEW, 308)]
    assert (followed.status_code, followed.json()["decision"]) == (200, "done")
    assert ObjectiveReview.objects.get().note == "Sent by an old client"


def test_the_reflections_old_address_redirects_reads_and_writes_keeping_the_query(
    world: World,
) -> None:
    join(world, world.member, world.team)
    headers = _bearer(world.member, world)
    read = Client().get(f"{OLD_REFLECTION}?fields=all", headers=headers)
    assert (read.status_code, read["Location"]) == (308, f"{NEW_REFLECTION}?fields=all")
    body = {"version": 0, "learned": "Guided setup works"}
    written = _send("put", OLD_REFLECTION, headers, body, follow=True)
    assert written.redirect_chain == [(NEW_REFLECTION, 308)]
    assert written.status_code == 200
    assert TeamReflection.objects.get().learned == "Guided setup works"


def test_finishing_at_the_old_address_is_a_308_post_to_the_new_one(world: World) -> None:
    join(world, world.member, world.team)
    headers = _bearer(world.member, world)
    _send("put", NEW_REVIEW, headers, {"version": 0, "decision": "done"})
    body = {"versions": {"activation": 1}}
    response = _send("post", OLD_FINISH, headers, body)
    assert (response.status_code, response["Location"]) == (308, NEW_FINISH)
    followed = _send("post", OLD_FINISH, headers, body, follow=True)
    assert followed.redirect_chain == [(NEW_FINISH, 308)]
    assert (followed.status_code, followed.json()["closed"]) == (200, ["activation"])


def test_the_old_addresses_tell_nobody_anything_and_are_not_documented(world: World) -> None:
    # The same answer for anyone and any id: existence is learnt only at the new address.
    signed_out = Client().get(OLD_REVIEW)
    assert (signed_out.status_code, signed_out["Location"]) == (308, NEW_REVIEW)
    assert Client().get(OLD_REVIEW, follow=True).status_code == 401
    _, plaintext = do_create_token(world.outsider, world.other_org, "outsider")
    outsider = {"Authorization": f"Bearer {plaintext}"}
    assert Client().get(OLD_REVIEW, headers=outsider, follow=True).status_code == 404
    paths = set(openapi()["paths"])
    assert f"{PREFIX}/orgs/{{org}}/objectives/{{objective}}/quarterly-review" in paths
    assert not any(path.endswith("/review") or "/reviews/" in path for path in paths)
