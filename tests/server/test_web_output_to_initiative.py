"""A key result that reads as an output becomes an initiative of its objective in one click."""

from __future__ import annotations

from django.urls import reverse

from constellation.server.audit.models import AuditEvent
from constellation.server.okrs.models import Initiative, KeyResult
from constellation.server.tracking.models import CheckIn
from tests.server.factories import World, make_key_result, today


def url(name: str, **kwargs: str) -> str:
    return reverse(name, kwargs={"org": "acme", **kwargs})


def output_kr(world: World) -> KeyResult:
    return make_key_result(
        world.objective, "checklist", "Ship the onboarding checklist", position=2
    )


def test_the_objective_page_offers_the_move_on_an_output(client, world: World) -> None:
    output_kr(world)
    client.force_login(world.member)
    html = client.get(url("objective", slug="activation")).content.decode()
    move = url("key-result-to-initiative", slug="activation", kr="checklist")
    assert f'action="{move}"' in html
    assert html.count(f'action="{move}"') == 1  # only on the output, not the outcomes


def test_moving_turns_the_key_result_into_an_initiative_in_one_step(client, world: World) -> None:
    kr = output_kr(world)
    CheckIn.objects.create(key_result=kr, checked_on=today(), value=None, done=False)
    client.force_login(world.member)
    move = url("key-result-to-initiative", slug="activation", kr="checklist")
    response = client.post(move, {"version": 1})
    assert response.status_code == 302
    initiative = Initiative.objects.get(objective=world.objective)
    assert initiative.title == "Ship the onboarding checklist"
    assert response.url == url("objective", slug="activation") + f"#initiative-{initiative.pk}"
    assert not KeyResult.objects.filter(pk=kr.pk).exists()
    event = AuditEvent.objects.get(action="move_to_initiative")
    assert event.before["title"] == "Ship the onboarding checklist"
    assert event.after == {"initiative": initiative.slug, "title": initiative.title}
    page = client.get(response.url).content.decode()
    assert "is now an initiative of this objective" in page
    assert "moved to initiatives the key result" in page


def test_the_initiative_then_chooses_the_key_results_it_moves(client, world: World) -> None:
    output_kr(world)
    client.force_login(world.member)
    client.post(url("key-result-to-initiative", slug="activation", kr="checklist"), {"version": 1})
    initiative = Initiative.objects.get(objective=world.objective)
    page = url("initiative-moves", slug="activation", initiative=initiative.pk)
    assert "Raise week-1 activation" in client.get(page).content.decode()
    response = client.post(page, {"moves": [world.key_result.pk]})
    assert response.status_code == 302
    assert list(initiative.moves.all()) == [world.key_result]
    refused = client.post(page, {"moves": [world.other_key_result.pk]})
    assert refused.status_code == 422
    assert list(initiative.moves.all()) == [world.key_result]


def test_a_stale_move_is_refused_and_changes_nothing(client, world: World) -> None:
    kr = output_kr(world)
    KeyResult.objects.filter(pk=kr.pk).update(version=2)
    client.force_login(world.member)
    response = client.post(
        url("key-result-to-initiative", slug="activation", kr="checklist"), {"version": 1}
    )
    assert response.status_code == 409
    assert KeyResult.objects.filter(pk=kr.pk).exists()
    assert not Initiative.objects.exists()
    assert not AuditEvent.objects.exists()


def test_viewers_and_outsiders_cannot_move(client, world: World) -> None:
    output_kr(world)
    move = url("key-result-to-initiative", slug="activation", kr="checklist")
    client.force_login(world.viewer)
    assert client.post(move, {"version": 1}).status_code == 403
    assert (
        "Move to initiatives"
        not in client.get(url("objective", slug="activation")).content.decode()
    )
    client.force_login(world.outsider)
    assert client.post(move, {"version": 1}).status_code == 404
    assert KeyResult.objects.filter(slug="checklist").exists()
    assert not Initiative.objects.exists()
