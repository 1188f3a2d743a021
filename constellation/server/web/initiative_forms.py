"""Forms of an objective's initiatives: add one, edit one, delete one.

The objective page holds a form per initiative (in its drawer), so choices are read once for
the page and handed to every form (`Choices`): the page's queries do not grow with its
initiatives. People and key results are the organisation's and the objective's own, so a
forged choice is refused as "not one of the available choices".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms

from constellation.core.work_links import check_url
from constellation.server.okrs.actions import KEEP
from constellation.server.okrs.initiatives import MAX_DESCRIPTION, InitiativeEdit, InitiativeInput
from constellation.server.okrs.models import Initiative, KeyResult, Objective
from constellation.server.orgs.access import Access, members_of
from constellation.server.orgs.form_fields import BoundedInteger

LINKS_HELP = (
    "One web address a line. Jira, GitHub, GitLab and Linear issues show as their key "
    "(ABC-123, owner/repo#42); any other address shows as a plain link."
)
STATUS_CHOICES = [(value, value.replace("_", " ").capitalize()) for value in Initiative.Status]


@dataclass(slots=True)
class Choices:
    """The people and key results an objective's initiative forms offer, read once."""

    people: dict[str, Any] = field(default_factory=dict)  # username → user
    key_results: dict[str, KeyResult] = field(default_factory=dict)  # id → key result

    @classmethod
    def read(cls, access: Access, objective: Objective) -> Choices:
        """The organisation's active members (one query) and the objective's key results
        (prefetched by the objective's page, as its initiatives' owners)."""
        people = {user.username: user for user in members_of(access)}
        # An owner who has since been deactivated stays offered on the initiatives they own.
        for initiative in objective.initiatives.all():
            if initiative.owner is not None:
                people.setdefault(initiative.owner.username, initiative.owner)
        key_results = {str(kr.pk): kr for kr in objective.key_results.all()}
        return cls(people, key_results)

    def owners(self) -> list[tuple[str, str]]:
        """The owner field's choices: nobody, then every member by name."""
        named = [(name, user.get_full_name() or name) for name, user in self.people.items()]
        return [("", "Nobody yet"), *named]


class InitiativeForm(forms.Form):
    """An initiative's title, description, owner, status and links (and, when new, the key
    results it should move)."""

    title = forms.CharField(max_length=300, label="Initiative")
    description = forms.CharField(
        required=False,
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Description",
    )
    owner = forms.ChoiceField(required=False, label="Owner")
    # Left out (an older form, a script), a new initiative starts planned and an edit keeps it.
    status = forms.ChoiceField(
        choices=STATUS_CHOICES, initial=Initiative.Status.PLANNED, required=False
    )
    links = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
        label="Links to the work",
        help_text=LINKS_HELP,
    )
    moves = forms.MultipleChoiceField(
        required=False,
        label="Key results it is expected to move",
        widget=forms.CheckboxSelectMultiple,
    )
    version = BoundedInteger(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(
        self, *args: Any, choices: Choices, initiative: Initiative | None = None, **kwargs: Any
    ) -> None:
        name = f"initiative-{initiative.pk}" if initiative is not None else "initiative-new"
        kwargs.setdefault("auto_id", f"{name}-%s")
        if initiative is not None and not args and "initial" not in kwargs:
            kwargs["initial"] = _initial(initiative)
        super().__init__(*args, **kwargs)
        self.choices = choices
        self.initiative = initiative
        self.fields["owner"].choices = choices.owners()  # type: ignore[attr-defined]
        if initiative is None:
            del self.fields["version"]
            offered = [(pk, kr.title) for pk, kr in choices.key_results.items()]
            self.fields["moves"].choices = offered  # type: ignore[attr-defined]
        else:
            # What it moves is chosen on its own page ("Key results it moves").
            del self.fields["moves"]
            self.fields["version"].required = True

    def clean_links(self) -> list[str]:
        """The addresses, one a line (blank lines skipped); each must be a web address."""
        urls = [line.strip() for line in self.cleaned_data["links"].splitlines() if line.strip()]
        problems = []
        for number, url in enumerate(urls, start=1):
            try:
                check_url(url)
            except ValueError as error:
                problems.append(f"line {number}: {error}")
        if problems:
            raise forms.ValidationError(problems)
        return urls

    def owner_user(self) -> Any:
        """The chosen owner, or None for nobody."""
        return self.choices.people.get(self.cleaned_data.get("owner") or "")

    def as_input(self) -> InitiativeInput:
        """The cleaned data as the input of `do_create_initiative`."""
        data = self.cleaned_data
        return InitiativeInput(
            title=data["title"],
            moves=[self.choices.key_results[pk] for pk in data.get("moves") or []],
            description=data["description"],
            owner=self.owner_user(),
            status=data["status"] or Initiative.Status.PLANNED,
            links=data["links"],
        )

    def as_edit(self) -> InitiativeEdit:
        """The cleaned data as an edit of every field the form shows."""
        data = self.cleaned_data
        return InitiativeEdit(
            title=data["title"],
            description=data["description"],
            owner=self.owner_user(),
            status=data["status"] or KEEP,
            links=data["links"],
        )


def _initial(initiative: Initiative) -> dict[str, Any]:
    """An initiative as its edit form starts (its owner, links and version as saved)."""
    return {
        "title": initiative.title,
        "description": initiative.description,
        "owner": initiative.owner.username if initiative.owner else "",
        "status": initiative.status or Initiative.Status.PLANNED,
        "links": "\n".join(link.url for link in initiative.links.all()),
        "version": initiative.version,
    }


class DeleteInitiativeForm(forms.Form):
    """Deleting an initiative: the version it was read at, and a reason once launched."""

    reason = forms.CharField(
        required=False,
        max_length=2000,
        label="Why it goes",
        help_text="This objective is launched: the reason is kept in its history.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = BoundedInteger(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, initiative: Initiative, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"initiative-{initiative.pk}-delete-%s")
        if not args and "initial" not in kwargs:
            kwargs["initial"] = {"version": initiative.version}
        super().__init__(*args, **kwargs)
        self.initiative = initiative
        if initiative.objective.state != Objective.State.LAUNCHED:
            del self.fields["reason"]
