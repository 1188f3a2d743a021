"""Forms of the strategy workspace and of the readiness check."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from constellation.core.readiness import QUESTIONS, Answers
from constellation.server.orgs.form_fields import BoundedInteger
from constellation.server.strategy.models import Lever, RoadmapItem, Strategy
from constellation.server.web.forms import with_value

FOCUS_CHOICES = [
    ("", "Not set"),
    ("customer", "Customer"),
    ("business", "Business"),
    ("both", "Both"),
]
STATUS_CHOICES = [(value, value.replace("_", " ").capitalize()) for value in RoadmapItem.Status]
YES_NO = [("yes", "Yes"), ("no", "No")]


def _yes(value: str) -> bool:
    return value == "yes"


def year_periods(year: int) -> list[tuple[str, str]]:
    """The periods a roadmap item of `year` may target: each quarter, or the whole year."""
    quarters = [(f"{year}-Q{n}", f"{year}-Q{n}") for n in range(1, 5)]
    return [("", "Not scheduled"), *quarters, (str(year), f"{year} (the whole year)")]


class VersionedForm(forms.Form):
    """A form that carries the version the editor started from."""

    version = BoundedInteger(widget=forms.HiddenInput, min_value=0)

    def with_version(self, version: int) -> None:
        """Carry another version, keeping everything typed (after a refused concurrent edit)."""
        self.data = with_value(self.data, "version", str(version))


class StrategyForm(VersionedForm):
    """A year's vision and mission."""

    vision = forms.CharField(
        required=False,
        max_length=5000,
        label="Vision",
        help_text="Where the organisation is going.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    mission = forms.CharField(
        required=False,
        max_length=5000,
        label="Mission",
        help_text="What it does to get there.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "strategy-%s")
        super().__init__(*args, **kwargs)

    @classmethod
    def for_strategy(cls, strategy: Strategy | None, carried: Strategy | None) -> StrategyForm:
        """The saved text (or, for a year not written yet, the last year's as a start)."""
        source = strategy or carried
        initial = {"vision": "", "mission": "", "version": strategy.version if strategy else 0}
        if source is not None:
            initial.update(vision=source.vision, mission=source.mission)
        return cls(initial=initial)


class LeverForm(VersionedForm):
    """A strategic bet: its name, what it means and whom it is for."""

    title = forms.CharField(max_length=300, label="Name")
    description = forms.CharField(
        required=False,
        max_length=5000,
        label="Description",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    focus = forms.ChoiceField(choices=FOCUS_CHOICES, required=False, label="Focus")

    def __init__(self, *args: Any, prefix_id: str = "new-lever", **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{prefix_id}-%s")
        super().__init__(*args, **kwargs)

    @classmethod
    def for_lever(cls, lever: Lever) -> LeverForm:
        """An unbound form showing the lever as saved."""
        initial = {name: getattr(lever, name) for name in ("title", "description", "focus")}
        return cls(initial={**initial, "version": lever.version}, prefix_id=f"lever-{lever.pk}")

    def changes(self, lever: Lever | None = None) -> dict[str, Any]:
        """The typed values (only those that differ from the saved lever, when given)."""
        data = {name: self.cleaned_data[name] for name in ("title", "description", "focus")}
        if lever is None:
            return data
        return {name: value for name, value in data.items() if value != getattr(lever, name)}


class RoadmapItemForm(VersionedForm):
    """A piece of planned work: what, under which lever, when, and where it stands."""

    title = forms.CharField(max_length=300, label="What")
    lever = forms.ChoiceField(required=False, label="Lever")
    period = forms.ChoiceField(required=False, label="Target quarter")
    status = forms.ChoiceField(choices=STATUS_CHOICES, label="Status")

    def __init__(
        self,
        *args: Any,
        year: int,
        levers: list[Lever],
        item: RoadmapItem | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("auto_id", f"item-{item.pk}-%s" if item else "new-item-%s")
        super().__init__(*args, **kwargs)
        choices = [(lever.slug, lever.title) for lever in levers]
        if item is not None and item.lever is not None and item.lever not in levers:
            choices.append((item.lever.slug, f"{item.lever.title} (retired)"))
        cast(forms.ChoiceField, self.fields["lever"]).choices = [("", "No lever"), *choices]
        periods = year_periods(year)
        if item is not None and item.period is not None and item.period.key not in dict(periods):
            periods.append((item.period.key, item.period.key))
        cast(forms.ChoiceField, self.fields["period"]).choices = periods

    @classmethod
    def for_item(cls, item: RoadmapItem, year: int, levers: list[Lever]) -> RoadmapItemForm:
        """An unbound form showing the item as saved."""
        initial = {
            "title": item.title,
            "lever": item.lever.slug if item.lever else "",
            "period": item.period.key if item.period else "",
            "status": item.status,
            "version": item.version,
        }
        return cls(initial=initial, year=year, levers=levers, item=item)


class ReadinessForm(forms.Form):
    """The readiness check's questions, each answered yes or no."""

    exploratory = forms.TypedChoiceField(
        choices=YES_NO, coerce=_yes, widget=forms.RadioSelect, label=QUESTIONS["exploratory"]
    )
    measurable_quarterly = forms.TypedChoiceField(
        choices=YES_NO,
        coerce=_yes,
        widget=forms.RadioSelect,
        label=QUESTIONS["measurable_quarterly"],
    )
    stable_mission = forms.TypedChoiceField(
        choices=YES_NO, coerce=_yes, widget=forms.RadioSelect, label=QUESTIONS["stable_mission"]
    )
    outcome_metrics = forms.TypedChoiceField(
        choices=YES_NO, coerce=_yes, widget=forms.RadioSelect, label=QUESTIONS["outcome_metrics"]
    )
    version = BoundedInteger(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "readiness-%s")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["required"] = "Answer this question: yes or no."

    def answers(self) -> Answers:
        """The cleaned answers for the core's recommendation."""
        data = self.cleaned_data
        return Answers(
            exploratory=data["exploratory"],
            measurable_quarterly=data["measurable_quarterly"],
            stable_mission=data["stable_mission"],
            outcome_metrics=data["outcome_metrics"],
        )

    def with_version(self, version: int) -> None:
        """Carry another version, keeping the answers given (after a refused concurrent check)."""
        self.data = with_value(self.data, "version", str(version))
