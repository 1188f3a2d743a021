"""The data bank's search form: a query and filters, all read from the page's address."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from constellation.server.okrs.access import periods_of
from constellation.server.okrs.models import KeyResult, Period
from constellation.server.orgs.access import Access, teams_of
from constellation.server.orgs.form_fields import RowChoice
from constellation.server.orgs.models import Team
from constellation.server.quarterly.databank import Filters
from constellation.server.quarterly.models import InitiativeResult
from constellation.server.strategy.access import levers_of
from constellation.server.strategy.models import Lever

OUTCOMES = [("", "Any outcome"), *InitiativeResult.Outcome.choices]


class KeyResultChoice(RowChoice):
    """A key result named with its objective, so two alike titles can be told apart."""

    def label_from_instance(self, obj: Any) -> str:
        """“Objective title › key result title”."""
        return f"{obj.objective.title} › {obj.title}"


class DataBankForm(forms.Form):
    """What to look for in the data bank; every field may be left empty."""

    q = forms.CharField(
        required=False,
        max_length=300,
        label="Search",
        help_text="Words or “quoted phrases”; records matching more of them come first.",
    )
    # Choices are the organisation's own: `__init__` gives every model choice its rows.
    team: forms.ModelChoiceField[Team] = RowChoice(
        queryset=None, required=False, to_field_name="slug", label="Team"
    )
    lever: forms.ModelChoiceField[Lever] = RowChoice(
        queryset=None, required=False, to_field_name="slug", label="Lever"
    )
    key_result = KeyResultChoice(queryset=None, required=False, label="Metric (key result)")
    period: forms.ModelChoiceField[Period] = RowChoice(
        queryset=None, required=False, to_field_name="key", label="Period"
    )
    outcome = forms.ChoiceField(
        choices=OUTCOMES,
        required=False,
        label="Outcome",
        help_text="Only initiative results with this outcome.",
    )
    tag = forms.CharField(
        required=False,
        max_length=100,
        label="Tag",
        help_text="Only learnings with this tag.",
    )

    def __init__(
        self, *args: Any, access: Access, key_results: QuerySet[KeyResult], **kwargs: Any
    ) -> None:
        kwargs.setdefault("auto_id", "bank-%s")
        super().__init__(*args, **kwargs)
        choices: dict[str, QuerySet[Any]] = {
            "team": teams_of(access),
            "lever": levers_of(access).order_by("title"),
            "period": periods_of(access).order_by("-start"),
            "key_result": key_results,
        }
        for name, rows in choices.items():
            field = cast(forms.ModelChoiceField, self.fields[name])
            field.queryset, field.empty_label = rows, "Any"

    def filters(self) -> Filters:
        """The filters chosen (call after `is_valid`)."""
        data = self.cleaned_data
        return Filters(
            team=data.get("team"),
            lever=data.get("lever"),
            key_result=data.get("key_result"),
            period=data.get("period"),
            outcome=data.get("outcome") or "",
            tag=(data.get("tag") or "").strip(),
        )
