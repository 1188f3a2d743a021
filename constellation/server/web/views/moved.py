"""Addresses that moved: a permanent redirect that keeps the method, the body and the query."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import reverse

from constellation.server.orgs.access import Access
from constellation.server.web.views.permissions import org_view


class PermanentRedirectKeepingMethod(HttpResponsePermanentRedirect):
    """308: like 301, but the client repeats a POST as a POST, with its form."""

    status_code = 308


def moved_to(name: str) -> Callable[..., HttpResponse]:
    """A view of an organisation's old address that answers 308 to the page named `name`.

    Membership is checked first (`org_view`), so someone outside the organisation gets the
    same 404 at the old address as at the new one.
    """

    @org_view(methods=("GET", "HEAD", "POST"))
    def redirect(request: HttpRequest, access: Access, **kwargs: Any) -> HttpResponse:
        target = reverse(name, kwargs={"org": access.organization.slug, **kwargs})
        query = request.META.get("QUERY_STRING", "")
        return PermanentRedirectKeepingMethod(f"{target}?{query}" if query else target)

    redirect.__doc__ = f"The old address of `{name}`: a 308 to its new one."
    return redirect
