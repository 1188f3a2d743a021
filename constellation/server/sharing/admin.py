"""Operators can look at review requests, dependencies and launches."""

from django.contrib import admin

from constellation.server.sharing.models import Dependency, Launch, Reviewer, ReviewRequest


class ReviewerInline(admin.TabularInline):
    """The reviewers of a request with their decisions."""

    model = Reviewer
    extra = 0
    raw_id_fields = ("person",)
    fields = ("person", "kind", "decision", "comment", "answered_at")


@admin.register(ReviewRequest)
class ReviewRequestAdmin(admin.ModelAdmin):
    """Review requests, newest first."""

    list_display = ("team", "period", "organization", "state", "round", "created_at")
    list_filter = ("state", "organization")
    raw_id_fields = ("team", "period", "requested_by")
    filter_horizontal = ("objectives",)
    inlines = [ReviewerInline]


@admin.register(Dependency)
class DependencyAdmin(admin.ModelAdmin):
    """Dependencies between teams."""

    list_display = ("from_team", "to_team", "state", "needed_by", "organization", "created_at")
    list_filter = ("state", "organization")
    search_fields = ("need",)
    raw_id_fields = ("key_result", "from_team", "to_team", "requested_by", "answered_by")


@admin.register(Launch)
class LaunchAdmin(admin.ModelAdmin):
    """Launches of teams' objectives."""

    list_display = ("team", "period", "organization", "by", "at")
    list_filter = ("organization",)
    raw_id_fields = ("team", "period", "review", "by")
    filter_horizontal = ("objectives",)
