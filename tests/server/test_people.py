"""People: invitations by email, accepting them, roles, deactivation; the People page."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from constellation.server.accounts.models import SsoIdentity
from constellation.server.accounts.sso import SsoClaims, SsoPolicy, SsoRefused, sign_in_with_sso
from constellation.server.audit.models import AuditEvent
from constellation.server.errors import ActionError, NotAllowed, NotFound, ReadOnly
from constellation.server.orgs.access import access_org
from constellation.server.orgs.models import Membership
from constellation.server.people.access import find_pending_invitation, owned_by
from constellation.server.people.actions import (
    do_accept_invitation_as,
    do_change_role,
    do_deactivate,
    do_invite,
    do_reactivate,
    do_resend_invitation,
    do_revoke_invitation,
)
from constellation.server.people.models import Invitation
from constellation.server.tokens.actions import do_create_token
from constellation.server.tokens.models import hash_token
from tests.server.api_helpers import ApiClient
from tests.server.factories import PASSWORD, World, make_user

LINK = re.compile(r"https?://\S+/invitations/(?P<token>[\w-]+)/")
STRONG = "a long and unusual passphrase 42"


@pytest.fixture
def owner(world: World) -> User:
    """The organisation's one owner."""
    person = make_user("owner")
    Membership.objects.create(organization=world.org, user=person, role="owner")
    return person


def access_of(user: User) -> Any:
    return access_org(user, "acme")


def membership(world: World, user: User) -> Membership:
    return Membership.objects.select_related("user").get(organization=world.org, user=user)


def invite(world: World, callbacks: Any, *emails: str, role: str = "member", by: Any = None):
    """Invite through the action with the emails sent (the outbox's first attempt)."""
    actor = by or world.admin
    with callbacks(execute=True):
        return do_invite(access_of(actor), list(emails), role, [world.team], actor)


def token_in(message: Any) -> str:
    match = LINK.search(message.body)
    assert match, message.body
    return match["token"]


# Invitations ------------------------------------------------------------------------------


