"""Review requests with each reviewer's answers, dependencies between teams, and launches."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from constellation.server.scoping import ByRequest, OrganizationQuerySet


class ReviewRequest(models.Model):
    """A team's draft objectives for one period, sent to the leaders and stakeholders it picked.

    It stays open through rounds of answers: asking for changes does not close it, the team
    changes its objectives and resubmits. Launching the set closes it.
    """

    objects = OrganizationQuerySet["ReviewRequest"].as_manager()

    class State(models.TextChoices):
        OPEN = "open"
        LAUNCHED = "launched"
        WITHDRAWN = "withdrawn"

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="review_requests"
    )
    team = models.ForeignKey("orgs.Team", on_delete=models.CASCADE, related_name="review_requests")
    period = models.ForeignKey(
        "okrs.Period", on_delete=models.CASCADE, related_name="review_requests"
    )
    objectives = models.ManyToManyField("okrs.Objective", related_name="review_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    # Every answer, resubmission and launch bumps it: a launch names the version it saw.
    version = models.PositiveIntegerField(default=1)
    round = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "team", "state"])]

    def __str__(self) -> str:
        return f"Review of {self.team} for {self.period}"


class Reviewer(models.Model):
    """One person asked to review a request: their answers to the review questions and decision."""

    objects = ByRequest["Reviewer"].as_manager()

    class Kind(models.TextChoices):
        LEADER = "leader"
        STAKEHOLDER = "stakeholder"

    class Decision(models.TextChoices):
        PENDING = "pending", "not answered yet"
        APPROVED = "approved"
        CHANGES_REQUESTED = "changes_requested", "changes requested"

    class Support(models.TextChoices):
        YES = "yes"
        PARTLY = "partly"
        NO = "no"

    request = models.ForeignKey(ReviewRequest, on_delete=models.CASCADE, related_name="reviewers")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews_asked"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    # A leader's questions.
    alignment_concerns = models.TextField(blank=True)
    additional_context = models.TextField(blank=True)
    cross_functional_gaps = models.TextField(blank=True)
    # A stakeholder's questions.
    can_support = models.CharField(max_length=6, choices=Support.choices, blank=True)
    fits_plans = models.TextField(blank=True)
    work_concerns = models.TextField(blank=True)
    decision = models.CharField(max_length=20, choices=Decision.choices, default=Decision.PENDING)
    comment = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["kind", "id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "person"], name="one_reviewer_per_request")
        ]

    def __str__(self) -> str:
        return f"{self.person} reviews {self.request}"


class Dependency(models.Model):
    """A team asks another team for support on one of its key results."""

    objects = OrganizationQuerySet["Dependency"].as_manager()

    class State(models.TextChoices):
        REQUESTED = "requested", "waiting for an answer"
        ACCEPTED = "accepted"
        DECLINED = "declined"

    OPEN_STATES = (State.REQUESTED, State.ACCEPTED)

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="dependencies"
    )
    key_result = models.ForeignKey(
        "okrs.KeyResult", on_delete=models.CASCADE, related_name="dependencies"
    )
    from_team = models.ForeignKey(
        "orgs.Team", on_delete=models.CASCADE, related_name="dependencies_asked"
    )
    to_team = models.ForeignKey(
        "orgs.Team", on_delete=models.CASCADE, related_name="dependencies_received"
    )
    need = models.TextField()
    needed_by = models.DateField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.REQUESTED)
    note = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "dependencies"
        indexes = [models.Index(fields=["organization", "state"])]

    def __str__(self) -> str:
        return f"{self.from_team} asks {self.to_team}: {self.need[:60]}"


class Launch(models.Model):
    """A team launched its reviewed objectives for a period: who, when, with what message."""

    objects = OrganizationQuerySet["Launch"].as_manager()

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="launches"
    )
    team = models.ForeignKey("orgs.Team", on_delete=models.CASCADE, related_name="launches")
    period = models.ForeignKey("okrs.Period", on_delete=models.CASCADE, related_name="launches")
    review = models.OneToOneField(
        ReviewRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="launch"
    )
    objectives = models.ManyToManyField("okrs.Objective", related_name="launches")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"Launch of {self.team} for {self.period}"
