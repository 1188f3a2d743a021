"""Who may open a page and who may change something: members read, viewers never write.

The rules themselves live in the actions (`require_write`, `require_team`, ...); a page only
turns their refusal into a 403 that says why.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render

from constellation.server.errors import NotAllowed, NotFound, ReadOnly
from constellation.server.orgs.access import Access, access_org

VIEWER_MESSAGE = (
    "You can read this organisation's OKRs but not change them: your role here is viewer. "
    "Ask an admin of the organisation for a member role to check in or edit."
)


def forbidden(request: HttpRequest, access: Access, message: str = VIEWER_MESSAGE) -> HttpResponse:
    """A 403 page that says why, for a member who may only read (or not this)."""
    return render(
        request,
        "web/forbidden.html",
        {"access": access, "organization": access.organization, "message": message},
        status=403,
    )


def refusal_message(access: Access, refused: ReadOnly) -> str:
    """Why an action refused: a member's own reason (which team, which role), else the viewer's.

    A viewer's refusal gets the page's fuller wording; a member who may write but not this
    (`NotAllowed`, or a role rule such as "only admins") gets the action's own message.
    """
    if isinstance(refused, NotAllowed) or (access.can_write and str(refused)):
        return str(refused)
    return VIEWER_MESSAGE


def org_view(
    *, write: bool = False, methods: tuple[str, ...] = ("GET", "HEAD")
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Resolve `/o/<org>/` into an Access (404 for anyone else), then check method and role.

    Membership is checked before the method, so a person outside the organisation gets the
    same 404 for every address under it.
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, org: str, **kwargs: Any) -> HttpResponse:
            # No id holds NUL, and PostgreSQL would refuse to even look one up (a 500).
            if "\x00" in request.path:
                raise NotFound("No such page")
            access = access_org(request.user, org)
            if request.method not in methods:
                return HttpResponseNotAllowed(methods)
            if write and request.method == "POST" and not access.can_write:
                return forbidden(request, access)
            try:
                return view(request, access, **kwargs)
            except ReadOnly as refused:
                return forbidden(request, access, refusal_message(access, refused))

        return wrapper

    return decorate
