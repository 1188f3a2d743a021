"""Every write of sharing: send a draft for review, answer it, resubmit, launch, dependencies.

Each `do_*` checks who may act, validates (ActionError naming the field), writes in one
transaction with an audit event, refuses a stale state change (Conflict) and tells the people
concerned through notifications (emails leave only after the commit).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Model
from django.urls import reverse
from django.utils import timezone

from constellation.server.audit import changes as writes
from constellation.server.audit.actions import record
from constellation.server.errors import ActionError, Conflict, NotAllowed
from constellation.server.notifications.actions import do_notify
from constellation.server.okrs.actions import do_move_objectives
from constellation.server.okrs.models import KeyResult, Objective, Period
from constellation.server.orgs.access import Access, require_team
from constellation.server.orgs.models import LEADING_ROLES, Membership, Team
from constellation.server.sharing.access import organization_people, team_people
from constellation.server.sharing.models import Dependency, Launch, Reviewer, ReviewRequest

LEADER_QUESTIONS = ("alignment_concerns", "additional_context", "cross_functional_gaps")
STAKEHOLDER_QUESTIONS = ("can_support", "fits_plans", "work_concerns")
DECISIONS = (Reviewer.Decision.APPROVED, Reviewer.Decision.CHANGES_REQUESTED)


def _name(person: Any) -> str:
    """How a person is named to others: their full name, else their username."""
    return str(person.get_full_name() or person.get_username())


def _review_url(access: Access, review: ReviewRequest) -> str:
    return reverse(
        "review-request",
        kwargs={"org": access.organization.slug, "review_request": review.pk},
    )


def _draft_set(team: Team, period: Period, objectives: list[Objective] | None) -> list[Objective]:
    """The objectives to send: those chosen, else every draft of the team for the period."""
    if objectives is None:
        objectives = list(Objective.objects.filter(team=team, period=period, state="draft"))
        if not objectives:
            raise ActionError(
                "objectives", f"{team.name} has no draft objectives in {period.key} to send"
            )
    if not objectives:
        raise ActionError("objectives", "choose at least one objective to send for review")
    for objective in objectives:
        if objective.team_id != team.pk or objective.period_id != period.pk:
            raise ActionError(
                "objectives",
                f"“{objective.slug}” is not an objective of {team.name} in {period.key}",
            )
        if objective.state != Objective.State.DRAFT:
            raise ActionError(
                "objectives",
                f"“{objective.slug}” is {objective.get_state_display()}, not a draft: "
                "only drafts are sent for review",
            )
    return objectives


def _check_reviewers(
    access: Access, leaders: list[Membership], stakeholders: list[Membership], actor: Any
) -> None:
    """Leaders lead; every reviewer can write; nobody reviews twice or reviews their own draft."""
    if not leaders and not stakeholders:
        raise ActionError("leaders", "pick at least one leader or stakeholder to review")
    for name, group in (("leaders", leaders), ("stakeholders", stakeholders)):
        for membership in group:
            if membership.organization_id != access.organization.pk:
                raise ActionError(name, "pick people of this organisation")
            if membership.role == Membership.Role.VIEWER:
                raise ActionError(name, f"{_name(membership.user)} is a viewer and cannot answer")
            if membership.user_id == getattr(actor, "pk", None):
                raise ActionError(name, "you cannot review your own team's draft")
    for membership in leaders:
        if membership.role not in LEADING_ROLES:
            raise ActionError(
                "leaders", f"{_name(membership.user)} is not a leader: add them as a stakeholder"
            )
    both = {m.user_id for m in leaders} & {m.user_id for m in stakeholders}
    if both:
        raise ActionError("stakeholders", "a person is asked either as a leader or a stakeholder")


def _create_review(
    access: Access,
    team: Team,
    period: Period,
    chosen: list[Objective],
    leaders: list[Membership],
    stakeholders: list[Membership],
    message: str,
    actor: Any,
) -> ReviewRequest:
    """The request row with its objectives and reviewers (inside the caller's transaction)."""
    review = ReviewRequest.objects.create(
        organization=access.organization,
        team=team,
        period=period,
        requested_by=actor,
        message=message.strip(),
    )
    review.objectives.set(chosen)
    kinds = [(m, Reviewer.Kind.LEADER) for m in leaders]
    kinds += [(m, Reviewer.Kind.STAKEHOLDER) for m in stakeholders]
    Reviewer.objects.bulk_create(Reviewer(request=review, person=m.user, kind=k) for m, k in kinds)
    return review


def do_send_for_review(
    access: Access,
    team: Team,
    period: Period,
    *,
    objectives: list[Objective] | None,
    leaders: list[Membership],
    stakeholders: list[Membership],
    message: str,
    actor: Any,
) -> ReviewRequest:
    """Send the team's drafts (or the chosen ones) for review; they move to in_review."""
    require_team(access, team, "send this team's draft for review")
    chosen = _draft_set(team, period, objectives)
    _check_reviewers(access, leaders, stakeholders, actor)
    with writes.atomic():
        review = _create_review(access, team, period, chosen, leaders, stakeholders, message, actor)
        people = [m.user for m in [*leaders, *stakeholders]]
        names = ", ".join(_name(p) for p in people)
        do_move_objectives(
            access,
            chosen,
            Objective.State.IN_REVIEW,
            from_states=(Objective.State.DRAFT,),
            actor=actor,
            reason=f"sent for review to {names}",
        )
        record(
            access.organization.pk,
            actor,
            "send_for_review",
            review,
            after={"objectives": [o.slug for o in chosen], "reviewers": names},
        )
        do_notify(
            access.organization,
            people,
            "review_request",
            f"{team.name} asks you to review its OKRs for {period.key}",
            body=review.message or f"{len(chosen)} objective(s) wait for your answers.",
            url=_review_url(access, review),
            actor=actor,
            email=True,
        )
    return review


@dataclass(slots=True)
class Answer:
    """A reviewer's answers to the review questions and their decision."""

    decision: str
    comment: str = ""
    answers: dict[str, str] = field(default_factory=dict)


def check_answer(reviewer: Reviewer, answer: Answer) -> dict[str, str]:
    """The answer's fields for this kind of reviewer, or ActionError naming the bad one."""
    if answer.decision not in DECISIONS:
        raise ActionError("decision", "choose “approve” or “ask for changes”")
    if answer.decision == Reviewer.Decision.CHANGES_REQUESTED and not answer.comment.strip():
        raise ActionError("comment", "say what should change before asking for changes")
    questions = LEADER_QUESTIONS if reviewer.kind == Reviewer.Kind.LEADER else STAKEHOLDER_QUESTIONS
    other = set(answer.answers) - set(questions)
    if other:
        raise ActionError(sorted(other)[0], f"this question is not asked of a {reviewer.kind}")
    fields = {name: str(answer.answers.get(name) or "").strip() for name in questions}
    if reviewer.kind == Reviewer.Kind.STAKEHOLDER and fields["can_support"] not in (
        Reviewer.Support.values
    ):
        raise ActionError("can_support", "say whether your team can support the initiatives")
    return fields


def do_answer_review(
    access: Access,
    review: ReviewRequest,
    answer: Answer,
    *,
    expected_version: int,
    actor: Any,
) -> Reviewer:
    """Save the caller's answers and decision (again, if they change their mind)."""
    access.require_write()
    reviewer = next((r for r in review.reviewers.all() if r.person_id == actor.pk), None)
    if reviewer is None:
        raise NotAllowed("Only the people asked to review this request can answer it.")
    if review.state != ReviewRequest.State.OPEN:
        raise ActionError("decision", f"this review is closed ({review.get_state_display()})")
    fields = check_answer(reviewer, answer)
    with writes.atomic():
        updated = Reviewer.objects.filter(pk=reviewer.pk, version=expected_version).update(
            **fields,
            decision=answer.decision,
            comment=answer.comment.strip(),
            answered_at=timezone.now(),
            version=F("version") + 1,
        )
        if not updated:
            raise _stale(Reviewer, reviewer.pk, expected_version, "your answer")
        ReviewRequest.objects.filter(pk=review.pk).update(version=F("version") + 1)
        reviewer.refresh_from_db()
        record(
            access.organization.pk,
            actor,
            "answer_review",
            review,
            after={"decision": answer.decision, "comment": reviewer.comment, **fields},
        )
        verb = "approved" if answer.decision == Reviewer.Decision.APPROVED else "asked for changes"
        do_notify(
            access.organization,
            [review.requested_by, *team_people(review.team)],
            "review_answer",
            f"{_name(actor)} {verb} on {review.team.name}'s OKRs for {review.period.key}",
            body=reviewer.comment,
            url=_review_url(access, review),
            actor=actor,
            email=True,
        )
    review.refresh_from_db()
    return reviewer


def _stale(model: type[Model], pk: int, expected: int, what: str) -> Conflict:
    current = model._default_manager.filter(pk=pk).values_list("version", flat=True).first()
    version = current if current is not None else expected
    return Conflict(
        version,
        f"This changed since you opened it (now at version {version}, yours was {expected}): "
        f"reload the page to see what changed, then send {what} again.",
    )


def _lock_review(review: ReviewRequest, expected_version: int, what: str) -> ReviewRequest:
    """The review locked and read afresh, or Conflict when it moved since `expected_version`."""
    locked = ReviewRequest.objects.select_for_update().get(pk=review.pk)
    if locked.version != expected_version:
        raise _stale(ReviewRequest, review.pk, expected_version, what)
    return (
        ReviewRequest.objects.select_related("team", "period")
        .prefetch_related("reviewers__person", "objectives")
        .get(pk=review.pk)
    )


def do_resubmit(
    access: Access, review: ReviewRequest, *, expected_version: int, message: str, actor: Any
) -> ReviewRequest:
    """After changes, ask again the reviewers who asked for them (their decision resets)."""
    require_team(access, review.team, "resubmit this team's draft")
    with writes.atomic():
        review = _lock_review(review, expected_version, "the resubmission")
        if review.state != ReviewRequest.State.OPEN:
            raise ActionError("review", f"this review is closed ({review.get_state_display()})")
        asked = [
            r for r in review.reviewers.all() if r.decision == Reviewer.Decision.CHANGES_REQUESTED
        ]
        if not asked:
            raise ActionError("review", "no reviewer asked for changes: nothing to resubmit")
        Reviewer.objects.filter(pk__in=[r.pk for r in asked]).update(
            decision=Reviewer.Decision.PENDING, version=F("version") + 1
        )
        ReviewRequest.objects.filter(pk=review.pk).update(
            version=F("version") + 1, round=F("round") + 1
        )
        record(
            access.organization.pk,
            actor,
            "resubmit_review",
            review,
            after={"asked_again": [r.person.username for r in asked], "message": message},
        )
        do_notify(
            access.organization,
            [r.person for r in asked],
            "review_request",
            f"{review.team.name} changed its OKRs for {review.period.key} and asks you again",
            body=message.strip(),
            url=_review_url(access, review),
            actor=actor,
            email=True,
        )
    return ReviewRequest.objects.get(pk=review.pk)


@dataclass(slots=True)
class Readiness:
    """Whether a review's objectives can launch, and if not, every reason why not."""

    ready: bool
    reasons: list[str]
    approved: int = 0
    changes_requested: int = 0
    pending: int = 0


def launch_readiness(review: ReviewRequest) -> Readiness:
    """The launch rule: open, at least one approval, nobody still asking for changes."""
    decisions = [r.decision for r in review.reviewers.all()]
    counts = {d: decisions.count(d) for d in Reviewer.Decision.values}
    reasons = []
    if review.state != ReviewRequest.State.OPEN:
        reasons.append(f"This review is {review.get_state_display()}.")
    if counts["changes_requested"]:
        reasons.append(
            f"{counts['changes_requested']} reviewer(s) asked for changes: change the objectives, "
            "then resubmit so they can answer again."
        )
    if not counts["approved"]:
        reasons.append("No reviewer has approved yet: at least one approval is needed.")
    if not any(o.state == Objective.State.IN_REVIEW for o in review.objectives.all()):
        reasons.append("None of the reviewed objectives is still in review.")
    return Readiness(
        ready=not reasons,
        reasons=reasons,
        approved=counts["approved"],
        changes_requested=counts["changes_requested"],
        pending=counts["pending"],
    )


def do_launch(
    access: Access, review: ReviewRequest, *, expected_version: int, message: str, actor: Any
) -> Launch:
    """Launch the reviewed objectives: they become launched and everyone is told."""
    require_team(access, review.team, "launch this team's OKRs")
    with writes.atomic():
        review = _lock_review(review, expected_version, "the launch")
        readiness = launch_readiness(review)
        if not readiness.ready:
            raise ActionError("review", " ".join(readiness.reasons))
        moved = do_move_objectives(
            access,
            list(review.objectives.all()),
            Objective.State.LAUNCHED,
            from_states=(Objective.State.IN_REVIEW,),
            actor=actor,
            reason="launched after review",
        )
        launch = Launch.objects.create(
            organization=access.organization,
            team=review.team,
            period=review.period,
            review=review,
            by=actor,
            message=message.strip(),
        )
        launch.objectives.set(moved)
        ReviewRequest.objects.filter(pk=review.pk).update(
            state=ReviewRequest.State.LAUNCHED, version=F("version") + 1
        )
        record(
            access.organization.pk,
            actor,
            "launch",
            launch,
            after={"objectives": [o.slug for o in moved], "message": launch.message},
        )
        _announce(access, launch, len(moved), actor)
    return launch


def _announce(access: Access, launch: Launch, count: int, actor: Any) -> None:
    url = reverse("launch", kwargs={"org": access.organization.slug, "launch": launch.pk})
    body = launch.message or f"{launch.team.name} launched {count} objective(s)."
    do_notify(
        access.organization,
        organization_people(access),
        "launch",
        f"{launch.team.name} launched its OKRs for {launch.period.key}",
        body=body,
        url=url,
        actor=actor,
        email=True,
    )


def _dependency_url(access: Access, dependency: Dependency) -> str:
    return reverse(
        "dependency", kwargs={"org": access.organization.slug, "dependency": dependency.pk}
    )


def check_dependency(
    key_result: KeyResult, to_team: Team, need: str, needed_by: dt.date | None
) -> None:
    """Refuse asking one's own team, an empty need or a date already past."""
    if to_team.organization_id != key_result.objective.organization_id:
        raise ActionError("team", "no such team")
    if to_team.pk == key_result.objective.team_id:
        raise ActionError("team", "ask another team: this key result is already your team's")
    if not need.strip():
        raise ActionError("need", "say what you need from the other team")
    if needed_by is not None and needed_by < timezone.localdate():
        raise ActionError("needed_by", "this date has already passed")


def do_ask_dependency(
    access: Access,
    key_result: KeyResult,
    to_team: Team,
    *,
    need: str,
    needed_by: dt.date | None,
    actor: Any,
) -> Dependency:
    """Ask another team for support on a key result; its members are told."""
    from_team = key_result.objective.team
    require_team(access, from_team, "ask for support on this key result")
    check_dependency(key_result, to_team, need, needed_by)
    with writes.atomic():
        dependency = Dependency.objects.create(
            organization=access.organization,
            key_result=key_result,
            from_team=from_team,
            to_team=to_team,
            need=need.strip(),
            needed_by=needed_by,
            requested_by=actor,
        )
        record(
            access.organization.pk,
            actor,
            "ask_dependency",
            dependency,
            after={"key_result": key_result.slug, "team": to_team.slug, "need": dependency.need},
        )
        people = team_people(to_team) or _leaders(access)
        do_notify(
            access.organization,
            people,
            "dependency",
            f"{from_team.name} asks {to_team.name} for support on “{key_result.title}”",
            body=dependency.need,
            url=_dependency_url(access, dependency),
            actor=actor,
            email=True,
        )
    return dependency


def withdraw_dependencies(
    access: Access, key_result_ids: list[int], gone: str, *, reason: str, actor: Any
) -> int:
    """Tell each team asked for support on these key results that the request is withdrawn,
    because `gone` ("“Faster checkout” was deleted") takes the key results with it, and keep
    each request in the history. Call it inside the deleting transaction, before the rows go;
    it returns how many open requests were withdrawn. Declined requests go without a word."""
    open_ones = list(
        Dependency.objects.filter(
            organization=access.organization,
            key_result_id__in=key_result_ids,
            state__in=Dependency.OPEN_STATES,
        )
        .select_related("from_team", "to_team", "key_result")
        .order_by("to_team_id", "id")
    )
    why = f"Why: {reason}\n" if reason else ""
    by_team: dict[int, list[Dependency]] = {}
    for dependency in open_ones:
        by_team.setdefault(dependency.to_team_id, []).append(dependency)
        record(
            access.organization.pk,
            actor,
            "withdraw_dependency",
            dependency,
            before={
                "key_result": dependency.key_result.slug,
                "team": dependency.to_team.slug,
                "need": dependency.need,
                "state": dependency.state,
            },
            reason=reason,
        )
    for asked in by_team.values():
        team = asked[0].to_team
        needs = "\n".join(
            f"- {d.from_team.name} on “{d.key_result.title}” "
            f"({d.get_state_display().lower()}): {d.need}"
            for d in asked
        )
        do_notify(
            access.organization,
            team_people(team) or _leaders(access),
            "dependency",
            f"{len(asked)} request{'s' if len(asked) != 1 else ''} for support from "
            f"{team.name} withdrawn: {gone}",
            body=f"{why}No longer needed:\n{needs}",
            url=reverse("dashboard", kwargs={"org": access.organization.slug}),
            actor=actor,
            email=True,
        )
    return len(open_ones)


def _leaders(access: Access) -> list[Any]:
    """Leaders and admins still active: who hears of a request to a team that lists no members."""
    return [
        m.user
        for m in Membership.objects.filter(
            organization=access.organization,
            role__in=LEADING_ROLES,
            deactivated_at__isnull=True,
        ).select_related("user")
    ]


def do_answer_dependency(
    access: Access,
    dependency: Dependency,
    *,
    accept: bool,
    note: str,
    expected_version: int,
    actor: Any,
) -> Dependency:
    """The asked team accepts or declines (a refusal says why); the asking team is told."""
    require_team(access, dependency.to_team, "answer requests made to this team")
    if not accept and not note.strip():
        raise ActionError("note", "say why you decline, so the other team can plan around it")
    state = Dependency.State.ACCEPTED if accept else Dependency.State.DECLINED
    with writes.atomic():
        updated = Dependency.objects.filter(
            pk=dependency.pk, version=expected_version, state=Dependency.State.REQUESTED
        ).update(
            state=state,
            note=note.strip(),
            answered_by=actor,
            answered_at=timezone.now(),
            version=F("version") + 1,
        )
        if not updated:
            dependency.refresh_from_db()
            if dependency.version == expected_version:
                raise ActionError("decision", f"this request is already {dependency.state}")
            raise _stale(Dependency, dependency.pk, expected_version, "your answer")
        dependency.refresh_from_db()
        record(
            access.organization.pk,
            actor,
            "answer_dependency",
            dependency,
            before={"state": Dependency.State.REQUESTED},
            after={"state": state, "note": dependency.note},
        )
        do_notify(
            access.organization,
            [dependency.requested_by, *team_people(dependency.from_team)],
            "dependency",
            f"{dependency.to_team.name} {state} your request for support on "
            f"“{dependency.key_result.title}”",
            body=dependency.note,
            url=_dependency_url(access, dependency),
            actor=actor,
            email=True,
        )
    return dependency
