"""The data bank's search engine: ranking, one organisation only, filters, hostile queries.

Runs on SQLite (FTS5, bm25) and, with DATABASE_URL, on PostgreSQL (tsvector, ts_rank).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from constellation.server.quarterly.databank import Filters, Page, search, terms
from constellation.server.quarterly.models import InitiativeResult, Learning
from tests.server.databank_factories import Bank, access_of, add_learnings, make_bank
from tests.server.factories import World

HOSTILE = [
    '"',
    '""',
    '"unbalanced phrase',
    "AND OR NOT",
    "teams AND",
    "OR teams OR",
    "*",
    "emails*",
    "NEAR(emails teams)",
    "body:emails",
    "^emails",
    "-emails",
    "((((",
    "emails & | ! <-> :*",
    "'; DROP TABLE reviews_learning; --",
    "\x00emails",
    "équipe ☃ 日本",
    "teams " * 400,
]


@pytest.fixture
def bank(world: World) -> Bank:
    """Acme's and Globex's learnings and initiative results."""
    return make_bank(world)


def ids(page: Page) -> list[tuple[str, int]]:
    """The (kind, id) of each hit, in rank order."""
    return [(hit.kind, hit.record.pk) for hit in page.hits]


def test_a_record_matching_more_of_the_terms_ranks_first(world: World, bank: Bank) -> None:
    page = search(access_of(world), "guided setup emails doubled small teams")

    assert ids(page)[0] == ("learning", bank.learning.pk)
    assert ("learning", bank.pricing.pk) in ids(page)  # “small teams” only: found, ranked lower
    assert ids(page).index(("learning", bank.pricing.pk)) > 0
    assert page.hits[0].rank > page.hits[-1].rank


def test_a_record_matching_a_rarer_term_ranks_first(world: World, bank: Bank) -> None:
    acme = access_of(world)
    common = [
        Learning.objects.create(
            organization=world.org, team=world.team, period=world.period, text="Weekly demo review"
        )
        for _ in range(4)
    ]
    rare = Learning.objects.create(
        organization=world.org, team=world.team, period=world.period, text="Weekly churn review"
    )

    page = search(acme, "demo churn")

    assert ids(page)[0] == ("learning", rare.pk)
    assert {("learning", row.pk) for row in common} <= set(ids(page))


def test_another_organisations_records_never_appear_nor_count(world: World, bank: Bank) -> None:
    acme, globex = access_of(world), access_of(world, world.outsider, world.other_org)
    query = "Globex secret guided setup emails doubled activation small teams"

    for filters in (Filters(), Filters(tag="onboarding"), Filters(outcome="partly")):
        page = search(acme, query, filters)
        assert ("learning", bank.globex.pk) not in ids(page)
        assert page.count == len(page.hits)
        assert all(hit.record.organization_id == world.org.pk for hit in page.hits)
    assert search(acme, "Globex secret").count == 0
    assert search(acme, "").count == 5

    theirs = search(globex, query)
    assert ids(theirs) == [("learning", bank.globex.pk)]
    assert theirs.count == 1


def test_filters_narrow_by_team_period_lever_metric_outcome_and_tag(
    world: World, bank: Bank
) -> None:
    acme = access_of(world)

    def found(**chosen: object) -> set[tuple[str, int]]:
        return set(ids(search(acme, "", Filters(**chosen))))  # type: ignore[arg-type]

    assert found(team=bank.sales) == {("learning", bank.other_team.pk)}
    assert found(period=bank.last_quarter) == {("learning", bank.pricing.pk)}
    assert found(lever=world.lever) == {
        ("learning", bank.learning.pk),
        ("result", bank.result.pk),
        ("result", bank.failed.pk),
    }
    assert found(key_result=world.key_result) == {
        ("learning", bank.learning.pk),
        ("result", bank.result.pk),
    }
    assert found(outcome="did_not_work") == {("result", bank.failed.pk)}
    assert found(tag="ONBOARDING") == {("learning", bank.learning.pk)}
    assert found(tag="onboarding", team=bank.sales) == set()
    assert found(tag="onboarding", outcome="partly") == set()  # no record has both
    assert found(team=world.team, period=world.period, outcome="partly") == {
        ("result", bank.result.pk)
    }


def test_filters_apply_to_a_ranked_search_too(world: World, bank: Bank) -> None:
    page = search(access_of(world), "small teams", Filters(team=bank.sales))

    assert ids(page) == [("learning", bank.other_team.pk)]
    assert page.count == 1


@pytest.mark.parametrize("query", HOSTILE)
def test_a_hostile_query_never_crashes(world: World, bank: Bank, query: str) -> None:
    page = search(access_of(world), query, Filters(tag="onboarding"))
    everything = search(access_of(world), query)

    assert page.count <= everything.count
    assert all(hit.record.organization_id == world.org.pk for hit in everything.hits)
    assert Learning.objects.count() == 4


def test_operators_are_read_as_nothing_and_words_around_them_still_search(
    world: World, bank: Bank
) -> None:
    acme = access_of(world)

    assert search(acme, "AND OR NOT *").count == 0
    assert search(acme, "emails AND teams").count == search(acme, "emails teams").count > 0
    assert ("learning", bank.learning.pk) in ids(search(acme, 'body:emails "small teams'))


def test_terms_keep_words_and_phrases_and_drop_operators() -> None:
    assert terms('onboarding "trial emails" AND OR * -pricing') == [
        "trial emails",
        "onboarding",
        "pricing",
    ]
    assert terms("NEAR(a b) ^x: col:word") == ["b", "x", "col", "word"]
    assert terms("") == terms('""') == terms("the of and") == []
    assert len(terms("word " * 100 + " ".join(f"w{n}" for n in range(50)))) == 12


def test_a_phrase_matches_its_words_in_order(world: World, bank: Bank) -> None:
    acme = access_of(world)

    assert ("learning", bank.learning.pk) in ids(search(acme, '"setup emails"'))
    assert ("learning", bank.learning.pk) not in ids(search(acme, '"emails setup"'))


def test_snippets_mark_the_matching_words(world: World, bank: Bank) -> None:
    hit = search(access_of(world), "doubled").hits[0]

    assert hit.record == bank.learning
    assert ("doubled", True) in hit.snippet
    assert "Guided setup emails" in hit.text


def test_the_index_follows_edits_and_deletions(world: World, bank: Bank) -> None:
    acme = access_of(world)
    bank.pricing.text = "Quarterly invoices confused finance teams"
    bank.pricing.save()
    InitiativeResult.objects.filter(pk=bank.failed.pk).update(note="Mentors would help")

    assert ("learning", bank.pricing.pk) not in ids(search(acme, "annual page"))
    assert ("learning", bank.pricing.pk) in ids(search(acme, "pricing"))  # still its tag
    assert ids(search(acme, "invoices")) == [("learning", bank.pricing.pk)]
    assert ids(search(acme, "mentors")) == [("result", bank.failed.pk)]

    bank.pricing.delete()
    assert search(acme, "invoices").count == 0


def test_an_empty_query_lists_the_newest_records_first(world: World, bank: Bank) -> None:
    page = search(access_of(world), "")

    assert page.count == 5
    created = [hit.record.created_at for hit in page.hits]
    assert created == sorted(created, reverse=True)
    assert all(not match for hit in page.hits for _, match in hit.snippet)


def test_pages_split_the_ranked_hits_without_overlap(world: World, bank: Bank) -> None:
    add_learnings(world, 15, bank)
    acme = access_of(world)
    whole = search(acme, "onboarding small teams", limit=500)

    pages = [search(acme, "onboarding small teams", limit=7, offset=o) for o in range(0, 40, 7)]

    assert [hit for page in pages for hit in ids(page)] == ids(whole)
    assert {page.count for page in pages} == {whole.count}
    assert whole.count == 15 + 15 + 4  # the bulk records, and the bank's four about teams
    assert pages[0].has_next and not pages[0].has_previous
    assert search(acme, "onboarding", limit=5, offset=1000).hits == []
    assert search(acme, "onboarding", limit=5, offset=1000).count == 15 + 15 + 1


def test_a_search_runs_the_same_queries_for_few_and_many_records(world: World, bank: Bank) -> None:
    acme = access_of(world)
    filters = Filters(lever=world.lever, period=world.period)

    def cost() -> int:
        with CaptureQueriesContext(connection) as captured:
            page = search(acme, "onboarding small teams", filters, limit=200)
            shown = [(h.team.name, h.period.key, h.objective, h.key_result) for h in page.hits]
        assert shown  # read inside the count: everything a page shows is already loaded
        return len(captured)

    few = cost()
    add_learnings(world, 150, bank)
    many = cost()

    assert few == many == 4  # the ranked page, its learnings, its results, their snippets
