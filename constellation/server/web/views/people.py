"""The People page of an organisation's admins, and the page an invitation's link opens."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse

from constellation.server.accounts.oidc import provider_name, sso_enabled
from constellation.server.errors import ActionError
from constellation.server.orgs.access import Access, active_teams_of
from constellation.server.orgs.models import Membership
from constellation.server.people.access import (
    access_invitation,
    access_membership,
    find_invitation,
    landing_team,
    owned_by,
    pending_invitations_of,
    people_of,
)
from constellation.server.people.actions import (
    check_invited_address,
    check_manages_people,
    check_open,
    do_accept_invitation,
    do_change_role,
    do_deactivate,
    do_invite,
    do_reactivate,
    do_resend_invitation,
    do_revoke_invitation,
)
from constellation.server.people.models import Invitation
from constellation.server.web.forms import add_action_error
from constellation.server.web.people_forms import AcceptForm, InviteForm, RoleForm, role_choices
from constellation.server.web.views.permissions import org_view

PASSWORD_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _is_owner(access: Access) -> bool:
    return access.membership.role == Membership.Role.OWNER


def _invite_form(access: Access, data: Any = None) -> InviteForm:
    return InviteForm(data, teams=active_teams_of(access), can_grant_owner=_is_owner(access))


def _page(
    request: HttpRequest,
    access: Access,
    form: InviteForm | None = None,
    *,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    """The People page: members, pending invitations and the invite form."""
    context = {
        "access": access,
        "organization": access.organization,
        "members": list(people_of(access)),
        "invitations": list(pending_invitations_of(access)),
        "form": form or _invite_form(access),
        "roles": role_choices(_is_owner(access)),
        "is_owner": _is_owner(access),
        "problem": problem,
    }
    return render(request, "web/people/people.html", context, status=status)


def _after(
    request: HttpRequest, access: Access, write: Callable[[], object], done: str
) -> HttpResponse:
    """Run one write of the People page: back to the page saying it is done, or why not."""
    try:
        write()
    except ActionError as error:
        return _page(request, access, problem=error.message, status=422)
    messages.success(request, done)
    return redirect("people", org=access.organization.slug)


@org_view(write=True, methods=("GET", "HEAD", "POST"))
def people(request: HttpRequest, access: Access) -> HttpResponse:
    """`/o/<org>/people/`: who is in the organisation and who is invited; POST invites."""
    check_manages_people(access)  # a member who is not an admin: 403 with the reason
    if request.method != "POST":
        return _page(request, access)
    form = _invite_form(access, request.POST)
    if form.is_valid():
        try:
            made = do_invite(
                access,
                form.addresses(),
                form.cleaned_data["role"],
                form.cleaned_data["teams"],
                request.user,
            )
        except ActionError as error:
            add_action_error(form, error)
        else:
            sent = ", ".join(invitation.email for invitation in made)
            messages.success(request, f"Invitation sent to {sent}.")
            return redirect("people", org=access.organization.slug)
    return _page(request, access, form, status=422)


@org_view(write=True, methods=("POST",))
def change_role(request: HttpRequest, access: Access, username: str) -> HttpResponse:
    """Give one person another role."""
    check_manages_people(access)
    membership = access_membership(access, username)
    form = RoleForm(request.POST)
    if not form.is_valid():
        return _page(request, access, problem="Choose a role from the list.", status=422)
    try:
        do_change_role(access, membership, form.cleaned_data["role"], request.user)
    except ActionError as error:
        return _page(request, access, problem=error.message, status=422)
    messages.success(request, f"{username} is now {membership.role}.")
    return redirect("people", org=access.organization.slug)


@org_view(write=True, methods=("GET", "HEAD", "POST"))
def deactivate(request: HttpRequest, access: Access, username: str) -> HttpResponse:
    """GET: what the person owns, to hand over, and a confirmation; POST: deactivate them."""
    check_manages_people(access)
    membership = access_membership(access, username)
    if request.method == "POST":
        try:
            do_deactivate(access, membership, request.user)
        except ActionError as error:
            return _page(request, access, problem=error.message, status=422)
        messages.success(request, f"{username} is deactivated; their history stays.")
        return redirect("people", org=access.organization.slug)
    context = {
        "access": access,
        "organization": access.organization,
        "membership": membership,
        "owned": owned_by(access, membership.user),
    }
    return render(request, "web/people/deactivate.html", context)


@org_view(write=True, methods=("POST",))
def reactivate(request: HttpRequest, access: Access, username: str) -> HttpResponse:
    """Let a deactivated person back in."""
    check_manages_people(access)
    membership = access_membership(access, username)
    return _after(
        request,
        access,
        lambda: do_reactivate(access, membership, request.user),
        f"{username} is active again as {membership.role}.",
    )


@org_view(write=True, methods=("POST",))
def resend_invitation(request: HttpRequest, access: Access, invitation: int) -> HttpResponse:
    """Send an invitation again with a new link and expiry."""
    check_manages_people(access)
    found = access_invitation(access, invitation)
    return _after(
        request,
        access,
        lambda: do_resend_invitation(access, found, request.user),
        f"Invitation sent again to {found.email}.",
    )


@org_view(write=True, methods=("POST",))
def revoke_invitation(request: HttpRequest, access: Access, invitation: int) -> HttpResponse:
    """Revoke an invitation: its link no longer works."""
    check_manages_people(access)
    found = access_invitation(access, invitation)
    return _after(
        request,
        access,
        lambda: do_revoke_invitation(access, found, request.user),
        f"Invitation of {found.email} revoked.",
    )


def _closed(request: HttpRequest, message: str, status: int) -> HttpResponse:
    """The page of a link that opens nothing: unknown, used, revoked or expired."""
    return render(request, "web/people/invitation_closed.html", {"message": message}, status=status)


def _landing(membership: Membership) -> str:
    """Where a newcomer lands: their first team's page, else the dashboard."""
    slug = membership.organization.slug
    team = landing_team(membership)
    if team is not None:
        return reverse("team", kwargs={"org": slug, "team": team.slug})
    return reverse("dashboard", kwargs={"org": slug})


