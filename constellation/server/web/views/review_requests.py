"""A review request's page: the draft, every reviewer's answers and decision, answer, resubmit."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from constellation.server.errors import ActionError, Conflict, NotAllowed
from constellation.server.orgs.access import Access, speaks_for
from constellation.server.sharing.access import (
    access_review,
    dependencies_queryset,
    review_objectives,
)
from constellation.server.sharing.actions import do_answer_review, do_resubmit, launch_readiness
from constellation.server.sharing.forms import AnswerForm, VersionForm
from constellation.server.sharing.models import Reviewer, ReviewRequest
from constellation.server.web.forms import add_action_error, with_value
from constellation.server.web.views.permissions import forbidden, org_view

PAGE = "web/sharing/review_request.html"


def review_url(access: Access, review: ReviewRequest, anchor: str = "") -> str:
    """The review page's address, optionally at an anchor."""
    url = reverse(
        "review-request",
        kwargs={"org": access.organization.slug, "review_request": review.pk},
    )
    return f"{url}#{anchor}" if anchor else url


def resubmit_form(review: ReviewRequest, data: Any = None) -> VersionForm:
    """The resubmit form, carrying the version of the review it was read at."""
    return VersionForm(
        data,
        initial={"version": review.version},
        prefix_id="resubmit",
        message_label="What changed (sent to the reviewers who asked for changes)",
    )


def launch_form(review: ReviewRequest, data: Any = None) -> VersionForm:
    """The launch form, carrying the version of the review it was read at."""
    return VersionForm(
        data,
        initial={"version": review.version},
        prefix_id="launch",
        message_label="Launch message (sent to everyone in the organisation)",
    )


def with_version(form: Any, version: int) -> None:
    """Carry another version, keeping what was typed (after a refused stale change)."""
    form.data = with_value(form.data, "version", str(version))


def review_context(access: Access, review_id: int, **forms: Any) -> dict[str, Any]:
    """Everything the review page shows, in a fixed number of queries."""
    review = access_review(access, review_id)
    reviewers = list(review.reviewers.all())
    mine = next((r for r in reviewers if r.person_id == access.membership.user_id), None)
    is_open = review.state == ReviewRequest.State.OPEN
    answer = forms.get("answer_form")
    if answer is None and mine is not None and is_open and access.can_write:
        answer = AnswerForm.for_reviewer(mine)
    objectives = review_objectives(access, review)
    return {
        "access": access,
        "organization": access.organization,
        "review": review,
        "objectives": objectives,
        "leaders": [r for r in reviewers if r.kind == Reviewer.Kind.LEADER],
        "stakeholders": [r for r in reviewers if r.kind == Reviewer.Kind.STAKEHOLDER],
        "mine": mine,
        "answer_form": answer,
        "speaks_for_team": is_open and speaks_for(access, review.team),
        "readiness": launch_readiness(review),
        "resubmit_form": forms.get("resubmit_form") or resubmit_form(review),
        "launch_form": forms.get("launch_form") or launch_form(review),
        "dependencies": list(
            dependencies_queryset(access).filter(key_result__objective__in=objectives)
        ),
    }


@org_view()
def review(request: HttpRequest, access: Access, review_request: int) -> HttpResponse:
    """`/o/<org>/reviews/<id>/`."""
    return render(request, PAGE, review_context(access, review_request))


@org_view(write=True, methods=("GET", "HEAD", "POST"))
def answer(request: HttpRequest, access: Access, review_request: int) -> HttpResponse:
    """Save the signed-in reviewer's answers and decision."""
    found = access_review(access, review_request)
    mine = next((r for r in found.reviewers.all() if r.person_id == request.user.pk), None)
    if request.method != "POST":
        return redirect(review_url(access, found, "answer"))
    if mine is None:
        return forbidden(request, access, "Only the people asked to review this can answer it.")
    form = AnswerForm(request.POST, reviewer=mine)
    status = 422
    if form.is_valid():
        try:
            do_answer_review(
                access,
                found,
                form.answer(),
                expected_version=form.cleaned_data["version"],
                actor=request.user,
            )
        except NotAllowed as refused:
            return forbidden(request, access, str(refused))
        except Conflict as conflict:
            status = 409
            form.add_error(None, conflict.message)
            with_version(form, conflict.current_version)
        except ActionError as error:
            add_action_error(form, error)
        else:
            messages.success(request, "Your answer was sent to the team.")
            return redirect(review_url(access, found, "reviewers"))
    context = review_context(access, review_request, answer_form=form)
    return render(request, PAGE, context, status=status)


@org_view(write=True, methods=("GET", "HEAD", "POST"))
def resubmit(request: HttpRequest, access: Access, review_request: int) -> HttpResponse:
    """Ask again the reviewers who asked for changes."""
    found = access_review(access, review_request)
    if request.method != "POST":
        return redirect(review_url(access, found, "resubmit"))
    form = resubmit_form(found, request.POST)
    status = 422
    if form.is_valid():
        try:
            do_resubmit(
                access,
                found,
                expected_version=form.cleaned_data["version"],
                message=form.cleaned_data["message"],
                actor=request.user,
            )
        except NotAllowed as refused:
            return forbidden(request, access, str(refused))
        except Conflict as conflict:
            status = 409
            form.add_error(None, conflict.message)
            with_version(form, conflict.current_version)
        except ActionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Resubmitted: the reviewers who asked for changes were told.")
            return redirect(review_url(access, found, "reviewers"))
    context = review_context(access, review_request, resubmit_form=form)
    return render(request, PAGE, context, status=status)
