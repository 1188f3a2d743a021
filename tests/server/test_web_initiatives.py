"""The objective page's initiatives: owner, status and labelled links shown; added, edited and
deleted from drawers (htmx or plain forms), refused forms keeping what was typed, and a page
that reads the same number of queries whatever its initiatives and links."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from constellation.server.audit.models import AuditEvent
from constellation.server.okrs.models import Initiative, InitiativeLink, Objective
from tests.server.factories import World

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
LINKS = "https://acme.atlassian.net/browse/GROW-7\n\nhttps://github.com/acme/app/pull/9\n"


def url(name: str, **kwargs: object) -> str:
    return reverse(name, kwargs={"org": "acme", "slug": "activation", **kwargs})


def _add(world: World, title: str = "Guided setup wizard", links: int = 2) -> Initiative:
    initiative = Initiative.objects.create(
        objective=world.objective,
        slug=title.lower().replace(" ", "-"),
        title=title,
        status="in_progress",
        owner=world.leader,
    )
    initiative.moves.set([world.key_result])
    InitiativeLink.objects.bulk_create(
        InitiativeLink(
            initiative=initiative,
            url=f"https://github.com/acme/app/issues/{n}",
            kind="github",
            label=f"acme/app#{n}",
            position=n,
        )
        for n in range(links)
    )
    return initiative


def test_the_page_shows_status_owner_and_links_named_by_their_tracker(client, world) -> None:
    _add(world)
    client.force_login(world.member)
    html = client.get(url("objective")).content.decode()
    assert "Guided setup wizard" in html
    assert 'class="initiative-status initiative-status-in_progress"' in html
    assert '<span class="visually-hidden">Status: </span>in progress' in html
    assert world.leader.username in html or world.leader.get_full_name() in html
    chip = '<span class="work-link-kind">GitHub</span> <span class="work-link-label">acme/app#1'
    assert chip in html
    assert 'href="https://github.com/acme/app/issues/1"' in html
    assert 'hx-post="' + url("initiative-edit", initiative=Initiative.objects.get().pk) in html


def test_the_page_reads_the_same_queries_for_1_or_12_initiatives_with_links(client, world) -> None:
    client.force_login(world.member)
    counts = []
    for total in (1, 12):
        while Initiative.objects.count() < total:
            _add(world, f"Initiative {Initiative.objects.count()}", links=3)
        client.get(url("objective"))  # rows written around the actions are scored here
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("objective")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_adding_from_the_drawer_answers_with_the_section(client, world) -> None:
    client.force_login(world.member)
    body = {
        "title": "Template gallery",
        "status": "planned",
        "owner": world.member.username,
        "links": LINKS,
        "moves": [str(world.key_result.pk)],
    }
    response = client.post(url("initiative-new"), body, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.strip().startswith('<section class="card initiatives-card" id="initiatives-')
    assert "Initiative “Template gallery” added." in html
    assert '<span class="work-link-kind">Jira</span> <span class="work-link-label">GROW-7' in html
    created = Initiative.objects.get(title="Template gallery")
    assert created.owner == world.member and list(created.moves.all()) == [world.key_result]
    assert [link.label for link in created.links.all()] == ["GROW-7", "acme/app#9"]


def test_a_refused_new_initiative_keeps_what_was_typed(client, world) -> None:
    client.force_login(world.member)
    body = {"title": "Template gallery", "status": "planned", "links": "ftp://files/a"}
    drawer = client.post(url("initiative-new"), body, **HTMX)
    assert drawer.status_code == 422
    html = drawer.content.decode()
    assert "line 1: only web addresses starting with http:// or https://" in html
    assert 'value="Template gallery"' in html and "ftp://files/a</textarea>" in html
    assert '<details class="drawer initiative-new-drawer" open>' in html
    page = client.post(url("initiative-new"), body)  # without script: the form's own page
    assert page.status_code == 422 and 'value="Template gallery"' in page.content.decode()
    assert not Initiative.objects.exists()


def test_editing_saves_and_a_stale_form_keeps_its_input(client, world) -> None:
    initiative = _add(world)
    client.force_login(world.member)
    edit = url("initiative-edit", initiative=initiative.pk)
    body = {"title": "Wizard v2", "status": "done", "owner": "", "links": LINKS, "version": 1}
    response = client.post(edit, body)
    assert response.status_code == 302
    assert response["Location"].endswith(f"#initiative-{initiative.pk}")
    saved = Initiative.objects.get(pk=initiative.pk)
    assert (saved.title, saved.status, saved.owner, saved.version) == ("Wizard v2", "done", None, 2)
    assert [link.kind for link in saved.links.all()] == ["jira", "github"]
    stale = client.post(edit, {**body, "title": "Mine", "version": 1}, **HTMX)
    assert stale.status_code == 409
    html = stale.content.decode()
    assert "changed by someone else" in html and 'value="Mine"' in html
    assert 'name="version" value="2"' in html
    assert Initiative.objects.get(pk=initiative.pk).title == "Wizard v2"


def test_deleting_a_launched_objectives_initiative_asks_why(client, world) -> None:
    initiative = _add(world)
    Objective.objects.filter(pk=world.objective.pk).update(state="launched")
    client.force_login(world.member)
    delete = url("initiative-delete", initiative=initiative.pk)
    refused = client.post(delete, {"version": 1, "reason": ""}, **HTMX)
    assert refused.status_code == 422 and "say why it changes" in refused.content.decode()
    response = client.post(delete, {"version": 1, "reason": "Done by Platform"}, **HTMX)
    assert response.status_code == 200 and "deleted" in response.content.decode()
    assert not Initiative.objects.exists() and not InitiativeLink.objects.exists()
    assert AuditEvent.objects.get(action="delete", object_type="initiative").reason == (
        "Done by Platform"
    )


def test_a_viewer_sees_the_initiatives_but_no_drawer_and_cannot_post(client, world) -> None:
    initiative = _add(world)
    client.force_login(world.viewer)
    html = client.get(url("objective")).content.decode()
    assert "Guided setup wizard" in html and "initiative-edit-drawer" not in html
    assert "Add an initiative" not in html
    edit = url("initiative-edit", initiative=initiative.pk)
    assert client.post(edit, {"title": "x", "status": "done", "version": 1}).status_code == 403
    assert client.get(edit).status_code == 200
    assert Initiative.objects.get().title == "Guided setup wizard"


def test_my_week_lists_the_initiatives_a_person_owns(client, world) -> None:
    initiative = _add(world)  # owned by the leader, who owns no objective nor key result
    client.force_login(world.leader)
    html = client.get(reverse("my-week", kwargs={"org": "acme"})).content.decode()
    assert f"#initiative-{initiative.pk}" in html and "Guided setup wizard" in html
    client.force_login(world.viewer)
    html = client.get(reverse("my-week", kwargs={"org": "acme"})).content.decode()
    assert "Guided setup wizard" not in html
