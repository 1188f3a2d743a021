"""Big OKR files: objectives are built while the file is parsed, so the tree never holds them
all, with exactly the plan and problems a whole tree gives; writing one keeps the same text."""

from __future__ import annotations

import tracemalloc
from datetime import date, timedelta
from pathlib import Path

import pytest

from constellation.core import model
from constellation.core.generate import generate_plan_text
from constellation.core.okrfile import OkrFileError, dump_plan, load_text, plan_data
from constellation.core.okrfile.tree import parse_tree
from constellation.core.okrfile.validate import build_plan

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.yaml"))


def with_check_ins(objectives: int, weeks: int = 12) -> str:
    """A generated file whose key results have a check-in a week."""
    plan = load_text(generate_plan_text(objectives, 4, period="2026-Q3"))
    start = date(2026, 7, 6)
    for objective in plan.objectives:
        for kr in objective.key_results:
            kr.check_ins = [
                model.CheckIn(
                    on=start + timedelta(days=7 * week),
                    value=float(week) + 0.5,
                    confidence=7,
                    note="On track" if week % 4 == 3 else "",
                )
                for week in range(weeks)
            ]
    return dump_plan(plan)


def whole_tree(text: str, path: str = "f.yaml") -> model.Plan:
    """The plan as built from the whole tree, without the objective hook."""
    root, problems = parse_tree(text, path)
    return build_plan(root, path, problems)


def outcome(load: object, text: str) -> object:
    try:
        return plan_data(load(text, path="f.yaml"))  # type: ignore[operator]
    except OkrFileError as error:
        return [str(problem) for problem in error.problems]


BROKEN = {
    "a second objectives list": "objectives:\n  - id: b\n    team: t\n    title: Later\n",
    "an objective that is not a mapping": "  - just text\n",
    "an unknown key and a bad reference": (
        "  - id: c\n    team: nowhere\n    title: Bad\n    tittle: typo\n"
        "    key_results:\n      - title: Raise x from 1 to 2\n        check_ins:\n"
        "          - on: 2026-02-30\n            value: many\n"
    ),
    "a duplicate objective id": "  - id: a\n    team: t\n    title: Again\n",
}
HEAD = (
    "version: 1\norganization: Acme\nperiod: 2026-Q3\nteams:\n  - id: t\n    name: T\n"
    "objectives:\n  - id: a\n    team: t\n    title: Customers stay\n    aligns_to: [zz]\n"
)


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_broken_file_gives_the_same_problems_as_the_whole_tree(name: str) -> None:
    text = HEAD + BROKEN[name]
    loaded = outcome(load_text, text)
    assert loaded == outcome(whole_tree, text)
    assert isinstance(loaded, list) and loaded


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_a_sound_file_gives_the_same_plan_as_the_whole_tree(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert outcome(load_text, text) == outcome(whole_tree, text)


def test_a_file_with_check_ins_round_trips_with_the_same_plan() -> None:
    text = with_check_ins(40)
    plan = load_text(text)
    assert plan_data(plan) == plan_data(whole_tree(text))
    assert dump_plan(plan) == text
    assert sum(len(kr.check_ins) for o in plan.objectives for kr in o.key_results) == 40 * 4 * 12


def test_loading_a_big_file_takes_a_fraction_of_the_whole_trees_memory() -> None:
    text = with_check_ins(300)

    def peak(load: object) -> int:
        tracemalloc.start()
        try:
            load(text, path="f.yaml")  # type: ignore[operator]
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    streamed, whole = peak(load_text), peak(whole_tree)
    assert streamed < whole / 3, (streamed, whole)
    assert streamed < 4 * len(text), (streamed, len(text))
