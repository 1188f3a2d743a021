"""Forms of sharing: send for review, answer a review, resubmit, launch, ask for support."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from constellation.server.okrs.models import KeyResult, Objective
from constellation.server.orgs.form_fields import BoundedInteger, RowChoice, RowsChoice
from constellation.server.orgs.models import LEADING_ROLES, Membership, Team
from constellation.server.sharing.actions import LEADER_QUESTIONS, STAKEHOLDER_QUESTIONS, Answer
from constellation.server.sharing.models import Reviewer


class PersonChoice(RowsChoice):
    """Members shown by name and role."""

    def label_from_instance(self, obj: Any) -> str:
        """`Ada Lovelace (leader)`."""
        name = obj.user.get_full_name() or obj.user.username
        return f"{name} ({obj.role})"


class ObjectiveChoice(RowsChoice):
    """Objectives shown by title and state."""

    def label_from_instance(self, obj: Any) -> str:
        """`Title (draft)`."""
        return f"{obj.title} ({obj.get_state_display()})"


class SendForReviewForm(forms.Form):
    """A team's drafts for a period and the leaders and stakeholders who review them."""

    objectives = ObjectiveChoice(
        queryset=Objective.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Objectives to send",
        help_text="Only drafts can be sent; they move to “in review”.",
    )
    leaders = PersonChoice(
        queryset=Membership.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Leaders",
        help_text="They answer how the priorities align with the company's.",
    )
    stakeholders = PersonChoice(
        queryset=Membership.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Stakeholders (from any team)",
        help_text="They answer whether they can support the initiatives.",
    )
    message = forms.CharField(
        required=False,
        max_length=5000,
        label="Message to the reviewers",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self,
        *args: Any,
        objectives: QuerySet[Objective],
        people: QuerySet[Membership],
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("auto_id", "review-%s")
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["objectives"]).queryset = objectives
        leaders = people.filter(role__in=LEADING_ROLES)
        cast(forms.ModelChoiceField, self.fields["leaders"]).queryset = leaders
        cast(forms.ModelChoiceField, self.fields["stakeholders"]).queryset = people


class AnswerForm(forms.Form):
    """A reviewer's answers to the review questions for their kind, and a decision."""

    alignment_concerns = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Concerns about how these priorities align with the company's",
    )
    additional_context = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Additional context the team should consider",
    )
    cross_functional_gaps = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="OKRs or initiatives that may lack cross-functional alignment",
    )
    can_support = forms.ChoiceField(
        choices=[("", "—"), *Reviewer.Support.choices],
        required=False,
        label="Can your team support the initiatives?",
    )
    fits_plans = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Does this fit what your team planned?",
    )
    work_concerns = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Concerns about the work required",
    )
    decision = forms.ChoiceField(
        choices=[
            (Reviewer.Decision.APPROVED, "Approve"),
            (Reviewer.Decision.CHANGES_REQUESTED, "Ask for changes"),
        ],
        widget=forms.RadioSelect,
        label="Decision",
    )
    comment = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Comment",
        help_text="Needed when you ask for changes: say what should change.",
    )
    version = BoundedInteger(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, reviewer: Reviewer, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "answer-%s")
        super().__init__(*args, **kwargs)
        self.reviewer = reviewer
        drop = STAKEHOLDER_QUESTIONS
        if reviewer.kind == Reviewer.Kind.STAKEHOLDER:
            drop = LEADER_QUESTIONS
        for name in drop:
            del self.fields[name]

    @classmethod
    def for_reviewer(cls, reviewer: Reviewer) -> AnswerForm:
        """An unbound form showing the reviewer's saved answers."""
        names = [*LEADER_QUESTIONS, *STAKEHOLDER_QUESTIONS, "comment"]
        initial: dict[str, Any] = {name: getattr(reviewer, name) for name in names}
        if reviewer.decision != Reviewer.Decision.PENDING:
            initial["decision"] = reviewer.decision
        return cls(initial={**initial, "version": reviewer.version}, reviewer=reviewer)

    def answer(self) -> Answer:
        """The cleaned data as the input of do_answer_review."""
        data = self.cleaned_data
        questions = [n for n in self.fields if n not in {"decision", "comment", "version"}]
        return Answer(
            decision=data["decision"],
            comment=data.get("comment") or "",
            answers={name: data.get(name) or "" for name in questions},
        )


class VersionForm(forms.Form):
    """A state change that names the version it saw (resubmit, launch) and a message."""

    message = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Message",
    )
    version = BoundedInteger(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, prefix_id: str, message_label: str, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{prefix_id}-%s")
        super().__init__(*args, **kwargs)
        self.fields["message"].label = message_label


class KeyResultChoice(RowChoice):
    """Key results shown by title."""

    def label_from_instance(self, obj: Any) -> str:
        """The key result's title."""
        return str(obj.title)


class DependencyForm(forms.Form):
    """Ask another team for support on one of the objective's key results."""

    key_result = KeyResultChoice(queryset=KeyResult.objects.none(), label="Key result")
    team = RowChoice(queryset=Team.objects.none(), label="Team to ask")
    need = forms.CharField(
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="What you need from them",
    )
    needed_by = forms.DateField(
        required=False,
        label="Needed by",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(
        self,
        *args: Any,
        key_results: QuerySet[KeyResult],
        teams: QuerySet[Team],
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("auto_id", "dependency-%s")
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["key_result"]).queryset = key_results
        cast(forms.ModelChoiceField, self.fields["team"]).queryset = teams


class DependencyAnswerForm(forms.Form):
    """Accept or decline a request for support, with a note."""

    decision = forms.ChoiceField(
        choices=[("accept", "Accept"), ("decline", "Decline")],
        widget=forms.RadioSelect,
        label="Answer",
    )
    note = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Note",
        help_text="Needed when you decline: say why, so the team can plan around it.",
    )
    version = BoundedInteger(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "dependency-answer-%s")
        super().__init__(*args, **kwargs)
