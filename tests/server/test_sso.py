"""Single sign-on: who may join (the rules alone), and the code flow against a real provider."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from django.test import Client
from django.utils import timezone

from constellation.server.accounts.models import SsoIdentity
from constellation.server.accounts.oidc import DiscoveryError, discovery, forget_discovery
from constellation.server.accounts.sso import SsoClaims, SsoPolicy, SsoRefused, sign_in_with_sso
from constellation.server.audit.models import AuditEvent
from constellation.server.orgs.access import access_org
from constellation.server.orgs.models import Membership
from constellation.server.people.actions import do_invite
from tests.oidc_provider import running_provider
from tests.server.factories import World

POLICY = SsoPolicy(organization="acme", allowed_domains=("acme.example",), new_role="leader")
CLIENT_ID, CLIENT_SECRET = "constellation-tests", "a-secret-only-the-tests-know"


def claims(email: str, verified: bool | None = True) -> SsoClaims:
    """What a provider says about `email`."""
    return SsoClaims(
        issuer="https://id.example",
        subject=f"sub-{email.lower()}",
        email=email,
        email_verified=verified,
    )


def membership(user: Any, slug: str = "acme") -> Membership:
    """The person's membership in the organisation."""
    return Membership.objects.get(user=user, organization__slug=slug)


# The rules, without a provider.


def test_a_newcomer_from_an_allowed_domain_joins_with_the_new_role(world: World) -> None:
    user = sign_in_with_sso(claims("Ada.Lovelace@ACME.example"), POLICY)
    assert user.username == "Ada.Lovelace"
    assert not user.has_usable_password()
    assert membership(user).role == "leader"
    event = AuditEvent.objects.get(action="join_by_sso")
    assert event.organization_id == world.org.pk and event.actor_id == user.pk


def test_a_second_login_signs_the_same_person_in_without_a_new_membership(world: World) -> None:
    first = sign_in_with_sso(claims("ada@acme.example"), POLICY)
    again = sign_in_with_sso(claims("ADA@acme.example"), POLICY)
    assert again == first
    assert Membership.objects.filter(user=first).count() == 1


def test_a_returning_person_signs_in_whatever_their_domain(world: World) -> None:
    assert sign_in_with_sso(claims("member@example.com"), POLICY) == world.member
    assert membership(world.member).role == "member"


def test_another_domain_is_refused_saying_who_to_ask(world: World) -> None:
    with pytest.raises(
        SsoRefused,
        match=r"eve@elsewhere\.example is not invited to Acme Analytics; ask an admin to invite",
    ):
        sign_in_with_sso(claims("eve@elsewhere.example"), POLICY)
    assert not Membership.objects.filter(user__email="eve@elsewhere.example").exists()


def test_an_invited_address_joins_with_its_invited_role_and_teams(world: World) -> None:
    admin = access_org(world.admin, "acme", write=True)
    do_invite(admin, ["grace@partner.example"], "viewer", [world.team], world.admin)
    user = sign_in_with_sso(claims("grace@partner.example"), POLICY)
    joined = membership(user)
    assert joined.role == "viewer"
    assert list(joined.teams.all()) == [world.team]
    assert AuditEvent.objects.filter(action="accept_invitation", actor_id=user.pk).exists()


def test_a_deactivated_person_is_refused_even_from_an_allowed_domain(world: World) -> None:
    user = sign_in_with_sso(claims("ada@acme.example"), POLICY)
    Membership.objects.filter(user=user).update(deactivated_at=timezone.now())
    user.is_active = False
    user.save()
    with pytest.raises(SsoRefused, match="deactivated"):
        sign_in_with_sso(claims("ada@acme.example"), POLICY)
    assert membership(user).deactivated_at is not None


def test_a_deactivated_membership_is_not_rejoined_by_domain(world: World) -> None:
    user = sign_in_with_sso(claims("ada@acme.example"), POLICY)
    Membership.objects.filter(user=user).update(deactivated_at=timezone.now())
    with pytest.raises(SsoRefused, match="deactivated in Acme Analytics"):
        sign_in_with_sso(claims("ada@acme.example"), POLICY)


