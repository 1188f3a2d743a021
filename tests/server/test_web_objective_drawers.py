"""The objective page's forms wait behind disclosures, open again when they hold errors."""

from __future__ import annotations

from django.urls import reverse

from tests.server.factories import World

CHECK_IN = '<details class="drawer check-in-drawer"'
EDIT = '<details class="drawer edit-drawer"'
ALIGN = '<details class="drawer align-drawer"'


def _url(name: str, **extra: str) -> str:
    return reverse(name, kwargs={"org": "acme", "slug": "activation", **extra})


def _opened(html: str, drawer: str) -> list[bool]:
    """For each disclosure of this kind on the page, whether it is open."""
    return [part.startswith(" open>") for part in html.split(drawer)[1:]]


def test_every_form_starts_closed_and_the_history_collapsed(client, world: World) -> None:
    client.force_login(world.member)
    html = client.get(_url("objective")).content.decode()
    assert _opened(html, CHECK_IN) == [False, False]
    assert _opened(html, EDIT) == [False]
    assert _opened(html, ALIGN) == [False]
    assert html.count('<details class="kr-history">') == 2
    assert "New check-in" in html and "No check-ins yet." in html


def test_a_viewer_gets_no_drawer_to_write_with(client, world: World) -> None:
    client.force_login(world.viewer)
    html = client.get(_url("objective")).content.decode()
    assert CHECK_IN not in html and EDIT not in html and ALIGN not in html
    assert html.count('<details class="kr-history">') == 2


def test_a_refused_check_in_opens_only_its_own_drawer(client, world: World) -> None:
    client.force_login(world.member)
    url = _url("check-in", kr=world.key_result.slug)
    response = client.post(url, {"note": "forgot the number"})
    assert response.status_code == 422
    html = response.content.decode()
    assert _opened(html, CHECK_IN) == [True, False]
    assert "forgot the number" in html


def test_a_refused_edit_opens_the_edit_drawer(client, world: World) -> None:
    client.force_login(world.member)
    data = {"title": "", "focus": "customer", "commitment": "committed", "version": 1}
    response = client.post(_url("objective-edit"), data)
    assert response.status_code == 422
    html = response.content.decode()
    assert _opened(html, EDIT) == [True]
    assert _opened(html, CHECK_IN) == [False, False]


def test_a_refused_alignment_opens_the_search_drawer(client, world: World) -> None:
    client.force_login(world.member)
    response = client.post(_url("alignment-add"), {"target": "nothing-here", "q": "kept"})
    assert response.status_code == 422
    html = response.content.decode()
    assert _opened(html, ALIGN) == [True]
    assert "There is no objective “nothing-here”" in html
