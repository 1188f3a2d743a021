"""Forms of the drafting step: the objective form, the key-result form and small choices.

Choices (teams, periods, people, levers, KPIs) are the organisation's own, so a forged id
from elsewhere is refused by the form as "not one of the available choices".
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db import models
from django.db.models import QuerySet

from constellation.server.kpis.access import kpis_of
from constellation.server.kpis.models import Kpi
from constellation.server.okrs.access import key_results_of_objective, periods_of
from constellation.server.okrs.actions import KeyResultEdit, ObjectiveEdit
from constellation.server.okrs.drafting import KeyResultInput, ObjectiveInput
from constellation.server.okrs.models import KeyResult, Objective, Period
from constellation.server.okrs.statements import fill_measure
from constellation.server.orgs.access import Access, active_teams_of, members_of
from constellation.server.orgs.form_fields import BoundedInteger, RowChoice, RowsChoice
from constellation.server.orgs.models import Team
from constellation.server.strategy.access import levers_of
from constellation.server.strategy.models import Lever
from constellation.server.web.forms import with_value

REASON_HELP = (
    "This objective is launched: a change is a pivot. Say why; the reason is kept in its history."
)


def _choices(values: type[models.TextChoices]) -> list[tuple[str, str]]:
    return [(value, value.replace("_", " ").capitalize()) for value in values.values]


class PersonChoice(RowChoice):
    """A member of the organisation, shown by name."""

    def label_from_instance(self, obj: Any) -> str:
        """Full name when known, else the username."""
        return obj.get_full_name() or obj.username


def _reason_field() -> forms.CharField:
    return forms.CharField(
        required=False,
        max_length=2000,
        label="Reason for the change",
        help_text=REASON_HELP,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ObjectiveDraftForm(forms.Form):
    """Everything an objective is made of; `version` and `reason` when editing."""

    title = forms.CharField(max_length=300, label="Title")
    slug = forms.SlugField(
        max_length=60,
        required=False,
        label="Id",
        help_text="Used in addresses and OKR files; made from the title when left empty.",
    )
    # Choices are the organisation's own: `__init__` gives every model choice its rows.
    team: forms.ModelChoiceField[Team] = RowChoice(queryset=None, label="Team")
    period: forms.ModelChoiceField[Period] = RowChoice(queryset=None, label="Period")
    owner = PersonChoice(queryset=None, required=False, label="Owner", empty_label="Nobody yet")
    focus = forms.ChoiceField(
        choices=[("", "Not set"), *_choices(Objective.Focus)], required=False, label="Focus"
    )
    commitment = forms.ChoiceField(choices=_choices(Objective.Commitment), label="Commitment")
    levers: forms.ModelMultipleChoiceField[Lever] = RowsChoice(
        queryset=None,
        required=False,
        label="Levers it models",
        widget=forms.CheckboxSelectMultiple,
    )
    guardrails: forms.ModelMultipleChoiceField[Kpi] = RowsChoice(
        queryset=None,
        required=False,
        label="Guardrail KPIs",
        help_text="Health measures that must stay healthy while this objective is pushed.",
        widget=forms.CheckboxSelectMultiple,
    )
    reason = _reason_field()
    version = BoundedInteger(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(
        self,
        *args: Any,
        access: Access,
        objective: Objective | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("auto_id", "objective-%s")
        super().__init__(*args, **kwargs)
        self.objective = objective
        fields = self.fields
        choices: dict[str, QuerySet[Any]] = {
            # An archived team takes no new objectives; an objective keeps its own team.
            "team": active_teams_of(access, objective.team_id if objective else None),
            "period": periods_of(access),
            "owner": members_of(access),
            "levers": levers_of(access),
            "guardrails": kpis_of(access),
        }
        for name, rows in choices.items():
            cast(forms.ModelChoiceField, fields[name]).queryset = rows
        if objective is None:
            del fields["version"], fields["reason"]
        else:
            del fields["slug"]
            fields["version"].required = True
            if objective.state != Objective.State.LAUNCHED:
                del fields["reason"]

    @classmethod
    def for_objective(cls, access: Access, objective: Objective) -> ObjectiveDraftForm:
        """An unbound form showing the objective as saved."""
        initial = {
            "title": objective.title,
            "team": objective.team_id,
            "period": objective.period_id,
            "owner": objective.owner_id,
            "focus": objective.focus,
            "commitment": objective.commitment,
            "levers": [lever.pk for lever in objective.levers.all()],
            "guardrails": [kpi.pk for kpi in objective.guardrails.all()],
            "version": objective.version,
        }
        return cls(access=access, objective=objective, initial=initial)

    def objective_input(self) -> ObjectiveInput:
        """The cleaned data as the input of the drafting actions."""
        data = self.cleaned_data
        return ObjectiveInput(
            title=data["title"],
            team=data["team"],
            period=data["period"],
            owner=data.get("owner"),
            focus=data.get("focus") or "",
            commitment=data["commitment"],
            levers=list(data.get("levers") or []),
            guardrails=list(data.get("guardrails") or []),
            slug=data.get("slug") or "",
        )

    def objective_edit(self) -> ObjectiveEdit:
        """The cleaned data as the input of `okrs.actions.do_edit_objective`: every field."""
        data = self.objective_input()
        return ObjectiveEdit(
            title=data.title,
            team=data.team,
            period=data.period,
            owner=data.owner,
            focus=data.focus,
            commitment=data.commitment,
            levers=data.levers,
            guardrails=data.guardrails,
        )

    def with_version(self, version: int) -> None:
        """Carry another version, keeping everything typed (after a refused concurrent edit)."""
        self.data = with_value(self.data, "version", str(version))


class KeyResultForm(forms.Form):
    """A key result: its statement and how it is measured; numbers read from the statement."""

    title = forms.CharField(
        max_length=300,
        label="Statement",
        help_text='e.g. "Raise activation from 34% to 50%": empty numbers are read from it.',
    )
    type = forms.ChoiceField(
        choices=[
            ("metric", "Metric (baseline → target)"),
            ("range", "Keep in range (a healthy range)"),
            ("milestone", "Milestone (done or not)"),
        ],
        label="Kind",
    )
    baseline = forms.FloatField(required=False, label="Baseline")
    target = forms.FloatField(required=False, label="Target")
    healthy_low = forms.FloatField(
        required=False,
        label="Healthy from",
        help_text="Keep in range: the lowest healthy value; empty for no lower end.",
    )
    healthy_high = forms.FloatField(
        required=False,
        label="Healthy up to",
        help_text="Keep in range: the highest healthy value; empty for no upper end.",
    )
    unit = forms.CharField(max_length=30, required=False, label="Unit")
    weight = forms.FloatField(initial=1.0, label="Weight", min_value=0.01)
    owner = PersonChoice(queryset=None, required=False, label="Owner", empty_label="Nobody yet")
    kpi: forms.ModelChoiceField[Kpi] = RowChoice(
        queryset=None, required=False, label="KPI it moves", empty_label="None"
    )
    reason = _reason_field()
    version = BoundedInteger(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(
        self,
        *args: Any,
        access: Access,
        objective: Objective,
        key_result: KeyResult | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("auto_id", "kr-%s")
        super().__init__(*args, **kwargs)
        self.objective = objective
        self.key_result = key_result
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = members_of(access)
        cast(forms.ModelChoiceField, self.fields["kpi"]).queryset = kpis_of(access)
        for name in ("baseline", "target", "healthy_low", "healthy_high", "weight"):
            self.fields[name].widget.attrs["step"] = "any"
        if key_result is None:
            del self.fields["version"]
        else:
            self.fields["version"].required = True
        if objective.state != Objective.State.LAUNCHED:
            del self.fields["reason"]

    @classmethod
    def for_key_result(
        cls, access: Access, objective: Objective, key_result: KeyResult
    ) -> KeyResultForm:
        """An unbound form showing the key result as saved."""
        initial = {name: getattr(key_result, name) for name in ("title", "type", "unit", "weight")}
        initial.update(
            baseline=key_result.baseline,
            target=key_result.target,
            healthy_low=key_result.healthy_low,
            healthy_high=key_result.healthy_high,
            owner=key_result.owner_id,
            kpi=key_result.kpi_id,
            version=key_result.version,
        )
        return cls(access=access, objective=objective, key_result=key_result, initial=initial)

    def clean(self) -> dict[str, Any]:
        """Fill empty baseline, target and unit from the statement (the person may correct)."""
        super().clean()
        data = self.cleaned_data
        if data.get("type") == "metric" and data.get("title"):
            fill_measure(data, only_empty=True)
        return data

    def key_result_input(self) -> KeyResultInput:
        """The cleaned data as the input of the drafting actions (a milestone's numbers are
        dropped by the action)."""
        data = self.cleaned_data
        return KeyResultInput(
            title=data["title"],
            type=data["type"],
            baseline=data.get("baseline"),
            target=data.get("target"),
            unit=data.get("unit") or "",
            weight=data["weight"],
            owner=data.get("owner"),
            kpi=data.get("kpi"),
            healthy_low=data.get("healthy_low"),
            healthy_high=data.get("healthy_high"),
        )

    def key_result_edit(self) -> KeyResultEdit:
        """The cleaned data as the input of `okrs.actions.do_edit_key_result`: every field."""
        data = self.key_result_input()
        return KeyResultEdit(
            title=data.title,
            type=data.type,
            baseline=data.baseline,
            target=data.target,
            unit=data.unit,
            weight=data.weight,
            owner=data.owner,
            kpi=data.kpi,
            healthy_low=data.healthy_low,
            healthy_high=data.healthy_high,
        )

    def with_version(self, version: int) -> None:
        """Carry another version, keeping everything typed (after a refused concurrent edit)."""
        self.data = with_value(self.data, "version", str(version))


class InitiativeMovesForm(forms.Form):
    """The key results an initiative is expected to move."""

    moves: forms.ModelMultipleChoiceField[KeyResult] = RowsChoice(
        queryset=None,
        required=False,
        label="Key results it is expected to move",
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, access: Access, objective: Objective, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "initiative-%s")
        super().__init__(*args, **kwargs)
        key_results = key_results_of_objective(access, objective)
        cast(forms.ModelMultipleChoiceField, self.fields["moves"]).queryset = key_results


class PivotForm(forms.Form):
    """A reason for a change to a launched objective (deleting or moving a key result)."""

    reason = _reason_field()
    version = BoundedInteger(widget=forms.HiddenInput, min_value=1)
