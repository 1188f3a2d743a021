"""Checks on key results: outputs, numbers to reach, baselines, kept levels and copies."""

from __future__ import annotations

from constellation.core.coach.context import KeyResultWords, LintContext
from constellation.core.coach.findings import Finding
from constellation.core.coach.rules import RULES
from constellation.core.coach.wording import healthy_range, number, output_example, quoted, titled
from constellation.core.language import COPY_THRESHOLD, Reading, parse_change, similarity
from constellation.core.model import KeyResult, Objective


def check_key_results(ctx: LintContext, objective: Objective) -> list[Finding]:
    """Every key-result finding about one objective's key results, in key-result order."""
    upstream = _upstream_key_results(ctx, objective)
    found: list[Finding] = []
    for kr in objective.key_results:
        ref = f"{objective.id}/{kr.id}"
        reading = ctx.reading(kr.title)
        for check in _CHECKS:
            finding = check(ctx, kr, ref, reading)
            if finding is not None:
                found.append(finding)
        if upstream:
            finding = _cascaded(ctx, kr, ref, upstream)
            if finding is not None:
                found.append(finding)
    return found


def _output(ctx: LintContext, kr: KeyResult, ref: str, reading: Reading) -> Finding | None:
    if kr.type == "range" or reading.nature != "output":
        return None
    when, example = output_example(kr.title)
    # The reader's reason, when it has one: " (“launch” is work to do)".
    why = f" ({reading.reason})" if reading.reason else ""
    return ctx.finding(
        "output-kr",
        ref,
        kr.line,
        f"{quoted(kr.title)} names work to be done{why}, not a change in behaviour or results. "
        + RULES["output-kr"].principle,
        f"Ask what changes for users {when}, and measure that, e.g. {quoted(example)}; then "
        f"move {quoted(kr.title)} to the objective's `initiatives:` as the work expected to "
        "move it.",
        plain=(
            f"{titled(kr.title)} names work to be done{why}, not a change in behaviour or "
            "results. " + RULES["output-kr"].principle,
            f"Ask what changes for users {when}, and measure that, e.g. {titled(example)}. "
            f"Then move {titled(kr.title)} to initiatives, as the work expected to move it, "
            "or make it a milestone.",
        ),
        fix="move-to-initiatives",
    )


def _unmeasurable(ctx: LintContext, kr: KeyResult, ref: str, reading: Reading) -> Finding | None:
    # Milestones are measured by done/not done and ranges by their healthy range; an output
    # already has its own finding, whose fix brings the number.
    if kr.type != "metric" or kr.target is not None:
        return None
    if reading.measurable or reading.nature == "output":
        return None
    return ctx.finding(
        "unmeasurable-kr",
        ref,
        kr.line,
        f"{quoted(kr.title)} has no number to reach. " + RULES["unmeasurable-kr"].principle,
        "Name the measure behind it and write where it starts and where it should get to: "
        "add `baseline:` and `target:` (and `unit:`), or say 'from A to B' in the title; "
        "use `type: milestone` only for a yes/no result.",
        plain=(
            f"{titled(kr.title)} has no number to reach. " + RULES["unmeasurable-kr"].principle,
            "Name the measure behind it and set a baseline and a target, where it starts and "
            "where it should get to (or say 'from A to B' in the statement); make it a "
            "milestone only for a yes/no result.",
        ),
        fix="set-measure",
    )


def _missing_baseline(
    ctx: LintContext, kr: KeyResult, ref: str, reading: Reading
) -> Finding | None:
    if kr.type != "metric" or kr.target is None or kr.baseline is not None:
        return None
    # A level to hold needs no starting point (kpi-as-kr covers it); an output has its own.
    if reading.maintain or reading.nature == "output":
        return None
    change = parse_change(kr.title)
    if change is not None and change.baseline is not None:
        hint = (
            f"Add `baseline: {number(change.baseline)}` to the key result: the title already "
            f"says it starts from {number(change.baseline)}."
        )
        plain_hint = (
            f"Set the baseline to {number(change.baseline)}: the statement already says it "
            f"starts from {number(change.baseline)}."
        )
    else:
        hint = (
            "Add `baseline:` with the value at the start of the period (and say it in the "
            f"title, 'from A to {number(kr.target)}'), so progress can be measured."
        )
        plain_hint = (
            "Set a baseline, the value at the start of the period (and say it in the "
            f"statement, 'from A to {number(kr.target)}'), so progress can be measured."
        )
    said = f" has a target of {number(kr.target)} but no baseline. "
    principle = RULES["missing-baseline"].principle
    return ctx.finding(
        "missing-baseline",
        ref,
        kr.line,
        quoted(kr.title) + said + principle,
        hint,
        plain=(titled(kr.title) + said + principle, plain_hint),
        fix="set-measure",
    )


