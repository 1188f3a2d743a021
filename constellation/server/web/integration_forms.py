"""Forms of the Integrations page: a webhook or a Slack / Teams channel, and its events."""

from __future__ import annotations

from typing import Any

from django import forms

from constellation.server.integrations.models import DIGEST_EVENT, EVENT_TYPES, Webhook
from constellation.server.orgs.form_fields import RowChoice
from constellation.server.orgs.models import Team

EVENT_CHOICES = [
    *EVENT_TYPES.items(),
    (DIGEST_EVENT, "The team's weekly digest (Slack and Teams channels only)"),
]


class WebhookForm(forms.Form):
    """Where to send, in which shape, and which events (all of them unless narrowed)."""

    kind = forms.ChoiceField(
        choices=Webhook.Kind.choices,
        initial=Webhook.Kind.WEBHOOK,
        label="Kind",
        help_text="Standard Webhooks are signed JSON; Slack and Teams get readable messages.",
    )
    url = forms.CharField(
        max_length=2000,
        label="Address",
        help_text="The receiver's https:// address, or the channel's incoming-webhook URL.",
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    team: forms.ModelChoiceField[Team] = RowChoice(
        queryset=None,
        required=False,
        label="Team",
        empty_label="The whole organisation",
        help_text="A Slack or Teams channel may hear only one team's events.",
    )
    all_events = forms.BooleanField(
        required=False,
        initial=True,
        label="All events",
        help_text="Every event, including those added later. Untick to choose below.",
    )
    events = forms.MultipleChoiceField(
        choices=EVENT_CHOICES,
        required=False,
        label="Events",
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(max_length=200, required=False, label="Description")

    def __init__(
        self,
        *args: Any,
        teams: Any,
        editing: bool = False,
        channel: bool = True,
        leading: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]
        if leading:
            # A team's lead adds their own team's Slack or Teams channels, nothing else.
            kind = self.fields["kind"]
            kind.choices = [c for c in Webhook.Kind.choices if c[0] != Webhook.Kind.WEBHOOK]  # type: ignore[attr-defined]
            kind.initial = Webhook.Kind.SLACK
            self.fields["team"].required = True
            self.fields["team"].empty_label = None  # type: ignore[attr-defined]
        if not channel:
            del self.fields["team"]  # a signed webhook hears the whole organisation
        if editing:
            del self.fields["kind"]  # the kind stays
            self.fields["url"].help_text = "The receiver's address."
        if editing and channel:
            # A channel's sealed address is kept unless a new one is given.
            self.fields["url"].required = False
            self.fields["url"].help_text = "Leave empty to keep the channel's current address."

    def chosen_events(self) -> list[str]:
        """The events ticked, or none (every event) when "All events" is ticked."""
        if self.cleaned_data.get("all_events"):
            return []
        return list(self.cleaned_data.get("events") or [])

    def clean(self) -> dict[str, Any]:
        """Refuse "no event at all": untick "All events" only to choose some."""
        data = super().clean() or {}
        if not data.get("all_events") and not data.get("events"):
            self.add_error("events", "Choose at least one event, or tick “All events”.")
        return data
