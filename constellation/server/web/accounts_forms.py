"""Forms of accounts: the first admin's setup, the profile, and password reset by email."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.template import loader

from constellation.server.accounts.access import users_with_email
from constellation.server.accounts.actions import (
    NewAccount,
    NewOrganization,
    ProfileEdit,
    take_reset_email_slot,
)
from constellation.server.notifications.actions import do_queue_email

logger = logging.getLogger(__name__)


class SetupForm(forms.Form):
    """The first organisation and its owner's account."""

    organization_name = forms.CharField(label="Organisation name", max_length=200)
    organization_slug = forms.SlugField(
        label="Organisation slug",
        max_length=60,
        help_text="In every address of the organisation: letters, digits, hyphens.",
    )
    username = forms.CharField(max_length=150)
    email = forms.EmailField()
    first_name = forms.CharField(label="First name", max_length=150, required=False)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)
    password = forms.CharField(widget=forms.PasswordInput(render_value=False), strip=False)

    def organization(self) -> NewOrganization:
        """The organisation to create."""
        data = self.cleaned_data
        return NewOrganization(slug=data["organization_slug"], name=data["organization_name"])

    def account(self) -> NewAccount:
        """The owner's account to create."""
        data = self.cleaned_data
        return NewAccount(
            username=data["username"],
            email=data["email"],
            password=data["password"],
            first_name=data["first_name"],
            last_name=data["last_name"],
        )


class ProfileForm(forms.Form):
    """What a person may change about themselves."""

    first_name = forms.CharField(label="First name", max_length=150, required=False)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)
    email = forms.EmailField()
    time_zone = forms.CharField(
        label="Time zone", max_length=64, help_text="For example Europe/Paris or America/New_York."
    )
    email_notifications = forms.BooleanField(
        label="Email me when something needs my eyes (reviews, dependencies, alerts, reminders)",
        required=False,
    )
    email_digests = forms.BooleanField(label="Email me my teams' weekly digest", required=False)

    def edit(self) -> ProfileEdit:
        """The change to save."""
        return ProfileEdit(**self.cleaned_data)


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's reset form, its emails sent through the outbox (logged, retried, never lost)."""

    def get_users(self, email: str) -> Iterable[Any]:
        """Active accounts with this address, including those with no password yet.

        An account made by `okr user create` without a password can then still get in.
        """
        return users_with_email(email)

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        """Queue the reset email in the outbox instead of sending it during the request.

        At most a few an hour go to one address, so the form cannot be used to flood a mailbox.
        """
        if not take_reset_email_slot(to_email):
            logger.warning("password reset: hourly limit reached for one address; not sent")
            return
        context = {**context, "site_url": settings.SITE_URL.rstrip("/")}
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        do_queue_email([to_email], subject, body)