def _kpi_as_kr(ctx: LintContext, kr: KeyResult, ref: str, reading: Reading) -> Finding | None:
    if kr.type != "range" and not reading.maintain:
        return None
    return ctx.finding(
        "kpi-as-kr",
        ref,
        kr.line,
        f"{quoted(kr.title)} only keeps a level instead of changing it. "
        + RULES["kpi-as-kr"].principle,
        f'Move it to `kpis:` with `healthy: "{_kept_range(kr)}"` and list that KPI under this '
        "objective's `guardrails:`; keep key results for what must change.",
        plain=(
            f"{titled(kr.title)} only keeps a level instead of changing it. "
            + RULES["kpi-as-kr"].principle,
            f"Make it a KPI whose healthy range is {_kept_range(kr)}, pick that KPI as a "
            "guardrail of this objective, and keep key results for what must change.",
        ),
        fix="make-guardrail",
    )


def _kept_range(kr: KeyResult) -> str:
    """The healthy range a kept level becomes as a KPI."""
    if kr.healthy is not None:
        return kr.healthy.text()
    target = kr.target
    if target is None:
        change = parse_change(kr.title)
        target = change.target if change is not None else None
    return healthy_range(kr.title, target)


_CHECKS = (_output, _unmeasurable, _missing_baseline, _kpi_as_kr)

# The objectives aligned to, each with its key results' word sets.
Upstream = list[tuple[str, KeyResultWords]]
# Titles sharing less than this share of their cheap words are not compared in full. It is
# generous on purpose: synonyms, plurals and number formats that the similarity merges still
# pass, so the cheap pass never hides a copy.
_QUICK_SHARE = 0.5


def _upstream_key_results(ctx: LintContext, objective: Objective) -> Upstream:
    """The key results of every objective this one aligns to, nearest objective first."""
    found: Upstream = []
    if not objective.aligns_to:
        return found
    for target_id in ctx.graph.upstream(objective.id):
        target = ctx.objectives.get(target_id)
        if target is not None and target is not objective:
            found.append((target.id, ctx.key_result_words(target)))
    return found


def _cascaded(ctx: LintContext, kr: KeyResult, ref: str, upstream: Upstream) -> Finding | None:
    words = ctx.words(kr.title)
    size = len(words)
    for owner, (every, fewest, entries) in upstream:
        # Dice over word sets, 2·shared / total, bounded above using all the words at once.
        if 2 * len(words & every) < _QUICK_SHARE * (size + fewest):
            continue
        for original, other in entries:
            if 2 * len(words & other) < _QUICK_SHARE * (size + len(other)):
                continue
            if similarity(kr.title, original.title) >= COPY_THRESHOLD:
                return _copy(ctx, kr, ref, (owner, original.id), original.title)
    return None


def _copy(
    ctx: LintContext, kr: KeyResult, ref: str, source: tuple[str, str], original: str
) -> Finding:
    owner, original_id = source
    return ctx.finding(
        "cascaded-kr",
        ref,
        kr.line,
        f"{quoted(kr.title)} is copied from {owner}/{original_id} ({quoted(original)}). "
        + RULES["cascaded-kr"].principle,
        f"Ask which part of {quoted(original)} this team can move, and measure that change "
        "instead; the aligns_to link already shows the contribution.",
        plain=(
            f"{titled(kr.title)} is copied from a key result of "
            f"{titled(ctx.objective_title(owner))}, which this objective aligns to. "
            + RULES["cascaded-kr"].principle,
            f"Ask which part of {titled(original)} this team can move, and measure that change "
            "instead; the alignment already shows the contribution.",
        ),
        fix="rewrite-key-result",
    )
