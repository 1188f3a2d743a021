"""The first admin: a one-time setup link creates the organisation and its owner, then dies."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from constellation.core.periods import period_containing
from constellation.server.accounts.access import setup_link_state, setup_url
from constellation.server.accounts.actions import do_create_setup_link
from constellation.server.accounts.models import SetupLink
from constellation.server.audit.models import AuditEvent
from constellation.server.okrs.actions import do_start_first_period
from constellation.server.okrs.models import Period
from constellation.server.orgs.models import Membership, Organization
from tests.server.factories import make_user

pytestmark = pytest.mark.django_db

FORM = {
    "organization_name": "Acme Analytics",
    "organization_slug": "acme",
    "username": "ada",
    "email": "ada@acme.example",
    "first_name": "Ada",
    "last_name": "Lovelace",
    "password": "a long enough passphrase",
}


def link() -> str:
    token = do_create_setup_link()
    assert token is not None
    return reverse("setup", kwargs={"token": token})


def test_the_link_is_only_made_while_nobody_has_an_account() -> None:
    token = do_create_setup_link()
    assert token is not None and setup_link_state(token) == "open"
    assert setup_url(token) == f"http://localhost:8000/setup/{token}/"
    # Only its hash is kept.
    assert not SetupLink.objects.filter(token_hash=token).exists()
    make_user("someone")
    assert do_create_setup_link() is None
    assert setup_link_state(token) == "used"  # every link dies once anyone has an account


def test_the_link_creates_the_organisation_and_its_owner_and_signs_them_in(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    address = link()
    with django_assert_max_num_queries(3):
        page = client.get(address)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Set up Constellation" in html
    assert '<label for="id_organization_slug">Organisation slug</label>' in html
    response = client.post(address, FORM, follow=True)
    assert response.redirect_chain[-1][0] == reverse("dashboard", kwargs={"org": "acme"})
    assert response.context["user"].username == "ada"
    organization = Organization.objects.get()
    assert (organization.slug, organization.name) == ("acme", "Acme Analytics")
    membership = Membership.objects.get()
    assert (membership.user.username, membership.role) == ("ada", "owner")
    assert membership.user.get_full_name() == "Ada Lovelace"
    assert membership.user.check_password(FORM["password"])
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"create_organization", "create_account"} <= actions


def test_the_link_is_dead_once_used(client: Client) -> None:
    address = link()
    second = link()  # an earlier start's link dies too
    client.post(address, FORM)
    other = Client()
    for url in (address, second):
        page = other.get(url)
        assert page.status_code == 410
        assert "This setup link has been used" in page.content.decode()
        again = other.post(url, {**FORM, "organization_slug": "evil", "username": "eve"})
        assert again.status_code == 410
    assert list(Organization.objects.values_list("slug", flat=True)) == ["acme"]
    assert Membership.objects.count() == 1


def test_an_unknown_link_is_a_404_that_says_so(client: Client) -> None:
    page = client.get(reverse("setup", kwargs={"token": "no-such-token"}))
    assert page.status_code == 404
    assert "No such setup link" in page.content.decode()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"organization_slug": "not a slug"}, "organization_slug", "valid “slug”"),
        ({"email": "nope"}, "email", "valid email"),
        ({"password": "short"}, "password", "too short"),
        ({"username": "bad name!"}, "username", "is not a username"),
    ],
)
def test_bad_input_is_refused_next_to_its_field_and_the_link_stays_open(
    client: Client, change: dict[str, str], field: str, message: str
) -> None:
    address = link()
    response = client.post(address, {**FORM, **change})
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert message in " ".join(errors[field]), errors
    assert not Organization.objects.exists()
    assert client.get(address).status_code == 200


def test_the_setup_pages_show_no_organisation_data(client: Client, world: Any) -> None:
    # Once people exist the page is a dead link, naming nothing of theirs.
    html = client.get(reverse("setup", kwargs={"token": "anything"})).content.decode()
    assert "Acme" not in html


def test_the_new_organisation_starts_with_the_current_quarter_to_draft_in(client: Client) -> None:
    # Without a period the drafting page offers no "New objective": nobody could plan.
    client.post(link(), FORM)
    quarter = period_containing(timezone.localdate())
    period = Period.objects.get(organization__slug="acme")
    assert (period.key, period.start, period.end) == (quarter.key, quarter.start, quarter.end)
    client.post(reverse("teams", kwargs={"org": "acme"}), {"name": "Support"})
    drafting = client.get(reverse("team-draft", kwargs={"org": "acme", "team": "support"}))
    assert ">New objective</a>" in drafting.content.decode()
    created = AuditEvent.objects.get(action="create", object_type="period")
    assert created.actor is not None and created.actor.username == "ada"


def test_the_first_period_is_given_once_only() -> None:
    organization = Organization.objects.create(slug="acme", name="Acme Analytics")
    first = do_start_first_period(organization, on=date(2026, 5, 4))
    assert first is not None and first.key == "2026-Q2"
    assert do_start_first_period(organization, on=date(2026, 11, 4)) is None
    assert list(Period.objects.values_list("key", flat=True)) == ["2026-Q2"]
