"""The tokens page: your own tokens, a new one shown once, revoking."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from constellation.server.audit.models import AuditEvent
from constellation.server.tokens.actions import do_create_token
from constellation.server.tokens.models import ApiToken, hash_token
from tests.server.factories import World


def tokens_url(org: str = "acme") -> str:
    return reverse("tokens", kwargs={"org": org})


def revoke_url(token: ApiToken, org: str = "acme") -> str:
    return reverse("token-revoke", kwargs={"org": org, "token_id": token.pk})


def test_a_new_token_is_shown_once_and_stored_hashed(client, world: World) -> None:
    client.force_login(world.member)
    response = client.post(tokens_url(), {"name": "weekly report"})
    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    plaintext = response.context["created"]["plaintext"]
    html = response.content.decode()
    assert f'value="{plaintext}"' in html
    assert f"Authorization: Bearer {plaintext}" in html
    token = ApiToken.objects.get(user=world.member)
    assert token.token_hash == hash_token(plaintext)
    assert token.name == "weekly report"
    assert AuditEvent.objects.filter(action="create_token").exists()
    again = client.get(tokens_url()).content.decode()
    assert plaintext not in again
    assert "weekly report" in again
    assert f"…{token.hint}" in again


def test_the_new_token_opens_the_api(client, world: World) -> None:
    client.force_login(world.member)
    plaintext = client.post(tokens_url(), {"name": "script"}).context["created"]["plaintext"]
    client.logout()
    response = client.get("/api/v1/orgs", HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert response.status_code == 200
    assert "acme" in response.content.decode()


def test_the_list_holds_only_my_tokens_in_this_organisation(client, world: World) -> None:
    do_create_token(world.leader, world.org, "leader's")
    do_create_token(world.outsider, world.other_org, "outsider's")
    do_create_token(world.member, world.org, "mine")
    client.force_login(world.member)
    html = client.get(tokens_url()).content.decode()
    assert "mine" in html
    assert "leader&#x27;s" not in html
    assert "outsider&#x27;s" not in html


def test_a_too_long_name_is_shown_next_to_the_field(client, world: World) -> None:
    client.force_login(world.member)
    response = client.post(tokens_url(), {"name": "x" * 101})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="id_name-error"' in html
    assert "at most 100 characters" in html
    assert not ApiToken.objects.exists()


def test_revoking_a_token(client, world: World) -> None:
    token, _ = do_create_token(world.member, world.org, "old")
    client.force_login(world.member)
    response = client.post(revoke_url(token))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked
    assert "revoked" in client.get(tokens_url()).content.decode()


def test_someone_elses_token_cannot_be_revoked(client, world: World) -> None:
    token, _ = do_create_token(world.leader, world.org, "leader's")
    client.force_login(world.member)
    assert client.post(revoke_url(token)).status_code == 404
    token.refresh_from_db()
    assert not token.revoked


def test_an_outsider_gets_404(client, world: World) -> None:
    token, _ = do_create_token(world.member, world.org, "mine")
    client.force_login(world.outsider)
    assert client.get(tokens_url()).status_code == 404
    assert client.post(tokens_url(), {"name": "sneaky"}).status_code == 404
    assert client.post(revoke_url(token)).status_code == 404
    assert ApiToken.objects.count() == 1
    token.refresh_from_db()
    assert not token.revoked


def test_a_viewer_may_hold_a_token_that_only_reads(client, world: World) -> None:
    client.force_login(world.viewer)
    response = client.post(tokens_url(), {"name": "read-only"})
    assert response.status_code == 201
    assert "can read this organisation through the API but not change it" in (
        response.content.decode()
    )
    assert ApiToken.objects.get().user == world.viewer


def test_the_page_runs_a_bounded_number_of_queries(client, world: World) -> None:
    client.force_login(world.member)
    do_create_token(world.member, world.org, "one")
    client.get(tokens_url())
    with CaptureQueriesContext(connection) as few:
        client.get(tokens_url())
    for number in range(30):
        do_create_token(world.member, world.org, f"token {number}")
    with CaptureQueriesContext(connection) as many:
        client.get(tokens_url())
    assert len(many) == len(few)
