"""The alignment graph: links both ways, contributors, loops, refusals and pivots."""

from __future__ import annotations

import sys

from constellation.core.alignment import AlignmentGraph, PivotImpact
from constellation.core.model import KeyResult, Objective


def _objective(objective_id: str, *aligns_to: str) -> Objective:
    return Objective(
        id=objective_id, team="t", title=objective_id, period="2026-Q3", aligns_to=list(aligns_to)
    )


def _graph(*links: tuple[str, str]) -> AlignmentGraph:
    return AlignmentGraph(links)


def test_it_knows_targets_and_aligners_in_both_directions() -> None:
    graph = AlignmentGraph.from_objectives(
        [_objective("company"), _objective("growth", "company"), _objective("sales", "company")]
    )
    assert graph.targets("growth") == ["company"]
    assert graph.aligned_from("company") == ["growth", "sales"]
    assert graph.targets("company") == []
    assert graph.nodes == ["company", "growth", "sales"]


def test_it_lists_contributors_transitively_breadth_first_without_duplicates() -> None:
    graph = _graph(("b", "a"), ("c", "a"), ("d", "b"), ("d", "c"), ("e", "d"))
    assert graph.contributors("a") == ["b", "c", "d", "e"]
    assert graph.contributors("e") == []


def test_it_walks_upstream_to_everything_an_objective_aligns_to() -> None:
    graph = _graph(("team", "dept"), ("dept", "company"), ("team", "company"))
    assert graph.upstream("team") == ["dept", "company"]


def test_it_reports_a_cycle_once_as_its_path() -> None:
    graph = _graph(("a", "b"), ("b", "c"), ("c", "a"))
    assert graph.cycles() == [["a", "b", "c", "a"]]


def test_it_starts_each_cycle_at_its_first_objective_in_file_order() -> None:
    objectives = [_objective("x", "z"), _objective("y", "x"), _objective("z", "y")]
    assert AlignmentGraph.from_objectives(objectives).cycles() == [["x", "z", "y", "x"]]


def test_it_reports_separate_loops_and_self_links() -> None:
    graph = _graph(("a", "b"), ("b", "a"), ("c", "d"), ("d", "c"), ("e", "e"), ("f", "a"))
    assert graph.cycles() == [["a", "b", "a"], ["c", "d", "c"], ["e", "e"]]


def test_it_finds_no_cycle_in_a_diamond() -> None:
    graph = _graph(("b", "a"), ("c", "a"), ("d", "b"), ("d", "c"))
    assert graph.cycles() == []


def test_it_names_the_loop_a_new_link_would_close() -> None:
    graph = _graph(("b", "a"), ("c", "b"))
    assert graph.path_if_linked("a", "b") == ["a", "b", "a"]
    assert graph.path_if_linked("a", "c") == ["a", "c", "b", "a"]
    assert graph.path_if_linked("a", "a") == ["a", "a"]


def test_it_accepts_a_link_that_closes_no_loop() -> None:
    graph = _graph(("b", "a"), ("c", "b"))
    assert graph.path_if_linked("c", "a") is None
    assert graph.path_if_linked("new", "c") is None


def test_it_sees_links_to_objectives_listed_only_as_targets() -> None:
    # The server lists only objectives that have links; a leaf target must still count.
    graph = AlignmentGraph.from_objectives([_objective("child", "parent")])
    assert graph.path_if_linked("parent", "child") == ["parent", "child", "parent"]


def test_it_ignores_unknown_targets_when_looking_for_loops() -> None:
    graph = AlignmentGraph.from_objectives([_objective("a", "ghost"), _objective("b", "a")])
    assert graph.cycles() == []
    assert graph.contributors("a") == ["b"]


def test_it_tells_who_loses_an_alignment_when_an_objective_is_dropped() -> None:
    graph = _graph(("b", "a"), ("c", "a"), ("d", "b"), ("e", "d"), ("a", "root"))
    assert graph.pivot_impact("a") == ["b", "c"]
    assert graph.pivot("a") == PivotImpact("a", direct=["b", "c"], indirect=["d", "e"])
    assert graph.pivot_impact("e") == []


def test_it_holds_ids_only_and_never_copies_key_results() -> None:
    parent = _objective("parent")
    parent.key_results.append(KeyResult(id="kr", title="Raise retention from 78% to 85%"))
    child = _objective("child", "parent")
    graph = AlignmentGraph.from_objectives([parent, child])
    assert graph.targets("child") == ["parent"]
    assert child.key_results == []
    assert all(isinstance(node, str) for node in graph.nodes)


def test_it_handles_a_chain_of_5000_objectives_without_recursion() -> None:
    count = 5000
    assert count > sys.getrecursionlimit()
    objectives = [_objective("o0")] + [_objective(f"o{i}", f"o{i - 1}") for i in range(1, count)]
    graph = AlignmentGraph.from_objectives(objectives)
    assert graph.cycles() == []
    assert len(graph.contributors("o0")) == count - 1
    assert len(graph.upstream(f"o{count - 1}")) == count - 1
    loop = graph.path_if_linked("o0", f"o{count - 1}")
    assert loop is not None and len(loop) == count + 1
    assert loop[0] == loop[-1] == "o0"
    objectives[0].aligns_to.append(f"o{count - 1}")
    cycles = AlignmentGraph.from_objectives(objectives).cycles()
    assert len(cycles) == 1 and len(cycles[0]) == count + 1
    assert cycles[0][0] == "o0"
