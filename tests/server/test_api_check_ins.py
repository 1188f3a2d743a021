"""Check-ins over the API: a new reading moves the key result; bad ones are 422 with paths."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from constellation.server.audit.models import AuditEvent
from constellation.server.okrs.models import KeyResult
from constellation.server.tracking.models import CheckIn
from tests.server.api_helpers import ApiClient, client_for
from tests.server.factories import World, make_key_result

pytestmark = pytest.mark.django_db

URL = "/orgs/acme/key-results/activation/week1-activation/check-ins"


def _nothing_recorded(world: World) -> bool:
    kr = KeyResult.objects.get(pk=world.key_result.pk)
    return not CheckIn.objects.exists() and kr.current == 41 and kr.version == 1


def test_a_check_in_moves_the_key_result_and_answers_with_the_new_scores(world: World) -> None:
    body = {"value": 46, "confidence": 8, "note": "Guided setup is live", "date": "2026-11-14"}
    response = client_for(world.member, world.org).post(URL, body)
    assert response.status_code == 201
    check_in = response.data["check_in"]
    assert check_in["key_result"] == "activation/week1-activation"
    assert (check_in["value"], check_in["confidence"], check_in["date"]) == (46, 8, "2026-11-14")
    assert check_in["author"] == "member"
    kr = response.data["key_result"]
    assert (kr["current"], kr["confidence"]) == (46, 8)
    assert kr["progress"] == pytest.approx(12 / 16, abs=1e-4)
    objective = response.data["objective"]
    assert objective["id"] == "activation"
    assert objective["progress"] == pytest.approx((12 / 16 + 0.5) / 2, abs=1e-4)
    assert KeyResult.objects.get(pk=world.key_result.pk).current == 46
    assert AuditEvent.objects.filter(action="check_in", actor=world.member).exists()


def test_the_key_result_id_from_the_list_is_the_check_in_address(world: World) -> None:
    client = client_for(world.member, world.org)
    listed = client.get("/orgs/acme/objectives").data["objectives"]
    kr_id = next(o for o in listed if o["id"] == "activation")["key_results"][1]["id"]
    response = client.post(f"/orgs/acme/key-results/{kr_id}/check-ins", {"value": 1.5})
    assert response.status_code == 201
    assert response.data["key_result"]["id"] == kr_id == "activation/time-to-value"


def test_a_milestone_takes_done(world: World) -> None:
    make_key_result(world.objective, "wizard", "Ship the setup wizard", type="milestone")
    url = "/orgs/acme/key-results/activation/wizard/check-ins"
    response = client_for(world.member, world.org).post(url, {"done": True, "confidence": 9})
    assert response.status_code == 201
    assert response.data["key_result"]["done"] is True
    assert response.data["key_result"]["progress"] == 1.0


def test_it_lists_a_key_results_check_ins_oldest_first(world: World) -> None:
    client = client_for(world.member, world.org)
    client.post(URL, {"value": 44, "date": "2026-11-10"})
    client.post(URL, {"value": 42, "date": "2026-11-03", "note": "late entry"})
    response = client_for(world.viewer, world.org).get(URL)
    assert response.status_code == 200
    assert [(c["date"], c["value"]) for c in response.data] == [
        ("2026-11-03", 42),
        ("2026-11-10", 44),
    ]
    # The late entry is older, so the key result keeps following the latest reading.
    assert KeyResult.objects.get(pk=world.key_result.pk).current == 44


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"value": "lots"}, "$.value"),
        ({"value": 45, "confidence": 11}, "$.confidence"),
        ({"value": 45, "confidence": -1}, "$.confidence"),
        ({"value": 45, "confidence": 7.5}, "$.confidence"),
        ({"value": 45, "date": "yesterday"}, "$.date"),
        ({"value": 45, "mood": "great"}, "$.mood"),
        ({"value": 45, "note": "x" * 5001}, "$.note"),
        ({"confidence": 5}, "$.value"),
    ],
)
def test_a_bad_check_in_is_a_422_with_the_json_path(world: World, body: dict, path: str) -> None:
    response = client_for(world.member, world.org).post(URL, body)
    assert response.status_code == 422
    problems = {item["path"]: item for item in response.data["errors"]}
    assert path in problems
    assert problems[path]["loc"] == ["body", path.removeprefix("$.")]
    assert problems[path]["msg"]
    assert _nothing_recorded(world)


def test_a_body_that_is_not_json_is_refused_cleanly(world: World) -> None:
    client = client_for(world.member, world.org)
    response = client.client.post(
        "/api/v1" + URL,
        data="{value: 4",
        content_type="application/json",
        headers={"Authorization": f"Bearer {client.token}"},
    )
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["detail"]
    assert "line 1 column 2" in response.json()["detail"]
    assert _nothing_recorded(world)


def test_a_viewer_cannot_check_in(world: World) -> None:
    response = client_for(world.viewer, world.org).post(URL, {"value": 45})
    assert response.status_code == 403
    assert _nothing_recorded(world)


def test_outsiders_and_anonymous_callers_record_nothing(world: World) -> None:
    outsider = client_for(world.outsider, world.other_org)
    assert outsider.post(URL, {"value": 45}).status_code == 404
    assert outsider.get(URL).status_code == 404
    assert ApiClient().post(URL, {"value": 45}).status_code == 401
    assert ApiClient().get(URL).status_code == 401
    # Globex's own key result is not reachable under acme either.
    member = client_for(world.member, world.org)
    assert (
        member.post("/orgs/acme/key-results/secret/secret-kr/check-ins", {"value": 2}).status_code
        == 404
    )
    assert _nothing_recorded(world)


def test_an_unknown_key_result_is_a_404(world: World) -> None:
    client = client_for(world.member, world.org)
    assert client.get("/orgs/acme/key-results/activation/nothing/check-ins").status_code == 404


def test_the_history_runs_a_bounded_number_of_queries(world: World) -> None:
    client = client_for(world.member, world.org)
    client.post(URL, {"value": 42, "date": "2026-10-02"})
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for day in range(1, 28):
        client.post(URL, {"value": 42 + day / 10, "date": f"2026-11-{day:02d}"})
    with CaptureQueriesContext(connection) as many:
        client.get(URL)
    assert len(few) == len(many)
