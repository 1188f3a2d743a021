"""Forms of the quarterly review: an objective's grade and decision, the team's reflection,
learnings and initiative results."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from constellation.server.okrs.models import Initiative, KeyResult
from constellation.server.orgs.form_fields import BoundedInteger
from constellation.server.quarterly.access import ReviewItem
from constellation.server.quarterly.actions import ReflectionInput, ResultInput, ReviewInput
from constellation.server.quarterly.models import InitiativeResult, TeamReflection
from constellation.server.web.forms import with_value

DECISION_LABELS = {
    "done": "Done",
    "carry_over": "Carry over to the next period",
    "drop": "Drop",
    "rethink": "Rethink (carry over without its key results)",
}
OUTCOME_LABELS = {
    "worked": "Worked",
    "partly": "Partly worked",
    "did_not_work": "Did not work",
    "unknown": "Unknown yet",
}
TEXT_LIMIT = 5000


def _area(label: str, *, required: bool = False, rows: int = 2, help_text: str = "") -> Any:
    return forms.CharField(
        required=required,
        max_length=TEXT_LIMIT,
        label=label,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class VersionedForm(forms.Form):
    """A form carrying the version its editor started from (0 when nothing is saved yet)."""

    version = BoundedInteger(widget=forms.HiddenInput, min_value=0)

    def with_version(self, version: int) -> None:
        """Carry another version, keeping everything typed (after a refused concurrent edit)."""
        self.data = with_value(self.data, self.add_prefix("version"), str(version))


class ObjectiveReviewForm(VersionedForm):
    """An objective's grade (the engine's unless changed, with a reason), decision and note."""

    grade_override = forms.FloatField(
        min_value=0,
        max_value=1,
        label="Grade (0.0 to 1.0)",
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )
    override_reason = _area(
        "Why this grade?", help_text="Needed when the grade differs from the computed one."
    )
    decision = forms.ChoiceField(
        choices=[("", "Not decided yet"), *DECISION_LABELS.items()],
        required=False,
        label="Decision",
    )
    note = _area("Note on the decision")

    def __init__(self, *args: Any, item: ReviewItem, **kwargs: Any) -> None:
        # Ids unique per objective, names unchanged: one form per objective on the page.
        kwargs.setdefault("auto_id", f"review-{item.objective.pk}-%s")
        super().__init__(*args, **kwargs)
        self.item = item

    @classmethod
    def for_item(cls, item: ReviewItem) -> ObjectiveReviewForm:
        """An unbound form showing the review as saved (or the computed grade)."""
        review = item.review
        initial: dict[str, Any] = {"grade_override": item.grade, "version": item.version}
        if review is not None:
            initial.update(
                override_reason=review.override_reason, decision=review.decision, note=review.note
            )
        return cls(initial=initial, item=item)

    def review_input(self) -> ReviewInput:
        """The cleaned data as the input of reviews.actions.do_review_objective."""
        data = self.cleaned_data
        return ReviewInput(
            grade=data["grade_override"],
            reason=data.get("override_reason") or "",
            decision=data.get("decision") or "",
            note=data.get("note") or "",
        )


class ReflectionForm(VersionedForm):
    """The three retrospective prompts of a team's period."""

    learned = _area("What did we learn?", rows=3)
    surprised = _area("What surprised us?", rows=3)
    differently = _area("What would we do differently?", rows=3)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "reflection-%s")
        super().__init__(*args, **kwargs)

    @classmethod
    def for_reflection(cls, reflection: TeamReflection | None) -> ReflectionForm:
        """An unbound form with the saved answers."""
        if reflection is None:
            return cls(initial={"version": 0})
        return cls(
            initial={
                "learned": reflection.learned,
                "surprised": reflection.surprised,
                "differently": reflection.differently,
                "version": reflection.version,
            }
        )

    def reflection_input(self) -> ReflectionInput:
        """The cleaned data as the input of reviews.actions.do_save_reflection."""
        data = self.cleaned_data
        return ReflectionInput(data["learned"], data["surprised"], data["differently"])


def _options(rows: list[Any], blank: str | None) -> list[tuple[str, str]]:
    options = [(str(row.pk), row.title) for row in rows]
    return [("", blank), *options] if blank is not None else options


class _LinksForm(forms.Form):
    """A form that links to one of the team's key results and initiatives of the period."""

    def __init__(
        self,
        *args: Any,
        key_results: list[KeyResult],
        initiatives: list[Initiative],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.key_results = {str(kr.pk): kr for kr in key_results}
        self.initiatives = {str(i.pk): i for i in initiatives}
        cast(forms.ChoiceField, self.fields["key_result"]).choices = _options(key_results, "None")
        blank = "None" if not self.fields["initiative"].required else "Choose an initiative"
        cast(forms.ChoiceField, self.fields["initiative"]).choices = _options(initiatives, blank)

    def chosen(self, name: str) -> Any:
        """The key result or initiative picked in field `name`, or None."""
        rows = self.key_results if name == "key_result" else self.initiatives
        return rows.get(self.cleaned_data.get(name) or "")


class LearningForm(_LinksForm):
    """One thing the team learnt, with tags and what it is about."""

    text = _area("What did you learn?", required=True, rows=3)
    tags = forms.CharField(
        required=False,
        max_length=500,
        label="Tags",
        help_text="Separated by commas, e.g. onboarding, pricing.",
    )
    key_result = forms.ChoiceField(required=False, label="About the key result")
    initiative = forms.ChoiceField(required=False, label="About the initiative")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "learning-%s")
        super().__init__(*args, **kwargs)

    def tag_list(self) -> list[str]:
        """The tags typed, split on commas, blanks dropped."""
        return [tag.strip() for tag in self.cleaned_data.get("tags", "").split(",") if tag.strip()]


class InitiativeResultForm(_LinksForm):
    """What an initiative was expected to do to a key result, and what it did."""

    initiative = forms.ChoiceField(label="Initiative")
    key_result = forms.ChoiceField(required=False, label="Effect on the key result")
    expected_effect = _area("Expected effect")
    expected_value = forms.FloatField(
        required=False, label="Expected change (number, optional)", widget=forms.NumberInput()
    )
    observed_effect = _area("Observed effect")
    observed_value = forms.FloatField(
        required=False, label="Observed change (number, optional)", widget=forms.NumberInput()
    )
    outcome = forms.ChoiceField(
        choices=list(OUTCOME_LABELS.items()),
        initial=InitiativeResult.Outcome.UNKNOWN,
        label="Outcome",
    )
    note = _area("Note")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "result-%s")
        super().__init__(*args, **kwargs)
        for name in ("expected_value", "observed_value"):
            self.fields[name].widget.attrs.update(step="any", inputmode="decimal")

    def result_input(self) -> ResultInput:
        """The cleaned data as the input of reviews.actions.do_record_initiative_result."""
        data = self.cleaned_data
        return ResultInput(
            initiative=self.chosen("initiative"),
            key_result=self.chosen("key_result"),
            expected_effect=data.get("expected_effect") or "",
            expected_value=data.get("expected_value"),
            observed_effect=data.get("observed_effect") or "",
            observed_value=data.get("observed_value"),
            outcome=data["outcome"],
            note=data.get("note") or "",
        )


class ReopenForm(forms.Form):
    """Why an admin reopens a finished review (kept with it and in the audit history)."""

    reason = forms.CharField(
        max_length=TEXT_LIMIT,
        label="Why reopen it?",
        help_text="Shown on the review with your name and the date.",
        error_messages={"required": "Say why the finished review is reopened."},
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "reopen-%s")
        super().__init__(*args, **kwargs)
