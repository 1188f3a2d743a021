"""A team's quarterly review: grades and decisions, reflection, learnings, initiative results.

Every form posts to its own address. With htmx the answer is that form's own part of the page
(with its errors and 422 when refused; an objective's card brings the finish section along,
whose versions and plan it changes), so nothing typed elsewhere on the page is replaced;
finishing answers with the whole review. Without htmx: a redirect back, or the whole page.
Finishing asks for a confirmation, and a finished review shows no form: a write sent to it
anyway is refused by the actions' rule (`check_review_open`) with 409 and the whole review
saying why. An admin reopens it with a reason, shown on the review.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django_htmx.http import reswap, retarget

from constellation.server.errors import ActionError, Conflict, NotFound
from constellation.server.okrs.access import access_period
from constellation.server.orgs.access import Access, access_team
from constellation.server.quarterly import actions
from constellation.server.quarterly.access import TeamReview, next_period_key, team_review
from constellation.server.web.forms import add_action_error
from constellation.server.web.htmx import HtmxHttpRequest
from constellation.server.web.quarterly_forms import (
    InitiativeResultForm,
    LearningForm,
    ObjectiveReviewForm,
    ReflectionForm,
    ReopenForm,
)
from constellation.server.web.views.permissions import org_view

PAGE = "web/quarterly_review.html"
CONFLICT_HINT = (
    " What you typed is kept below and the page shows the saved version: save again to "
    "replace it with yours."
)
WRITE_METHODS = ("GET", "HEAD", "POST")


def review_url(access: Access, team: str, period: str) -> str:
    """The quarterly review page of a team's period."""
    kwargs = {"org": access.organization.slug, "team": team, "period": period}
    return reverse("quarterly-review", kwargs=kwargs)


def _load(access: Access, team: str, period: str) -> TeamReview:
    return team_review(access, access_team(access, team), access_period(access, period))


def _context(access: Access, review: TeamReview, **bound: Any) -> dict[str, Any]:
    """The page's context; `bound` holds forms refused with their input and errors."""
    objective_forms = bound.get("objective_forms", {})
    rows = [
        (item, objective_forms.get(item.objective.pk) or ObjectiveReviewForm.for_item(item))
        for item in review.items
    ]
    links = {"key_results": review.key_results, "initiatives": review.initiatives}
    return {
        "access": access,
        "organization": access.organization,
        "team": review.team,
        "period": review.period,
        "review": review,
        "rows": rows,
        "reflection_form": bound.get("reflection_form")
        or ReflectionForm.for_reflection(review.reflection),
        "learning_form": bound.get("learning_form") or LearningForm(**links),
        "result_form": bound.get("result_form") or InitiativeResultForm(**links),
        "reopen_form": bound.get("reopen_form") or ReopenForm(),
        "finish_error": bound.get("finish_error", ""),
        "refused": bound.get("refused", ""),
        "saved": bound.get("saved", ""),
        "saved_in": bound.get("saved_in", ""),
        # A finished review reads as it was decided: no form changes it, until an admin
        # reopens it.
        "editable": access.can_write and not review.finished,
        "can_reopen": access.can_write and access.is_admin and review.finished,
        "next_key": review.next_period.key
        if review.next_period
        else next_period_key(review.period),
    }


# The part of the page each form's htmx answer replaces (`PAGE#<partial>`), by the id of its
# section; an objective's card answers with `card_response`.
PARTS = {
    "reflection": "reflection_section",
    "learnings": "learnings_section",
    "initiative-results": "results_section",
}


def _answer(
    request: HtmxHttpRequest,
    access: Access,
    review: TeamReview,
    status: int,
    part: str = "",
    *,
    card: str = "",
    **bound: Any,
) -> HttpResponse:
    """The page, or with htmx the form's own part of it: the card of objective `card`, the
    section `part`, else the whole review body; after a refused write or a saved htmx one."""
    context = _context(access, review, **bound)
    if not request.htmx:
        return render(request, PAGE, context, status=status)
    if card:
        item, form = next(row for row in context["rows"] if row[0].objective.slug == card)
        context.update(item=item, form=form)
        return render(request, f"{PAGE}#card_response", context, status=status)
    template = f"{PAGE}#{PARTS[part]}" if part else f"{PAGE}#review_body"
    return render(request, template, context, status=status)


