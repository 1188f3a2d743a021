"""Personal API tokens: list your own, create one (shown once), revoke one."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from constellation.server.orgs.access import Access
from constellation.server.tokens.access import access_token, tokens_of
from constellation.server.tokens.actions import TokenError, do_create_token, do_revoke_token
from constellation.server.web.forms import TokenForm, add_action_error
from constellation.server.web.views.permissions import org_view


def _create(request: HttpRequest, access: Access, form: TokenForm) -> tuple[dict | None, int]:
    """A new token and its plaintext, or None with the form's errors set."""
    if form.is_valid():
        try:
            token, plaintext = do_create_token(
                request.user,
                access.organization,
                form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                expires_in_days=form.cleaned_data["expires_in_days"],
            )
        except TokenError as error:
            add_action_error(form, error)
        else:
            return {"token": token, "plaintext": plaintext}, 201
    return None, 422


# Viewers may hold tokens too: the API gives a token its owner's role, so theirs only read.
@org_view(methods=("GET", "HEAD", "POST"))
def tokens(request: HttpRequest, access: Access) -> HttpResponse:
    """`/o/<org>/tokens/`: the person's tokens here, and a form for a new one."""
    form = TokenForm(request.POST or None)
    created, status = None, 200
    if request.method == "POST":
        created, status = _create(request, access, form)
        if created:
            form = TokenForm()
    context = {
        "access": access,
        "organization": access.organization,
        "form": form,
        "created": created,
        "tokens": list(tokens_of(access)),
        "now": timezone.now(),
    }
    response = render(request, "web/tokens.html", context, status=status)
    if created:
        # The plaintext is on this page only: no cache may keep a copy.
        response["Cache-Control"] = "no-store"
    return response


@org_view(methods=("POST",))
def revoke_token(request: HttpRequest, access: Access, token_id: int) -> HttpResponse:
    """Revoke one of the person's own tokens in this organisation (anyone else's: 404)."""
    token = access_token(access, token_id)
    do_revoke_token(token, request.user)
    messages.success(request, f"Token “{token}” revoked: it no longer opens the API.")
    return redirect("tokens", org=access.organization.slug)
