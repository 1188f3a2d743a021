"""Forms of the KPI pages: a KPI's definition, a reading, a CSV upload and a promotion."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone

from constellation.server.kpis.actions import KpiInput
from constellation.server.kpis.models import Kpi
from constellation.server.okrs.models import Objective
from constellation.server.orgs.form_fields import BoundedInteger
from constellation.server.orgs.models import Team
from constellation.server.web.forms import with_value

DIRECTIONS = [
    (Kpi.Direction.INCREASE, "Increase (higher is better)"),
    (Kpi.Direction.DECREASE, "Decrease (lower is better)"),
]
CSV_HELP = (
    "A CSV file with a header line: date,value (dates as YYYY-MM-DD). A day that already has "
    "a reading gets the file's value."
)
CSV_MANY_HELP = (
    "A CSV file with a header line: kpi,date,value (the KPI's id, dates as YYYY-MM-DD). "
    "A day that already has a reading gets the file's value."
)


def _number(label: str, **extra: Any) -> forms.FloatField:
    return forms.FloatField(
        required=False,
        label=label,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        **extra,
    )


class KpiForm(forms.Form):
    """A KPI's definition; `version` is set when editing an existing one."""

    title = forms.CharField(max_length=300, label="Title")
    unit = forms.CharField(
        max_length=30, required=False, label="Unit", help_text="e.g. %, days, EUR; may be empty."
    )
    direction = forms.ChoiceField(choices=DIRECTIONS, label="Direction")
    healthy_low = _number("Healthy from", help_text="Leave empty for no lower end.")
    healthy_high = _number("Healthy up to", help_text="Leave empty for no upper end.")
    team = forms.ChoiceField(required=False, label="Team")
    version = BoundedInteger(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(self, *args: Any, teams: list[Team], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "kpi-%s")
        super().__init__(*args, **kwargs)
        self.teams = {team.slug: team for team in teams}
        cast(forms.ChoiceField, self.fields["team"]).choices = [
            ("", "No team"),
            *((t.slug, t.name) for t in teams),
        ]

    @classmethod
    def for_kpi(cls, kpi: Kpi, teams: list[Team]) -> KpiForm:
        """An unbound form showing the KPI as saved."""
        initial = {
            "title": kpi.title,
            "unit": kpi.unit,
            "direction": kpi.direction,
            "healthy_low": kpi.healthy_low,
            "healthy_high": kpi.healthy_high,
            "team": kpi.team.slug if kpi.team else "",
            "version": kpi.version,
        }
        return cls(initial=initial, teams=teams)

    def clean(self) -> dict[str, Any]:
        """Refuse a range whose high end is below its low end, next to the high end."""
        data = super().clean() or {}
        low, high = data.get("healthy_low"), data.get("healthy_high")
        if low is not None and high is not None and low > high:
            self.add_error("healthy_high", f"The high end is below the low end ({low:g}).")
        return data

    def kpi_input(self) -> KpiInput:
        """The cleaned data as the input of kpis.actions."""
        data = self.cleaned_data
        return KpiInput(
            title=data["title"],
            unit=data.get("unit") or "",
            direction=data["direction"],
            healthy_low=data.get("healthy_low"),
            healthy_high=data.get("healthy_high"),
            team=self.teams.get(data.get("team") or ""),
        )

    def with_version(self, version: int) -> None:
        """Carry another version, keeping everything typed (after a refused concurrent edit)."""
        self.data = with_value(self.data, "version", str(version))


class ReadingForm(forms.Form):
    """One reading typed by hand."""

    value = forms.FloatField(
        label="Value", widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"})
    )
    date = forms.DateField(
        label="Date", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, kpi: Kpi, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "reading-%s")
        kwargs.setdefault("initial", {"date": timezone.localdate()})
        super().__init__(*args, **kwargs)
        if kpi.unit:
            self.fields["value"].label = f"Value ({kpi.unit})"


class UploadForm(forms.Form):
    """A CSV file of readings (one KPI, or several with a `kpi` column)."""

    file = forms.FileField(label="CSV file", help_text=CSV_HELP)

    def __init__(self, *args: Any, many: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "upload-many-%s" if many else "upload-%s")
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".csv,text/csv"
        if many:
            self.fields["file"].help_text = CSV_MANY_HELP


class PromoteForm(forms.Form):
    """Which objective of the period the KPI becomes a key result of, and its target."""

    objective = forms.ChoiceField(label="Objective")
    target = forms.FloatField(
        label="Target", widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"})
    )
    title = forms.CharField(
        max_length=300,
        required=False,
        label="Key result title",
        help_text="Leave empty for “Raise/Cut <KPI> from <baseline> to <target>”.",
    )
    reason = forms.CharField(
        required=False,
        max_length=5000,
        label="Reason (needed for a launched objective)",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    period = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, objectives: list[Objective], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "promote-%s")
        super().__init__(*args, **kwargs)
        self.objectives = {objective.slug: objective for objective in objectives}
        groups: dict[str, list[tuple[str, str]]] = {}
        for objective in objectives:
            label = f"{objective.title} ({objective.get_state_display()})"
            groups.setdefault(objective.team.name, []).append((objective.slug, label))
        cast(forms.ChoiceField, self.fields["objective"]).choices = [
            ("", "Choose an objective"),
            *groups.items(),
        ]

    def chosen(self) -> Objective:
        """The objective picked (the field only offers the period's open ones)."""
        return self.objectives[self.cleaned_data["objective"]]
