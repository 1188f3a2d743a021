"""The constellation map page: the picture's data, the strategy, the same map as tables, the
"what if" answered without scripts, links to it, permissions and a constant query count."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from constellation.server.okrs.models import Alignment, Objective
from constellation.server.orgs.access import access_org
from constellation.server.plans.map import map_json, read_map
from constellation.server.strategy.models import Lever
from tests.server.bulk import add_objectives
from tests.server.factories import World, make_objective, make_period

pytestmark = pytest.mark.django_db


def map_url(org: str = "acme", **query: str) -> str:
    url = reverse("map", kwargs={"org": org})
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def _page(client, world: World, **query: str) -> str:
    client.force_login(world.member)
    client.get(map_url())  # rows made by the factories are scored as the first request ends
    response = client.get(map_url(**query))
    assert response.status_code == 200
    return response.content.decode()


def _embedded(html: str) -> dict:
    """The map data the page's script draws."""
    found = re.search(r'<script id="map-data" type="application/json">(.*?)</script>', html, re.S)
    assert found, "the page carries no map data"
    return json.loads(found.group(1))


def _table_alignments(html: str) -> list[tuple[str, str, str, str]]:
    """(source title, source team, target title, target team) of each row of the table."""
    table = html[html.index('id="map-alignments"') :]
    table = table[: table.index("</table>")]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)[1:]:
        cells = [
            unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        rows.append((cells[0], cells[1], cells[4], cells[5], cells[2], cells[6]))
    return rows


def test_the_page_embeds_the_same_map_the_api_answers(client, world: World) -> None:
    html = _page(client, world)
    expected = map_json(read_map(access_org(world.member, "acme"), world.period))
    assert _embedded(html) == expected
    assert 'src="/static/web/vendor/cytoscape-3.35.0.min.js"' in html
    assert 'src="/static/web/vendor/cytoscape-dagre-4.0.1.min.js"' in html
    assert re.search(r'href="/o/acme/map/" aria-current="page">.*Map</a>', html)


def test_the_strategy_is_on_top_with_each_lever_and_who_models_it(client, world: World) -> None:
    Lever.objects.create(organization=world.org, slug="trust", title="Earn trust", position=1)
    html = _page(client, world)
    strip = html[html.index('class="map-strategy"') : html.index("</section>")]
    assert "Every team decides with live data." in strip
    assert 'Win self-serve <span class="map-count">2 objectives</span>' in strip
    assert re.search(r'class="map-lever map-lever-empty">Earn trust .*nobody models it', strip)


def test_the_table_alternative_lists_every_alignment_with_titles_teams_and_progress(
    client, world: World
) -> None:
    add_objectives(world, 6)
    client.force_login(world.member)
    client.get(map_url())
    Objective.objects.filter(slug="activation").update(progress=0.25)
    html = _page(client, world)
    rows = _table_alignments(html)
    stored = Alignment.objects.filter(source__period=world.period).select_related(
        "source__team", "target__team"
    )
    assert sorted(r[:4] for r in rows) == sorted(
        (a.source.title, a.source.team.name, a.target.title, a.target.team.name) for a in stored
    )
    assert len(rows) == 7
    progress = {(r[2], r[5]) for r in rows}  # each target's progress, as stored
    assert progress == {
        ("New teams get to value in their first week", "25%"),
        ("Customers stay with us", "0%"),
    }


def test_each_lever_lists_its_objectives_and_those_modelling_none_stand_apart(
    client, world: World
) -> None:
    make_objective(world.org, world.team, world.period, "alone", "Nobody knows why we do this")
    html = _page(client, world)
    tables = html[html.index('id="map-as-tables"') :]
    lever = tables[tables.index("Win self-serve") : tables.index("Models no lever")]
    assert "Customers stay with us" in lever and "Nobody knows why" not in lever
    alone = tables[tables.index('map-lever-heading map-no-lever">Models no lever') :]
    assert "Nobody knows why we do this" in alone[: alone.index("</ul>")]


def test_an_alignment_to_another_period_is_listed_apart_with_its_period(
    client, world: World
) -> None:
    earlier = make_period(world.org, "2026-Q3")
    old = make_objective(world.org, world.team, earlier, "old-goal", "Last quarter's goal")
    Alignment.objects.create(source=world.objective, target=old)
    html = _page(client, world)
    cross = re.findall(r'<tr class="map-cross">(.*?)</tr>', html, re.S)
    assert len(cross) == 1 and "Last quarter&#x27;s goal" in cross[0] and "(2026-Q3)" in cross[0]
    assert [o["id"] for o in _embedded(html)["outside"]] == ["old-goal"]


@pytest.mark.parametrize(
    ("drop", "lose"),
    [("objective:retention", ["activation"]), ("lever:self-serve", [])],
)
def test_the_what_if_is_answered_on_the_server_for_browsers_without_scripts(
    client, world: World, drop: str, lose: list[str]
) -> None:
    html = _page(client, world, drop=drop)
    answer = html[html.index('id="what-if-result"') :]
    answer = answer[: answer.index("</section>")]
    assert f'<option value="{drop}" selected>' in html
    listed = re.search(r'data-list="lose_target">(.*?)</ul>', answer, re.S)
    if lose:
        assert listed and "/o/acme/objectives/activation/" in listed.group(1)
    else:
        assert listed is None and "None: nothing aligns to what would be dropped." in answer
    if drop.startswith("lever:"):
        assert "2 objectives would model no lever" in answer


def test_dropping_something_unknown_says_so_and_changes_nothing(client, world: World) -> None:
    html = _page(client, world, drop="lever:nope")
    assert "Nothing named lever:nope on this map" in html


def test_a_viewer_reads_the_map(client, world: World) -> None:
    client.force_login(world.viewer)
    response = client.get(map_url())
    assert response.status_code == 200
    assert "Customers stay with us" in response.content.decode()


def test_someone_outside_the_organisation_gets_404_and_no_one_signed_out_sees_it(
    client, world: World
) -> None:
    client.force_login(world.outsider)
    assert client.get(map_url()).status_code == 404
    assert client.get(map_url(period="2026-Q4")).status_code == 404
    client.logout()
    assert client.get(map_url()).status_code == 302


def test_an_unknown_period_is_404(client, world: World) -> None:
    client.force_login(world.member)
    assert client.get(map_url(period="1999-Q1")).status_code == 404


def test_an_organisation_with_no_objective_in_the_period_says_so(client, world: World) -> None:
    make_period(world.org, "2027-Q1")
    html = _page(client, world, period="2027-Q1")
    assert "No objective in 2027-Q1 yet" in html
    assert 'id="map-data"' not in html


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_query_count_is_the_same_for_25_and_200_objectives(client, world: World) -> None:
    client.force_login(world.member)
    add_objectives(world, 23)
    client.get(map_url())  # scores of the bulk rows are stored at their first read
    few = _queries(client, map_url(drop="objective:retention"))
    add_objectives(world, 175, start=23)
    client.get(map_url())
    many = _queries(client, map_url(drop="objective:retention"))
    response = client.get(map_url())
    assert len(response.context["data"].nodes) == 200
    assert many == few <= 16


def test_the_dashboard_the_strategy_and_each_objective_link_to_the_map(
    client, world: World
) -> None:
    client.force_login(world.member)
    dashboard = client.get(reverse("dashboard", kwargs={"org": "acme"})).content.decode()
    assert 'href="/o/acme/map/?period=2026-Q4"' in dashboard
    strategy = client.get(reverse("strategy", kwargs={"org": "acme"}), follow=True)
    assert 'href="/o/acme/map/"' in strategy.content.decode()
    page = client.get(reverse("objective", kwargs={"org": "acme", "slug": "activation"}))
    assert 'href="/o/acme/map/?focus=activation&amp;period=2026-Q4">See it on the map</a>' in (
        page.content.decode()
    )


def _tables_url(**query: str) -> str:
    url = reverse("map-tables", kwargs={"org": "acme"})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _lever_items(html: str) -> list[str]:
    """Titles of the objectives listed under the levers on one page of the levers table."""
    return [
        unescape(re.sub(r"<[^>]+>", "", title))
        for block in re.findall(r'<ul class="map-lever-objectives">(.*?)</ul>', html, re.S)
        for title in re.findall(r"<li><a [^>]+>(.*?)</a>", block, re.S)
    ]


def test_a_large_map_sends_its_tables_to_a_paged_page_listing_every_alignment_and_objective(
    client, world: World
) -> None:
    client.force_login(world.member)
    add_objectives(world, 400)
    client.get(map_url())  # the bulk rows are scored as this first request ends
    html = client.get(map_url()).content.decode()
    data = map_json(read_map(access_org(world.member, "acme"), world.period))
    assert len(data["nodes"]) > 300
    assert 'id="map-alignments"' not in html
    assert f'href="{_tables_url(period=world.period.key)}"' in html
    assert f"{len(data['edges'])} alignments between {len(data['nodes'])} objectives" in html

    rows: list[tuple[str, ...]] = []
    page = 1
    while True:
        response = client.get(_tables_url(period=world.period.key, page=str(page)))
        assert response.status_code == 200
        body = response.content.decode()
        rows += _table_alignments(body)
        if 'rel="next"' not in body:
            break
        page += 1
    assert page == -(-len(data["edges"]) // 250) > 1
    titles = {node["id"]: node["title"] for node in data["nodes"]}
    expected = sorted((titles[e["from"]], titles[e["to"]]) for e in data["edges"])
    assert sorted((row[0], row[2]) for row in rows) == expected

    listed: list[str] = []
    page = 1
    while True:
        body = client.get(
            _tables_url(period=world.period.key, show="levers", page=str(page))
        ).content.decode()
        listed += _lever_items(body)
        if 'rel="next"' not in body:
            break
        assert "continued" in body or page == 1
        page += 1
    modelling = sum(max(1, len(node["levers"])) for node in data["nodes"])
    assert len(listed) == modelling
    assert set(listed) == set(titles.values())


def test_the_tables_page_reads_with_the_same_queries_at_any_size(client, world: World) -> None:
    client.force_login(world.member)
    add_objectives(world, 20)
    client.get(map_url())
    few = [_queries(client, _tables_url(show=show)) for show in ("alignments", "levers")]
    add_objectives(world, 380, start=20)
    client.get(map_url())
    many = [_queries(client, _tables_url(show=show, page="2")) for show in ("alignments", "levers")]
    assert many == few


def test_the_tables_page_is_for_members_only_and_an_unknown_page_shows_the_last(
    client, world: World
) -> None:
    assert client.get(_tables_url()).status_code == 302
    client.force_login(world.outsider)
    assert client.get(_tables_url()).status_code == 404
    client.force_login(world.member)
    response = client.get(_tables_url(page="999"))
    assert response.status_code == 200
    assert _table_alignments(response.content.decode())
