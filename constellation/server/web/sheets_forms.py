"""Forms of the spreadsheet import page: the upload, then the apply of a previewed file."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from constellation.server.okrs.models import Period
from constellation.server.plans.sheets_read import MAX_BYTES

UPLOAD_HELP = (
    "A CSV or XLSX file with the columns of the export (download one from the dashboard to "
    f"start from). At most {MAX_BYTES // 1_000_000} MB. Nothing is saved before you apply it."
)


class SheetUploadForm(forms.Form):
    """A spreadsheet to preview, and the period it is for."""

    period = forms.ChoiceField(label="Period")
    file = forms.FileField(label="Spreadsheet (CSV or XLSX)", help_text=UPLOAD_HELP)

    def __init__(self, *args: Any, periods: list[Period], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "sheet-%s")
        super().__init__(*args, **kwargs)
        choices = [(p.key, p.key) for p in reversed(periods)]
        self.fields["period"].choices = choices  # type: ignore[attr-defined]
        self.fields["file"].widget.attrs["accept"] = ".csv,.xlsx,text/csv"

    def clean_file(self) -> UploadedFile:
        """The file, refused by its size before anything of it is read."""
        upload: UploadedFile = self.cleaned_data["file"]
        if upload.size is not None and upload.size > MAX_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_BYTES:,} bytes.")
        name = (upload.name or "").lower()
        if not name.endswith((".csv", ".xlsx")):
            raise forms.ValidationError("Choose a .csv or .xlsx file.")
        return upload


class SheetApplyForm(forms.Form):
    """The previewed file to apply, named by the SHA-256 of its content."""

    period = forms.CharField(widget=forms.HiddenInput, max_length=20)
    upload = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)
