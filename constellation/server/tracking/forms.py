"""The form of the organisation's check-in cadence."""

from __future__ import annotations

from datetime import time
from typing import Any

from django import forms

from constellation.server.tracking.cadence import WEEKDAYS, Cadence, is_time_zone


class CadenceForm(forms.Form):
    """When reminders go out: a weekday, a local time, a time zone, and the version seen."""

    weekday = forms.TypedChoiceField(
        choices=list(enumerate(WEEKDAYS)), coerce=int, label="Day of the week"
    )
    at = forms.TimeField(
        label="Time",
        input_formats=["%H:%M", "%H:%M:%S"],
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text="Local time in the organisation's time zone.",
    )
    time_zone = forms.CharField(
        max_length=64,
        label="Time zone",
        widget=forms.TextInput(attrs={"list": "time-zones", "autocomplete": "off"}),
        help_text="An IANA name such as Europe/Paris, America/New_York or UTC.",
    )
    # The cadence's version is a CRC-32 of its settings (0 to 2**32 - 1), compared in Python,
    # never stored in a column: bounded to what a CRC-32 can be.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**32 - 1)

    def clean_time_zone(self) -> str:
        """A time zone this machine knows, named as typed (no surrounding spaces)."""
        name = str(self.cleaned_data["time_zone"]).strip()
        if not is_time_zone(name):
            raise forms.ValidationError(
                f"“{name}” is not a time zone: use a name such as Europe/Paris or UTC."
            )
        return name

    @classmethod
    def of(cls, cadence: Cadence, **kwargs: Any) -> CadenceForm:
        """The form filled with a cadence."""
        initial = {
            "weekday": cadence.weekday,
            "at": cadence.at,
            "time_zone": cadence.time_zone,
            "version": cadence.version,
        }
        return cls(initial=initial, **kwargs)

    def cadence(self) -> Cadence:
        """The cleaned values as a Cadence."""
        data = self.cleaned_data
        at: time = data["at"].replace(second=0, microsecond=0)
        return Cadence(weekday=data["weekday"], at=at, time_zone=data["time_zone"])
