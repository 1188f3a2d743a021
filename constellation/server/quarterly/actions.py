"""Every write to reviews: objective reviews, reflections, learnings and initiative results.

Each write checks the person acts for the team (a writing member of it, a leader or an admin:
`require_team`), runs in one transaction, is audited, and refuses an edit that started from an
older version (`Conflict`) instead of overwriting it. A finished review takes no write at all
(`check_review_open`) until an admin reopens it with a reason (`do_reopen_review`). The check
comes before any write, so a refusal changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError
from django.db.models import F
from django.utils import timezone

from constellation.core.periods import parse_period
from constellation.server.audit import changes as writes
from constellation.server.audit.actions import record, snapshot
from constellation.server.errors import ActionError, Conflict, NotAllowed
from constellation.server.okrs.actions import open_period
from constellation.server.okrs.carry import do_carry_objectives
from constellation.server.okrs.models import Initiative, KeyResult, Objective, Period
from constellation.server.okrs.notices import notify_aligned
from constellation.server.orgs.access import Access, require_team
from constellation.server.orgs.models import Team
from constellation.server.quarterly.access import (
    computed_grades,
    find_next_period,
    next_period_key,
    review_finished,
    team_objectives,
)
from constellation.server.quarterly.models import (
    InitiativeResult,
    Learning,
    ObjectiveReview,
    ReviewReopening,
    TeamReflection,
)

TEXT_LIMIT = 5000
GRADE_REASON = "say why the grade differs from the computed one"
REOPEN_REASON = "say why the finished review is reopened"


def _text(field: str, value: str | None, *, required: bool = False) -> str:
    """Stripped text, refused when missing (if required) or longer than TEXT_LIMIT."""
    text = (value or "").strip()
    if required and not text:
        raise ActionError(field, "this cannot be empty")
    if len(text) > TEXT_LIMIT:
        raise ActionError(field, f"keep it under {TEXT_LIMIT} characters")
    return text


def _same_org(access: Access, team: Team, period: Period) -> None:
    org_id = access.organization.pk
    if team.organization_id != org_id or period.organization_id != org_id:
        raise ActionError("team", "no such team or period in this organisation")


def check_review_open(access: Access, team: Team, period: Period) -> None:
    """Refuse any change to a finished review (every objective decided and closed) that no
    admin reopened since: it reads as it was decided."""
    if review_finished(access, team, period):
        raise ActionError(
            "review",
            f"The quarterly review of {team.name} for {period.key} is finished, so it can no "
            "longer change. An admin of the organisation can reopen it, with a reason.",
        )


def _stale(kind: str, current: int, expected: int) -> Conflict:
    return Conflict(
        current,
        f"This {kind} was changed by someone else since you opened it (now at version "
        f"{current}, yours was {expected}). Reload it to see their change, then apply yours "
        "again.",
    )


def _save(row: ObjectiveReview | TeamReflection, kind: str) -> None:
    """Save a review or reflection; a first one created meanwhile by someone else is a
    conflict (the row lock cannot cover a row that did not exist yet)."""
    try:
        with writes.atomic():
            row.save()
    except IntegrityError as error:
        raise _stale(kind, 1, 0) from error


def do_record_learning(
    access: Access,
    team: Team,
    period: Period,
    text: str,
    actor: Any,
    *,
    tags: list[str] | None = None,
    objective: Objective | None = None,
    key_result: KeyResult | None = None,
    initiative: Initiative | None = None,
) -> Learning:
    """Keep one thing a team learnt in a period (for the next period's planning).

    A learning about a key result or an initiative is also about their objective, which is
    filled in when not given.
    """
    access.require_write()
    _same_org(access, team, period)
    require_team(access, team, "record this team's learnings")
    check_review_open(access, team, period)
    text = _text("text", text)
    if not text:
        raise ActionError("text", "a learning needs some text")
    if objective is None and key_result is not None:
        objective = key_result.objective
    if objective is None and initiative is not None:
        objective = initiative.objective
    if objective is not None and objective.organization_id != access.organization.pk:
        raise ActionError("objective", "no such objective in this organisation")
    if key_result is not None and (objective is None or key_result.objective_id != objective.pk):
        raise ActionError("key_result", "the key result must belong to the objective")
    if initiative is not None and (objective is None or initiative.objective_id != objective.pk):
        raise ActionError("initiative", "the initiative must belong to the same objective")
    with writes.atomic():
        learning = Learning.objects.create(
            organization_id=access.organization.pk,
            team=team,
            period=period,
            text=text,
            tags=[str(tag).strip() for tag in tags or [] if str(tag).strip()],
            objective=objective,
            key_result=key_result,
            initiative=initiative,
            author=actor,
        )
        record(access.organization.pk, actor, "create", learning, after=snapshot(learning))
    return learning


@dataclass(frozen=True, slots=True)
class ReviewInput:
    """What a reviewer says about an objective at the end of its period.

    `grade` is the grade the reviewer gives: None (or the computed grade itself) keeps the
    engine's grade; anything else overrides it and needs a `reason`.
    """

    grade: float | None = None
    reason: str = ""
    decision: str = ""
    note: str = ""


def _override(data: ReviewInput, computed: float) -> tuple[float | None, str]:
    """The override and its reason to store, or (None, "") when the computed grade stands."""
    if data.grade is None or round(data.grade, 2) == round(computed, 2):
        return None, ""
    if not 0 <= data.grade <= 1:
        raise ActionError("grade_override", "a grade is between 0.0 and 1.0")
    reason = _text("override_reason", data.reason)
    if not reason:
        raise ActionError("override_reason", GRADE_REASON)
    return round(data.grade, 2), reason


def do_review_objective(
    access: Access, objective: Objective, data: ReviewInput, *, expected_version: int, actor: Any
) -> ObjectiveReview:
    """Save an objective's review if nobody saved it since `expected_version` (0: none yet).

    The computed grade is the engine's, taken now: the stored figure is what the override
    was judged against.
    """
    access.require_write()
    if objective.organization_id != access.organization.pk:
        raise ActionError("objective", "no such objective in this organisation")
    require_team(access, objective.team, "review this team's objectives")
    check_review_open(access, objective.team, objective.period)
    if data.decision not in {"", *ObjectiveReview.Decision.values}:
        choices = ", ".join(ObjectiveReview.Decision.values)
        raise ActionError("decision", f"choose one of {choices}")
    computed = computed_grades(access, objective.period, [objective])[objective.pk]
    override, reason = _override(data, computed)
    values = {
        "computed_grade": computed,
        "grade_override": override,
        "override_reason": reason,
        "decision": data.decision,
        "note": _text("note", data.note),
        "reviewer": actor,
    }
    with writes.atomic():
        saved = ObjectiveReview.objects.select_for_update().filter(objective=objective).first()
        current = saved.version if saved is not None else 0
        if current != expected_version:
            raise _stale("review", current, expected_version)
        before = snapshot(saved) if saved is not None else None
        if saved is None:
            saved = ObjectiveReview(organization_id=access.organization.pk, objective=objective)
        for name, value in values.items():
            setattr(saved, name, value)
        saved.version = current + 1
        _save(saved, "review")
        action = "create" if before is None else "update"
        record(access.organization.pk, actor, action, saved, before=before, after=snapshot(saved))
    return saved


@dataclass(frozen=True, slots=True)
class ReflectionInput:
    """A team's answers to the three retrospective prompts."""

    learned: str = ""
    surprised: str = ""
    differently: str = ""


def do_save_reflection(
    access: Access,
    team: Team,
    period: Period,
    data: ReflectionInput,
    *,
    expected_version: int,
    actor: Any,
) -> TeamReflection:
    """Save a team's reflection on a period unless someone saved it since `expected_version`."""
    access.require_write()
    _same_org(access, team, period)
    require_team(access, team, "write this team's reflection")
    check_review_open(access, team, period)
    values = {
        "learned": _text("learned", data.learned),
        "surprised": _text("surprised", data.surprised),
        "differently": _text("differently", data.differently),
    }
    with writes.atomic():
        saved = TeamReflection.objects.select_for_update().filter(team=team, period=period).first()
        current = saved.version if saved is not None else 0
        if current != expected_version:
            raise _stale("reflection", current, expected_version)
        before = snapshot(saved) if saved is not None else None
        if saved is None:
            saved = TeamReflection(organization_id=access.organization.pk, team=team, period=period)
        for name, value in values.items():
            setattr(saved, name, value)
        saved.author = actor
        saved.version = current + 1
        _save(saved, "reflection")
        action = "create" if before is None else "update"
        record(access.organization.pk, actor, action, saved, before=before, after=snapshot(saved))
    return saved


@dataclass(frozen=True, slots=True)
class ResultInput:
    """What an initiative was expected to do to a key result, and what it did."""

    initiative: Initiative
    key_result: KeyResult | None = None
    expected_effect: str = ""
    expected_value: float | None = None
    observed_effect: str = ""
    observed_value: float | None = None
    outcome: str = InitiativeResult.Outcome.UNKNOWN
    note: str = ""


def _check_result(team: Team, period: Period, data: ResultInput) -> None:
    """Refuse links outside the team's period and an outcome that is not one of the choices."""
    owner = data.initiative.objective
    if owner.team_id != team.pk or owner.period_id != period.pk:
        raise ActionError("initiative", "choose one of the team's initiatives of this period")
    if data.key_result is not None:
        kr_owner = data.key_result.objective
        if kr_owner.team_id != team.pk or kr_owner.period_id != period.pk:
            raise ActionError("key_result", "choose one of the team's key results of this period")
    if data.outcome not in InitiativeResult.Outcome.values:
        choices = ", ".join(InitiativeResult.Outcome.values)
        raise ActionError("outcome", f"choose one of {choices}")


def do_record_initiative_result(
    access: Access, team: Team, period: Period, data: ResultInput, actor: Any
) -> InitiativeResult:
    """Keep what an initiative did to a key result (expected against observed effect)."""
    access.require_write()
    _same_org(access, team, period)
    require_team(access, team, "record this team's initiative results")
    check_review_open(access, team, period)
    _check_result(team, period, data)
    with writes.atomic():
        result = InitiativeResult.objects.create(
            organization_id=access.organization.pk,
            team=team,
            period=period,
            initiative=data.initiative,
            initiative_title=data.initiative.title[:300],
            key_result=data.key_result,
            key_result_title=data.key_result.title[:300] if data.key_result else "",
            expected_effect=_text("expected_effect", data.expected_effect),
            expected_value=data.expected_value,
            observed_effect=_text("observed_effect", data.observed_effect),
            observed_value=data.observed_value,
            outcome=data.outcome,
            note=_text("note", data.note),
            author=actor,
        )
        record(access.organization.pk, actor, "create", result, after=snapshot(result))
    return result


@dataclass(slots=True)
class Finished:
    """What finishing a review did: objectives closed, drafts made in the next period."""

    closed: list[Objective]
    carried: list[Objective]
    next_period: Period | None


CARRIED = {ObjectiveReview.Decision.CARRY_OVER, ObjectiveReview.Decision.RETHINK}


def _next_period(access: Access, period: Period, actor: Any) -> Period:
    """The period after `period`, created (and audited) when the organisation has none yet."""
    return open_period(access.organization, parse_period(next_period_key(period)), actor)[0]


def _check_versions(
    reviews: dict[int, ObjectiveReview], objectives: list[Objective], expected: dict[str, int]
) -> None:
    """Refuse to finish on decisions someone changed since the reviewer read them."""
    for objective in objectives:
        if objective.slug not in expected:
            continue
        review = reviews.get(objective.pk)
        current = review.version if review is not None else 0
        if current != expected[objective.slug]:
            raise _stale(f"review of “{objective.title}”", current, expected[objective.slug])


def _close(access: Access, objectives: list[Objective], actor: Any) -> None:
    """Close these objectives (the end of their period, not a pivot), audited, owners told."""
    ids = [o.pk for o in objectives]
    Objective.objects.filter(pk__in=ids).update(
        state=Objective.State.CLOSED, state_given=True, version=F("version") + 1
    )
    for objective in objectives:
        before = {"state": objective.state}
        objective.state = Objective.State.CLOSED
        objective.version += 1
        record(
            access.organization.pk,
            actor,
            "update",
            objective,
            before=before,
            after={"state": objective.state},
            reason="quarterly review finished",
        )
        notify_aligned(objective, ["state: closed (quarterly review)"], actor, email=True)


def do_finish_review(
    access: Access,
    team: Team,
    period: Period,
    actor: Any,
    *,
    expected_versions: dict[str, int] | None = None,
) -> Finished:
    """Close the team's reviewed objectives and carry those decided "carry over" or "rethink".

    Carried objectives become drafts of the next period linked to their history
    (`carried_from`); a "rethink" comes over without its key results. `expected_versions`
    (objective slug → review version) refuses to finish on decisions changed meanwhile.
    A finished review is refused; finishing a reopened one again closes and carries only what
    is new (never an objective twice) and closes the reopening.
    """
    access.require_write()
    _same_org(access, team, period)
    require_team(access, team, "finish this team's review")
    check_review_open(access, team, period)
    with writes.atomic():
        objectives = team_objectives(access, team, period)
        reviews = {
            r.objective_id: r
            for r in ObjectiveReview.objects.select_for_update().filter(objective__in=objectives)
        }
        _check_versions(reviews, objectives, expected_versions or {})
        decided = [o for o in objectives if o.pk in reviews and reviews[o.pk].decision]
        if not decided:
            raise ActionError("decision", "decide about at least one objective first")
        closing = [o for o in decided if o.state != Objective.State.CLOSED]
        _close(access, closing, actor)
        wanted = [o for o in decided if reviews[o.pk].decision in CARRIED]
        following = _next_period(access, period, actor) if wanted else find_next_period(period)
        done = set(
            Objective.objects.filter(period=following, carried_from__in=wanted).values_list(
                "carried_from_id", flat=True
            )
        )
        sources = [o for o in wanted if o.pk not in done]
        bare = {o.pk for o in sources if reviews[o.pk].decision == ObjectiveReview.Decision.RETHINK}
        carried = (
            do_carry_objectives(access, sources, following, actor, without_key_results=bare)
            if sources and following is not None
            else []
        )
        ReviewReopening.objects.filter(team=team, period=period, open=True).update(open=False)
        record(
            access.organization.pk,
            actor,
            "finish_review",
            team,
            after={"period": period.key, "decided": len(decided), "carried": len(carried)},
        )
    return Finished(closed=closing, carried=carried, next_period=following)


def check_reopen_review(access: Access, team: Team, period: Period, reason: str) -> str:
    """The reason to keep, once sure an admin reopens a finished review and says why."""
    access.require_write()
    _same_org(access, team, period)
    if not access.is_admin:
        raise NotAllowed("only an admin of the organisation can reopen a finished review")
    text = _text("reason", reason)
    if not text:
        raise ActionError("reason", REOPEN_REASON)
    if not review_finished(access, team, period):
        raise ActionError("review", "this review is not finished: it can be changed already")
    return text


def do_reopen_review(
    access: Access, team: Team, period: Period, reason: str, actor: Any
) -> ReviewReopening:
    """Let a finished review take changes again until it is finished again; audited with the
    reason, which the review page shows with who reopened it and when."""
    text = check_reopen_review(access, team, period, reason)
    values = {"open": True, "reason": text, "reopened_by": actor, "reopened_at": timezone.now()}
    kept = ["open", "reason", "reopened_by", "reopened_at"]
    with writes.atomic():
        row = ReviewReopening.objects.select_for_update().filter(team=team, period=period).first()
        before = snapshot(row, kept) if row is not None else None
        if row is None:
            row = ReviewReopening(organization_id=access.organization.pk, team=team, period=period)
        for name, value in values.items():
            setattr(row, name, value)
        row.save()
        record(
            access.organization.pk,
            actor,
            "reopen_review",
            team,
            before=before,
            after={"period": period.key, **snapshot(row, kept)},
            reason=text,
        )
    return row