def test_an_unverified_or_unvouched_email_is_refused_unless_the_operator_trusts_it(
    world: World, settings: Any
) -> None:
    with pytest.raises(SsoRefused, match="not verified"):
        sign_in_with_sso(claims("ada@acme.example", verified=False), POLICY)
    # No claim at all: anyone at the provider could be claiming any address.
    with pytest.raises(SsoRefused, match="not verified"):
        sign_in_with_sso(claims("bob@acme.example", verified=None), POLICY)
    settings.OIDC_TRUST_EMAIL = True
    assert sign_in_with_sso(claims("bob@acme.example", verified=None), POLICY).email
    with pytest.raises(SsoRefused, match="not verified"):
        sign_in_with_sso(claims("cy@acme.example", verified=False), POLICY)


def test_a_second_provider_account_with_a_linked_address_does_not_take_the_account(
    world: World,
) -> None:
    alice = sign_in_with_sso(claims("alice@acme.example"), POLICY)
    impostor = SsoClaims(
        issuer="https://id.example",
        subject="sub-someone-else",
        email="alice@acme.example",
        email_verified=True,
    )
    with pytest.raises(SsoRefused, match="already linked"):
        sign_in_with_sso(impostor, POLICY)
    assert sign_in_with_sso(claims("alice@acme.example"), POLICY) == alice


def test_a_newcomer_by_domain_never_becomes_an_owner(world: World) -> None:
    policy = SsoPolicy(organization="acme", allowed_domains=("acme.example",), new_role="owner")
    assert membership(sign_in_with_sso(claims("ada@acme.example"), policy)).role == "member"


def test_a_taken_username_gets_a_number(world: World) -> None:
    user = sign_in_with_sso(claims("member@acme.example"), POLICY)
    assert user.username == "member2"


# The code flow, through the Django test client and a real provider process.


@pytest.fixture
def provider() -> Iterator[str]:
    """A running OpenID Connect provider's issuer URL."""
    with running_provider(CLIENT_ID, CLIENT_SECRET) as issuer:
        yield issuer


def configure(settings: Any, issuer: str, **more: Any) -> None:
    """Point the app at `issuer`."""
    forget_discovery()
    settings.OIDC_ISSUER = issuer
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_PROVIDER_NAME = "Test ID"
    settings.OIDC_ORGANIZATION = "acme"
    settings.OIDC_ALLOWED_DOMAINS = ["acme.example"]
    settings.OIDC_NEW_ROLE = "member"
    for name, value in more.items():
        setattr(settings, name, value)


def callback_for(client: Client, email: str) -> str:
    """Go to the provider as `email` (its login_hint skips its form); the callback URL back."""
    start = client.get("/oidc/authenticate/")
    assert start.status_code == 302
    back = requests.get(
        f"{start['Location']}&login_hint={email}", allow_redirects=False, timeout=10
    )
    assert back.status_code == 302
    callback = urlsplit(back.headers["Location"])
    return f"{callback.path}?{callback.query}"


def sign_in(client: Client, email: str) -> Any:
    """The whole round trip as `email`: the callback's response."""
    return client.get(callback_for(client, email))


def test_the_login_page_offers_the_provider_only_when_configured(
    world: World, client: Client, settings: Any, django_assert_max_num_queries: Any
) -> None:
    assert "Sign in with" not in client.get("/accounts/login/").content.decode()
    assert client.get("/oidc/authenticate/").status_code == 404
    configure(settings, "http://127.0.0.1:9")
    with django_assert_max_num_queries(2):
        page = client.get("/accounts/login/").content.decode()
    assert "Sign in with Test ID" in page and 'name="password"' in page


def test_the_code_flow_signs_a_newcomer_in(
    world: World, client: Client, settings: Any, provider: str
) -> None:
    configure(settings, provider)
    response = sign_in(client, "ada@acme.example")
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/")["Location"] == "/o/acme/home/"
    assert membership(Membership.objects.get(user__email="ada@acme.example").user).role == "member"


