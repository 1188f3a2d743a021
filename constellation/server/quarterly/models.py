"""What a team learnt in a period: the data bank the next period starts from."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from constellation.server.scoping import OrganizationQuerySet


class Learning(models.Model):
    """One thing a team learnt in a period, optionally about an objective or key result."""

    objects = OrganizationQuerySet["Learning"].as_manager()

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
    initiative = models.ForeignKey(
        "okrs.Initiative",
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


class ObjectiveReview(models.Model):
    """The end-of-period verdict on one objective: its grade (computed, maybe overridden)
    and what happens to it next."""

    objects = OrganizationQuerySet["ObjectiveReview"].as_manager()

    class Decision(models.TextChoices):
        DONE = "done"
        CARRY_OVER = "carry_over"
        DROP = "drop"
        RETHINK = "rethink"

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="objective_reviews"
    )
    objective = models.OneToOneField(
        "okrs.Objective", on_delete=models.CASCADE, related_name="review"
    )
    # The engine's grade when the review was last saved, kept so the verdict stays
    # readable after key results change or disappear.
    computed_grade = models.FloatField(null=True, blank=True)
    grade_override = models.FloatField(null=True, blank=True)
    override_reason = models.TextField(blank=True)
    decision = models.CharField(max_length=12, choices=Decision.choices, blank=True)
    note = models.TextField(blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="objective_reviews",
    )
    reviewed_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["objective_id"]

    def __str__(self) -> str:
        return f"review of {self.objective_id}"

    @property
    def grade(self) -> float | None:
        """The grade that counts: the override when there is one, else the computed grade."""
        return self.grade_override if self.grade_override is not None else self.computed_grade


class TeamReflection(models.Model):
    """A team's answers to the retrospective prompts for one period."""

    objects = OrganizationQuerySet["TeamReflection"].as_manager()

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="team_reflections"
    )
    team = models.ForeignKey("orgs.Team", on_delete=models.CASCADE, related_name="reflections")
    period = models.ForeignKey(
        "okrs.Period", on_delete=models.CASCADE, related_name="team_reflections"
    )
    learned = models.TextField(blank=True)
    surprised = models.TextField(blank=True)
    differently = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="team_reflections",
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["team_id", "period_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "period"], name="one_reflection_per_team_period"
            )
        ]

    def __str__(self) -> str:
        return f"reflection of {self.team_id} in {self.period_id}"


class InitiativeResult(models.Model):
    """What an initiative did to a key result: the effect expected against the one observed."""

    objects = OrganizationQuerySet["InitiativeResult"].as_manager()

    class Outcome(models.TextChoices):
        WORKED = "worked"
        PARTLY = "partly"
        DID_NOT_WORK = "did_not_work"
        UNKNOWN = "unknown"

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="initiative_results"
    )
    team = models.ForeignKey(
        "orgs.Team", on_delete=models.CASCADE, related_name="initiative_results"
    )
    period = models.ForeignKey(
        "okrs.Period", on_delete=models.CASCADE, related_name="initiative_results"
    )
    # Results outlive the plan: titles are copied so a deleted initiative or key result
    # still reads in the data bank.
    initiative = models.ForeignKey(
        "okrs.Initiative",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="results",
    )
    initiative_title = models.CharField(max_length=300)
    key_result = models.ForeignKey(
        "okrs.KeyResult",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="initiative_results",
    )
    key_result_title = models.CharField(max_length=300, blank=True)
    expected_effect = models.TextField(blank=True)
    expected_value = models.FloatField(null=True, blank=True)
    observed_effect = models.TextField(blank=True)
    observed_value = models.FloatField(null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.UNKNOWN)
    note = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="initiative_results",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "team", "period"])]

    def __str__(self) -> str:
        return f"{self.initiative_title}: {self.outcome}"


class ReviewReopening(models.Model):
    """The last time an admin reopened a team's finished review of a period, and why.

    A review is finished once every objective is decided and closed; `open` lets it take
    changes again until it is finished again, which clears it. Each reopening is also in the
    audit history.
    """

    objects = OrganizationQuerySet["ReviewReopening"].as_manager()

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="review_reopenings"
    )
    team = models.ForeignKey(
        "orgs.Team", on_delete=models.CASCADE, related_name="review_reopenings"
    )
    period = models.ForeignKey(
        "okrs.Period", on_delete=models.CASCADE, related_name="review_reopenings"
    )
    open = models.BooleanField(default=True)
    reason = models.TextField()
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="review_reopenings",
    )
    reopened_at = models.DateTimeField()

    class Meta:
        ordering = ["team_id", "period_id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "period"], name="one_reopening_per_team_period")
        ]

    def __str__(self) -> str:
        return f"reopening of {self.team_id} in {self.period_id}"
