"""The Integrations page: admins add webhooks and channels (the secret shown once), send a
test event, read the delivery log; anyone else is refused, outsiders get 404."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from constellation.server.integrations.models import Attempt, Delivery, Webhook
from constellation.server.sealed import unseal
from tests.server.factories import World

pytestmark = pytest.mark.django_db

PAGE = "/o/acme/integrations/"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _create(client: Client, **fields: Any) -> Any:
    form = {"kind": "webhook", "url": "https://example.com/hooks", "all_events": "on", **fields}
    return client.post(PAGE, form)


def test_an_admin_adds_a_webhook_and_sees_its_secret_once(world: World) -> None:
    client = _client(world.admin)
    response = _create(client, description="CRM")
    assert response.status_code == 201
    hook = Webhook.objects.get()
    secret = unseal(hook.sealed_secret)
    page = response.content.decode()
    assert secret in page and response["Cache-Control"] == "no-store"
    assert hook.events == [] and hook.description == "CRM"
    for address in (PAGE, f"{PAGE}{hook.pk}/"):
        again = client.get(address)
        assert again.status_code == 200
        assert secret not in again.content.decode()
        assert hook.sealed_secret not in again.content.decode()


def test_a_bad_address_keeps_the_form_and_names_the_field(world: World) -> None:
    response = _create(_client(world.admin), url="javascript:alert(1)")
    assert response.status_code == 422
    assert 'class="field has-error field-url"' in response.content.decode()
    assert "javascript:alert(1)" in response.content.decode()
    assert not Webhook.objects.exists()


def test_no_event_chosen_is_refused(world: World) -> None:
    response = _create(_client(world.admin), all_events="")
    assert response.status_code == 422
    assert "Choose at least one event" in response.content.decode()


def test_a_channels_address_is_never_shown_again(world: World) -> None:
    client = _client(world.admin)
    url = "https://hooks.slack.com/services/T000/B000/abcdefSECRET"
    response = _create(client, kind="slack", url=url, team=world.team.pk)
    hook = Webhook.objects.get()
    assert response.status_code == 302
    assert hook.team == world.team and unseal(hook.sealed_url) == url
    page = client.get(f"{PAGE}{hook.pk}/").content.decode()
    assert url not in page and "T000/B000" not in page
    assert "hooks.slack.com/…SECRET" in page
    # Saved without a new address: the sealed one stays.
    edit = {"url": "", "all_events": "on", "team": world.team.pk, "version": "1"}
    assert client.post(f"{PAGE}{hook.pk}/", edit).status_code == 302
    hook.refresh_from_db()
    assert unseal(hook.sealed_url) == url and hook.version == 2


def test_edit_disable_test_rotate_and_delete(world: World) -> None:
    client = _client(world.admin)
    _create(client)
    hook = Webhook.objects.get()
    detail = f"{PAGE}{hook.pk}/"
    new = {"url": "https://example.com/v2", "events": ["kpi.unhealthy"], "version": "1"}
    assert client.post(detail, new).status_code == 302
    hook.refresh_from_db()
    assert (hook.url, hook.events) == ("https://example.com/v2", ["kpi.unhealthy"])
    assert client.post(f"{detail}test/").status_code == 302
    assert Delivery.objects.get().event_type == "webhook.test"
    client.post(f"{detail}enabled/", {"enabled": "0"})
    hook.refresh_from_db()
    assert not hook.enabled
    rotated = client.post(f"{detail}secret/")
    hook.refresh_from_db()
    assert unseal(hook.sealed_secret) in rotated.content.decode()
    assert client.post(f"{detail}delete/").status_code == 302
    assert not Webhook.objects.exists()


def test_a_stale_edit_is_refused(world: World) -> None:
    client = _client(world.admin)
    _create(client)
    hook = Webhook.objects.get()
    Webhook.objects.filter(pk=hook.pk).update(version=3)
    edit = {"url": "https://example.com/v2", "all_events": "on", "version": "1"}
    response = client.post(f"{PAGE}{hook.pk}/", edit)
    assert response.status_code == 422
    assert "Someone changed this subscription" in response.content.decode()


@pytest.mark.parametrize("who", ["leader", "member", "viewer"])
def test_anyone_but_an_admin_is_refused(world: World, who: str) -> None:
    _create(_client(world.admin))
    hook = Webhook.objects.get()
    client = _client(getattr(world, who))
    assert client.get(PAGE).status_code == 403
    assert client.get(f"{PAGE}{hook.pk}/").status_code == 403
    assert client.post(f"{PAGE}{hook.pk}/test/").status_code == 403
    assert client.post(f"{PAGE}{hook.pk}/delete/").status_code == 403
    assert Webhook.objects.count() == 1 and not Delivery.objects.exists()
    assert "Integrations" not in client.get("/o/acme/").content.decode()


def test_an_outsider_gets_404(world: World) -> None:
    _create(_client(world.admin))
    hook = Webhook.objects.get()
    client = _client(world.outsider)
    assert client.get(PAGE).status_code == 404
    assert client.get(f"{PAGE}{hook.pk}/").status_code == 404
    assert client.post(f"{PAGE}{hook.pk}/test/").status_code == 404
    assert Webhook.objects.count() == 1


def test_the_log_page_runs_a_bounded_number_of_queries(
    world: World, django_assert_max_num_queries: Any
) -> None:
    client = _client(world.admin)
    _create(client)
    hook = Webhook.objects.get()
    now = timezone.now()
    deliveries = Delivery.objects.bulk_create(
        Delivery(webhook=hook, message_id=f"msg_{n}", event_type="webhook.test", payload={})
        for n in range(60)
    )
    Attempt.objects.bulk_create(
        Attempt(delivery=d, number=k, at=now, status_code=500, error="HTTP 500")
        for d in deliveries
        for k in (1, 2, 3)
    )
    with django_assert_max_num_queries(14):
        response = client.get(f"{PAGE}{hook.pk}/")
    page = response.content.decode()
    assert page.count('class="delivery delivery-') == 25
    assert "Page 1 of 3" in page and "HTTP 500" in page
    with django_assert_max_num_queries(14):
        assert client.get(f"{PAGE}{hook.pk}/?page=3").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(PAGE).status_code == 200


def test_admins_find_the_page_in_the_menu(world: World) -> None:
    page = _client(world.admin).get("/o/acme/").content.decode()
    assert f'href="{PAGE}"' in page
