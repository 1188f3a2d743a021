"""Permission-checked reads of notifications: a person sees only their own, in one organisation."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from constellation.server.errors import NotFound
from constellation.server.notifications.models import Notification, OutgoingEmail
from constellation.server.orgs.access import Access


def notifications_of(access: Access) -> QuerySet[Notification]:
    """The person's own notifications in the organisation, newest first, with their actor."""
    return (
        Notification.objects.restrict(access)
        .filter(recipient_id=access.user_id)
        .select_related("actor")
    )


def unread_count_of(access: Access) -> int:
    """How many of the person's notifications in the organisation are not read yet."""
    return notifications_of(access).filter(read_at__isnull=True).count()


def access_notification(access: Access, notification_id: int) -> Notification:
    """One of the person's own notifications in the organisation, else NotFound."""
    notification = notifications_of(access).filter(pk=notification_id).first()
    if notification is None:
        raise NotFound("No such notification")
    return notification


def email_counts() -> dict[str, int]:
    """Emails of the outbox by state (sent, failed, waiting), every organisation.

    For the operator's metrics, never shown to an organisation: one query.
    """
    counts = OutgoingEmail.objects.aggregate(
        sent=Count("id", filter=Q(sent_at__isnull=False)),
        failed=Count("id", filter=Q(sent_at__isnull=True, failed_at__isnull=False)),
        waiting=Count("id", filter=Q(sent_at__isnull=True, failed_at__isnull=True)),
    )
    return {state: int(count) for state, count in counts.items()}
