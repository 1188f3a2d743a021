"""Pivots: once launched, every change to an objective or its key results says why."""

from __future__ import annotations

from django.urls import reverse

from constellation.server.audit.models import AuditEvent
from constellation.server.okrs.models import KeyResult, Objective
from tests.server.api_helpers import client_for
from tests.server.factories import World


def url(name: str, **kwargs: str) -> str:
    return reverse(name, kwargs={"org": "acme", **kwargs})


def launch(world: World) -> None:
    Objective.objects.filter(pk=world.objective.pk).update(state="launched", state_given=True)


def draft_form(world: World, **extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "New teams see value on day one",
        "team": world.team.pk,
        "period": world.period.pk,
        "owner": world.member.pk,
        "focus": "customer",
        "commitment": "committed",
        "levers": [world.lever.pk],
        "guardrails": [world.kpi.pk],
        "version": 1,
    }
    data.update(extra)
    return data


def test_a_draft_changes_without_a_reason(client, world: World) -> None:
    client.force_login(world.member)
    html = client.get(url("objective-draft", slug="activation")).content.decode()
    assert 'name="reason"' not in html
    assert (
        client.post(url("objective-draft", slug="activation"), draft_form(world)).status_code == 302
    )


def test_a_launched_objective_refuses_a_change_without_a_reason(client, world: World) -> None:
    launch(world)
    client.force_login(world.member)
    response = client.post(url("objective-draft", slug="activation"), draft_form(world))
    assert response.status_code == 422
    html = response.content.decode()
    field = html[html.index('<label for="objective-reason">') :]
    assert "This objective is launched: say why it changes" in field[: field.index("</div>")]
    assert 'value="New teams see value on day one"' in html
    assert Objective.objects.get(pk=world.objective.pk).version == 1


def test_the_reason_is_recorded_and_shown_in_the_history(client, world: World) -> None:
    launch(world)
    client.force_login(world.member)
    data = draft_form(world, reason="Interviews showed day one matters most")
    assert client.post(url("objective-draft", slug="activation"), data).status_code == 302
    event = AuditEvent.objects.get(action="update", object_id=world.objective.pk)
    assert event.reason == "Interviews showed day one matters most"
    html = client.get(url("objective", slug="activation")).content.decode()
    assert (
        "changed <code>title</code> from New teams get to value in their first week to "
        "New teams see value on day one — Interviews showed day one matters most"
    ) in html


def test_a_key_result_of_a_launched_objective_needs_a_reason(client, world: World) -> None:
    launch(world)
    client.force_login(world.member)
    edit = url("key-result-edit", slug="activation", kr="week1-activation")
    data = {"title": "Raise week-1 activation from 34% to 45%", "type": "metric"}
    data |= {"baseline": "34", "target": "45", "unit": "%", "weight": "1", "version": 1}
    data["owner"] = str(world.member.pk)
    refused = client.post(edit, data)
    assert refused.status_code == 422
    assert "say why it changes" in refused.content.decode()
    assert KeyResult.objects.get(pk=world.key_result.pk).target == 50
    assert (
        client.post(edit, {**data, "reason": "Too ambitious after the outage"}).status_code == 302
    )
    event = AuditEvent.objects.get(object_type="keyresult", action="update")
    assert (event.before, event.after) == (
        {"title": "Raise week-1 activation from 34% to 50%", "target": 50.0},
        {"title": "Raise week-1 activation from 34% to 45%", "target": 45.0},
    )
    assert event.reason == "Too ambitious after the outage"


def test_adding_or_deleting_a_key_result_after_launch_needs_a_reason(client, world: World) -> None:
    launch(world)
    client.force_login(world.member)
    new = {"title": "Raise NPS from 30 to 40", "type": "metric", "weight": "1"}
    assert client.post(url("key-result-new", slug="activation"), new).status_code == 422
    added = client.post(url("key-result-new", slug="activation"), {**new, "reason": "NPS fell"})
    assert added.status_code == 302
    delete = url("key-result-delete", slug="activation", kr="time-to-value")
    assert client.post(delete, {"version": 1}).status_code == 422
    assert client.post(delete, {"version": 1, "reason": "Measured elsewhere"}).status_code == 302
    assert AuditEvent.objects.get(action="delete").reason == "Measured elsewhere"


def test_an_edit_never_closes_a_launched_objective_the_quarterly_review_does(
    client, world: World
) -> None:
    launch(world)
    client.force_login(world.member)
    data = {"title": world.objective.title, "focus": "customer", "commitment": "committed"}
    data |= {"state": "closed", "version": 1, "reason": "The quarter is over"}
    refused = client.post(url("objective-edit", slug="activation"), data)
    assert refused.status_code == 422
    assert "The quarterly review closes them" in refused.content.decode()
    assert Objective.objects.get(pk=world.objective.pk).state == "launched"


def test_the_api_patch_needs_a_reason_after_launch(world: World) -> None:
    launch(world)
    api = client_for(world.member, world.org)
    body: dict[str, object] = {"version": 1, "title": "Pivoted title"}
    refused = api.patch("/orgs/acme/objectives/activation", body)
    assert refused.status_code == 422
    assert "reason" in str(refused.data)
    body["reason"] = "The market moved"
    accepted = api.patch("/orgs/acme/objectives/activation", body)
    assert accepted.status_code == 200
    event = AuditEvent.objects.get(action="update", object_type="objective")
    assert event.reason == "The market moved"
