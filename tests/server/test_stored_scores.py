"""Stored scores and findings equal a fresh run of the engine, after any sequence of writes.

Long random sequences of writes of every kind go through the actions (check-ins, edits of
objectives and key results, new objectives and key results, alignments made and undone,
KPI readings that turn a guardrail unhealthy, reviews with a grade override, levers added and
retired, carry-over into the next quarter, an import); after each step what is stored is
compared with the engine run afresh over the whole period, by a path that shares nothing with
the incremental one: `score_plan` and `coach.lint` on the period read in full.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import replace
from datetime import date, timedelta

import pytest
from django.utils import timezone

from constellation.core import coach, scoring
from constellation.core.coach.checks_strategy import check_cycles, check_strategy
from constellation.core.coach.checks_teams import check_teams
from constellation.core.coach.context import LintContext
from constellation.core.coach.rules import RULES
from constellation.server.kpis.actions import KpiInput, do_add_reading, do_create_kpi, do_delete_kpi
from constellation.server.okrs import actions
from constellation.server.okrs.actions import KeyResultEdit, ObjectiveEdit
from constellation.server.okrs.carry import do_carry_objectives
from constellation.server.okrs.drafting import (
    KeyResultInput,
    ObjectiveInput,
    do_create_key_result,
    do_create_objective,
    do_delete_objective,
)
from constellation.server.okrs.models import Finding, KeyResult, Objective, Period
from constellation.server.orgs.access import access_org
from constellation.server.orgs.models import Team
from constellation.server.plans.plan import read_plan
from constellation.server.plans.stored import rescore_organization
from constellation.server.plans.transfer import export_org, import_plan
from constellation.server.quarterly.actions import ReviewInput, do_review_objective
from constellation.server.strategy.actions import do_create_lever, do_update_lever
from constellation.server.strategy.models import Lever
from constellation.server.tracking.actions import (
    CheckInEdit,
    CheckInInput,
    do_check_in,
    do_delete_check_in,
    do_edit_check_in,
)
from constellation.server.tracking.models import CheckIn
from tests.server.factories import World, make_period

pytestmark = pytest.mark.django_db

TITLES = [
    "Raise weekly active teams from {a} to {b}",
    "Launch the new onboarding flow",
    "Cut churn from {a}% to {b}%",
    "Hire two engineers",
    "Keep p95 latency under {b} ms",
    "Grow revenue from {a}k to {b}k",
]


def _close(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, abs_tol=1e-9)
    return a == b


def fresh(world: World, period: Period) -> tuple[dict, dict, Counter]:
    """Scores and findings of the period by the engine, from the whole period read afresh."""
    rows = read_plan(world.org, period, with_check_ins=True)
    plan = rows.plan
    own = {record.slug for record in rows.records}
    on = timezone.localdate()
    objectives, key_results = {}, {}
    for score in scoring.score_plan(plan, on).objectives:
        if score.id not in own:
            continue
        objectives[score.id] = (
            score.progress,
            score.expected,
            score.status,
            score.grade.value,
            score.reason or "",
        )
        for kr in score.key_results:
            forecast = kr.forecast.as_dict() if kr.forecast is not None else None
            key_results[(score.id, kr.id)] = (
                kr.current,
                kr.progress,
                kr.expected,
                kr.status,
                forecast,
            )
    ctx = LintContext(plan)
    per_objective = [
        finding
        for finding in coach.lint(plan)
        if RULES[finding.rule].subject in {"objective", "key_result"}
        and finding.rule != "alignment-cycle"
        and (finding.object or "").split("/", 1)[0] in own
    ]
    own_plan = replace(plan, objectives=[o for o in plan.objectives if o.id in own])
    own_ctx = LintContext(own_plan)
    sets = [
        *check_teams(own_ctx),
        *check_strategy(own_ctx),
        *(f for f in check_cycles(own_ctx) if f.object in own),
    ]
    del ctx
    findings = Counter((f.rule, f.object or "", f.message, f.hint) for f in [*per_objective, *sets])
    counts = Counter((f.object or "").split("/", 1)[0] for f in per_objective)
    counts.update(f.object for f in sets if f.rule == "alignment-cycle")
    objectives = {slug: (*values, counts.get(slug, 0)) for slug, values in objectives.items()}
    return objectives, key_results, findings


def stored(period: Period) -> tuple[dict, dict, Counter]:
    """What the database holds for the period."""
    objectives = {
        row[0]: row[1:]
        for row in Objective.objects.filter(period=period).values_list(
            "slug", "progress", "expected", "status", "grade", "status_reason", "findings"
        )
    }
    key_results = {
        (row[0], row[1]): row[2:]
        for row in KeyResult.objects.filter(objective__period=period).values_list(
            "objective__slug", "slug", "value", "progress", "expected", "status", "forecast"
        )
    }
    findings = Counter(
        Finding.objects.filter(period=period).values_list("rule", "object", "message", "hint")
    )
    return objectives, key_results, findings


def assert_current(world: World, step: str) -> None:
    for period in Period.objects.filter(organization=world.org):
        want, have = fresh(world, period), stored(period)
        for name, wanted, held in zip(("objective", "key result"), want[:2], have[:2], strict=True):
            assert wanted.keys() == held.keys(), f"after {step}: {name}s differ in {period.key}"
            for key, values in wanted.items():
                assert all(_close(a, b) for a, b in zip(values, held[key], strict=True)), (
                    f"after {step}: {name} {key} in {period.key}: "
                    f"fresh {values}, stored {held[key]}"
                )
        assert want[2] == have[2], (
            f"after {step}: findings in {period.key}: "
            f"missing {want[2] - have[2]}, extra {have[2] - want[2]}"
        )


class Writer:
    """Random writes of every kind, through the actions."""

    def __init__(self, world: World, seed: int) -> None:
        self.world = world
        self.random = random.Random(seed)
        self.access = access_org(world.admin, world.org.slug, write=True)
        self.count = 0
        self.next_period = make_period(world.org, "2027-Q1")

    def objectives(self) -> list[Objective]:
        return list(Objective.objects.filter(organization=self.world.org).order_by("id"))

    def key_results(self) -> list[KeyResult]:
        return list(KeyResult.objects.filter(objective__organization=self.world.org).order_by("id"))

    def title(self) -> str:
        self.count += 1
        a = self.random.randint(1, 40)
        text = self.random.choice(TITLES).format(a=a, b=a + self.random.randint(1, 60))
        return f"{text} ({self.count})"

    def check_in(self) -> str:
        kr = self.random.choice(self.key_results())
        value = round(self.random.uniform(0, 120), 1)
        confidence = self.random.randint(0, 10)
        period = kr.objective.period
        today = timezone.localdate()
        # A dated check-in lies within its period; an undated one (today) may lie outside.
        day: date | None = None
        if period.start <= today <= period.end:
            day = max(period.start, today - timedelta(days=self.random.randint(0, 20)))
        do_check_in(
            self.access, kr, CheckInInput(value, confidence, "", None, day), self.world.admin
        )
        return f"check-in on {kr.slug}"

    def edit_objective(self) -> str:
        objective = self.random.choice(self.objectives())
        edit = ObjectiveEdit(
            title=self.title(),
            focus=self.random.choice(["", "customer", "business"]),
            commitment=self.random.choice(["committed", "aspirational"]),
            team=self.random.choice(list(Team.objects.filter(organization=self.world.org))),
        )
        actions.do_edit_objective(
            self.access,
            objective,
            edit,
            expected_version=objective.version,
            actor=self.world.admin,
            reason="a pivot" if objective.state == "launched" else "",
        )
        return f"edit of {objective.slug}"

    def edit_key_result(self) -> str:
        kr = self.random.choice(self.key_results())
        baseline = float(self.random.randint(0, 50))
        edit = KeyResultEdit(
            title=self.title(), baseline=baseline, target=baseline + self.random.randint(1, 80)
        )
        actions.do_edit_key_result(
            self.access,
            kr,
            edit,
            expected_version=kr.version,
            actor=self.world.admin,
            reason="a pivot" if kr.objective.state == "launched" else "",
        )
        return f"edit of {kr.slug}"

    def new_objective(self) -> str:
        team = self.random.choice(list(Team.objects.filter(organization=self.world.org)))
        levers = list(Lever.objects.filter(organization=self.world.org, retired_at__isnull=True))
        made = do_create_objective(
            self.access,
            ObjectiveInput(
                title=self.title(),
                team=team,
                period=self.world.period,
                levers=self.random.sample(levers, min(len(levers), self.random.randint(0, 1))),
                guardrails=[self.world.kpi] if self.random.random() < 0.5 else [],
            ),
            self.world.admin,
        )
        return f"new objective {made.slug}"

    def new_key_result(self) -> str:
        objective = self.random.choice(self.objectives())
        baseline = float(self.random.randint(0, 50))
        kind = self.random.choice(["metric", "metric", "milestone"])
        data = KeyResultInput(title=self.title(), type=kind)
        if kind == "metric":
            data.baseline, data.target = baseline, baseline + self.random.randint(1, 50)
        do_create_key_result(self.access, objective, data, self.world.admin)
        return f"new key result on {objective.slug}"

    def align(self) -> str:
        source, target = self.random.sample(self.objectives(), 2)
        try:
            if self.random.random() < 0.7:
                actions.do_align(self.access, source, target, self.world.admin)
            else:
                actions.do_unalign(self.access, source, target, self.world.admin)
        except Exception as refused:  # a loop, another period: refused, nothing written
            return f"alignment refused ({type(refused).__name__})"
        return f"alignment {source.slug} → {target.slug}"

    def launch(self) -> str:
        drafts = [o for o in self.objectives() if o.state in {"draft", "in_review"}]
        if not drafts:
            return "nothing to launch"
        objective = self.random.choice(drafts)
        actions.do_move_objectives(
            self.access,
            [objective],
            Objective.State.LAUNCHED,
            from_states=(Objective.State.DRAFT, Objective.State.IN_REVIEW),
            actor=self.world.admin,
            reason="launched",
        )
        return f"launch of {objective.slug}"

    def reading(self) -> str:
        value = round(self.random.uniform(0.5, 4.5), 2)
        # Today's reading moves the KPI's current value; an older day's may leave it.
        day = timezone.localdate() - timedelta(days=self.random.choice([0, 0, 3, 20]))
        do_add_reading(self.access, self.world.kpi, day, value, self.world.admin)
        return f"KPI reading {value} on {day}"

    def review(self) -> str:
        objective = self.random.choice(self.objectives())
        review = getattr(objective, "review", None)
        grade = round(self.random.uniform(0, 1), 1)
        do_review_objective(
            self.access,
            objective,
            ReviewInput(grade=grade, reason="judged at the review", decision="", note=""),
            expected_version=review.version if review is not None else 0,
            actor=self.world.admin,
        )
        return f"review of {objective.slug}"

    def lever(self) -> str:
        levers = list(Lever.objects.filter(organization=self.world.org))
        if self.random.random() < 0.5 or len(levers) < 2:
            do_create_lever(self.access, title=self.title(), actor=self.world.admin)
            return "new lever"
        lever = self.random.choice(levers)
        do_update_lever(
            self.access,
            lever,
            {"retired": lever.retired_at is None},
            expected_version=lever.version,
            actor=self.world.admin,
        )
        return f"lever {lever.slug} retired or back"

    def carry(self) -> str:
        sources = [o for o in self.objectives() if o.period_id == self.world.period.pk]
        chosen = self.random.sample(sources, min(2, len(sources)))
        do_carry_objectives(self.access, chosen, self.next_period, self.world.admin)
        return "carry-over"

    def reimport(self) -> str:
        plan = export_org(self.world.org.slug, self.world.period.key)
        objective = self.random.choice(plan.objectives)
        if objective.key_results:
            objective.key_results[0].title = self.title()
        import_plan(plan, self.world.org.slug, actor=self.world.admin)
        return "import"

    def correct_check_in(self) -> str:
        rows = list(CheckIn.objects.filter(key_result__objective__organization=self.world.org))
        if not rows:
            return "no check-in to correct"
        row = self.random.choice(rows)
        if self.random.random() < 0.5:
            edit = CheckInEdit(value=round(self.random.uniform(0, 120), 1))
            do_edit_check_in(
                self.access, row, edit, expected_version=row.version, actor=self.world.admin
            )
            return f"correction of check-in {row.pk}"
        do_delete_check_in(self.access, row, expected_version=row.version, actor=self.world.admin)
        return f"delete of check-in {row.pk}"

    def delete_objective(self) -> str:
        objectives = self.objectives()
        if len(objectives) <= 2:  # the other steps need objectives to write to
            return "too few objectives to delete one"
        objective = self.random.choice(objectives)
        do_delete_objective(
            self.access,
            objective,
            expected_version=objective.version,
            actor=self.world.admin,
            reason="dropped",
        )
        return f"delete of {objective.slug}"

    def delete_kpi(self) -> str:
        """A KPI guarding one objective and feeding one key result, then deleted."""
        kpi = do_create_kpi(
            self.access, KpiInput(title=self.title(), healthy_low=1.0), self.world.admin
        )
        self.random.choice(self.objectives()).guardrails.add(kpi)
        KeyResult.objects.filter(pk__in=[kr.pk for kr in self.key_results()[:1]]).update(kpi=kpi)
        do_delete_kpi(
            self.access, kpi, expected_version=kpi.version, actor=self.world.admin, reason="gone"
        )
        return f"delete of KPI {kpi.slug}"


STEPS = [
    ("check_in", 8),
    ("correct_check_in", 2),
    ("delete_objective", 1),
    ("delete_kpi", 1),
    ("edit_objective", 3),
    ("edit_key_result", 3),
    ("new_objective", 2),
    ("new_key_result", 2),
    ("align", 3),
    ("reading", 2),
    ("launch", 2),
    ("review", 2),
    ("lever", 1),
    ("carry", 1),
    ("reimport", 1),
]


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_stored_scores_and_findings_equal_a_fresh_computation(world: World, seed: int) -> None:
    writer = Writer(world, seed)
    rescore_organization(world.org)  # the world was written directly, around the actions
    assert_current(world, "the start")
    names = [name for name, weight in STEPS for _ in range(weight)]
    done: list[str] = []
    for _ in range(40):
        name = writer.random.choice(names)
        try:
            step = getattr(writer, name)()
        except Exception as error:
            if type(error).__name__ in {"ActionError", "Conflict", "NotAllowed", "ImportRefused"}:
                continue  # a write the rules refuse: nothing changed
            raise
        done.append(step)
        assert_current(world, f"{len(done)} steps, the last {step}")


def test_an_older_reading_leaves_the_guardrail_findings_unwritten(world: World) -> None:
    """A reading of a past day leaves the KPI's current value, all a guardrail finding reads:
    the findings of the objectives it guards are not written again."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    access = access_org(world.admin, world.org.slug, write=True)
    do_add_reading(access, world.kpi, timezone.localdate(), 9.0, world.admin)
    rescore_organization(world.org)
    past = timezone.localdate() - timedelta(days=40)
    with CaptureQueriesContext(connection) as queries:
        do_add_reading(access, world.kpi, past, 1.0, world.admin)
    written = [q["sql"] for q in queries.captured_queries if "okrs_finding" in q["sql"]]
    assert written == []
    assert_current(world, "a reading of an older day")
    with CaptureQueriesContext(connection) as queries:
        do_add_reading(access, world.kpi, timezone.localdate(), 1.5, world.admin)
    assert any("okrs_finding" in q["sql"] for q in queries.captured_queries)
    assert_current(world, "a reading of today")


