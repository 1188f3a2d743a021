"""Operators can look at setup links and profiles."""

from django.contrib import admin

from constellation.server.accounts.models import Profile, SetupLink, SsoIdentity


@admin.register(SetupLink)
class SetupLinkAdmin(admin.ModelAdmin):
    """Setup links, newest first (only their hashes are kept)."""

    list_display = ("created_at", "used_at")
    readonly_fields = ("token_hash", "created_at", "used_at")


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    """People's time zones and email choices."""

    list_display = ("user", "time_zone", "email_notifications", "email_digests")
    search_fields = ("user__username", "user__email")
    raw_id_fields = ("user",)


@admin.register(SsoIdentity)
class SsoIdentityAdmin(admin.ModelAdmin):
    """Who each single sign-on subject signs in as; deleting one unlinks it (matched by email)."""

    list_display = ("user", "issuer", "subject", "created_at")
    list_select_related = ("user",)
    search_fields = ("user__username", "user__email", "subject")
    readonly_fields = ("user", "issuer", "subject", "created_at")