def _saved(
    request: HtmxHttpRequest,
    access: Access,
    review: TeamReview,
    message: str,
    part: str = "",
    *,
    card: str = "",
) -> HttpResponse:
    """After a successful write: the fresh part (or body) for htmx, else back to the page."""
    if request.htmx:
        fresh = team_review(access, review.team, review.period)
        where = card or part
        return _answer(request, access, fresh, 200, part, card=card, saved=message, saved_in=where)
    messages.success(request, message)
    return redirect(review_url(access, review.team.slug, review.period.key))


def _refused(
    request: HtmxHttpRequest, access: Access, review: TeamReview, error: ActionError
) -> HttpResponse:
    """A write to a finished review: 409 with the whole review as it reads, saying why
    (with htmx in place of the whole review, whichever part the form meant to replace)."""
    fresh = team_review(access, review.team, review.period)
    response = _answer(request, access, fresh, 409, refused=error.message)
    if request.htmx:
        response = reswap(retarget(response, "#quarterly-review"), "outerHTML")
    return response


def _closed(request: HtmxHttpRequest, access: Access, review: TeamReview) -> HttpResponse | None:
    """The refusal of a write to a finished review (before reading its input), else None."""
    try:
        actions.check_review_open(access, review.team, review.period)
    except ActionError as error:
        return _refused(request, access, review, error)
    return None


def _refusal_of(
    request: HtmxHttpRequest, access: Access, review: TeamReview, error: ActionError
) -> HttpResponse | None:
    """The answer to a review finished while the form was sent; None for any other error."""
    return _refused(request, access, review, error) if error.field == "review" else None


@org_view()
def quarterly_review(
    request: HtmxHttpRequest, access: Access, team: str, period: str
) -> HttpResponse:
    """`/o/<org>/teams/<team>/quarterly-review/<period>/`."""
    return render(request, PAGE, _context(access, _load(access, team, period)))


@org_view(write=True, methods=WRITE_METHODS)
def review_objective(
    request: HtmxHttpRequest, access: Access, team: str, period: str, slug: str
) -> HttpResponse:
    """Save one objective's grade, reason, decision and note."""
    review = _load(access, team, period)
    item = next((i for i in review.items if i.objective.slug == slug), None)
    if item is None:
        raise NotFound("No such objective in this review")
    if request.method != "POST":
        return redirect(review_url(access, team, period))
    if closed := _closed(request, access, review):
        return closed
    form = ObjectiveReviewForm(request.POST, item=item)
    status = 422
    if form.is_valid():
        try:
            actions.do_review_objective(
                access,
                item.objective,
                form.review_input(),
                expected_version=form.cleaned_data["version"],
                actor=request.user,
            )
        except Conflict as conflict:
            status = 409
            form.add_error(None, conflict.message + CONFLICT_HINT)
            form.with_version(conflict.current_version)
        except ActionError as error:
            if refusal := _refusal_of(request, access, review, error):
                return refusal
            add_action_error(form, error)
        else:
            message = f"Review of “{item.objective.title}” saved."
            return _saved(request, access, review, message, card=slug)
    forms = {item.objective.pk: form}
    return _answer(request, access, review, status, card=slug, objective_forms=forms)


@org_view(write=True, methods=WRITE_METHODS)
def save_reflection(
    request: HtmxHttpRequest, access: Access, team: str, period: str
) -> HttpResponse:
    """Save the team's answers to the reflection prompts."""
    review = _load(access, team, period)
    if request.method != "POST":
        return redirect(review_url(access, team, period))
    if closed := _closed(request, access, review):
        return closed
    form = ReflectionForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            actions.do_save_reflection(
                access,
                review.team,
                review.period,
                form.reflection_input(),
                expected_version=form.cleaned_data["version"],
                actor=request.user,
            )
        except Conflict as conflict:
            status = 409
            form.add_error(None, conflict.message + CONFLICT_HINT)
            form.with_version(conflict.current_version)
        except ActionError as error:
            if refusal := _refusal_of(request, access, review, error):
                return refusal
            add_action_error(form, error)
        else:
            return _saved(request, access, review, "Reflection saved.", "reflection")
    return _answer(request, access, review, status, "reflection", reflection_form=form)


