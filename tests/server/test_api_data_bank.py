"""The data bank over the API: ranked search, filters, pages, 422s and one organisation only."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.server.api_helpers import client_for
from tests.server.databank_factories import ACME_LEARNING, Bank, add_learnings, make_bank
from tests.server.factories import World

BANK = "/orgs/acme/data-bank"


@pytest.fixture
def bank(world: World) -> Bank:
    """Acme's and Globex's learnings and initiative results."""
    return make_bank(world)


def test_a_viewer_searches_and_gets_ranked_hits_with_marked_snippets(
    world: World, bank: Bank
) -> None:
    response = client_for(world.viewer, world.org).get(BANK, q="guided setup emails doubled")

    assert response.status_code == 200
    body = response.data
    first = body["results"][0]
    assert (first["kind"], first["id"]) == ("learning", bank.learning.pk)
    assert first["snippet"].startswith(ACME_LEARNING)
    assert {"text": "doubled", "match": True} in first["snippet_parts"]
    assert (first["team"], first["period"], first["objective"], first["key_result"]) == (
        "growth",
        "2026-Q4",
        "activation",
        "activation/week1-activation",
    )
    assert first["tags"] == ["Onboarding", "email"]
    assert body["terms"] == ["guided", "setup", "emails", "doubled"]
    scores = [hit["score"] for hit in body["results"]]
    assert scores == sorted(scores, reverse=True)


def test_results_carry_their_outcome_and_initiative_title(world: World, bank: Bank) -> None:
    body = client_for(world.member, world.org).get(BANK, q="tickets", outcome="did_not_work").data

    assert body["count"] == 1
    [hit] = body["results"]
    assert (hit["kind"], hit["id"], hit["outcome"]) == ("result", bank.failed.pk, "did_not_work")
    assert hit["title"] == "Guided setup checklist"
    assert hit["tags"] == []


def test_every_filter_is_a_query_parameter(world: World, bank: Bank) -> None:
    api = client_for(world.member, world.org)

    def found(**params: str) -> set[tuple[str, int]]:
        return {(hit["kind"], hit["id"]) for hit in api.get(BANK, **params).data["results"]}

    assert found(team="sales") == {("learning", bank.other_team.pk)}
    assert found(period="2026-Q3") == {("learning", bank.pricing.pk)}
    assert found(lever="self-serve", outcome="partly") == {("result", bank.result.pk)}
    assert found(key_result="activation/week1-activation", tag="email") == {
        ("learning", bank.learning.pk)
    }


@pytest.mark.parametrize(
    ("params", "path"),
    [
        ({"team": "nope"}, "team"),
        ({"lever": "nope"}, "lever"),
        ({"period": "2031-Q1"}, "period"),
        ({"key_result": "activation"}, "key_result"),
        ({"outcome": "great"}, "outcome"),
        ({"limit": "0"}, "limit"),
        ({"offset": "-1"}, "offset"),
    ],
)
def test_an_unknown_filter_answers_422_naming_the_parameter(
    world: World, bank: Bank, params: dict[str, str], path: str
) -> None:
    response = client_for(world.member, world.org).get(BANK, **params)

    assert response.status_code == 422
    assert [problem["path"] for problem in response.data["errors"]] == [path]


def test_another_organisations_records_and_filters_stay_out_of_reach(
    world: World, bank: Bank
) -> None:
    globex = client_for(world.outsider, world.other_org)

    assert globex.get(BANK, q="guided setup").status_code == 404
    theirs = globex.get("/orgs/globex/data-bank", q="guided setup emails small teams").data
    assert [(hit["kind"], hit["id"]) for hit in theirs["results"]] == [("learning", bank.globex.pk)]
    assert theirs["count"] == 1
    # Acme's team exists, but not in Globex: a 422, never Acme's records.
    assert globex.get("/orgs/globex/data-bank", team="sales").status_code == 422
    mine = client_for(world.member, world.org).get(BANK, q="globex secret").data
    assert (mine["count"], mine["results"]) == (0, [])


def test_hostile_queries_answer_200(world: World, bank: Bank) -> None:
    api = client_for(world.member, world.org)

    for query in ('"', "AND OR", "*", "NEAR(", "a:b", "'; --", "emails AND"):
        response = api.get(BANK, q=query)
        assert response.status_code == 200, query
    assert api.get(BANK, q="emails AND").data["count"] == api.get(BANK, q="emails").data["count"]


def test_pages_link_to_the_next_and_cost_the_same_queries_whatever_the_size(
    world: World, bank: Bank
) -> None:
    api = client_for(world.member, world.org)

    def cost() -> tuple[int, dict]:
        with CaptureQueriesContext(connection) as captured:
            body = api.get(BANK, q="onboarding small teams", limit="100", period="2026-Q4").data
        return len(captured), body

    api.get(BANK)  # the token's first use is recorded once, outside the counts
    few, first = cost()
    add_learnings(world, 120, bank)
    many, page = cost()

    assert {hit["kind"] for hit in first["results"]} == {hit["kind"] for hit in page["results"]}
    assert few == many
    assert page["count"] == 60 + 120 + 3
    assert len(page["results"]) == 100
    assert "offset=100" in page["next"] and "period=2026-Q4" in page["next"]
    assert first["next"] is None


def test_an_offset_beyond_any_database_integer_is_422_naming_it(world: World) -> None:
    api = client_for(world.member, world.org)
    response = api.get("/orgs/acme/data-bank", q="onboarding", offset=10**30)
    assert response.status_code == 422
    assert response.data["errors"][0]["path"] == "offset"
