"""The profile page: a person's name, email, time zone and which emails they get."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client
from django.urls import reverse

from constellation.server.accounts.models import Profile
from tests.server.factories import World

PAGE = "/profile/"
CHANGE = {
    "first_name": "Mia",
    "last_name": "Member",
    "email": "mia@example.com",
    "time_zone": "Europe/Paris",
    "email_digests": "on",
}


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_it_needs_a_signed_in_person(client: Client, db: None) -> None:
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_header_links_to_it_and_it_shows_the_defaults(
    world: World, django_assert_max_num_queries: Any
) -> None:
    client = signed_in(world.member)
    dashboard = client.get(reverse("dashboard", kwargs={"org": "acme"})).content.decode()
    assert f'href="{PAGE}"' in dashboard
    with django_assert_max_num_queries(6):
        page = client.get(PAGE)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'value="member@example.com"' in html
    assert 'value="UTC"' in html
    assert html.count("checked") == 2  # both kinds of email on


def test_a_person_changes_their_name_time_zone_and_emails_and_confirms_a_new_address(
    world: World, mailoutbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(world.member)
    before = world.member.email
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PAGE, CHANGE, follow=True)
    page = response.content.decode()
    assert "Your profile is saved." in page and "open the link we sent there" in page
    world.member.refresh_from_db()
    # The address waits for its confirmation: nobody claims an address they do not read.
    assert (world.member.get_full_name(), world.member.email) == ("Mia Member", before)
    profile = Profile.objects.get(user=world.member)
    assert (profile.time_zone, profile.email_notifications, profile.email_digests) == (
        "Europe/Paris",
        False,
        True,
    )
    (sent,) = mailoutbox
    assert sent.to == ["mia@example.com"]
    link = re.search(r"https?://[^/\s]+(/profile/email/\S+/)", sent.body)
    assert link, sent.body
    assert "is now mia@example.com" in client.get(link[1], follow=True).content.decode()
    world.member.refresh_from_db()
    assert world.member.email == "mia@example.com"


def test_a_confirmation_link_works_only_for_its_own_account(
    world: World, mailoutbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(world.member).post(PAGE, CHANGE)
    link = re.search(r"https?://[^/\s]+(/profile/email/\S+/)", mailoutbox[0].body)
    assert link
    other = signed_in(world.viewer)
    assert "belongs to another account" in other.get(link[1], follow=True).content.decode()
    world.viewer.refresh_from_db()
    assert world.viewer.email != "mia@example.com"
    forged = other.get("/profile/email/not-a-token/", follow=True).content.decode()
    assert "not valid or has expired" in forged


def test_a_bad_time_zone_or_a_taken_email_is_refused_next_to_its_field(world: World) -> None:
    client = signed_in(world.member)
    bad_zone = client.post(PAGE, {**CHANGE, "time_zone": "Mars/Olympus"})
    assert bad_zone.status_code == 422
    assert "is not a time zone" in bad_zone.context["form"].errors["time_zone"][0]
    taken = client.post(PAGE, {**CHANGE, "email": "admin@example.com"})
    assert taken.status_code == 422
    assert "another account uses" in taken.context["form"].errors["email"][0]
    assert not Profile.objects.exists()
