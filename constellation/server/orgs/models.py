"""Organisations, teams and memberships: who belongs where, with which role."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from constellation.server.scoping import OrganizationQuerySet


class Organization(models.Model):
    """A tenant: every other row belongs to exactly one organisation."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    # Check-in cadence (used by reminders): weekday 0=Monday, local time, time zone.
    checkin_weekday = models.PositiveSmallIntegerField(default=0)
    checkin_time = models.TimeField(default="09:00")
    time_zone = models.CharField(max_length=64, default="UTC")
    # The next quarter opens for drafting, alignment and review this many days before it
    # starts (six weeks by default): planning happens before a quarter, reviewing after it.
    plan_ahead_days = models.PositiveSmallIntegerField(default=42)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A node of the org chart; never an OKR cascade."""

    objects = OrganizationQuerySet["Team"].as_manager()

    class Phase(models.TextChoices):
        EXPLORATORY = "exploratory"
        GROWTH = "growth"
        MATURE = "mature"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="teams")
    slug = models.SlugField(max_length=60)
    name = models.CharField(max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    phase = models.CharField(max_length=20, choices=Phase.choices, blank=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="teams_led",
    )
    # An archived team takes no new OKRs; its history stays readable.
    archived_at = models.DateTimeField(null=True, blank=True)
    # Bumped by every edit, so two people editing the same team cannot overwrite each other.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "slug"], name="team_slug_per_org")
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person's role in one organisation."""

    objects = OrganizationQuerySet["Membership"].as_manager()

    class Role(models.TextChoices):
        OWNER = "owner"
        ADMIN = "admin"
        LEADER = "leader"
        MEMBER = "member"
        VIEWER = "viewer"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    teams = models.ManyToManyField(Team, blank=True, related_name="members")
    # A deactivated person keeps their history but can no longer open the organisation.
    deactivated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="one_membership_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization} ({self.role})"

    @property
    def can_write(self) -> bool:
        """Viewers read; everyone else may write."""
        return self.role != self.Role.VIEWER and self.deactivated_at is None

    @property
    def is_admin(self) -> bool:
        """Owners and admins run the organisation: people, teams, settings."""
        return self.role in {self.Role.OWNER, self.Role.ADMIN}


class TeamReadiness(models.Model):
    """A team's answers to the readiness check and what they recommend (OKRs or lighter)."""

    objects = OrganizationQuerySet["TeamReadiness"].as_manager()

    class Recommendation(models.TextChoices):
        OKRS = "okrs", "OKRs"
        EXPERIMENTS = "experiments", "Hypotheses and experiments"
        KPIS = "kpis", "KPIs with a health check"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="readiness_checks"
    )
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="readiness_checks")
    # Each answer is kept, never overwritten: the n-th check of a team has version n.
    version = models.PositiveIntegerField()
    exploratory = models.BooleanField()
    measurable_quarterly = models.BooleanField()
    stable_mission = models.BooleanField()
    outcome_metrics = models.BooleanField()
    recommendation = models.CharField(max_length=12, choices=Recommendation.choices)
    phase = models.CharField(max_length=20, choices=Team.Phase.choices)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["team", "-version"]
        verbose_name_plural = "team readiness checks"
        constraints = [
            models.UniqueConstraint(fields=["team", "version"], name="one_readiness_per_version")
        ]

    def __str__(self) -> str:
        return f"Readiness {self.version} of {self.team}"


# Who leads: reviews drafts as a leader, is told of KPI alerts, answers for every team.
LEADING_ROLES = (Membership.Role.OWNER, Membership.Role.ADMIN, Membership.Role.LEADER)
