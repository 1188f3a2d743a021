"""Slack and Microsoft Teams channels: readable messages with absolute links, received by a
real loopback server, retried and logged like webhooks; a team's channel hears its team."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from constellation.server.integrations.actions import WebhookInput, do_create_webhook
from constellation.server.integrations.models import Delivery, Webhook
from constellation.server.integrations.outbox import deliver_all, due_delivery_ids
from constellation.server.okrs.models import Objective
from constellation.server.orgs.access import access_org
from constellation.server.orgs.models import Membership, Team
from constellation.server.sealed import unseal
from constellation.server.tracking.actions import CheckInInput, do_check_in
from constellation.server.tracking.models import CheckIn
from constellation.server.worker.digests import send_digests
from tests.server.factories import World
from tests.server.receivers import receiver

pytestmark = pytest.mark.django_db

OBJECTIVE = "http://localhost:8000/o/acme/objectives/activation/"


def _channel(world: World, kind: str, url: str, **extra: Any) -> Webhook:
    access = access_org(world.admin, "acme")
    hook, secret = do_create_webhook(access, WebhookInput(url=url, kind=kind, **extra), world.admin)
    assert secret is None
    return hook


def _check_in(world: World) -> None:
    access = access_org(world.member, "acme")
    data = CheckInInput(value=46, confidence=7, note="Guided setup is live")
    do_check_in(access, world.key_result, data, world.member)


def test_a_slack_channel_gets_text_and_mrkdwn_blocks_with_links(world: World) -> None:
    with receiver() as slack:
        hook = _channel(world, "slack", slack.url, events=["checkin.recorded"])
        _check_in(world)
        assert deliver_all(due_delivery_ids()) == 1
    body = slack.received[0].json
    assert body["text"] == "member checked in on New teams get to value in their first week"
    section = body["blocks"][0]["text"]
    assert section["type"] == "mrkdwn"
    assert "Raise week-1 activation from 34% to 50%: now 46.0% (target 50.0%)" in section["text"]
    assert "Confidence 7/10" in section["text"] and "Guided setup is live" in section["text"]
    links = body["blocks"][1]["elements"][0]["text"]
    assert f"<{OBJECTIVE}#kr-week1-activation|Raise week-1 activation" in links
    assert f"<{OBJECTIVE}|New teams get to value" in links
    assert "webhook-signature" not in slack.received[0].headers
    assert Delivery.objects.get().state == "delivered"
    assert slack.url not in hook.url and unseal(hook.sealed_url) == slack.url


def test_a_teams_channel_gets_a_message_card_with_the_same_content(world: World) -> None:
    with receiver() as teams:
        _channel(world, "teams", teams.url, events=["checkin.recorded"])
        _check_in(world)
        deliver_all(due_delivery_ids())
    card = teams.received[0].json
    assert card["@type"] == "MessageCard"
    assert card["title"] == "member checked in on New teams get to value in their first week"
    assert "now 46.0% (target 50.0%)" in card["text"]
    targets = [action["targets"][0]["uri"] for action in card["potentialAction"]]
    assert targets == [f"{OBJECTIVE}#kr-week1-activation", OBJECTIVE]


def test_a_kpi_alert_links_to_the_kpi(world: World) -> None:
    from django.utils import timezone

    from constellation.server.kpis.alerts import check_kpi

    with receiver() as slack:
        _channel(world, "slack", slack.url, events=["kpi.unhealthy"])
        world.kpi.current = 3.4
        world.kpi.save()
        check_kpi(world.kpi.pk, timezone.now())
        deliver_all(due_delivery_ids())
    body = slack.received[0].json
    assert body["text"] == "KPI alert: Monthly logo churn left its healthy range"
    links = body["blocks"][1]["elements"][0]["text"]
    assert "<http://localhost:8000/o/acme/kpis/logo-churn/|Monthly logo churn>" in links


def test_a_teams_channel_hears_only_its_teams_events(world: World) -> None:
    other = Team.objects.create(organization=world.org, slug="sales", name="Sales")
    _channel(world, "slack", "https://hooks.slack.com/services/T/B/x", team=other)
    _check_in(world)  # a check-in of Growth's objective
    assert not Delivery.objects.exists()
    _channel(world, "teams", "https://example.webhook.office.com/x", team=world.team)
    _check_in(world)
    assert Delivery.objects.get().webhook.kind == "teams"


def test_the_weekly_digest_goes_to_the_teams_channel(world: World) -> None:
    Objective.objects.filter(pk=world.objective.pk).update(state=Objective.State.LAUNCHED)
    Membership.objects.get(organization=world.org, user=world.member).teams.add(world.team)
    CheckIn.objects.create(
        key_result=world.key_result, checked_on=date(2026, 11, 10), value=45, confidence=6
    )
    with receiver() as slack:
        _channel(world, "slack", slack.url, team=world.team, events=["team.digest"])
        sent = send_digests(world.org, datetime(2026, 11, 16, 9, 0, tzinfo=UTC))
        assert sent >= 1
        deliver_all(due_delivery_ids())
    body = slack.received[0].json
    assert body["text"].startswith("Weekly digest of Growth")
    assert (
        "<http://localhost:8000/o/acme/teams/growth/|Growth>"
        in body["blocks"][1]["elements"][0]["text"]
    )


def test_a_webhook_cannot_belong_to_one_team_and_a_channel_url_is_checked(world: World) -> None:
    from constellation.server.errors import ActionError

    access = access_org(world.admin, "acme")
    with pytest.raises(ActionError) as refused:
        do_create_webhook(access, WebhookInput(url="https://e.com/h", team=world.team), world.admin)
    assert refused.value.field == "team"
    with pytest.raises(ActionError) as refused:
        do_create_webhook(access, WebhookInput(url="slack.com", kind="slack"), world.admin)
    assert refused.value.field == "url"


def test_a_teams_lead_adds_and_manages_their_teams_channel_and_nothing_else(world: World) -> None:
    from django.test import Client

    from tests.server.api_helpers import client_for

    Team.objects.filter(pk=world.team.pk).update(lead=world.leader)
    company = Team.objects.get(slug="company")
    web = Client()
    web.force_login(world.leader)
    settings = web.get(f"/o/acme/teams/{world.team.slug}/settings/").content.decode()
    assert 'id="team-channels"' in settings and 'href="/o/acme/integrations/"' in settings
    page = web.get("/o/acme/integrations/")
    assert page.status_code == 200
    assert 'value="webhook"' not in page.content.decode()
    form = {"kind": "slack", "url": "https://hooks.slack.com/services/T/B/c", "all_events": "on"}
    assert web.post("/o/acme/integrations/", {**form, "team": world.team.pk}).status_code == 302
    hook = Webhook.objects.get()
    assert hook.team == world.team
    assert web.post(f"/o/acme/integrations/{hook.pk}/test/").status_code == 302
    refused = web.post("/o/acme/integrations/", {**form, "team": company.pk})
    assert refused.status_code == 422
    signed = web.post("/o/acme/integrations/", {**form, "kind": "webhook", "team": world.team.pk})
    assert signed.status_code == 422
    api = client_for(world.leader, world.org)
    made = api.post(
        "/orgs/acme/channels", {"kind": "teams", "url": "https://e.com/t", "team": "growth"}
    )
    assert made.status_code == 201
    other = api.post(
        "/orgs/acme/channels", {"kind": "teams", "url": "https://e.com/t", "team": "company"}
    )
    assert other.status_code == 403
    assert (
        api.post("/orgs/acme/channels", {"kind": "slack", "url": "https://e.com/t"}).status_code
        == 403
    )
    assert api.post("/orgs/acme/webhooks", {"url": "https://e.com/h"}).status_code == 403
    assert api.patch(f"/orgs/acme/channels/{hook.pk}", {"team": "company"}).status_code == 422
    assert len(api.get("/orgs/acme/channels").data) == 2
    # A channel of the whole organisation is the admins' alone.
    admin = access_org(world.admin, "acme")
    whole = do_create_webhook(
        admin, WebhookInput(url="https://e.com/all", kind="slack"), world.admin
    )
    assert api.get(f"/orgs/acme/channels/{whole[0].pk}").status_code == 403
    assert len(api.get("/orgs/acme/channels").data) == 2
    assert web.get(f"/o/acme/integrations/{whole[0].pk}/").status_code == 403
    assert Webhook.objects.count() == 3
