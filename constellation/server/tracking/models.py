"""Check-ins: the regular readings of key results with confidence and a note."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class CheckIn(models.Model):
    """One reading of a key result: value (or done), confidence 0-10 and a note."""

    key_result = models.ForeignKey(
        "okrs.KeyResult", on_delete=models.CASCADE, related_name="check_ins"
    )
    value = models.FloatField(null=True, blank=True)
    done = models.BooleanField(null=True, blank=True)
    confidence = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    checked_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["checked_on", "id"]
        indexes = [models.Index(fields=["key_result", "checked_on"])]

    def __str__(self) -> str:
        return f"check-in on {self.key_result_id} ({self.checked_on})"
