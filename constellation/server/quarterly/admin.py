"""Django admin for operators: learnings, objective reviews, reflections, initiative results,
reopened reviews."""

from __future__ import annotations

from django.contrib import admin

from constellation.server.audit.admin import AuditedAdmin
from constellation.server.okrs.admin import VersionedAdmin
from constellation.server.quarterly.models import (
    InitiativeResult,
    Learning,
    ObjectiveReview,
    ReviewReopening,
    TeamReflection,
)


@admin.register(Learning)
class LearningAdmin(AuditedAdmin):
    """What teams learnt, period by period."""

    list_display = ("text", "team", "period", "author", "created_at")
    list_select_related = ("team", "period", "author")
    search_fields = ("text", "team__slug", "period__key")
    list_filter = ("period__key",)
    raw_id_fields = ("team", "period", "objective", "key_result", "initiative", "author")


@admin.register(ObjectiveReview)
class ObjectiveReviewAdmin(VersionedAdmin):
    """End-of-period verdicts on objectives."""

    list_display = ("objective", "computed_grade", "grade_override", "decision", "reviewed_at")
    list_select_related = ("objective",)
    search_fields = ("objective__slug", "objective__title")
    list_filter = ("decision",)
    raw_id_fields = ("organization", "objective", "reviewer")


@admin.register(TeamReflection)
class TeamReflectionAdmin(VersionedAdmin):
    """Teams' answers to the retrospective prompts."""

    list_display = ("team", "period", "author", "updated_at")
    list_select_related = ("team", "period", "author")
    search_fields = ("team__slug", "period__key")
    raw_id_fields = ("organization", "team", "period", "author")


@admin.register(InitiativeResult)
class InitiativeResultAdmin(AuditedAdmin):
    """What initiatives did to key results."""

    list_display = ("initiative_title", "key_result_title", "outcome", "team", "period")
    list_select_related = ("team", "period")
    search_fields = ("initiative_title", "key_result_title", "team__slug")
    list_filter = ("outcome",)
    raw_id_fields = ("organization", "team", "period", "initiative", "key_result", "author")


@admin.register(ReviewReopening)
class ReviewReopeningAdmin(AuditedAdmin):
    """Finished reviews an admin reopened, and why."""

    list_display = ("team", "period", "open", "reopened_by", "reopened_at")
    list_select_related = ("team", "period", "reopened_by")
    search_fields = ("team__slug", "period__key", "reason")
    list_filter = ("open",)
    raw_id_fields = ("organization", "team", "period", "reopened_by")