def test_rescore_reports_drift_and_repairs_it(world: World) -> None:
    rescore_organization(world.org)
    Objective.objects.filter(slug="activation").update(progress=0.99, status="off_track")
    Finding.objects.filter(objective__slug="activation").delete()
    drift = rescore_organization(world.org)
    assert drift.objectives >= 1
    assert drift.examples
    assert rescore_organization(world.org).total == 0
    assert_current(world, "the repair")


@pytest.mark.django_db(transaction=True)
def test_concurrent_writes_to_one_objective_leave_its_stored_score_current() -> None:
    """Check-ins on two key results of one objective and an edit of the same objective, each
    in its own connection at once: no write stores a score computed from another's old
    inputs (the objective's row is locked while it is rescored)."""
    import threading

    from django.db import connection

    from tests.server.factories import make_world

    world = make_world()
    rescore_organization(world.org)
    errors: list[BaseException] = []
    barrier = threading.Barrier(3)

    def write(kind: str) -> None:
        try:
            access = access_org(world.admin, "acme", write=True)
            barrier.wait()
            for round_ in range(5):
                if kind == "edit":
                    objective = Objective.objects.get(pk=world.objective.pk)
                    actions.do_edit_objective(
                        access,
                        objective,
                        ObjectiveEdit(title=f"New teams get value, take {round_}"),
                        expected_version=objective.version,
                        actor=world.admin,
                        reason="a pivot",
                    )
                else:
                    kr = world.key_result if kind == "first" else world.second_key_result
                    kr = KeyResult.objects.get(pk=kr.pk)
                    value = 40.0 + round_ if kind == "first" else 3.0 - round_ / 5
                    data = CheckInInput(value, 5 + round_, "", None, None)
                    do_check_in(access, kr, data, world.admin)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(kind,)) for kind in ("first", "second", "edit")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [e for e in errors if type(e).__name__ != "Conflict"] == []
    assert_current(world, "concurrent writes")


def test_the_calendar_job_rescores_what_a_new_day_makes_stale(world: World) -> None:
    from constellation.server.plans.stored import refresh_calendar

    # Launched: a draft has no pace for the calendar to move.
    Objective.objects.filter(pk=world.objective.pk).update(state="launched", state_given=True)
    rescore_organization(world.org)
    today = timezone.localdate()
    assert refresh_calendar(today) == 0  # all scored today: one query, nothing to do
    later = today + timedelta(days=10)
    before = Objective.objects.get(pk=world.objective.pk)
    running = Objective.objects.filter(period__end__gte=today).count()  # every organisation's
    assert refresh_calendar(later) == running
    after = Objective.objects.get(pk=world.objective.pk)
    assert after.scored_on == later
    assert after.expected > before.expected  # ten more days of the quarter are expected
    assert refresh_calendar(later) == 0


def test_rows_never_scored_are_scored_by_the_calendar_job(world: World) -> None:
    from constellation.server.plans.stored import refresh_calendar

    rescore_organization(world.org)
    Objective.objects.filter(pk=world.objective.pk).update(scored_on=None, progress=0.0)
    assert refresh_calendar() == 1
    assert_current(world, "the calendar job")
