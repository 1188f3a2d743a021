"""The form correcting a check-in (its author or an admin) and the one confirming a delete."""

from __future__ import annotations

from typing import Any

from django import forms

from constellation.server.okrs.models import KeyResult
from constellation.server.orgs.form_fields import BoundedInteger
from constellation.server.tracking.actions import CheckInEdit
from constellation.server.tracking.models import CheckIn
from constellation.server.web.forms import DONE_CHOICES, CheckInForm


class CheckInCorrectionForm(CheckInForm):
    """A check-in's value (or done), confidence and note, and the version it started from; its
    day is not corrected (delete the check-in and record it again)."""

    version = BoundedInteger(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, key_result: KeyResult, **kwargs: Any) -> None:
        super().__init__(*args, key_result=key_result, **kwargs)
        del self.fields["checked_on"]

    @classmethod
    def of(cls, check_in: CheckIn) -> CheckInCorrectionForm:
        """The form filled with the check-in as saved."""
        done = {True: DONE_CHOICES[1][0], False: DONE_CHOICES[2][0]}.get(check_in.done, "")  # type: ignore[arg-type]
        initial = {
            "value": check_in.value,
            "done": done,
            "confidence": check_in.confidence,
            "note": check_in.note,
            "version": check_in.version,
        }
        return cls(initial=initial, key_result=check_in.key_result)

    def check_in_edit(self) -> CheckInEdit:
        """Every field of the form as the correction of tracking.actions.do_edit_check_in."""
        data = self.cleaned_data
        edit = CheckInEdit(confidence=data.get("confidence"), note=data.get("note") or "")
        if "value" in self.fields:
            edit.value = data.get("value")
        if "done" in self.fields:
            edit.done = data.get("done")
        return edit


class CheckInDeleteForm(forms.Form):
    """The confirmation of a check-in's delete: the version it was shown at."""

    version = BoundedInteger(widget=forms.HiddenInput, min_value=1)
