"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def organisations(request: HttpRequest) -> dict[str, Any]:
    """The organisations the signed-in person belongs to, for the switcher."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"my_organizations": []}
    from constellation.server.orgs.access import organizations_of

    return {"my_organizations": organizations_of(user)}