def test_it_invites_many_addresses_at_once_and_emails_each_its_own_link(
    world: World, mailoutbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    made = invite(world, django_capture_on_commit_callbacks, "ada@example.com", "Bob@Example.com")
    assert [i.email for i in made] == ["ada@example.com", "bob@example.com"]
    assert sorted(m.to[0] for m in mailoutbox) == ["ada@example.com", "bob@example.com"]
    message = next(m for m in mailoutbox if m.to == ["ada@example.com"])
    assert "Acme Analytics" in message.subject
    assert f"{settings.SITE_URL}/invitations/" in message.body
    assert "expires on" in message.body
    invitation = Invitation.objects.get(email="ada@example.com")
    # Only the hash is stored; the link carries the token.
    assert invitation.token_hash == hash_token(token_in(message))
    assert token_in(message) not in invitation.token_hash
    assert list(invitation.teams.all()) == [world.team]
    days = (invitation.expires_at - timezone.now()).days
    assert days in {6, 7}
    assert AuditEvent.objects.filter(action="invite", organization=world.org).count() == 2


def test_it_refuses_bad_addresses_naming_each_and_sends_nothing(
    world: World, mailoutbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    with pytest.raises(ActionError) as refused:
        invite(world, django_capture_on_commit_callbacks, "ok@example.com", "nope", "x@y")
    assert refused.value.field == "emails"
    assert "nope" in refused.value.message and "x@y" in refused.value.message
    assert "ok@example.com" not in refused.value.message
    assert Invitation.objects.count() == 0
    assert mailoutbox == []


def test_it_refuses_members_and_addresses_already_invited(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with pytest.raises(ActionError, match=r"member@example\.com"):
        invite(world, django_capture_on_commit_callbacks, "MEMBER@example.com")
    invite(world, django_capture_on_commit_callbacks, "ada@example.com")
    with pytest.raises(ActionError, match="resend"):
        invite(world, django_capture_on_commit_callbacks, "ada@example.com")


def test_only_owners_and_admins_invite_and_only_an_owner_invites_an_owner(
    world: World, owner: User, django_capture_on_commit_callbacks: Any
) -> None:
    for person, refusal in ((world.member, NotAllowed), (world.viewer, ReadOnly)):
        with pytest.raises(refusal):
            do_invite(access_of(person), ["ada@example.com"], "member", [], person)
    with pytest.raises(NotAllowed, match="owner"):
        do_invite(access_of(world.admin), ["ada@example.com"], "owner", [], world.admin)
    made = invite(
        world, django_capture_on_commit_callbacks, "ada@example.com", role="owner", by=owner
    )
    assert made[0].role == "owner"


def test_resending_opens_a_new_link_and_closes_the_old(
    world: World, mailoutbox: list, django_capture_on_commit_callbacks: Any, client
) -> None:
    (invitation,) = invite(world, django_capture_on_commit_callbacks, "ada@example.com")
    old = token_in(mailoutbox[0])
    invitation.expires_at = timezone.now() - timedelta(days=1)
    invitation.save()
    with django_capture_on_commit_callbacks(execute=True):
        do_resend_invitation(access_of(world.admin), invitation, world.admin)
    new = token_in(mailoutbox[1])
    assert new != old
    assert invitation.expires_at > timezone.now() + timedelta(days=6)
    assert client.get(reverse("invitation", args=[old])).status_code == 404
    assert client.get(reverse("invitation", args=[new])).status_code == 200


def test_a_revoked_invitation_opens_nothing(
    world: World, mailoutbox: list, django_capture_on_commit_callbacks: Any, client
) -> None:
    (invitation,) = invite(world, django_capture_on_commit_callbacks, "ada@example.com")
    do_revoke_invitation(access_of(world.admin), invitation, world.admin)
    response = client.get(reverse("invitation", args=[token_in(mailoutbox[0])]))
    assert response.status_code == 410
    assert "revoked" in response.content.decode()
    with pytest.raises(ActionError):
        do_revoke_invitation(access_of(world.admin), invitation, world.admin)
    assert find_pending_invitation("ada@example.com") is None


# Accepting ---------------------------------------------------------------------------------


def test_a_newcomer_chooses_a_password_joins_with_the_role_and_lands_in_their_team(
    world: World, mailoutbox: list, django_capture_on_commit_callbacks: Any, client
) -> None:
    invite(world, django_capture_on_commit_callbacks, "ada@example.com", role="leader")
    url = reverse("invitation", args=[token_in(mailoutbox[0])])
    page = client.get(url).content.decode()
    assert "Acme Analytics" in page and "leader" in page
    form = {"username": "ada", "name": "Ada Lovelace", "password": STRONG}
    response = client.post(url, form)
    assert response.status_code == 302
    assert response["Location"] == reverse("team", kwargs={"org": "acme", "team": "growth"})
    ada = User.objects.get(username="ada")
    assert (ada.email, ada.first_name, ada.last_name) == ("ada@example.com", "Ada", "Lovelace")
    joined = membership(world, ada)
    assert joined.role == "leader" and list(joined.teams.all()) == [world.team]
    assert client.get(response["Location"]).status_code == 200  # signed in
    used = client.post(url, {**form, "username": "ada2"})
    assert used.status_code == 410
    assert "already accepted" in used.content.decode()
    assert AuditEvent.objects.filter(action="accept_invitation", actor=ada).exists()


def test_the_password_validators_and_a_taken_username_are_refused_keeping_the_input(
    world: World, mailoutbox: list, django_capture_on_commit_callbacks: Any, client
) -> None:
    invite(world, django_capture_on_commit_callbacks, "ada@example.com")
    url = reverse("invitation", args=[token_in(mailoutbox[0])])
    short = client.post(url, {"username": "ada", "name": "Ada", "password": "123"})
    assert short.status_code == 422
    assert short.context["form"].errors["password"]
    taken = client.post(url, {"username": "member", "name": "Ada", "password": STRONG})
    assert taken.status_code == 422
    assert "taken" in taken.context["form"].errors["username"][0]
    assert 'value="Ada"' in taken.content.decode()
    assert not User.objects.filter(email="ada@example.com").exists()


def test_an_expired_link_is_refused_with_a_page_that_says_what_to_do(
    world: World, mailoutbox: list, django_capture_on_commit_callbacks: Any, client
) -> None:
    (invitation,) = invite(world, django_capture_on_commit_callbacks, "ada@example.com")
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    url = reverse("invitation", args=[token_in(mailoutbox[0])])
    response = client.post(url, {"username": "ada", "name": "Ada", "password": STRONG})
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert "send it again" in response.content.decode()
    assert not User.objects.filter(username="ada").exists()


def test_an_unknown_link_is_a_404_that_names_nothing(client, db: None) -> None:
    response = client.get(reverse("invitation", args=["no-such-token"]))
    assert response.status_code == 404
    assert "not valid" in response.content.decode()


def test_a_signed_in_person_joins_as_themselves(
    world: World, mailoutbox: list, django_capture_on_commit_callbacks: Any, client
) -> None:
    # Their account's address matches the invited one whatever its case.
    User.objects.filter(pk=world.outsider.pk).update(email="Outsider@Example.COM")
    invite(world, django_capture_on_commit_callbacks, "outsider@example.com", role="viewer")
    url = reverse("invitation", args=[token_in(mailoutbox[0])])
    client.force_login(world.outsider)
    assert "Join as outsider" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 302
    assert membership(world, world.outsider).role == "viewer"


def test_a_signed_in_person_with_another_address_is_told_and_joins_nothing(
    world: World, mailoutbox: list, django_capture_on_commit_callbacks: Any, client
) -> None:
    (invitation,) = invite(world, django_capture_on_commit_callbacks, "ada@example.com")
    url = reverse("invitation", args=[token_in(mailoutbox[0])])
    client.force_login(world.outsider)
    told = (
        "This invitation is for ada@example.com; you are signed in as outsider "
        "(outsider@example.com). Log out, then open the link again."
    )
    opened = client.get(url).content.decode()
    assert told in opened and "Join as outsider" not in opened
    response = client.post(url)
    assert response.status_code == 422
    assert told in response.content.decode()
    with pytest.raises(ActionError, match=re.escape(told)):
        do_accept_invitation_as(invitation, world.outsider)
    assert not Membership.objects.filter(organization=world.org, user=world.outsider).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None and invitation.accepted_by is None
    assert not AuditEvent.objects.filter(action="accept_invitation").exists()


def test_a_newcomer_whose_address_has_an_account_is_told_to_log_in_with_it(
    world: World, mailoutbox: list, django_capture_on_commit_callbacks: Any, client
) -> None:
    invite(world, django_capture_on_commit_callbacks, "ada@example.com")
    User.objects.create_user("ada-old", "Ada@Example.com", PASSWORD)
    url = reverse("invitation", args=[token_in(mailoutbox[0])])
    form = {"username": "ada", "name": "Ada Lovelace", "password": STRONG}
    response = client.post(url, form)
    assert response.status_code == 422
    told = (
        "An account already uses ada@example.com: log in with it, then open this link again "
        "to join."
    )
    assert response.context["form"].non_field_errors() == [told]
    html = response.content.decode()
    assert 'value="ada"' in html and 'value="Ada Lovelace"' in html  # what was typed stays
    assert User.objects.filter(email__iexact="ada@example.com").count() == 1
    assert not User.objects.filter(username="ada").exists()
    assert Invitation.objects.get().accepted_at is None
    assert not response.wsgi_request.user.is_authenticated


def test_single_sign_on_finds_and_accepts_a_pending_invitation(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    invite(world, django_capture_on_commit_callbacks, "ada@example.com", role="leader")
    found = find_pending_invitation("ADA@example.com")
    assert found is not None and found.organization == world.org
    ada = make_user("ada")
    joined = do_accept_invitation_as(found, ada)
    assert joined.role == "leader"
    assert find_pending_invitation("ada@example.com") is None
    with pytest.raises(ActionError):
        do_accept_invitation_as(found, ada)


def test_single_sign_on_refuses_an_invitation_to_an_account_with_another_address(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    # The provider's subject finds Ada's account (still ada@example.com) while it now sends
    # a new address with an invitation: the invitation is not for that account.
    ada = make_user("ada")
    SsoIdentity.objects.create(user=ada, issuer="https://sso.example.com", subject="ada-1")
    invite(world, django_capture_on_commit_callbacks, "ada.new@example.com")
    claims = SsoClaims(
        issuer="https://sso.example.com",
        subject="ada-1",
        email="ada.new@example.com",
        email_verified=True,
    )
    with pytest.raises(SsoRefused, match=r"This invitation is for ada\.new@example\.com"):
        sign_in_with_sso(claims, SsoPolicy(organization="acme"))
    assert not Membership.objects.filter(organization=world.org, user=ada).exists()
    assert Invitation.objects.get().accepted_at is None


# Roles -------------------------------------------------------------------------------------


def test_an_admin_changes_a_role_and_it_is_audited(world: World) -> None:
    target = membership(world, world.member)
    do_change_role(access_of(world.admin), target, "leader", world.admin)
    assert membership(world, world.member).role == "leader"
    event = AuditEvent.objects.get(action="change_role")
    assert (event.before, event.after) == ({"role": "member"}, {"role": "leader"})


def test_members_and_viewers_change_nobody(world: World) -> None:
    target = membership(world, world.viewer)
    with pytest.raises(NotAllowed, match="owners and admins"):
        do_change_role(access_of(world.leader), target, "member", world.leader)
    with pytest.raises(ReadOnly):
        do_change_role(access_of(world.viewer), membership(world, world.member), "viewer", None)


def test_nobody_changes_their_own_role(world: World, owner: User) -> None:
    with pytest.raises(NotAllowed, match="themselves"):
        do_change_role(access_of(world.admin), membership(world, world.admin), "owner", None)


def test_only_an_owner_makes_or_unmakes_an_owner(world: World, owner: User) -> None:
    with pytest.raises(NotAllowed, match="owner"):
        do_change_role(access_of(world.admin), membership(world, world.member), "owner", None)
    with pytest.raises(NotAllowed, match="owner"):
        do_change_role(access_of(world.admin), membership(world, owner), "admin", None)
    do_change_role(access_of(owner), membership(world, world.admin), "owner", owner)
    do_change_role(access_of(world.admin), membership(world, owner), "member", world.admin)
    assert membership(world, owner).role == "member"


def test_the_last_owner_can_be_neither_demoted_nor_deactivated(world: World, owner: User) -> None:
    second = make_user("second")
    Membership.objects.create(organization=world.org, user=second, role="owner")
    # Two owners take each other's role at once: the second change finds the last owner.
    first_view, second_view = access_of(owner), access_of(second)
    do_change_role(second_view, membership(world, owner), "admin", second)
    with pytest.raises(ActionError) as refused:
        do_change_role(first_view, membership(world, second), "member", owner)
    assert refused.value.field == "role"
    assert "last owner" in refused.value.message
    with pytest.raises(ActionError, match="last owner"):
        do_deactivate(first_view, membership(world, second), owner)
    assert membership(world, second).role == "owner"
    assert membership(world, second).deactivated_at is None


# Deactivating ------------------------------------------------------------------------------


def test_a_deactivated_person_no_longer_opens_the_organisation_nor_signs_in(
    world: World, client
) -> None:
    owned = do_deactivate(access_of(world.admin), membership(world, world.member), world.admin)
    assert [o.slug for o in owned.objectives] == ["activation"]
    assert [kr.slug for kr in owned.key_results] == ["week1-activation"]
    with pytest.raises(NotFound):
        access_of(world.member)
    world.member.refresh_from_db()
    assert world.member.is_active is False
    refused = client.post(reverse("login"), {"username": "member", "password": PASSWORD})
    assert refused.status_code == 200  # the form again, not a redirect
    assert not refused.wsgi_request.user.is_authenticated
    assert AuditEvent.objects.filter(action="deactivate").exists()
    do_reactivate(access_of(world.admin), membership(world, world.member), world.admin)
    world.member.refresh_from_db()
    assert world.member.is_active is True
    assert access_of(world.member).membership.role == "member"
    signed_in = client.post(reverse("login"), {"username": "member", "password": PASSWORD})
    assert signed_in.status_code == 302


def test_deactivating_revokes_the_persons_tokens_there_and_reactivating_revives_none(
    world: World,
) -> None:
    Membership.objects.create(organization=world.other_org, user=world.member, role="member")
    token, plaintext = do_create_token(world.member, world.org, "laptop", scope="write")
    elsewhere, _ = do_create_token(world.member, world.other_org, "globex", scope="write")
    others, _ = do_create_token(world.leader, world.org, "leader's")
    assert ApiClient(plaintext).get("/orgs/acme/teams").status_code == 200
    do_deactivate(access_of(world.admin), membership(world, world.member), world.admin)
    token.refresh_from_db()
    assert token.revoked is True
    revoked = AuditEvent.objects.get(action="revoke_token", object_id=token.pk)
    assert revoked.actor == world.admin and "deactivated" in revoked.reason
    do_reactivate(access_of(world.admin), membership(world, world.member), world.admin)
    token.refresh_from_db()
    assert token.revoked is True
    assert ApiClient(plaintext).get("/orgs/acme/teams").status_code == 401
    # Only this person's tokens of this organisation.
    elsewhere.refresh_from_db()
    others.refresh_from_db()
    assert elsewhere.revoked is False and others.revoked is False


def test_someone_with_another_organisation_can_still_sign_in(world: World) -> None:
    Membership.objects.create(organization=world.other_org, user=world.member, role="member")
    do_deactivate(access_of(world.admin), membership(world, world.member), world.admin)
    world.member.refresh_from_db()
    assert world.member.is_active is True
    assert access_org(world.member, "globex").organization == world.other_org


def test_what_a_person_owns_is_listed_for_their_organisation_only(world: World) -> None:
    owned = owned_by(access_of(world.admin), world.member)
    assert [o.slug for o in owned.objectives] == ["activation"]
    assert not owned_by(access_of(world.admin), world.viewer)


# The People page ---------------------------------------------------------------------------


def people_url(org: str = "acme") -> str:
    return reverse("people", kwargs={"org": org})


def test_the_people_page_lists_members_and_invitations_for_an_admin(
    world: World, client, django_capture_on_commit_callbacks: Any
) -> None:
    invite(world, django_capture_on_commit_callbacks, "ada@example.com")
    client.force_login(world.admin)
    response = client.get(people_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "ada@example.com" in html and "viewer@example.com" in html
    assert reverse("people-deactivate", args=["acme", "member"]) in html
    # The admin's own row has no role select and no deactivate button.
    assert reverse("people-role", args=["acme", "admin"]) not in html
    assert f'href="{people_url()}"' in html  # in the navigation


def test_members_who_are_not_admins_get_403_with_the_reason_and_outsiders_404(
    world: World, client
) -> None:
    client.force_login(world.leader)
    response = client.get(people_url())
    assert response.status_code == 403
    assert "owners and admins" in response.content.decode()
    assert (
        f'href="{people_url()}"'
        not in client.get(reverse("dashboard", args=["acme"])).content.decode()
    )
    client.force_login(world.outsider)
    assert client.get(people_url()).status_code == 404


def test_the_invite_form_sends_many_invitations_or_names_the_bad_addresses(
    world: World, client, mailoutbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(world.admin)
    bad = client.post(people_url(), {"emails": "ada@example.com, nope", "role": "member"})
    assert bad.status_code == 422
    assert "nope" in bad.context["form"].errors["emails"][0]
    assert "ada@example.com, nope" in bad.content.decode()
    form = {"emails": "ada@example.com\nbob@example.com", "role": "viewer", "teams": ["growth"]}
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(people_url(), form)
    assert sent.status_code == 302
    assert len(mailoutbox) == 2
    assert set(Invitation.objects.values_list("role", flat=True)) == {"viewer"}


def test_the_page_changes_roles_deactivates_after_confirming_and_reactivates(
    world: World, client
) -> None:
    client.force_login(world.admin)
    role = client.post(reverse("people-role", args=["acme", "member"]), {"role": "leader"})
    assert role.status_code == 302
    assert membership(world, world.member).role == "leader"
    confirm = client.get(reverse("people-deactivate", args=["acme", "member"]))
    assert confirm.status_code == 200
    assert "New teams get to value in their first week" in confirm.content.decode()
    done = client.post(reverse("people-deactivate", args=["acme", "member"]))
    assert done.status_code == 302
    assert membership(world, world.member).deactivated_at is not None
    back = client.post(reverse("people-reactivate", args=["acme", "member"]))
    assert back.status_code == 302
    assert membership(world, world.member).deactivated_at is None


def test_the_page_refuses_an_admin_changing_an_owner_with_the_reason(
    world: World, owner: User, client
) -> None:
    client.force_login(world.admin)
    response = client.post(reverse("people-role", args=["acme", "owner"]), {"role": "admin"})
    assert response.status_code == 403
    assert "Only an owner" in response.content.decode()
    assert membership(world, owner).role == "owner"


def test_the_page_resends_and_revokes_invitations(
    world: World, client, mailoutbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    (invitation,) = invite(world, django_capture_on_commit_callbacks, "ada@example.com")
    client.force_login(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        resent = client.post(reverse("invitation-resend", args=["acme", invitation.pk]))
    assert resent.status_code == 302 and len(mailoutbox) == 2
    revoked = client.post(reverse("invitation-revoke", args=["acme", invitation.pk]))
    assert revoked.status_code == 302
    assert Invitation.objects.get().revoked_at is not None


def add_people(world: World, start: int, count: int) -> None:
    for number in range(start, start + count):
        person = make_user(f"person{number}")
        joined = Membership.objects.create(organization=world.org, user=person, role="member")
        joined.teams.add(world.team)
        invitation = Invitation.objects.create(
            organization=world.org,
            email=f"invited{number}@example.com",
            token_hash=hash_token(f"token{number}"),
            expires_at=timezone.now() + timedelta(days=7),
            invited_by=world.admin,
        )
        invitation.teams.add(world.team)


def test_the_people_page_runs_the_same_queries_for_3_and_30_people(world: World, client) -> None:
    client.force_login(world.admin)
    add_people(world, 0, 3)
    client.get(people_url())
    with CaptureQueriesContext(connection) as few:
        assert client.get(people_url()).status_code == 200
    add_people(world, 3, 27)
    with CaptureQueriesContext(connection) as many:
        response = client.get(people_url())
    assert "person29" in response.content.decode()
    assert len(many) == len(few)


def test_a_signed_in_member_opening_an_invitation_is_told_they_already_belong(
    world: World, mailoutbox: list, django_capture_on_commit_callbacks: Any, client
) -> None:
    invite(world, django_capture_on_commit_callbacks, "someone@example.com")
    url = reverse("invitation", args=[token_in(mailoutbox[0])])
    client.force_login(world.viewer)
    response = client.post(url)
    assert response.status_code == 422
    assert "already in Acme Analytics" in response.content.decode()
    assert membership(world, world.viewer).role == "viewer"
    assert Invitation.objects.get().accepted_at is None


def test_nobody_deactivates_themselves(world: World, client) -> None:
    with pytest.raises(NotAllowed, match="themselves"):
        do_deactivate(access_of(world.admin), membership(world, world.admin), world.admin)
    client.force_login(world.admin)
    response = client.post(reverse("people-deactivate", args=["acme", "admin"]))
    assert response.status_code == 403
    assert membership(world, world.admin).deactivated_at is None


def test_the_invitation_page_offers_single_sign_on_when_it_is_configured(
    client, settings, world: World, mailoutbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    invite(world, django_capture_on_commit_callbacks, "ada@example.com")
    link = f"/invitations/{token_in(mailoutbox[0])}/"
    assert "Sign in with" not in client.get(link).content.decode()
    settings.OIDC_ISSUER = "http://127.0.0.1:9/"
    settings.OIDC_RP_CLIENT_ID = "constellation"
    settings.OIDC_PROVIDER_NAME = "Acme SSO"
    html = client.get(link).content.decode()
    assert "Sign in with Acme SSO" in html and 'action="/oidc/authenticate/"' in html
