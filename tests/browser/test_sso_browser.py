"""A real browser signs in through a real OpenID Connect provider process."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from constellation.server.accounts.oidc import forget_discovery
from constellation.server.orgs.access import access_org
from constellation.server.orgs.models import Membership
from constellation.server.people.actions import do_invite
from tests.oidc_provider import running_provider
from tests.server.factories import make_world

CLIENT_ID, CLIENT_SECRET = "constellation-browser", "a-secret-only-the-tests-know"


@pytest.fixture
def sso(settings: Any) -> Iterator[str]:
    """The app pointed at a running provider; yields the provider's issuer URL."""
    with running_provider(CLIENT_ID, CLIENT_SECRET) as issuer:
        forget_discovery()
        settings.OIDC_ISSUER = issuer
        settings.OIDC_RP_CLIENT_ID = CLIENT_ID
        settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
        settings.OIDC_PROVIDER_NAME = "Test ID"
        settings.OIDC_ORGANIZATION = "acme"
        settings.OIDC_ALLOWED_DOMAINS = ["acme.example"]
        settings.OIDC_NEW_ROLE = "member"
        yield issuer
        forget_discovery()


def sign_in_with_provider(browser: Any, base_url: str, email: str) -> Any:
    """A fresh browser context signs in as `email` through the provider's own form."""
    page = browser.new_context().new_page()
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_role("button", name="Sign in with Test ID").click()
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Continue").click()
    return page


def role_of(email: str) -> str:
    """The role the address has in Acme."""
    return Membership.objects.get(user__email=email, organization__slug="acme").role


@pytest.mark.django_db(transaction=True)
def test_an_allowed_domain_joins_another_is_refused_and_an_invitation_applies(
    live_server: Any, browser: Any, sso: str
) -> None:
    from playwright.sync_api import expect

    world = make_world()

    newcomer = sign_in_with_provider(browser, live_server.url, "ada.lovelace@acme.example")
    expect(newcomer.get_by_role("heading", level=1)).to_contain_text("Acme Analytics")
    assert newcomer.url.endswith("/o/acme/home/")
    assert role_of("ada.lovelace@acme.example") == "member"

    stranger = sign_in_with_provider(browser, live_server.url, "eve@elsewhere.example")
    expect(stranger.get_by_role("alert")).to_have_text(
        "eve@elsewhere.example is not invited to Acme Analytics; ask an admin to invite you."
    )
    stranger.get_by_role("link", name="Back to the login page").click()
    expect(stranger.get_by_role("button", name="Sign in with Test ID")).to_be_visible()
    assert not Membership.objects.filter(user__email="eve@elsewhere.example").exists()

    admin = access_org(world.admin, "acme", write=True)
    do_invite(admin, ["grace@partner.example"], "viewer", [world.team], world.admin)
    invited = sign_in_with_provider(browser, live_server.url, "grace@partner.example")
    expect(invited.get_by_role("heading", level=1)).to_contain_text("Acme Analytics")
    assert role_of("grace@partner.example") == "viewer"
    joined = Membership.objects.get(user__email="grace@partner.example")
    assert [team.slug for team in joined.teams.all()] == [world.team.slug]
