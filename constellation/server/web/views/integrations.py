"""The Integrations page: an organisation's webhooks and Slack / Teams channels (admins only).

A new webhook's signing secret (and a rotated one) is on the answer to that POST only, never
cached, never shown again. Each subscription's page shows its delivery log, 25 deliveries a
page with their attempts (a bounded number of queries whatever the log's length).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from constellation.server.errors import ActionError, Conflict
from constellation.server.integrations.access import (
    access_webhook,
    deliveries_of,
    managed_by,
    teams_led_by,
)
from constellation.server.integrations.actions import (
    WebhookInput,
    check_manages,
    check_manages_integrations,
    do_create_webhook,
    do_delete_webhook,
    do_rotate_webhook_secret,
    do_send_test_event,
    do_update_webhook,
)
from constellation.server.integrations.models import EVENT_TYPES, Webhook
from constellation.server.orgs.access import Access, active_teams_of
from constellation.server.web.forms import add_action_error
from constellation.server.web.integration_forms import WebhookForm
from constellation.server.web.views.permissions import org_view

PER_PAGE = 25


def _no_store(response: HttpResponse) -> HttpResponse:
    """A page holding a secret: no cache may keep a copy."""
    response["Cache-Control"] = "no-store"
    return response


def _create(request: HttpRequest, access: Access, form: WebhookForm) -> Any:
    """The new subscription and its secret, or None with the form's errors set."""
    if not form.is_valid():
        return None
    data = WebhookInput(
        url=form.cleaned_data["url"].strip(),
        events=form.chosen_events(),
        kind=form.cleaned_data["kind"],
        description=form.cleaned_data["description"],
        team=form.cleaned_data["team"],
    )
    try:
        return do_create_webhook(access, data, request.user)
    except ActionError as error:
        add_action_error(form, error)
    return None


def _teams(access: Access) -> Any:
    """The teams a channel may be given: any for an admin, those they lead for a lead."""
    return active_teams_of(access) if access.is_admin else teams_led_by(access)


@org_view(methods=("GET", "HEAD", "POST"), write=True)
def integrations(request: HttpRequest, access: Access) -> HttpResponse:
    """`/o/<org>/integrations/`: the subscriptions, and a form for a new one (a team's lead:
    their teams' Slack and Teams channels only)."""
    leading = not access.is_admin
    if leading and not teams_led_by(access).exists():
        check_manages_integrations(access)  # refused, saying who may
    form = WebhookForm(request.POST or None, teams=_teams(access), leading=leading)
    if request.method == "POST":
        made = _create(request, access, form)
        if made is not None:
            hook, secret = made
            if secret is None:
                messages.success(request, "Channel added: send it a test message to check it.")
                return redirect("webhook", org=access.organization.slug, webhook_id=hook.pk)
            return _no_store(_detail(request, access, hook, secret=secret, status=201))
    context = {
        "access": access,
        "organization": access.organization,
        "form": form,
        "hooks": list(managed_by(access)),
        "event_types": EVENT_TYPES,
    }
    return render(request, "web/integrations.html", context, status=422 if form.errors else 200)


def _detail(
    request: HttpRequest,
    access: Access,
    hook: Webhook,
    *,
    form: WebhookForm | None = None,
    secret: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """A subscription's page: its settings, the secret just made (if any) and the log."""
    if form is None:
        initial = {
            "url": "" if hook.is_channel else hook.url,
            "events": hook.events,
            "all_events": not hook.events,
            "description": hook.description,
            "team": hook.team_id,
        }
        form = WebhookForm(
            initial=initial, teams=_teams(access), editing=True, channel=hook.is_channel
        )
    page = Paginator(deliveries_of(access, hook), PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "access": access,
        "organization": access.organization,
        "hook": hook,
        "form": form,
        "secret": secret,
        "page": page,
    }
    return render(request, "web/webhook.html", context, status=status)


@org_view(methods=("GET", "HEAD", "POST"), write=True)
def webhook(request: HttpRequest, access: Access, webhook_id: int) -> HttpResponse:
    """`/o/<org>/integrations/<id>/`: a subscription, its edit form and its delivery log."""
    hook = access_webhook(access, webhook_id)
    check_manages(access, hook)
    if request.method != "POST":
        return _detail(request, access, hook)
    form = WebhookForm(request.POST, teams=_teams(access), editing=True, channel=hook.is_channel)
    if form.is_valid():
        changes: dict[str, Any] = {
            "events": form.chosen_events(),
            "description": form.cleaned_data["description"],
        }
        if hook.is_channel:
            changes["team"] = form.cleaned_data["team"]
        if form.cleaned_data["url"]:
            changes["url"] = form.cleaned_data["url"].strip()
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = None
        try:
            do_update_webhook(access, hook, changes, request.user, expected_version=version)
        except ActionError as error:
            add_action_error(form, error)
        except Conflict as conflict:
            form.add_error(None, conflict.message)
        else:
            messages.success(request, "Saved.")
            return redirect("webhook", org=access.organization.slug, webhook_id=hook.pk)
    return _detail(request, access, hook, form=form, status=422)


@org_view(methods=("POST",), write=True)
def webhook_enabled(request: HttpRequest, access: Access, webhook_id: int) -> HttpResponse:
    """Disable a subscription (its deliveries wait) or enable it again."""
    hook = access_webhook(access, webhook_id)
    enabled = request.POST.get("enabled") == "1"
    do_update_webhook(access, hook, {"enabled": enabled}, request.user)
    messages.success(request, "Enabled: deliveries resume." if enabled else "Disabled.")
    return redirect("webhook", org=access.organization.slug, webhook_id=hook.pk)


@org_view(methods=("POST",), write=True)
def webhook_test(request: HttpRequest, access: Access, webhook_id: int) -> HttpResponse:
    """Queue a test event; its attempts appear in the log once the worker sent it."""
    hook = access_webhook(access, webhook_id)
    try:
        delivery = do_send_test_event(access, hook, request.user)
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Test event {delivery.message_id} queued: see the log below.")
    return redirect("webhook", org=access.organization.slug, webhook_id=hook.pk)


@org_view(methods=("POST",), write=True)
def webhook_rotate(request: HttpRequest, access: Access, webhook_id: int) -> HttpResponse:
    """A new signing secret, shown on this answer only."""
    hook = access_webhook(access, webhook_id)
    secret = do_rotate_webhook_secret(access, hook, request.user)
    return _no_store(_detail(request, access, hook, secret=secret))


@org_view(methods=("POST",), write=True)
def webhook_delete(request: HttpRequest, access: Access, webhook_id: int) -> HttpResponse:
    """Delete a subscription and its log."""
    hook = access_webhook(access, webhook_id)
    do_delete_webhook(access, hook, request.user)
    messages.success(request, f"Deleted {hook.url}.")
    return redirect("integrations", org=access.organization.slug)
