"""Form fields the forms of every app share, bounded to what the database columns hold.

A number posted by hand can be any length: looked up or compared as it is, one too large for
an integer column makes the database fail (`integer out of range` on PostgreSQL, an
`OverflowError` on SQLite) and the page answer 500. These fields refuse it as a form error
naming the field, before any query.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

# The largest id (a 64-bit primary key) and the largest version or count (a 32-bit column).
MAX_ID = 2**63 - 1
MAX_INTEGER = 2**31 - 1


def fits_an_id(value: Any) -> bool:
    """Whether a posted id could be a row's: anything but a whole number too large for a key."""
    text = str(value).strip().lstrip("+-")
    return not text.isdigit() or int(text) <= MAX_ID


class RowChoice(forms.ModelChoiceField):
    """A row chosen by id; an id too large for any row is an invalid choice, not a 500."""

    def to_python(self, value: Any) -> Any:
        """The row, after refusing an id no key can hold."""
        if value not in self.empty_values and not fits_an_id(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class RowsChoice(forms.ModelMultipleChoiceField):
    """Rows chosen by id; an id too large for any row is an invalid value, not a 500."""

    def _check_values(self, value: Any) -> Any:
        for pk in value:
            if not fits_an_id(pk):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": str(pk)[:20]},
                )
        return super()._check_values(value)  # type: ignore[misc]


class BoundedInteger(forms.IntegerField):
    """A whole number that fits an integer column (a version, a count, a number of days)."""

    def __init__(self, *, max_value: int = MAX_INTEGER, **kwargs: Any) -> None:
        super().__init__(max_value=min(max_value, MAX_INTEGER), **kwargs)
