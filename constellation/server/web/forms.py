"""Forms of the web app: check-ins, objective edits and API tokens."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, cast

from django import forms
from django.db import models
from django.http import QueryDict

from constellation.server.okrs.actions import KEEP, ObjectiveEdit
from constellation.server.okrs.models import KeyResult, Objective
from constellation.server.orgs.form_fields import BoundedInteger
from constellation.server.tracking.actions import CheckInInput

EDITABLE_OBJECTIVE_FIELDS = ("title", "focus", "commitment")
DONE_CHOICES = [("", "—"), ("yes", "Done"), ("no", "Not done yet")]


def with_value(data: Mapping[str, Any], key: str, value: str) -> Mapping[str, Any]:
    """A copy of a form's data (a posted QueryDict or a plain dict) with one value replaced."""
    copied = data.copy() if isinstance(data, QueryDict) else dict(data)
    copied[key] = value
    return copied


class Refusal(Protocol):
    """What every action's error carries: the field it is about (or none) and why."""

    @property
    def field(self) -> str | None: ...

    @property
    def message(self) -> str: ...


def add_action_error(form: forms.BaseForm, error: Refusal) -> None:
    """Put an action's refusal next to the field it names, or above the form when it has none."""
    form.add_error(error.field if error.field in form.fields else None, error.message)


def offered_rows(form: forms.BaseForm, name: str) -> models.QuerySet[Any]:
    """The rows a model-choice field of `form` offers (forms set them in `__init__`)."""
    rows = cast(forms.ModelChoiceField, form.fields[name]).queryset
    if rows is None:
        raise ValueError(f"the field {name!r} was given no rows to offer")
    return rows


def _choices(values: type[models.TextChoices]) -> list[tuple[str, str]]:
    """A model's choices labelled alike (`in_review` → `In review`)."""
    return [(value, value.replace("_", " ").capitalize()) for value in values.values]


def _done(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class CheckInForm(forms.Form):
    """A check-in on one key result: a value (or done), a confidence 0-10 and a note."""

    value = forms.FloatField(required=False, label="Value")
    done = forms.TypedChoiceField(
        choices=DONE_CHOICES, coerce=_done, empty_value=None, required=False, label="Done?"
    )
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
    checked_on = forms.DateField(
        required=False,
        label="Date (today if empty)",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, key_result: KeyResult, **kwargs: Any) -> None:
        # Ids unique per key result, names unchanged: several of these forms share one page.
        kwargs.setdefault("auto_id", f"kr-{key_result.pk}-%s")
        super().__init__(*args, **kwargs)
        self.key_result = key_result
        if key_result.type == KeyResult.Type.MILESTONE:
            del self.fields["value"]
        else:
            del self.fields["done"]
            self.fields["value"].widget.attrs["step"] = "any"
            if key_result.unit:
                self.fields["value"].label = f"Value ({key_result.unit})"

    def check_in_input(self) -> CheckInInput:
        """The cleaned data as the input of tracking.actions.do_check_in."""
        data = self.cleaned_data
        return CheckInInput(
            value=data.get("value"),
            confidence=data.get("confidence"),
            note=data.get("note") or "",
            done=data.get("done"),
            checked_on=data.get("checked_on"),
        )


class ObjectiveForm(forms.Form):
    """The objective's editable fields and the version the editor started from."""

    title = forms.CharField(max_length=300, label="Title")
    focus = forms.ChoiceField(
        choices=[("", "Not set"), *_choices(Objective.Focus)], required=False, label="Focus"
    )
    commitment = forms.ChoiceField(choices=_choices(Objective.Commitment), label="Commitment")
    # No state here: the lifecycle (review, launch, quarterly review) moves it.
    # Shown only once the objective is launched: a change then is a pivot and says why.
    reason = forms.CharField(
        required=False,
        max_length=2000,
        label="Reason for the change",
        help_text="This objective is launched: say why it changes; the history keeps it.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = BoundedInteger(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "objective-%s")
        super().__init__(*args, **kwargs)

    @classmethod
    def for_objective(cls, objective: Objective) -> ObjectiveForm:
        """An unbound form showing the objective as saved."""
        initial = {name: getattr(objective, name) for name in EDITABLE_OBJECTIVE_FIELDS}
        return cls(initial={**initial, "version": objective.version})

    def objective_edit(self) -> ObjectiveEdit:
        """The cleaned data as the input of `okrs.actions.do_edit_objective`.

        A state posted anyway (a page opened before the menu went, a script) is passed on, so
        the action refuses it and says how the lifecycle moves it, rather than ignoring it.
        """
        data = self.cleaned_data
        return ObjectiveEdit(
            title=data["title"],
            focus=data.get("focus") or "",
            commitment=data["commitment"],
            state=self.data.get("state") or KEEP,
        )

    def with_version(self, version: int) -> None:
        """Carry another version, keeping everything typed (after a refused concurrent edit)."""
        self.data = with_value(self.data, "version", str(version))


class TokenForm(forms.Form):
    """A name for a new personal API token."""

    name = forms.CharField(
        max_length=100,
        required=False,
        label="Name",
        help_text="What the token is for, e.g. “weekly report script”.",
    )
    scope = forms.ChoiceField(
        choices=[("read", "Read: may only read"), ("write", "Write: may also change things")],
        initial="read",
        required=False,
        label="Scope",
        help_text="A read token cannot change anything, whatever your role.",
    )
    expires_in_days = BoundedInteger(
        required=False,
        min_value=1,
        max_value=366,
        label="Expires in (days)",
        help_text="Leave empty for a token that lives until you revoke it.",
    )

    def clean_scope(self) -> str:
        """Read unless write is asked for: the least a token needs."""
        return self.cleaned_data.get("scope") or "read"
