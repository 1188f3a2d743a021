"""GET objectives: the list and the detail, scored by the core engine, in bounded queries."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from constellation.core import coach, scoring
from constellation.server.orgs.access import access_org
from constellation.server.orgs.models import Membership
from constellation.server.plans.plan import build_plan
from constellation.server.tracking.actions import CheckInInput, do_check_in
from tests.server.api_helpers import AT, ApiClient, add_objectives, client_for
from tests.server.factories import World, make_objective, make_org, make_period

pytestmark = pytest.mark.django_db


def test_it_lists_the_current_periods_objectives_with_everything_a_client_needs(
    world: World,
) -> None:
    response = client_for(world.viewer, world.org).get("/orgs/acme/objectives", at=AT)
    assert response.status_code == 200
    assert response.data["period"] == "2026-Q4"
    assert response.data["count"] == 2
    activation = {o["id"]: o for o in response.data["objectives"]}["activation"]
    assert activation["team"] == "growth"
    assert activation["team_name"] == "Growth"
    assert activation["levers"] == ["self-serve"]
    assert activation["aligns_to"] == ["retention"]
    assert activation["guardrails"] == ["logo-churn"]
    assert activation["owner"] == "member"
    assert activation["version"] == 1
    assert [kr["id"] for kr in activation["key_results"]] == [
        "activation/week1-activation",
        "activation/time-to-value",
    ]
    retention = {o["id"]: o for o in response.data["objectives"]}["retention"]
    assert retention["aligned_from"] == ["activation"]


def test_its_numbers_are_the_core_engines(world: World) -> None:
    response = client_for(world.member, world.org).get("/orgs/acme/objectives", at=AT)
    plan = build_plan(world.org, world.period)
    expected = {s.id: s.as_dict() for s in scoring.score_plan(plan, date(2026, 11, 15)).objectives}
    for objective in response.data["objectives"]:
        core = expected[objective["id"]]
        assert objective["progress"] == core["progress"]
        assert objective["grade"] == core["grade"]["value"]
        assert objective["band"] == core["grade"]["band"]
        assert objective["status"] == core["status"]
        assert objective["status_reason"] == core["reason"]
        # A draft has no pace: the API says nothing is expected rather than 0.
        assert objective["expected"] == (None if core["status"] == "draft" else core["expected"])
        for kr, core_kr in zip(objective["key_results"], core["key_results"], strict=True):
            assert (kr["progress"], kr["status"]) == (core_kr["progress"], core_kr["status"])
    activation = {o["id"]: o for o in response.data["objectives"]}["activation"]
    assert activation["progress"] == pytest.approx((7 / 16 + 0.5) / 2, abs=1e-4)


def test_it_lists_another_period_or_all_of_them(world: World) -> None:
    earlier = make_period(world.org, "2026-Q3")
    make_objective(world.org, world.team, earlier, "q3-thing", "Customers renew happily")
    client = client_for(world.member, world.org)
    q3 = client.get("/orgs/acme/objectives", period="2026-Q3")
    assert [o["id"] for o in q3.data["objectives"]] == ["q3-thing"]
    everything = client.get("/orgs/acme/objectives", period="all")
    assert everything.data["period"] == "all"
    assert everything.data["objectives"][0]["id"] == "q3-thing"
    assert everything.data["count"] == 3


def test_it_pages_with_limit_and_offset(world: World) -> None:
    add_objectives(world, 5)
    client = client_for(world.member, world.org)
    page = client.get("/orgs/acme/objectives", limit=2, offset=3)
    assert page.data["count"] == 7
    assert (page.data["limit"], page.data["offset"]) == (2, 3)
    everything = [o["id"] for o in client.get("/orgs/acme/objectives").data["objectives"]]
    assert [o["id"] for o in page.data["objectives"]] == everything[3:5]


def test_a_bad_period_is_a_422_naming_the_parameter(world: World) -> None:
    client = client_for(world.member, world.org)
    response = client.get("/orgs/acme/objectives", period="next quarter")
    assert response.status_code == 422
    assert response.data["errors"][0]["loc"] == ["query", "period"]
    missing = client.get("/orgs/acme/objectives", period="2031-Q1")
    assert missing.status_code == 422
    assert "no period 2031-Q1" in missing.data["errors"][0]["msg"]


def test_an_org_without_periods_has_an_empty_list(world: World) -> None:
    empty = make_org("empty", "Empty")
    Membership.objects.create(organization=empty, user=world.member, role="member")
    response = client_for(world.member, empty).get("/orgs/empty/objectives")
    assert response.data == {
        "period": None,
        "count": 0,
        "offset": 0,
        "limit": 100,
        "next": None,
        "objectives": [],
    }


def test_outsiders_and_anonymous_callers_see_nothing(world: World) -> None:
    outsider = client_for(world.outsider, world.other_org)
    for path in ("/orgs/acme/objectives", "/orgs/acme/objectives/activation"):
        assert outsider.get(path).status_code == 404
        assert ApiClient().get(path).status_code == 401
    # Their own org's objective under acme's slug is not found either.
    assert (
        client_for(world.member, world.org).get("/orgs/acme/objectives/secret").status_code == 404
    )


def _count_queries(client: ApiClient) -> int:
    client.get("/orgs/acme/objectives", at=AT)  # warm up: notes the token's use once
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/orgs/acme/objectives", at=AT)
    assert response.status_code == 200
    return len(queries)


def test_the_list_runs_the_same_number_of_queries_for_10_and_500_objectives(
    world: World,
) -> None:
    client = client_for(world.member, world.org)
    add_objectives(world, 10)
    few = _count_queries(client)
    add_objectives(world, 490, start=10)
    many = _count_queries(client)
    assert client.get("/orgs/acme/objectives").data["count"] == 502
    assert few == many
    assert few <= 20


def test_the_detail_shows_check_in_history_and_findings(world: World) -> None:
    access = access_org(world.member, "acme")
    for value, confidence, note, day in ((43, 7, "Wizard helps", 1), (45, 8, "", 8)):
        data = CheckInInput(value, confidence, note, None, date(2026, 11, day))
        do_check_in(access, world.key_result, data, world.member)
    response = client_for(world.viewer, world.org).get("/orgs/acme/objectives/activation", at=AT)
    assert response.status_code == 200
    kr = response.data["key_results"][0]
    assert [(c["date"], c["value"], c["author"]) for c in kr["check_ins"]] == [
        ("2026-11-01", 43.0, "member"),
        ("2026-11-08", 45.0, "member"),
    ]
    assert kr["current"] == 45.0
    plan = build_plan(world.org, world.period, with_check_ins=True)
    core = [f.as_dict() for f in coach.lint_objective(plan, "activation")]
    assert response.data["findings"] == core
    assert response.data["initiatives"] == []


def test_the_detail_runs_a_bounded_number_of_queries(world: World) -> None:
    client = client_for(world.member, world.org)
    client.get("/orgs/acme/objectives/activation")
    access = access_org(world.member, "acme")
    with CaptureQueriesContext(connection) as few:
        client.get("/orgs/acme/objectives/activation")
    for day in range(1, 30):
        data = CheckInInput(40 + day, 6, "", None, date(2026, 11, day))
        do_check_in(access, world.key_result, data, world.member)
    with CaptureQueriesContext(connection) as many:
        client.get("/orgs/acme/objectives/activation")
    assert len(few) == len(many)


def test_an_offset_beyond_any_database_integer_is_422_naming_it(world: World) -> None:
    api = client_for(world.member, world.org)
    response = api.get("/orgs/acme/objectives", offset=10**30)
    assert response.status_code == 422
    assert response.data["errors"][0]["path"] == "offset"
