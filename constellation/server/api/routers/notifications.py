"""The caller's own notifications in one organisation: list, mark one or all read."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Query, Router

from constellation.server.api.auth import api_access
from constellation.server.api.schemas import (
    MAX_OFFSET,
    Message,
    NotificationList,
    NotificationOut,
    NotificationsRead,
    ValidationProblems,
)
from constellation.server.notifications.access import (
    access_notification,
    notifications_of,
    unread_count_of,
)
from constellation.server.notifications.actions import do_mark_read
from constellation.server.notifications.models import Notification

router = Router(tags=["notifications"])
READ = {401: Message, 404: Message}
UNREAD_HELP = "`true`: only unread ones; `false`: only read ones; absent: all."


def notification_out(notification: Notification) -> dict[str, Any]:
    """A notification as the API shows it."""
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "title": notification.title,
        "body": notification.body,
        "url": notification.url,
        "actor": notification.actor.username if notification.actor else None,
        "created_at": notification.created_at,
        "read": notification.is_read,
        "read_at": notification.read_at,
    }


# Reading and marking one's own notifications is personal: viewers may do both.
@router.get(
    "/orgs/{org}/notifications",
    response={200: NotificationList, **READ, 422: ValidationProblems},
    summary="List the caller's notifications",
)
def list_notifications(
    request: HttpRequest,
    org: str,
    unread: Annotated[bool | None, Query(description=UNREAD_HELP)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> dict[str, Any]:
    """The caller's notifications here, newest first, with the unread count."""
    access = api_access(request, org)
    rows = notifications_of(access)
    if unread is not None:
        rows = rows.filter(read_at__isnull=unread)
    page = rows[offset : offset + limit]
    return {
        "count": rows.count(),
        "unread": unread_count_of(access),
        "items": [notification_out(n) for n in page],
    }


@router.post(
    "/orgs/{org}/notifications/read-all",
    operation_id="markAllNotificationsRead",
    response={200: NotificationsRead, **READ},
    summary="Mark all the caller's notifications read",
)
def read_all(request: HttpRequest, org: str) -> dict[str, Any]:
    """Mark every one of the caller's notifications here read."""
    access = api_access(request, org)
    marked = do_mark_read(request.user, access.organization)
    return {"marked": marked, "unread": 0}


@router.post(
    "/orgs/{org}/notifications/{notification_id}/read",
    operation_id="markNotificationRead",
    response={200: NotificationOut, **READ},
    summary="Mark one notification read",
)
def read_one(request: HttpRequest, org: str, notification_id: int) -> dict[str, Any]:
    """Mark one of the caller's notifications read (anyone else's: 404)."""
    access = api_access(request, org)
    notification = access_notification(access, notification_id)
    do_mark_read(request.user, access.organization, [notification.pk])
    # Read again for its read_at: the write marks the row, not this instance.
    return notification_out(access_notification(access, notification.pk))
