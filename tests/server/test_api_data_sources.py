"""Data sources over the API: set, read, test and remove; secrets write-only; the web's rules."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from constellation.server.audit.models import AuditEvent
from constellation.server.kpis.models import KpiReading
from constellation.server.sources.models import DataSource
from constellation.server.tracking.models import CheckIn
from tests.server.api_helpers import client_for
from tests.server.factories import World
from tests.server.source_servers import Answer, Endpoint, prometheus_vector, serve

KR = "/orgs/acme/key-results/activation/week1-activation/source"
KPI = "/orgs/acme/kpis/logo-churn/source"
SECRET = "Bearer api-secret-never-answered"


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    """A JSON server on 127.0.0.1."""
    with serve() as running:
        yield running


def body(endpoint: Endpoint, **extra: object) -> dict[str, object]:
    """A JSON source of the week-1 activation rate, with a secret header."""
    return {
        "kind": "http_json",
        "url": f"{endpoint.base}/metrics",
        "query": "$.rate",
        "header_name": "Authorization",
        "header_value": SECRET,
        "interval_minutes": 60,
        **extra,
    }


def test_the_owner_sets_reads_and_removes_a_key_results_source(
    world: World, endpoint: Endpoint
) -> None:
    api = client_for(world.member, world.org)
    answer = api.put(KR, body(endpoint))
    assert answer.status_code == 200, answer.data
    assert answer.data["feeds"] == "activation/week1-activation"
    assert answer.data["has_header_value"] is True
    assert SECRET not in answer.content.decode()
    read = client_for(world.viewer, world.org).get(KR)
    assert read.status_code == 200
    assert (read.data["kind"], read.data["version"]) == ("http_json", 1)
    assert SECRET not in read.content.decode()
    # A change from a stale version is refused; from the current one it lands.
    assert api.put(KR, body(endpoint, query="$.other")).status_code == 409
    changed = api.put(KR, body(endpoint, query="$.other", header_value="", version=1))
    assert changed.status_code == 200
    assert changed.data["has_header_value"] is True  # an empty secret keeps the stored one
    assert api.delete(f"{KR}?version=1").status_code == 409
    assert api.delete(f"{KR}?version=2").status_code == 204
    assert api.get(KR).status_code == 404
    assert not DataSource.objects.exists()


def test_test_now_over_the_api_reads_the_value_and_records_nothing(
    world: World, endpoint: Endpoint
) -> None:
    endpoint.answers["/metrics"] = Answer(body={"rate": 42.5})
    api = client_for(world.member, world.org)
    tested = api.post(f"{KR}/test", body(endpoint))
    assert tested.status_code == 200
    assert tested.data == {"ok": True, "value": 42.5, "error": None}
    assert endpoint.asked[-1]["headers"]["Authorization"] == SECRET
    api.put(KR, body(endpoint))
    endpoint.answers["/metrics"] = Answer(body={"rate": "soon"})
    failed = api.post(f"{KR}/test", {})  # the stored source, its sealed secret opened
    assert failed.data["ok"] is False
    assert 'the value at $.rate is the text "soon", not a number' in failed.data["error"]
    assert endpoint.asked[-1]["headers"]["Authorization"] == SECRET
    assert not CheckIn.objects.exists()
    assert not AuditEvent.objects.exclude(action__in=["set_source", "create_token"]).exists()


def test_bad_input_names_the_field(world: World, endpoint: Endpoint) -> None:
    api = client_for(world.member, world.org)
    answer = api.put(KR, body(endpoint, query="$[?"))
    assert answer.status_code == 422
    [error] = answer.data["errors"]
    assert error["path"] == "$.query" and "JSONPath" in error["msg"]
    answer = api.put(KR, body(endpoint, interval_minutes=7))
    assert answer.status_code == 422
    assert answer.data["errors"][0]["path"] == "$.interval_minutes"


def test_a_kpi_source_is_for_leaders_and_feeds_readings(world: World, endpoint: Endpoint) -> None:
    endpoint.answers["/api/v1/query"] = Answer(body=prometheus_vector("2.2"))
    source = {"kind": "prometheus", "url": endpoint.base, "query": "churn_ratio"}
    assert client_for(world.member, world.org).put(KPI, source).status_code == 403
    assert client_for(world.viewer, world.org).put(KPI, source).status_code == 403
    leader = client_for(world.leader, world.org)
    assert leader.put(KPI, source).status_code == 200
    assert leader.post(f"{KPI}/test", {}).data == {"ok": True, "value": 2.2, "error": None}
    assert not KpiReading.objects.exists()
    assert leader.get(KPI).data["feeds"] == "logo-churn"
    assert leader.delete(KPI).status_code == 204


def test_viewers_read_the_status_but_never_set_or_test(world: World, endpoint: Endpoint) -> None:
    viewer = client_for(world.viewer, world.org)
    assert viewer.put(KR, body(endpoint)).status_code == 403
    assert viewer.post(f"{KR}/test", body(endpoint)).status_code == 403
    assert not endpoint.asked


def test_outsiders_get_404(world: World, endpoint: Endpoint) -> None:
    client_for(world.member, world.org).put(KR, body(endpoint))
    outsider = client_for(world.outsider, world.other_org)
    for path in (KR, KPI):
        assert outsider.get(path.replace("/acme/", "/globex/")).status_code == 404
        assert outsider.get(path).status_code == 404
        assert outsider.post(f"{path}/test", {}).status_code == 404
        assert outsider.delete(path).status_code == 404


def test_check_ins_say_whether_they_were_automatic(world: World, endpoint: Endpoint) -> None:
    from constellation.server.sources.actions import do_sync_source

    endpoint.answers["/metrics"] = Answer(body={"rate": 44})
    api = client_for(world.member, world.org)
    api.put(KR, body(endpoint))
    assert do_sync_source(DataSource.objects.get().pk) == "recorded"
    rows = api.get("/orgs/acme/key-results/activation/week1-activation/check-ins").data
    assert [(row["value"], row["automatic"]) for row in rows] == [(44.0, True)]