@org_view(write=True, methods=WRITE_METHODS)
def record_learning(
    request: HtmxHttpRequest, access: Access, team: str, period: str
) -> HttpResponse:
    """Record one learning of the team's period."""
    review = _load(access, team, period)
    if request.method != "POST":
        return redirect(review_url(access, team, period))
    if closed := _closed(request, access, review):
        return closed
    links = {"key_results": review.key_results, "initiatives": review.initiatives}
    form = LearningForm(request.POST, **links)
    if form.is_valid():
        try:
            actions.do_record_learning(
                access,
                review.team,
                review.period,
                form.cleaned_data["text"],
                request.user,
                tags=form.tag_list(),
                key_result=form.chosen("key_result"),
                initiative=form.chosen("initiative"),
            )
        except ActionError as error:
            if refusal := _refusal_of(request, access, review, error):
                return refusal
            add_action_error(form, error)
        else:
            return _saved(request, access, review, "Learning recorded.", "learnings")
    return _answer(request, access, review, 422, "learnings", learning_form=form)


@org_view(write=True, methods=WRITE_METHODS)
def record_result(request: HtmxHttpRequest, access: Access, team: str, period: str) -> HttpResponse:
    """Record what an initiative did to a key result."""
    review = _load(access, team, period)
    if request.method != "POST":
        return redirect(review_url(access, team, period))
    if closed := _closed(request, access, review):
        return closed
    links = {"key_results": review.key_results, "initiatives": review.initiatives}
    form = InitiativeResultForm(request.POST, **links)
    if form.is_valid():
        try:
            actions.do_record_initiative_result(
                access, review.team, review.period, form.result_input(), request.user
            )
        except ActionError as error:
            if refusal := _refusal_of(request, access, review, error):
                return refusal
            add_action_error(form, error)
        else:
            return _saved(
                request, access, review, "Initiative result recorded.", "initiative-results"
            )
    return _answer(request, access, review, 422, "initiative-results", result_form=form)


def _expected_versions(request: HtmxHttpRequest, review: TeamReview) -> dict[str, int]:
    """The review versions the page showed (`version-<objective slug>`), ignoring junk."""
    expected: dict[str, int] = {}
    for item in review.items:
        value = request.POST.get(f"version-{item.objective.slug}", "")
        if value.isdigit():
            expected[item.objective.slug] = int(value)
    return expected


@org_view(write=True, methods=WRITE_METHODS)
def finish_review(request: HtmxHttpRequest, access: Access, team: str, period: str) -> HttpResponse:
    """Close the reviewed objectives and carry over those decided so."""
    review = _load(access, team, period)
    if request.method != "POST":
        return redirect(review_url(access, team, period))
    if closed := _closed(request, access, review):
        return closed
    if request.POST.get("confirm") != "yes":
        unconfirmed = "Tick “I have read what finishing will do” to finish the review."
        return _answer(request, access, review, 422, finish_error=unconfirmed)
    try:
        finished = actions.do_finish_review(
            access,
            review.team,
            review.period,
            request.user,
            expected_versions=_expected_versions(request, review),
        )
    except Conflict as conflict:
        fresh = team_review(access, review.team, review.period)
        return _answer(request, access, fresh, 409, finish_error=conflict.message)
    except ActionError as error:
        if refusal := _refusal_of(request, access, review, error):
            return refusal
        return _answer(request, access, review, 422, finish_error=error.message)
    message = f"Review finished: {len(finished.closed)} objective(s) closed"
    if finished.carried and finished.next_period is not None:
        message += f", {len(finished.carried)} carried into {finished.next_period.key} as drafts"
    return _saved(request, access, review, message + ".")


@org_view(write=True, methods=WRITE_METHODS)
def reopen_review(request: HtmxHttpRequest, access: Access, team: str, period: str) -> HttpResponse:
    """Reopen a finished review, with a reason (admins only: the action refuses anyone else)."""
    review = _load(access, team, period)
    if request.method != "POST":
        return redirect(review_url(access, team, period))
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            actions.do_reopen_review(
                access, review.team, review.period, form.cleaned_data["reason"], request.user
            )
        except ActionError as error:
            if error.field == "review":  # not finished (any more): nothing to reopen
                return _answer(request, access, review, 409, refused=error.message)
            add_action_error(form, error)
        else:
            return _saved(request, access, review, "Review reopened: it can be changed again.")
    return _answer(request, access, review, 422, reopen_form=form)