def _sign_in(request: HttpRequest, user: Any) -> None:
    """Sign the newcomer in with their new password's backend."""
    backends = list(settings.AUTHENTICATION_BACKENDS)
    backend = PASSWORD_BACKEND if PASSWORD_BACKEND in backends else backends[0]
    login(request, user, backend=backend)


def _accept(
    request: HttpRequest, invitation: Invitation, form: AcceptForm | None
) -> tuple[Membership | None, str]:
    """Accept as the signed-in person (no form) or as a newcomer.

    The membership, else None with the form's errors set (a newcomer) or the refusal in
    words (the signed-in person, who has no form to carry it).
    """
    try:
        if form is None:
            return do_accept_invitation(invitation, user=request.user), ""
        if form.is_valid():
            membership = do_accept_invitation(invitation, account=form.new_account())
            _sign_in(request, membership.user)
            return membership, ""
    except ActionError as error:
        if form is None:
            return None, error.message
        add_action_error(form, error)
    return None, ""


def _wrong_address(invitation: Invitation, user: Any) -> str:
    """Why the signed-in `user` cannot take this invitation, before they try; else ""."""
    try:
        check_invited_address(invitation, user)
    except ActionError as error:
        return error.message
    return ""


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """`/invitations/<token>/`: the organisation and role offered, and the form to join."""
    if request.method not in {"GET", "HEAD", "POST"}:
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    found = find_invitation(token)
    if found is None:
        message = "This invitation link is not valid. Check that you copied all of it."
        return _closed(request, message, 404)
    try:
        check_open(found)
    except ActionError as error:
        return _closed(request, error.message, 410)
    signed_in = request.user.is_authenticated
    form = None if signed_in else AcceptForm(request.POST or None)
    status = 200
    # Told on opening the link, so someone signed in as another account does not try first.
    problem = _wrong_address(found, request.user) if signed_in else ""
    if request.method == "POST":
        membership, problem = _accept(request, found, form)
        if membership is not None:
            messages.success(request, f"Welcome to {found.organization.name}.")
            return redirect(_landing(membership))
        status = 422
    context = {
        "invitation": found,
        "invitation_token": token,
        "form": form,
        "signed_in": signed_in,
        "problem": problem,
        # Signing in through the provider with the invited address joins with this invitation.
        "sso_provider": provider_name() if sso_enabled() else "",
    }
    return render(request, "web/people/invitation.html", context, status=status)
