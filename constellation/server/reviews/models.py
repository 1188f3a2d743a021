"""What a team learnt in a period: the data bank the next period starts from."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Learning(models.Model):
    """One thing a team learnt in a period, optionally about an objective or key result."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="learnings"
    )
    team = models.ForeignKey("orgs.Team", on_delete=models.CASCADE, related_name="learnings")
    period = models.ForeignKey("okrs.Period", on_delete=models.CASCADE, related_name="learnings")
    text = models.TextField()
    tags = models.JSONField(default=list, blank=True)
    # Learnings outlive what they were about: a deleted objective leaves the lesson behind.
    objective = models.ForeignKey(
        "okrs.Objective",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="learnings",
    )
    key_result = models.ForeignKey(
        "okrs.KeyResult",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="learnings",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="learnings",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "team", "period"])]

    def __str__(self) -> str:
        return self.text[:80]
