"""The constellation map in chromium, on the demo: every star and link drawn, filters, focus,
"what if", opening an objective, the table alternative; and 2,000 objectives without freezing."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from constellation.server.demo import build_demo
from constellation.server.strategy.models import Lever
from tests.browser.people import log_in
from tests.browser.waiting import wait_until
from tests.server.bulk import add_objectives
from tests.server.factories import make_world

READY = "() => window.constellationMap !== undefined"


def _api(page: Any, path: str) -> Any:
    """An API answer read with the page's own session."""
    return page.evaluate(
        "async (path) => (await fetch(path, {headers: {Accept: 'application/json'}})).json()", path
    )


def _open_map(page: Any, url: str) -> None:
    page.goto(url)
    wait_until(page, READY)


def _demo_map(live_server: Any, browser: Any) -> tuple[Any, dict]:
    build_demo(date.today())
    Client().get("/")  # anything noted while building is settled before the browser reads
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    log_in(page, live_server.url, "amara", "demo")
    _open_map(page, f"{live_server.url}/o/demo/map/")
    return page, _api(page, "/api/v1/orgs/demo/map")


@pytest.mark.django_db(transaction=True)
def test_the_map_draws_every_objective_and_alignment_and_the_table_lists_the_same(
    live_server: Any, browser: Any
) -> None:
    page, api = _demo_map(live_server, browser)
    assert len(api["nodes"]) >= 20
    drawn = page.evaluate("window.constellationMap.drawn()")
    assert sorted(drawn) == sorted(n["id"] for n in api["nodes"])
    links = page.evaluate("window.constellationMap.links()")
    assert sorted(map(tuple, links)) == sorted((e["from"], e["to"]) for e in api["edges"])
    assert api["edges"]
    # The table alternative, read as a screen reader would: link addresses, row by row.
    slug_of = {n["url"]: n["id"] for n in api["nodes"] + api["outside"]}
    rows = page.eval_on_selector_all(
        "#map-alignments tbody tr",
        "rows => rows.map(r => [...r.querySelectorAll('a')].map(a => a.getAttribute('href')))",
    )
    assert sorted((slug_of[a], slug_of[b]) for a, b in rows) == sorted(
        (e["from"], e["to"]) for e in api["edges"]
    )


@pytest.mark.django_db(transaction=True)
def test_filtering_by_a_team_hides_the_others_and_clearing_shows_them_again(
    live_server: Any, browser: Any
) -> None:
    page, api = _demo_map(live_server, browser)
    team = api["nodes"][0]["team"]
    theirs = sorted(n["id"] for n in api["nodes"] if n["team"] == team)
    assert 0 < len(theirs) < len(api["nodes"])
    page.get_by_text("Filter and search").click()
    page.select_option("#map-team", team)
    assert sorted(page.evaluate("window.constellationMap.drawn()")) == theirs
    assert page.locator("#map-list [data-slug]").count() == len(theirs)
    page.get_by_role("button", name="Clear").click()
    wait_until(page, f"window.constellationMap.drawn().length === {len(api['nodes'])}")


@pytest.mark.django_db(transaction=True)
def test_focusing_an_objective_highlights_what_it_contributes_to_and_its_contributors(
    live_server: Any, browser: Any
) -> None:
    page, api = _demo_map(live_server, browser)
    ups: dict[str, list[str]] = {}
    downs: dict[str, list[str]] = {}
    for edge in api["edges"]:
        ups.setdefault(edge["from"], []).append(edge["to"])
        downs.setdefault(edge["to"], []).append(edge["from"])

    def reach(start: str, links: dict[str, list[str]]) -> set[str]:
        found: set[str] = set()
        todo = [start]
        while todo:
            for other in links.get(todo.pop(), []):
                if other not in found and other != start:
                    found.add(other)
                    todo.append(other)
        return found

    # The objective with the most contributors, and something above it as well, if any.
    target = max(api["nodes"], key=lambda n: (len(reach(n["id"], downs)), n["id"]))
    contributors = reach(target["id"], downs)
    assert contributors
    page.locator(f'#map-list [data-slug="{target["id"]}"]').click()
    highlighted = set(page.evaluate("window.constellationMap.highlighted()"))
    assert highlighted == {target["id"]} | contributors | reach(target["id"], ups)
    faded = page.evaluate("window.constellationMap.cy.nodes('.objective.faded').length")
    assert faded == len(api["nodes"]) - len(highlighted)
    panel = page.locator("#map-focus-panel")
    assert panel.get_by_role("heading", name=target["title"]).is_visible()
    titles = {n["id"]: n["title"] for n in api["nodes"]}
    for slug in contributors:
        assert panel.get_by_role("link", name=titles[slug]).count() == 1
    page.keyboard.press("Escape")
    page.locator("#map-canvas").focus()
    page.keyboard.press("Escape")
    assert page.evaluate("window.constellationMap.highlighted()") == []


@pytest.mark.django_db(transaction=True)
def test_the_what_if_of_dropping_a_lever_lists_who_loses_a_target(
    live_server: Any, browser: Any
) -> None:
    page, api = _demo_map(live_server, browser)
    answers = {
        lever["id"]: _api(page, f"/api/v1/orgs/demo/map/what-if?lever={lever['id']}")
        for lever in api["levers"]
    }
    lever, answer = next((k, v) for k, v in answers.items() if v["lose_target"])
    page.select_option("#what-if-drop", f"lever:{lever}")
    page.get_by_role("button", name="Show what breaks").click()
    listed = page.locator('#what-if-result [data-list="lose_target"] a')
    listed.first.wait_for()
    titles = {n["id"]: n["title"] for n in api["nodes"]}
    assert listed.all_inner_texts() == [titles[slug] for slug in answer["lose_target"]]
    marked = page.evaluate("window.constellationMap.cy.nodes('.loses').map(n => n.data('slug'))")
    assert set(answer["lose_target"]) <= set(marked)


