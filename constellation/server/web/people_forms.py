"""Forms of the People page: inviting, changing a role, and accepting an invitation."""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from constellation.server.orgs.form_fields import RowsChoice
from constellation.server.orgs.models import Membership, Team
from constellation.server.people.actions import NewAccount

# Addresses may be pasted one a line, or separated by commas, semicolons or spaces.
ADDRESS_SEPARATORS = re.compile(r"[\s,;]+")
ROLE_CHOICES = [(value, label) for value, label in Membership.Role.choices]


def role_choices(can_grant_owner: bool) -> list[tuple[str, str]]:
    """The roles a person may give: owner only when they are an owner themselves."""
    if can_grant_owner:
        return ROLE_CHOICES
    return [(v, label) for v, label in ROLE_CHOICES if v != Membership.Role.OWNER]


class InviteForm(forms.Form):
    """One or many email addresses, the role they get and the teams they join."""

    emails = forms.CharField(
        label="Email addresses",
        help_text="One or many: one a line, or separated by commas.",
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
    )
    role = forms.ChoiceField(label="Role", initial=Membership.Role.MEMBER)
    # The organisation's own teams: `__init__` gives the field its rows.
    teams: forms.ModelMultipleChoiceField[Team] = RowsChoice(
        queryset=None,
        label="Teams",
        required=False,
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self, *args: Any, teams: QuerySet[Team], can_grant_owner: bool, **kwargs: Any
    ) -> None:
        kwargs.setdefault("auto_id", "invite-%s")
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = role_choices(can_grant_owner)
        cast(forms.ModelMultipleChoiceField, self.fields["teams"]).queryset = teams

    def addresses(self) -> list[str]:
        """The addresses typed, split on lines, commas, semicolons and spaces."""
        return [part for part in ADDRESS_SEPARATORS.split(self.cleaned_data["emails"]) if part]


class RoleForm(forms.Form):
    """A person's new role."""

    role = forms.ChoiceField(label="Role", choices=ROLE_CHOICES)


class AcceptForm(forms.Form):
    """A newcomer's username, name and password (checked by Django's password validators)."""

    username = forms.CharField(label="Username", max_length=150)
    name = forms.CharField(label="Your name", max_length=300)
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def new_account(self) -> NewAccount:
        """The cleaned data as the input of `people.actions.do_accept_invitation`."""
        data = self.cleaned_data
        return NewAccount(username=data["username"], name=data["name"], password=data["password"])
