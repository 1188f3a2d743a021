"""Suggestions while drafting: what the data bank holds on the subject of the title typed."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from constellation.server.quarterly.databank import suggestions
from tests.server.databank_factories import Bank, access_of, add_learnings, make_bank
from tests.server.factories import World

SUGGEST = "/o/acme/draft/data-bank/"


@pytest.fixture
def bank(world: World) -> Bank:
    """Acme's and Globex's learnings and initiative results."""
    return make_bank(world)


def signed_in(user: object) -> Client:
    """A browser session of this person."""
    client = Client()
    client.force_login(user)
    return client


def test_the_draft_pages_ask_for_suggestions_as_the_title_is_typed(world: World) -> None:
    client = signed_in(world.member)

    for page in ("/o/acme/draft/new-objective/", "/o/acme/objectives/activation/draft/"):
        html = client.get(page).content.decode()
        assert "From the data bank" in html
        assert f'hx-get="{SUGGEST}" hx-include="#objective-title"' in html
        assert 'hx-trigger="load, input changed delay:500ms from:#objective-title"' in html


def test_a_title_brings_up_the_records_on_its_subject_best_first(world: World, bank: Bank) -> None:
    response = signed_in(world.member).get(
        SUGGEST, {"title": "Guided setup emails lift activation of small teams"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="bank-hit card"') == 5
    assert html.index("<mark>emails</mark> doubled") < html.index("rarely answered")
    assert "Guided setup checklist</strong>" in html  # the initiative result, with its title
    assert "Globex secret" not in html
    assert 'href="/o/acme/data-bank/?q=Guided%20setup%20emails' in html


def test_at_most_five_suggestions_come_up(world: World, bank: Bank) -> None:
    add_learnings(world, 20, bank)

    hits = suggestions(access_of(world), "Onboarding calls for small teams")
    html = signed_in(world.member).get(SUGGEST, {"title": "Onboarding calls"}).content.decode()

    assert len(hits) == 5
    assert html.count('class="bank-hit card"') == 5


def test_an_empty_or_unmatched_title_says_so(world: World, bank: Bank) -> None:
    client = signed_in(world.member)

    assert "Type a title" in client.get(SUGGEST).content.decode()
    assert "Type a title" in client.get(SUGGEST, {"title": "the of AND *"}).content.decode()
    html = client.get(SUGGEST, {"title": "Zebra migration"}).content.decode()
    assert "Nothing in the data bank on this subject yet." in html


def test_suggestions_cost_the_same_queries_for_few_and_many_records(
    world: World, bank: Bank
) -> None:
    client = signed_in(world.member)
    title = {"title": "Onboarding calls for small teams"}
    client.get(SUGGEST, title)

    with CaptureQueriesContext(connection) as few:
        client.get(SUGGEST, title)
    add_learnings(world, 150, bank)
    with CaptureQueriesContext(connection) as many:
        client.get(SUGGEST, title)

    assert len(many) <= len(few)


def test_another_organisation_gets_404_and_its_own_records_only(world: World, bank: Bank) -> None:
    outsider = signed_in(world.outsider)

    assert outsider.get(SUGGEST, {"title": "guided setup emails"}).status_code == 404
    html = outsider.get("/o/globex/draft/data-bank/", {"title": "guided setup"}).content.decode()
    assert "Globex secret" in html and "Guided setup checklist" not in html
