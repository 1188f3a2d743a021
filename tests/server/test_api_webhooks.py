"""Webhooks over the API: admins subscribe (the secret shown once), list, change, test and
read the log; members are refused, outsiders get 404, and no answer carries a secret."""

from __future__ import annotations

from typing import Any

import pytest

from constellation.server.audit.models import AuditEvent
from constellation.server.integrations.models import Delivery, Webhook
from constellation.server.sealed import unseal
from tests.server.api_helpers import client_for
from tests.server.factories import World

pytestmark = pytest.mark.django_db

URL = "/orgs/acme/webhooks"


def _made(world: World, **body: Any) -> Any:
    response = client_for(world.admin, world.org).post(
        URL, {"url": "https://example.com/h", **body}
    )
    assert response.status_code == 201, response.data
    return response.data


def test_creating_answers_with_the_secret_once_and_every_event_by_default(world: World) -> None:
    made = _made(world)
    assert made["url"] == "https://example.com/h"
    assert made["events"] == []
    assert made["secret"].startswith("whsec_")
    assert unseal(Webhook.objects.get(pk=made["id"]).sealed_secret) == made["secret"]
    event = AuditEvent.objects.get(action="create_webhook")
    assert made["secret"] not in str(event.after)


def test_no_list_detail_or_change_answer_shows_the_secret(world: World) -> None:
    made = _made(world, events=["checkin.recorded"])
    client = client_for(world.admin, world.org)
    answers = [
        client.get(URL),
        client.get(f"{URL}/{made['id']}"),
        client.patch(f"{URL}/{made['id']}", {"description": "CRM"}),
        client.get(f"{URL}/{made['id']}/deliveries"),
    ]
    for answer in answers:
        assert answer.status_code == 200
        assert made["secret"] not in answer.content.decode()
        assert "secret" not in answer.content.decode()
    assert answers[0].data[0]["events"] == ["checkin.recorded"]


def test_a_bad_address_or_event_is_refused_naming_the_field(world: World) -> None:
    client = client_for(world.admin, world.org)
    for body, field in (
        ({"url": "ftp://example.com/h"}, "url"),
        ({"url": "https://"}, "url"),
        ({"url": "http://[::1"}, "url"),
        ({"url": "https://example.com:99999/h"}, "url"),
        ({"url": "https://example.com/" + "x" * 2000}, "url"),
        ({"url": "https://example.com/h", "events": ["objective.exploded"]}, "events"),
    ):
        response = client.post(URL, body)
        assert response.status_code == 422
        assert response.data["errors"][0]["loc"][-1] == field, response.data
    assert not Webhook.objects.exists()


def test_patch_disables_changes_events_and_refuses_a_stale_version(world: World) -> None:
    made = _made(world)
    client = client_for(world.admin, world.org)
    path = f"{URL}/{made['id']}"
    changed = client.patch(path, {"enabled": False, "events": ["kpi.unhealthy"], "version": 1})
    assert changed.status_code == 200
    assert (changed.data["enabled"], changed.data["events"]) == (False, ["kpi.unhealthy"])
    stale = client.patch(path, {"enabled": True, "version": 1})
    assert stale.status_code == 409
    assert stale.data["current_version"] == 2


def test_rotating_shows_a_new_secret_once(world: World) -> None:
    made = _made(world)
    rotated = client_for(world.admin, world.org).post(f"{URL}/{made['id']}/secret")
    assert rotated.status_code == 200
    assert rotated.data["secret"].startswith("whsec_")
    assert rotated.data["secret"] != made["secret"]
    assert unseal(Webhook.objects.get(pk=made["id"]).sealed_secret) == rotated.data["secret"]


def test_a_test_event_is_queued_for_the_worker(world: World) -> None:
    made = _made(world, events=["kpi.unhealthy"])
    response = client_for(world.admin, world.org).post(f"{URL}/{made['id']}/test")
    assert response.status_code == 202
    assert response.data["type"] == "webhook.test"
    assert response.data["state"] == "waiting"
    delivery = Delivery.objects.get()
    assert delivery.payload["data"]["organization"]["slug"] == "acme"