@pytest.mark.django_db(transaction=True)
def test_a_click_a_double_click_or_enter_opens_the_objective(
    live_server: Any, browser: Any
) -> None:
    page, api = _demo_map(live_server, browser)
    first = api["nodes"][0]
    # Click a star: it is focused; the panel's link opens it.
    page.locator(f'#map-list [data-slug="{first["id"]}"]').click()
    page.locator("#map-open").click()
    page.wait_for_url(f"**{first['url']}")
    # Double-click a star where it is drawn.
    _open_map(page, f"{live_server.url}/o/demo/map/")
    second = api["nodes"][1]
    spot = page.evaluate(
        """(slug) => {
             const node = window.constellationMap.cy.getElementById('o:' + slug);
             const box = document.getElementById('map-canvas').getBoundingClientRect();
             const p = node.renderedPosition();
             return {x: box.left + p.x, y: box.top + p.y};
           }""",
        second["id"],
    )
    page.mouse.dblclick(spot["x"], spot["y"])
    page.wait_for_url(f"**{second['url']}")
    # From the keyboard: arrows move, Enter focuses, Enter again opens.
    _open_map(page, f"{live_server.url}/o/demo/map/")
    page.locator("#map-canvas").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    assert page.evaluate("window.constellationMap.highlighted()")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{first['url']}")


@pytest.mark.django_db(transaction=True)
def test_an_objectives_see_it_on_the_map_link_focuses_it(live_server: Any, browser: Any) -> None:
    page, api = _demo_map(live_server, browser)
    node = next(n for n in api["nodes"] if any(e["to"] == n["id"] for e in api["edges"]))
    page.goto(live_server.url + node["url"])
    page.get_by_role("link", name="See it on the map").click()
    wait_until(page, READY)
    assert node["id"] in page.evaluate("window.constellationMap.highlighted()")
    assert page.locator("#map-focus-panel").get_by_role("heading", name=node["title"]).count()


@pytest.mark.django_db(transaction=True)
def test_2000_objectives_draw_grouped_at_once_and_a_group_opens_on_demand(
    live_server: Any, browser: Any
) -> None:
    world = make_world()
    add_objectives(world, 1998)
    client = Client()
    client.force_login(world.member)
    client.get("/o/acme/map/")  # the bulk rows are scored as this first request ends
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    log_in(page, live_server.url, "member")
    _open_map(page, f"{live_server.url}/o/acme/map/")
    first_picture = page.evaluate("window.constellationMap.firstPicture")
    print(f"time to first picture at 2,000 objectives: {first_picture:.0f} ms")
    assert first_picture < 5000
    assert page.evaluate("window.constellationMap.data.nodes.length") == 2000
    assert page.evaluate("window.constellationMap.cy.nodes('.cluster').length") >= 1
    assert len(page.evaluate("window.constellationMap.drawn()")) < 300
    opened = page.evaluate(
        """() => {
             const t = performance.now();
             document.querySelector('#map-list [data-group]').click();
             return performance.now() - t;
           }"""
    )
    print(f"opening the largest group: {opened:.0f} ms")
    assert opened < 10000
    assert len(page.evaluate("window.constellationMap.drawn()")) > 1000


@pytest.mark.django_db(transaction=True)
def test_an_objective_modelling_two_levers_is_tied_to_the_second_levers_box(
    live_server: Any, browser: Any
) -> None:
    world = make_world()
    second = Lever.objects.create(organization=world.org, slug="trust", title="Earn trust")
    world.objective.levers.add(second)
    Client().get("/")
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    log_in(page, live_server.url, "member")
    _open_map(page, f"{live_server.url}/o/acme/map/")
    ties = page.evaluate(
        """() => window.constellationMap.cy.edges('.also').map(
             (e) => [e.source().data('slug'), e.target().id()])"""
    )
    assert ties == [["activation", "g:lever:trust"]]
    home = page.evaluate("window.constellationMap.cy.getElementById('o:activation').parent().id()")
    assert home == "g:lever:self-serve"
    assert page.get_by_text("Also models that lever").is_visible()
    assert len(page.evaluate("window.constellationMap.links()")) == 1
    with page.expect_download() as svg:
        page.get_by_role("button", name="Download SVG").click()
    drawing = Path(svg.value.path()).read_text()
    assert drawing.count('class="also-models"') == 1 and drawing.count("<line ") == 1


@pytest.mark.django_db(transaction=True)
def test_the_picture_downloads_as_svg_and_png(live_server: Any, browser: Any) -> None:
    page, api = _demo_map(live_server, browser)
    with page.expect_download() as svg:
        page.get_by_role("button", name="Download SVG").click()
    drawing = Path(svg.value.path()).read_text()
    assert svg.value.suggested_filename == f"constellation-demo-{api['period']}.svg"
    assert drawing.startswith("<svg") and drawing.count("<line ") == len(api["edges"])
    words = " ".join(re.findall(r"<tspan[^>]*>([^<]*)</tspan>", drawing))
    assert api["nodes"][0]["title"].split()[0] in words
    with page.expect_download() as png:
        page.get_by_role("button", name="Download PNG").click()
    assert Path(png.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
