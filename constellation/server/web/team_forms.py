"""Forms of the teams pages: a new team, a team's settings, and adding a member."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from constellation.server.orgs.access import (
    Access,
    active_memberships_of,
    active_teams_of,
    members_of,
)
from constellation.server.orgs.actions import KEEP, TeamEdit, TeamInput
from constellation.server.orgs.form_fields import BoundedInteger, RowChoice
from constellation.server.orgs.models import Team
from constellation.server.web.draft_forms import PersonChoice
from constellation.server.web.forms import with_value


class NewTeamForm(forms.Form):
    """A new team: a name, an optional slug, its parent team and lead."""

    name = forms.CharField(max_length=200)
    slug = forms.SlugField(
        max_length=60, required=False, help_text="Its address; made from the name when empty."
    )
    parent: forms.ModelChoiceField[Team] = RowChoice(
        queryset=None, required=False, empty_label="(top level)"
    )
    lead = PersonChoice(queryset=None, required=False, empty_label="(no lead)")

    def __init__(self, *args: Any, access: Access, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "new-team-%s")
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["parent"]).queryset = active_teams_of(access)
        cast(forms.ModelChoiceField, self.fields["lead"]).queryset = members_of(access)

    def team_input(self) -> TeamInput:
        """The valid form as the action's input."""
        data = self.cleaned_data
        return TeamInput(
            name=data["name"], slug=data["slug"] or "", parent=data["parent"], lead=data["lead"]
        )


class TeamSettingsForm(forms.Form):
    """A team's name, parent, lead and phase; a lead (not an admin) sees only the name."""

    name = forms.CharField(max_length=200)
    parent: forms.ModelChoiceField[Team] = RowChoice(
        queryset=None, required=False, empty_label="(top level)"
    )
    lead = PersonChoice(queryset=None, required=False, empty_label="(no lead)")
    phase = forms.ChoiceField(choices=[("", "(not set)"), *Team.Phase.choices], required=False)
    version = BoundedInteger(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)

    def __init__(self, *args: Any, access: Access, team: Team, powers: str, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "team-%s")
        super().__init__(*args, **kwargs)
        if powers != "admin":
            del self.fields["parent"], self.fields["lead"], self.fields["phase"]
            return
        # A team cannot sit under itself; deeper cycles are refused by the action, by name.
        parents = active_teams_of(access).exclude(pk=team.pk)
        cast(forms.ModelChoiceField, self.fields["parent"]).queryset = parents
        cast(forms.ModelChoiceField, self.fields["lead"]).queryset = members_of(access)

    @classmethod
    def for_team(cls, access: Access, team: Team, powers: str) -> TeamSettingsForm:
        """An unbound form showing the team as saved."""
        initial = {
            "name": team.name,
            "parent": team.parent_id,
            "lead": team.lead_id,
            "phase": team.phase,
            "version": team.version,
        }
        return cls(access=access, team=team, powers=powers, initial=initial)

    def with_version(self, version: int) -> None:
        """Carry the saved version, keeping everything typed (after a refused concurrent edit)."""
        self.data = with_value(self.data, "version", str(version))

    def edit(self) -> TeamEdit:
        """The valid form as the action's edit (only the fields it shows)."""
        data = self.cleaned_data
        return TeamEdit(
            name=data["name"],
            parent=data["parent"] if "parent" in self.fields else KEEP,
            lead=data["lead"] if "lead" in self.fields else KEEP,
            phase=data["phase"] if "phase" in self.fields else KEEP,
            expected_version=data["version"],
        )


class TeamMemberForm(forms.Form):
    """A person of the organisation to add to a team, by username."""

    username = forms.ChoiceField(label="Person")

    def __init__(self, *args: Any, access: Access, team: Team, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "member-%s")
        super().__init__(*args, **kwargs)
        # The people not in the team yet, in one query.
        people = active_memberships_of(access).exclude(teams=team)
        cast(forms.ChoiceField, self.fields["username"]).choices = [
            ("", "(choose a person)"),
            *((m.user.username, _membership_label(m)) for m in people),
        ]


def _membership_label(membership: Any) -> str:
    """A membership shown as its person's name and role."""
    user = membership.user
    return f"{user.get_full_name() or user.username} ({membership.role})"
