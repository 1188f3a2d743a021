"""The unread count behind the navigation's notifications badge."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.http import HttpRequest

from constellation.server.notifications.models import Notification


def unread_notifications(request: HttpRequest) -> dict[str, Any]:
    """`unread_notifications`: the signed-in person's unread count in the page's organisation.

    A callable, so the one COUNT query runs only on pages that show the badge. The
    organisation comes from the URL (`/o/<org>/…`); a person's notifications only exist in
    organisations they belong to, so the count never reveals anything about another one.
    """
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    org = match.kwargs.get("org") if match is not None else None
    if user is None or not user.is_authenticated or not org:
        return {"unread_notifications": None}

    @cache
    def count() -> int:
        return Notification.objects.filter(
            recipient=user, organization__slug=org, read_at__isnull=True
        ).count()

    return {"unread_notifications": count}
