"""Password reset by email: the link in the email sets a new password once, then signs in."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.models import User
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from constellation.server.accounts.access import set_password_url
from constellation.server.notifications.models import OutgoingEmail
from tests.server.factories import World

NEW = "a brand new passphrase"


def ask_for_reset(client: Client, email: str, callbacks: Any) -> Any:
    with callbacks(execute=True):
        return client.post(reverse("password-reset"), {"email": email})


def link_in(body: str) -> str:
    match = re.search(r"https://okr\.example\.com(/accounts/password-reset/\S+/)", body)
    assert match, body
    return match.group(1)


def test_the_login_page_offers_a_reset(client: Client, db: None) -> None:
    html = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("password-reset")}">Forgot your password?' in html


@override_settings(SITE_URL="https://okr.example.com")
def test_a_reset_email_leaves_through_the_outbox_and_its_link_sets_a_password(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    response = ask_for_reset(client, "MEMBER@example.com", django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == reverse("password-reset-done")
    assert "Check your email" in client.get(response["Location"]).content.decode()
    assert OutgoingEmail.objects.get().state == "sent"
    (message,) = mail.outbox
    assert message.to == ["member@example.com"]
    assert message.subject == "[Constellation] Reset your password"
    address = link_in(str(message.body))

    form = client.get(address, follow=True)
    assert "Choose a password" in form.content.decode()
    set_url = form.redirect_chain[-1][0]
    short = client.post(set_url, {"new_password1": "short", "new_password2": "short"})
    assert "too short" in short.content.decode()
    done = client.post(set_url, {"new_password1": NEW, "new_password2": NEW}, follow=True)
    assert done.redirect_chain[-1][0] == reverse("personal-home", kwargs={"org": "acme"})
    assert User.objects.get(username="member").check_password(NEW)

    dead = Client().get(address, follow=True)
    assert "This link is no longer valid" in dead.content.decode()


def test_an_unknown_address_is_told_the_same_and_mails_nothing(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    response = ask_for_reset(Client(), "nobody@example.com", django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert mail.outbox == []
    assert not OutgoingEmail.objects.exists()


def test_an_account_without_a_password_yet_can_set_one_through_its_link(world: World) -> None:
    ada = User.objects.create_user("ada", "ada@example.com", None)
    client = Client()
    form = client.get(set_password_url(ada).removeprefix("http://localhost:8000"), follow=True)
    set_url = form.redirect_chain[-1][0]
    client.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    ada.refresh_from_db()
    assert ada.check_password(NEW)


def test_one_address_gets_at_most_three_reset_emails_an_hour(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    answers = [
        ask_for_reset(Client(), world.member.email, django_capture_on_commit_callbacks)
        for _ in range(5)
    ]
    assert {answer.status_code for answer in answers} == {302}
    assert len({answer["Location"] for answer in answers}) == 1  # the same answer each time
    assert [message.to for message in mail.outbox] == [[world.member.email]] * 3


def test_with_password_sign_in_off_there_is_no_reset_to_get_around_the_provider(
    world: World, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.OIDC_ISSUER = "http://127.0.0.1:9"
    settings.OIDC_RP_CLIENT_ID = "constellation"
    settings.PASSWORD_LOGIN = False
    response = ask_for_reset(Client(), world.member.email, django_capture_on_commit_callbacks)
    assert response.status_code == 404
    assert mail.outbox == []
    assert Client().get(reverse("password-reset-done")).status_code == 404
    assert "Forgot your password?" not in Client().get(reverse("login")).content.decode()
