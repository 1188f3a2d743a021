"""The notification centre: a person's own notifications in one organisation."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from constellation.server.notifications.access import access_notification, notifications_of
from constellation.server.notifications.actions import do_mark_read
from constellation.server.orgs.access import Access
from constellation.server.web.views.permissions import org_view

PER_PAGE = 25


def _list_url(access: Access, request: HttpRequest) -> str:
    url = reverse("notifications", kwargs={"org": access.organization.slug})
    page = request.POST.get("page", "")
    return f"{url}?page={page}" if page.isdigit() else url


# Reading and marking one's own notifications is personal: viewers may do it too.
@org_view()
def notifications(request: HttpRequest, access: Access) -> HttpResponse:
    """`/o/<org>/notifications/`: newest first, paginated; `?unread=1` shows only unread."""
    only_unread = request.GET.get("unread") in {"1", "true", "yes"}
    rows = notifications_of(access)
    if only_unread:
        rows = rows.filter(read_at__isnull=True)
    # get_page turns a missing, non-numeric or too-large page number into a real page.
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "access": access,
        "organization": access.organization,
        "page": page,
        "only_unread": only_unread,
    }
    return render(request, "web/notifications.html", context)


@org_view()
def open_notification(request: HttpRequest, access: Access, notification_id: int) -> HttpResponse:
    """Opening a notification marks it read and leads to what it is about."""
    notification = access_notification(access, notification_id)
    do_mark_read(request.user, access.organization, [notification.pk])
    target = notification.url
    # Only a path on this site: a stored URL must never send anyone elsewhere.
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return redirect(target)
    return redirect("notifications", org=access.organization.slug)


@org_view(methods=("POST",))
def mark_read(request: HttpRequest, access: Access, notification_id: int) -> HttpResponse:
    """Mark one of the person's notifications read without opening it."""
    notification = access_notification(access, notification_id)
    do_mark_read(request.user, access.organization, [notification.pk])
    messages.success(request, f"Marked “{notification.title}” as read.")
    return redirect(_list_url(access, request))


@org_view(methods=("POST",))
def mark_all_read(request: HttpRequest, access: Access) -> HttpResponse:
    """Mark every notification of the person here read."""
    marked = do_mark_read(request.user, access.organization)
    noun = "notification" if marked == 1 else "notifications"
    messages.success(request, f"Marked {marked} {noun} as read.")
    return redirect(_list_url(access, request))
