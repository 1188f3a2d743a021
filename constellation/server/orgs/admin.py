"""Django admin for operators: organisations, teams and memberships."""

from __future__ import annotations

from django.contrib import admin

from constellation.server.audit.admin import AuditedAdmin
from constellation.server.orgs.models import Membership, Organization, Team, TeamReadiness


@admin.register(Organization)
class OrganizationAdmin(AuditedAdmin):
    """Organisations (tenants)."""

    organization_path = "pk"

    list_display = ("name", "slug", "time_zone", "checkin_weekday", "created_at")
    search_fields = ("name", "slug")
    list_filter = ("time_zone",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Team)
class TeamAdmin(AuditedAdmin):
    """Teams of the org charts."""

    list_display = ("name", "slug", "organization", "parent", "phase")
    list_select_related = ("organization", "parent")
    search_fields = ("name", "slug", "organization__slug")
    list_filter = ("phase", "organization")
    raw_id_fields = ("parent",)


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    """Who belongs to which organisation, with which role."""

    list_display = ("user", "organization", "role")
    list_select_related = ("user", "organization")
    search_fields = ("user__username", "user__email", "organization__slug")
    list_filter = ("role", "organization")
    raw_id_fields = ("user",)
    filter_horizontal = ("teams",)


@admin.register(TeamReadiness)
class TeamReadinessAdmin(AuditedAdmin):
    """Answers to each team's readiness check and what they recommended."""

    list_display = ("team", "version", "recommendation", "phase", "answered_by", "answered_at")
    list_select_related = ("team", "answered_by")
    search_fields = ("team__slug", "team__name", "organization__slug")
    list_filter = ("recommendation", "organization")
    raw_id_fields = ("team", "answered_by")
