"""The data bank page: search with labelled filters, marked snippets, links, pages."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from constellation.server.quarterly.actions import do_record_learning
from tests.server.databank_factories import (
    ACME_LEARNING,
    Bank,
    access_of,
    add_learnings,
    make_bank,
)
from tests.server.factories import World

PAGE = "/o/acme/data-bank/"


@pytest.fixture
def bank(world: World) -> Bank:
    """Acme's and Globex's learnings and initiative results."""
    return make_bank(world)


def signed_in(user: object) -> Client:
    """A browser session of this person."""
    client = Client()
    client.force_login(user)
    return client


def test_the_main_navigation_links_to_the_data_bank(world: World) -> None:
    html = signed_in(world.member).get("/o/acme/").content.decode()

    assert re.search(f'<a href="{PAGE}"[^>]*>.*?Data bank</a>', html)


def test_a_viewer_finds_a_learning_with_its_words_marked_and_its_links(
    world: World, bank: Bank
) -> None:
    response = signed_in(world.viewer).get(PAGE, {"q": "doubled emails"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<mark>doubled</mark>" in html and "<mark>emails</mark>" in html
    assert 'href="/o/acme/objectives/activation/"' in html
    assert 'href="/o/acme/objectives/activation/#kr-week1-activation"' in html
    assert 'href="/o/acme/teams/growth/"' in html and "2026-Q4" in html
    assert "Globex secret" not in html


def test_every_filter_has_a_visible_label(world: World, bank: Bank) -> None:
    html = signed_in(world.member).get(PAGE).content.decode()

    for field, label in (
        ("q", "Search"),
        ("team", "Team"),
        ("lever", "Lever"),
        ("key_result", "Metric (key result)"),
        ("period", "Period"),
        ("outcome", "Outcome"),
        ("tag", "Tag"),
    ):
        assert f'<label for="bank-{field}">{label}</label>' in html
    assert '<form class="card bank-search" method="get"' in html
    assert "Raise week-1 activation from 34% to 50%" in html  # a metric to choose


def test_filters_narrow_the_results(world: World, bank: Bank) -> None:
    client = signed_in(world.member)

    html = client.get(PAGE, {"q": "small teams", "team": "sales"}).content.decode()
    assert "Cold <mark>emails</mark>" not in html  # only the query's words are marked
    assert "<mark>small</mark> <mark>teams</mark> rarely answered" in html
    assert ACME_LEARNING not in html and "1 match" in html

    html = client.get(PAGE, {"outcome": "did_not_work"}).content.decode()
    assert "Tickets unchanged" in html and "Did Not Work" in html
    assert "Guided setup emails" not in html


def test_an_unknown_filter_is_named_next_to_the_field_and_the_query_is_kept(
    world: World, bank: Bank
) -> None:
    response = signed_in(world.member).get(PAGE, {"q": "emails", "team": "marketing"})

    html = response.content.decode()
    assert response.status_code == 422
    assert 'id="bank-team-error"' in html and "Select a valid choice" in html
    assert 'value="emails"' in html


def test_a_records_text_is_shown_never_run(world: World, bank: Bank) -> None:
    do_record_learning(
        access_of(world),
        world.team,
        world.period,
        "<script>alert(1)</script> onboarding <b>bold</b>",
        world.admin,
    )

    html = signed_in(world.member).get(PAGE, {"q": "onboarding"}).content.decode()

    assert "<script>alert(1)</script>" not in html and "<b>bold" not in html
    assert "<mark>onboarding</mark>" in html
    # SQLite's snippet keeps the markup as text (escaped); PostgreSQL's headline drops it.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html or " alert(1) " in html


def test_pages_keep_the_query_and_the_filters(world: World, bank: Bank) -> None:
    add_learnings(world, 30, bank)
    client = signed_in(world.member)

    first = client.get(PAGE, {"q": "onboarding", "period": "2026-Q4"}).content.decode()
    last = client.get(PAGE, {"q": "onboarding", "period": "2026-Q4", "page": "3"})

    # 15 of the bulk learnings are in 2026-Q4, with the 30 bulk results and one of the bank's.
    assert "46 matches" in first and "results 1 to 20 of 46" in first
    assert 'href="?q=onboarding&amp;period=2026-Q4&amp;page=2" rel="next"' in first
    html = last.content.decode()
    assert "results 41 to 46 of 46" in html
    assert 'href="?q=onboarding&amp;period=2026-Q4&amp;page=2" rel="prev"' in html
    assert 'rel="next"' not in html


def test_the_page_runs_the_same_queries_for_few_and_many_records(world: World, bank: Bank) -> None:
    client = signed_in(world.member)
    # A tag keeps to learnings, so the page holds one kind of record whatever the size.
    query = {"q": "onboarding small teams", "lever": "self-serve", "tag": "onboarding"}
    client.get(PAGE, query)

    with CaptureQueriesContext(connection) as few:
        assert client.get(PAGE, query).status_code == 200
    add_learnings(world, 200, bank)
    with CaptureQueriesContext(connection) as many:
        assert 'rel="next"' in client.get(PAGE, query).content.decode()

    assert len(few) == len(many)


def test_someone_outside_the_organisation_gets_404(world: World, bank: Bank) -> None:
    response = signed_in(world.outsider).get(PAGE, {"q": "emails"})

    assert response.status_code == 404
    assert b"Guided setup" not in response.content
