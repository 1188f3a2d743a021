"""Periods, objectives, key results, initiatives and the alignment between objectives."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from constellation.core.work_links import KINDS as LINK_KINDS
from constellation.core.work_links import MAX_LABEL_LENGTH, MAX_URL_LENGTH
from constellation.server.scoping import (
    ByInitiative,
    ByObjective,
    BySource,
    OrganizationQuerySet,
)

STATUSES = [
    ("on_track", "On track"),
    ("at_risk", "At risk"),
    ("off_track", "Off track"),
    ("not_started", "Not started"),
    ("draft", "Draft"),
]


class Period(models.Model):
    """A quarter (`2026-Q3`) or a year (`2026`) with its dates."""

    objects = OrganizationQuerySet["Period"].as_manager()

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="periods"
    )
    key = models.CharField(max_length=10)
    start = models.DateField()
    end = models.DateField()
    closed = models.BooleanField(default=False)

    class Meta:
        ordering = ["start", "key"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "key"], name="period_key_per_org")
        ]

    def __str__(self) -> str:
        return self.key


class Objective(models.Model):
    """A qualitative, outcome-oriented goal of one team for one period."""

    objects = OrganizationQuerySet["Objective"].as_manager()

    class Focus(models.TextChoices):
        CUSTOMER = "customer"
        BUSINESS = "business"
        BOTH = "both"

    class State(models.TextChoices):
        DRAFT = "draft"
        IN_REVIEW = "in_review", "in review"
        LAUNCHED = "launched"
        CLOSED = "closed"

    class Commitment(models.TextChoices):
        COMMITTED = "committed"
        ASPIRATIONAL = "aspirational"

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="objectives"
    )
    slug = models.SlugField(max_length=80)
    team = models.ForeignKey("orgs.Team", on_delete=models.PROTECT, related_name="objectives")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="objectives")
    title = models.CharField(max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_objectives",
    )
    focus = models.CharField(max_length=10, choices=Focus.choices, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    state_given = models.BooleanField(default=False)
    commitment = models.CharField(
        max_length=12, choices=Commitment.choices, default=Commitment.COMMITTED
    )
    levers = models.ManyToManyField("strategy.Lever", blank=True, related_name="objectives")
    guardrails = models.ManyToManyField("kpis.Kpi", blank=True, related_name="guarded_objectives")
    aligns_to = models.ManyToManyField(
        "self",
        through="Alignment",
        symmetrical=False,
        blank=True,
        related_name="aligned_from",
    )
    # The objective of an earlier period this one continues (the update step), if any.
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="carried_to"
    )
    position = models.PositiveIntegerField(default=0)
    # Optimistic concurrency: every edit names the version it started from.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The core engine's score, kept by `plans.stored` in the transaction of every write that
    # changes an input, and by the daily job as the calendar moves (`scored_on`).
    progress = models.FloatField(default=0.0)
    expected = models.FloatField(default=0.0)
    status = models.CharField(max_length=12, choices=STATUSES, default="on_track")
    # Why the status is worse than its pace (an unhealthy guardrail), in words; else blank.
    status_reason = models.CharField(max_length=300, blank=True)
    grade = models.FloatField(default=0.0)
    findings = models.PositiveIntegerField(default=0)
    scored_on = models.DateField(null=True, blank=True)
    # The day it was last launched: its pace counts from the later of this and the period's
    # start. Null when unknown (launched before this was kept, or by an import).
    launched_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "slug"], name="objective_slug_per_org")
        ]
        indexes = [
            models.Index(fields=["organization", "period", "team"]),
            # A period's objectives in their order, a page at a time (`plans.lists`).
            models.Index(fields=["period", "position", "id"], name="objective_period_order"),
            # Covers the dashboard's aggregates per team (`plans.lists.team_numbers`).
            models.Index(
                fields=["period", "team", "status", "progress"], name="objective_team_numbers"
            ),
            models.Index(fields=["scored_on"], name="objective_scored_on"),
        ]

    def __str__(self) -> str:
        return self.title


class Alignment(models.Model):
    """One objective aligns to another; a link, never a copy."""

    objects = BySource["Alignment"].as_manager()

    source = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="one_alignment_per_pair"),
            models.CheckConstraint(
                condition=~models.Q(source=models.F("target")), name="no_self_alignment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} aligns to {self.target_id}"


class KeyResult(models.Model):
    """A measurable change: a metric from baseline to target, a milestone or a kept range."""

    objects = ByObjective["KeyResult"].as_manager()

    class Type(models.TextChoices):
        METRIC = "metric"
        MILESTONE = "milestone"
        RANGE = "range"

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="key_results")
    slug = models.SlugField(max_length=80)
    slug_given = models.BooleanField(default=True)
    title = models.CharField(max_length=300)
    type = models.CharField(max_length=10, choices=Type.choices, default=Type.METRIC)
    baseline = models.FloatField(null=True, blank=True)
    target = models.FloatField(null=True, blank=True)
    current = models.FloatField(null=True, blank=True)
    unit = models.CharField(max_length=30, blank=True)
    done = models.BooleanField(null=True, blank=True)
    weight = models.FloatField(default=1.0)
    healthy_low = models.FloatField(null=True, blank=True)
    healthy_high = models.FloatField(null=True, blank=True)
    confidence = models.PositiveSmallIntegerField(null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_key_results",
    )
    kpi = models.ForeignKey(
        "kpis.Kpi", null=True, blank=True, on_delete=models.SET_NULL, related_name="key_results"
    )
    position = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    # The core engine's score (see Objective): the value it reads, progress, what is expected
    # by now, status and the trend's forecast.
    value = models.FloatField(null=True, blank=True)
    progress = models.FloatField(default=0.0)
    expected = models.FloatField(default=0.0)
    status = models.CharField(max_length=12, choices=STATUSES, default="on_track")
    forecast = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["objective", "slug"], name="kr_slug_per_objective")
        ]

    def __str__(self) -> str:
        return self.title


class Initiative(models.Model):
    """Work (an output) that is expected to move key results."""

    objects = ByObjective["Initiative"].as_manager()

    class Status(models.TextChoices):
        PLANNED = "planned"
        IN_PROGRESS = "in_progress", "in progress"
        DONE = "done"
        DROPPED = "dropped"

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="initiatives")
    slug = models.SlugField(max_length=80, blank=True)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True, default="")
    # Blank: no status given (a file may leave it out); new initiatives start planned.
    status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_initiatives",
    )
    moves = models.ManyToManyField(KeyResult, blank=True, related_name="initiatives")
    roadmap_item = models.ForeignKey(
        "strategy.RoadmapItem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="initiatives",
    )
    position = models.PositiveIntegerField(default=0)
    # Optimistic concurrency: every edit and deletion names the version it started from.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class InitiativeLink(models.Model):
    """A link from an initiative to the work that tracks it (an issue, a pull request...).

    `kind` and `label` are read from the address by `core.work_links` when it is saved, so a
    page shows "ABC-123" or "owner/repo#42" without parsing addresses again.
    """

    objects = ByInitiative["InitiativeLink"].as_manager()

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="links")
    url = models.URLField(max_length=MAX_URL_LENGTH)
    kind = models.CharField(max_length=10, choices=list(LINK_KINDS.items()))
    label = models.CharField(max_length=MAX_LABEL_LENGTH)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.label

    @property
    def kind_name(self) -> str:
        """The tracker's name as people read it: "Jira", "GitHub", ... or "Link"."""
        return LINK_KINDS.get(self.kind, LINK_KINDS["other"])


class Finding(models.Model):
    """One of the coach's findings, kept current like the scores (`plans.stored`).

    About an objective or one of its key results (`objective` set), a team's set for a period
    (`team` set, `objective` empty) or the whole plan of a period (neither). `team` is also set
    on an objective's findings, so a team's count is one indexed aggregate.
    """

    objects = OrganizationQuerySet["Finding"].as_manager()

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="+"
    )
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+")
    objective = models.ForeignKey(
        Objective, null=True, blank=True, on_delete=models.CASCADE, related_name="coach_findings"
    )
    team = models.ForeignKey(
        "orgs.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    subject = models.CharField(max_length=12)
    rule = models.CharField(max_length=40)
    severity = models.CharField(max_length=10)
    object = models.CharField(max_length=200, blank=True)
    message = models.TextField()
    hint = models.TextField(blank=True)
    # The page's words (titles, no file keys) and the kind of one-step fix, as the web shows it.
    plain_message = models.TextField(blank=True, default="")
    plain_hint = models.TextField(blank=True, default="")
    fix = models.CharField(max_length=40, blank=True, default="")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        indexes = [
            models.Index(fields=["period", "team"], name="finding_period_team"),
            models.Index(fields=["period", "subject"], name="finding_period_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.rule}: {self.object}"