def test_a_refused_person_gets_a_page_that_says_why(
    world: World,
    client: Client,
    settings: Any,
    provider: str,
    django_assert_max_num_queries: Any,
) -> None:
    configure(settings, provider)
    callback = callback_for(client, "eve@elsewhere.example")
    # The rules read a handful of rows; the rest is the session and login throttling.
    with django_assert_max_num_queries(25):
        response = client.get(callback)
    assert response.status_code == 403
    assert "eve@elsewhere.example is not invited to Acme Analytics" in response.content.decode()
    assert client.get("/").status_code == 302  # still signed out


def test_an_unverified_email_from_the_provider_is_refused(
    world: World, client: Client, settings: Any
) -> None:
    with running_provider(CLIENT_ID, CLIENT_SECRET, unverified=True) as issuer:
        configure(settings, issuer)
        response = sign_in(client, "ada@acme.example")
    assert response.status_code == 403
    assert "has not verified ada@acme.example" in response.content.decode()


def test_a_wrong_client_secret_ends_on_a_page_not_a_server_error(
    world: World, client: Client, settings: Any, provider: str
) -> None:
    configure(settings, provider, OIDC_RP_CLIENT_SECRET="not-the-secret")
    response = sign_in(client, "ada@acme.example")
    assert response.status_code == 502
    assert "Signing in with Test ID failed" in response.content.decode()


def test_an_unreachable_provider_is_a_clear_page(
    world: World, client: Client, settings: Any
) -> None:
    configure(settings, "http://127.0.0.1:9")  # the discard port: nothing listens
    response = client.get("/oidc/authenticate/")
    assert response.status_code == 502
    assert "could not be reached" in response.content.decode()


def test_a_replayed_callback_is_refused(
    world: World, client: Client, settings: Any, provider: str
) -> None:
    configure(settings, provider)
    callback = callback_for(client, "ada@acme.example")
    assert client.get(callback).status_code == 302
    client.logout()
    again = client.get(callback)
    assert again.status_code == 403
    assert "did not complete" in again.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_login_can_be_turned_off_when_sso_is_on(
    world: World, client: Client, settings: Any
) -> None:
    configure(settings, "http://127.0.0.1:9", PASSWORD_LOGIN=False)
    page = client.get("/accounts/login/").content.decode()
    assert 'name="password"' not in page and "Password sign-in is turned off" in page
    refused = client.post(
        "/accounts/login/", {"username": "member", "password": "correct horse battery"}
    )
    assert refused.status_code == 403
    assert "_auth_user_id" not in client.session


def test_the_provider_subject_finds_the_person_after_their_email_changes(world: World) -> None:
    first = sign_in_with_sso(claims("ada@acme.example"), POLICY)
    moved = SsoClaims(
        issuer="https://id.example",
        subject="sub-ada@acme.example",
        email="ada.king@acme.example",
        email_verified=True,
    )
    assert sign_in_with_sso(moved, POLICY) == first
    assert SsoIdentity.objects.get(user=first).subject == "sub-ada@acme.example"
    assert Membership.objects.filter(user=first).count() == 1


def test_an_id_token_meant_for_another_client_is_refused(
    world: World, client: Client, settings: Any
) -> None:
    with running_provider(CLIENT_ID, CLIENT_SECRET, audience="someone-else") as issuer:
        configure(settings, issuer)
        response = sign_in(client, "ada@acme.example")
    assert response.status_code == 400
    assert "could not be verified" in response.content.decode()
    assert not Membership.objects.filter(user__email="ada@acme.example").exists()


def test_discovery_is_read_once_and_kept(settings: Any) -> None:
    forget_discovery()
    with running_provider(CLIENT_ID, CLIENT_SECRET) as issuer:
        first = discovery(issuer)
    # The provider is gone: the kept document answers.
    assert discovery(issuer) == first
    assert first["token_endpoint"] == f"{issuer}/token"
    forget_discovery()


def test_an_issuer_without_tls_is_refused_unless_on_this_machine() -> None:
    with pytest.raises(DiscoveryError, match="https"):
        discovery("http://id.example")
