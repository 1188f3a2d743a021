"""The "My week" form: one row per key result, all sent at once, blank rows skipped."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.http import QueryDict

from constellation.server.okrs.models import KeyResult
from constellation.server.orgs.form_fields import BoundedInteger
from constellation.server.tracking.actions import (
    CheckInError,
    CheckInInput,
    CheckInsError,
    check_check_ins,
)


class WeekRowForm(forms.Form):
    """A check-in on one key result of the week: a value (or Done), a confidence and a note."""

    value = forms.FloatField(required=False, label="Value")
    done = forms.BooleanField(required=False, label="Done")
    confidence = BoundedInteger(
        required=False,
        min_value=0,
        max_value=10,
        label="Confidence (0-10)",
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    note = forms.CharField(
        required=False, max_length=5000, label="Note", widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, key_result: KeyResult, **kwargs: Any) -> None:
        # Names and ids carry the key result's id: every row of the page is one of these.
        kwargs.setdefault("prefix", f"kr-{key_result.pk}")
        kwargs.setdefault("auto_id", "week-%s")
        super().__init__(*args, **kwargs)
        self.key_result = key_result
        if key_result.type == KeyResult.Type.MILESTONE:
            del self.fields["value"]
        else:
            del self.fields["done"]
            self.fields["value"].widget.attrs["step"] = "any"
            if key_result.unit:
                self.fields["value"].label = f"Value ({key_result.unit})"

    def is_blank(self) -> bool:
        """Whether nothing was typed in the row (it is then skipped, not refused)."""
        if not self.is_bound:
            return True
        typed = [self.data.get(self.add_prefix(name), "") for name in self.fields]
        return not any(str(value).strip() for value in typed)

    def check_in_input(self) -> CheckInInput:
        """The row as the input of tracking.actions (an unticked milestone is not done yet)."""
        data = self.cleaned_data
        done = bool(data.get("done")) if "done" in self.fields else None
        return CheckInInput(
            value=data.get("value"),
            confidence=data.get("confidence"),
            note=data.get("note") or "",
            done=done,
        )

    def show_error(self, error: CheckInError) -> None:
        """Put an action's refusal next to the field it names (else on top of the row)."""
        self.add_error(error.field if error.field in self.fields else None, str(error))


class WeekForm:
    """Every row of the week; valid when every filled row is, with at least one filled."""

    def __init__(self, key_results: Iterable[KeyResult], data: QueryDict | None = None) -> None:
        self.rows = {kr.pk: WeekRowForm(data, key_result=kr) for kr in key_results}
        self.errors: list[str] = []

    def filled(self) -> list[WeekRowForm]:
        """The rows something was typed in."""
        return [row for row in self.rows.values() if not row.is_blank()]

    def is_valid(self) -> bool:
        """Whether every filled row is valid, as a form and for the action that records it.

        The action's own check runs on every row that is a valid form, so one submit names
        every problem at once rather than one per try.
        """
        filled = self.filled()
        if not filled:
            self.errors.append("Nothing to check in: fill in at least one key result.")
            return False
        valid = [row for row in filled if row.is_valid()]
        try:
            check_check_ins([(row.key_result, row.check_in_input()) for row in valid])
        except CheckInsError as refused:
            self.show_errors(refused)
        return not any(row.errors for row in filled)

    def entries(self) -> list[tuple[KeyResult, CheckInInput]]:
        """The filled rows as (key result, check-in), once the form is valid."""
        return [(row.key_result, row.check_in_input()) for row in self.filled()]

    def show_errors(self, refused: CheckInsError) -> None:
        """Put each refused check-in's error on its row."""
        for pk, error in refused.errors.items():
            self.rows[pk].show_error(error)

    @property
    def invalid_rows(self) -> int:
        """How many rows need a fix."""
        return sum(1 for row in self.rows.values() if row.is_bound and row.errors)