def test_deleting_removes_the_subscription_and_its_log(world: World) -> None:
    made = _made(world)
    client = client_for(world.admin, world.org)
    client.post(f"{URL}/{made['id']}/test")
    assert client.delete(f"{URL}/{made['id']}").status_code == 204
    assert not Webhook.objects.exists() and not Delivery.objects.exists()
    assert client.get(f"{URL}/{made['id']}").status_code == 404


@pytest.mark.parametrize("who", ["leader", "member", "viewer"])
def test_anyone_but_an_admin_is_refused(world: World, who: str) -> None:
    made = _made(world)
    client = client_for(getattr(world, who), world.org)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"url": "https://example.com/x"}).status_code == 403
    assert client.get(f"{URL}/{made['id']}").status_code == 403
    assert client.post(f"{URL}/{made['id']}/test").status_code == 403
    assert Webhook.objects.count() == 1 and not Delivery.objects.exists()


def test_an_outsider_gets_404_for_every_operation(world: World) -> None:
    made = _made(world)
    client = client_for(world.outsider, world.other_org)
    assert client.get(URL).status_code == 404
    assert client.post(URL, {"url": "https://example.com/x"}).status_code == 404
    for path in ("", "/deliveries"):
        assert client.get(f"{URL}/{made['id']}{path}").status_code == 404
    assert client.post(f"{URL}/{made['id']}/test").status_code == 404
    assert client.delete(f"{URL}/{made['id']}").status_code == 404
    # Their own organisation's address does not open Acme's webhook either.
    other = client.get(f"/orgs/globex/webhooks/{made['id']}")
    assert other.status_code == 404


def test_the_log_answers_in_a_bounded_number_of_queries(
    world: World, django_assert_max_num_queries: Any
) -> None:
    made = _made(world)
    client = client_for(world.admin, world.org)
    for _ in range(30):
        client.post(f"{URL}/{made['id']}/test")
    with django_assert_max_num_queries(12):
        response = client.get(f"{URL}/{made['id']}/deliveries")
    assert len(response.data) == 30


# Slack and Teams channels over the API.

CHANNELS = "/orgs/acme/channels"
SLACK = "https://hooks.slack.com/services/T000/B000/abcdefSECRET"


def test_a_channel_is_added_for_a_team_and_its_address_never_shown(world: World) -> None:
    client = client_for(world.admin, world.org)
    made = client.post(
        CHANNELS, {"kind": "slack", "url": SLACK, "team": "growth", "topics": ["check_ins"]}
    )
    assert made.status_code == 201, made.data
    assert (made.data["team"], made.data["topics"]) == ("growth", ["check_ins"])
    hook = Webhook.objects.get()
    assert hook.events == ["checkin.recorded"] and unseal(hook.sealed_url) == SLACK
    for answer in (made, client.get(CHANNELS), client.get(f"{CHANNELS}/{hook.pk}")):
        assert "T000/B000" not in answer.content.decode()
    assert client.get(URL).data == []  # a channel is not a signed webhook
    assert client.get(f"{URL}/{hook.pk}").status_code == 404


def test_a_channel_hears_every_topic_by_default_and_is_changed_and_tested(world: World) -> None:
    client = client_for(world.admin, world.org)
    made = client.post(CHANNELS, {"kind": "teams", "url": "https://example.com/teams"}).data
    assert made["topics"] == ["launches", "check_ins", "alerts", "digests"]
    path = f"{CHANNELS}/{made['id']}"
    changed = client.patch(path, {"topics": ["alerts"], "enabled": False})
    assert changed.data["topics"] == ["alerts"] and changed.data["enabled"] is False
    assert client.post(f"{path}/test").status_code == 422  # disabled: enable it first
    client.patch(path, {"enabled": True})
    assert client.post(f"{path}/test").status_code == 202
    assert len(client.get(f"{path}/deliveries").data) == 1
    assert client.delete(path).status_code == 204


def test_a_channel_with_an_unknown_team_or_kind_is_refused(world: World) -> None:
    client = client_for(world.admin, world.org)
    unknown = client.post(CHANNELS, {"kind": "slack", "url": SLACK, "team": "nobody"})
    assert unknown.status_code == 422
    assert client.post(CHANNELS, {"kind": "irc", "url": SLACK}).status_code == 422
    assert client_for(world.member, world.org).get(CHANNELS).status_code == 403
    assert client_for(world.outsider, world.other_org).get(CHANNELS).status_code == 404
