"""The form of a data source (automatic updates of a key result or a KPI)."""

from __future__ import annotations

from typing import Any

from django import forms

from constellation.server.orgs.form_fields import BoundedInteger
from constellation.server.sources.actions import SourceInput
from constellation.server.sources.models import DataSource

KEEP = "set — leave empty to keep"


class SourceForm(forms.Form):
    """Kind, where the number lives, how to find it, and how often; secrets never shown back."""

    kind = forms.ChoiceField(choices=DataSource.Kind.choices, label="Kind")
    url = forms.CharField(
        required=False,
        max_length=2000,
        label="URL",
        help_text="HTTP JSON: the endpoint. Prometheus: the server, e.g. http://prometheus:9090.",
        widget=forms.URLInput(attrs={"autocomplete": "off"}),
    )
    database_url = forms.CharField(
        required=False,
        max_length=2000,
        label="Database URL",
        help_text="SQL only: sqlite:///path/to/file.db or postgres://user:password@host/db.",
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )
    query = forms.CharField(
        max_length=10_000,
        label="JSONPath, SQL or PromQL",
        help_text="e.g. $.data.rate · SELECT count(*) FROM signups · sum(rate(orders[1h]))",
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
    )
    header_name = forms.CharField(
        required=False,
        max_length=100,
        label="Header name",
        help_text="Optional, e.g. Authorization.",
    )
    header_value = forms.CharField(
        required=False,
        max_length=5000,
        label="Header value",
        help_text="Secret, e.g. Bearer …; stored sealed and never shown again.",
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )
    interval_minutes = forms.TypedChoiceField(
        choices=DataSource.Interval.choices,
        coerce=int,
        initial=DataSource.Interval.DAILY,
        label="Update",
    )
    timeout_seconds = BoundedInteger(
        min_value=1, initial=10, label="Timeout (seconds)", widget=forms.NumberInput()
    )
    version = BoundedInteger(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(self, *args: Any, saved: DataSource | None, prefix_id: str, **kwargs: Any) -> None:
        # Ids unique per key result: several of these forms share the objective page.
        kwargs.setdefault("auto_id", f"{prefix_id}-%s")
        if saved is not None and not args:
            kwargs.setdefault("initial", initial_of(saved))
        super().__init__(*args, **kwargs)
        self.saved = saved
        if saved is not None and saved.has_header_value:
            self.fields["header_value"].widget.attrs["placeholder"] = KEEP
            self.fields["header_value"].help_text = f"A value is {KEEP}."
        if saved is not None and saved.sealed_database_url:
            self.fields["database_url"].widget.attrs["placeholder"] = KEEP
            self.fields["database_url"].help_text = f"{saved.database_hint} is {KEEP}."

    def source_input(self) -> SourceInput:
        """The cleaned data as the input of sources.actions.do_set_source."""
        data = self.cleaned_data
        return SourceInput(
            kind=data["kind"],
            query=data["query"],
            url=data.get("url") or "",
            header_name=data.get("header_name") or "",
            header_value=data.get("header_value") or "",
            database_url=data.get("database_url") or "",
            interval_minutes=data["interval_minutes"],
            timeout_seconds=data["timeout_seconds"],
        )


def initial_of(source: DataSource) -> dict[str, Any]:
    """A saved source's fields, as the form starts from them (secrets left out)."""
    return {
        "kind": source.kind,
        "url": source.url,
        "query": source.query,
        "header_name": source.header_name,
        "interval_minutes": source.interval_minutes,
        "timeout_seconds": source.timeout_seconds,
        "version": source.version,
    }
