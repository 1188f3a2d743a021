"""The domain's refusals answered as the API's JSON, whichever router raises them."""

from __future__ import annotations

import json

from django.test import RequestFactory

from constellation.server.api.urls import api
from constellation.server.errors import NotAllowed, NotFound, ReadOnly


def _answer(error: Exception) -> tuple[int, dict]:
    response = api.on_exception(RequestFactory().get("/api/v1/orgs/acme/teams"), error)
    return response.status_code, json.loads(response.content)


def test_not_found_is_the_apis_404_saying_nothing_more() -> None:
    assert _answer(NotFound("No such objective")) == (404, {"detail": "Not found"})


def test_not_allowed_is_a_403_saying_why() -> None:
    why = "Only members of Growth, leaders and admins can review its objectives."
    assert _answer(NotAllowed(why)) == (403, {"detail": why})
    assert _answer(ReadOnly("viewers cannot change anything")) == (
        403,
        {"detail": "viewers cannot change anything"},
    )
