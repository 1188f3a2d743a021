"""The coach over the API: the same findings, in the same shape, as `okr lint --format json`."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from constellation.core import coach
from constellation.server.plans.plan import build_plan
from tests.server.api_helpers import ApiClient, add_objectives, client_for
from tests.server.factories import World, make_key_result, make_objective, make_period

pytestmark = pytest.mark.django_db

FINDING_KEYS = {"rule", "severity", "object", "line", "message", "hint"}


def test_it_answers_with_the_core_coachs_findings_for_the_current_period(world: World) -> None:
    response = client_for(world.viewer, world.org).get("/orgs/acme/lint")
    assert response.status_code == 200
    [file] = response.data["files"]
    assert file["path"] == "acme/2026-Q4"
    expected = [f.as_dict() for f in coach.lint(build_plan(world.org, world.period))]
    assert file["findings"] == expected
    assert file["findings"], "the standard world has something to coach"
    assert all(set(f) == FINDING_KEYS for f in file["findings"])


def test_it_names_the_finding_of_a_key_result_as_objective_slash_kr(world: World) -> None:
    make_key_result(world.objective, "guided-setup", "Ship guided setup", type="milestone")
    findings = client_for(world.member, world.org).get("/orgs/acme/lint").data["files"][0]
    objects = {(f["rule"], f["object"]) for f in findings["findings"]}
    assert ("output-kr", "activation/guided-setup") in objects


def test_it_lints_another_period_or_all_of_them(world: World) -> None:
    earlier = make_period(world.org, "2026-Q3")
    make_objective(world.org, world.team, earlier, "launch-app", "Launch the mobile app")
    client = client_for(world.member, world.org)
    q3 = client.get("/orgs/acme/lint", period="2026-Q3").data["files"][0]
    assert q3["path"] == "acme/2026-Q3"
    assert "launch-app" in {f["object"] for f in q3["findings"]}
    everything = client.get("/orgs/acme/lint", period="all").data["files"][0]
    assert everything["path"] == "acme/all"
    assert {"launch-app", "retention"} <= {
        (f["object"] or "").split("/")[0] for f in everything["findings"]
    }
    assert client.get("/orgs/acme/lint", period="Q3").status_code == 422


def test_outsiders_and_anonymous_callers_get_nothing(world: World) -> None:
    assert client_for(world.outsider, world.other_org).get("/orgs/acme/lint").status_code == 404
    assert ApiClient().get("/orgs/acme/lint").status_code == 401


def _lint_queries(client: ApiClient) -> int:
    client.get("/orgs/acme/lint")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/orgs/acme/lint").status_code == 200
    return len(queries)


def test_linting_runs_the_same_number_of_queries_for_10_and_300_objectives(world: World) -> None:
    client = client_for(world.member, world.org)
    add_objectives(world, 10)
    few = _lint_queries(client)
    add_objectives(world, 290, start=10)
    assert _lint_queries(client) == few
