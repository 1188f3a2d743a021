"""What if a lever or an objective were dropped: who loses a target, who an indirect link."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from constellation.core.alignment import AlignmentGraph
from constellation.core.what_if import drop_lever, drop_objective, drop_objectives

NODES = [f"o{n}" for n in range(12)]
LEVERS = ["growth", "trust", "speed"]

links = st.lists(st.tuples(st.sampled_from(NODES), st.sampled_from(NODES)), max_size=30)
modelled = st.dictionaries(
    st.sampled_from(NODES), st.lists(st.sampled_from(LEVERS), max_size=3), max_size=len(NODES)
)


def _graph(pairs: list[tuple[str, str]]) -> AlignmentGraph:
    return AlignmentGraph([(a, b) for a, b in pairs if a != b], nodes=NODES)


def test_dropping_an_objective_names_its_aligners_then_those_behind_them() -> None:
    graph = AlignmentGraph([("team", "company"), ("squad", "team"), ("other", "company")])
    impact = drop_objective(graph, "company")
    assert impact.dropped == ["company"]
    assert impact.lose_target == ["team", "other"]
    assert impact.lose_indirect == ["squad"]
    assert impact.unmodelled == []


def test_dropping_an_objective_nobody_aligns_to_breaks_nothing() -> None:
    graph = AlignmentGraph([("team", "company")])
    impact = drop_objective(graph, "team")
    assert (impact.lose_target, impact.lose_indirect) == ([], [])


def test_dropping_a_lever_drops_the_objectives_that_model_it_alone() -> None:
    graph = AlignmentGraph([("a", "solo"), ("b", "a"), ("c", "both"), ("d", "none")])
    levers = {"solo": ["growth"], "both": ["growth", "trust"], "none": [], "a": ["trust"]}
    impact = drop_lever(graph, levers, "growth")
    assert impact.unmodelled == ["solo"]
    assert impact.dropped == ["solo"]
    assert impact.lose_target == ["a"]
    assert impact.lose_indirect == ["b"]


def test_dropping_a_lever_nobody_models_breaks_nothing() -> None:
    graph = AlignmentGraph([("a", "b")])
    impact = drop_lever(graph, {"a": ["growth"], "b": ["growth"]}, "speed")
    assert impact.unmodelled == impact.lose_target == impact.lose_indirect == []


def test_an_objective_aligning_to_two_dropped_ones_is_listed_once() -> None:
    graph = AlignmentGraph([("a", "x"), ("a", "y"), ("b", "a")])
    impact = drop_objectives(graph, ["x", "y"])
    assert impact.lose_target == ["a"]
    assert impact.lose_indirect == ["b"]


def test_dropped_objectives_that_align_to_each_other_lose_nothing_themselves() -> None:
    graph = AlignmentGraph([("x", "y"), ("a", "x")])
    impact = drop_objectives(graph, ["y", "x"])
    assert impact.lose_target == ["a"]
    assert "x" not in impact.lose_target + impact.lose_indirect


def test_a_loop_through_the_dropped_objective_ends() -> None:
    graph = AlignmentGraph([("a", "b"), ("b", "c"), ("c", "a")])
    impact = drop_objective(graph, "a")
    assert impact.lose_target == ["c"]
    assert impact.lose_indirect == ["b"]


@given(links, st.sampled_from(NODES))
def test_dropping_one_objective_is_the_graphs_pivot(pairs, node) -> None:
    graph = _graph(pairs)
    impact = drop_objective(graph, node)
    pivot = graph.pivot(node)
    assert impact.lose_target == pivot.direct
    assert impact.lose_indirect == pivot.indirect


@given(links, st.lists(st.sampled_from(NODES), max_size=5))
def test_the_losing_set_is_exactly_the_aligners_of_dropped_objectives(pairs, dropped) -> None:
    graph = _graph(pairs)
    impact = drop_objectives(graph, dropped)
    aligners = {a for node in dropped for a in graph.aligned_from(node)} - set(dropped)
    assert set(impact.lose_target) == aligners
    assert len(impact.lose_target) == len(aligners)


@given(links, st.lists(st.sampled_from(NODES), max_size=5))
def test_indirect_losers_are_every_other_contributor_of_dropped_objectives(pairs, dropped) -> None:
    graph = _graph(pairs)
    impact = drop_objectives(graph, dropped)
    everyone = {c for node in dropped for c in graph.contributors(node)} - set(dropped)
    assert set(impact.lose_target) | set(impact.lose_indirect) == everyone
    assert not set(impact.lose_target) & set(impact.lose_indirect)
    assert len(impact.lose_indirect) == len(set(impact.lose_indirect))


@given(links, st.lists(st.sampled_from(NODES), max_size=5))
def test_no_dropped_objective_is_ever_listed_as_losing(pairs, dropped) -> None:
    impact = drop_objectives(_graph(pairs), dropped)
    assert not set(dropped) & (set(impact.lose_target) | set(impact.lose_indirect))


@given(links, st.lists(st.sampled_from(NODES), max_size=5))
def test_the_answer_is_the_same_every_time(pairs, dropped) -> None:
    assert drop_objectives(_graph(pairs), dropped) == drop_objectives(_graph(pairs), dropped)


@given(links, modelled, st.sampled_from(LEVERS))
def test_a_lever_drops_exactly_the_objectives_modelling_it_alone(pairs, levers, lever) -> None:
    graph = _graph(pairs)
    impact = drop_lever(graph, levers, lever)
    alone = [o for o, names in levers.items() if names and set(names) == {lever}]
    assert impact.unmodelled == alone
    assert impact.dropped == alone
    assert impact == drop_lever(graph, levers, lever)
    plain = drop_objectives(graph, alone)
    assert (impact.lose_target, impact.lose_indirect) == (plain.lose_target, plain.lose_indirect)
