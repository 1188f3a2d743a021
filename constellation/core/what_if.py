"""What if a lever or an objective were dropped: which objectives lose what they align to.

The constellation map asks this before anyone changes anything. Dropping an objective is the
alignment graph's pivot: its direct aligners lose their alignment target, the contributors
behind them lose an indirect link. Dropping a lever drops, in effect, the objectives that model
that lever alone (they are left modelling no lever), and the same pivot then runs from all of
them at once. Everything is ids only, in a stable order: the order the objectives were given,
then the order their links were first seen.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from constellation.core.alignment import AlignmentGraph


@dataclass(frozen=True, slots=True)
class WhatIf:
    """What dropping something breaks.

    `dropped` are the objectives taken out: the one asked for, or those a lever's drop leaves
    modelling no lever (`unmodelled`, only for a lever). `lose_target` align directly to a
    dropped objective; `lose_indirect` align to one only through others. No list holds a
    dropped objective, and no objective is in both lose lists.
    """

    dropped: list[str]
    unmodelled: list[str] = field(default_factory=list)
    lose_target: list[str] = field(default_factory=list)
    lose_indirect: list[str] = field(default_factory=list)


def drop_objectives(graph: AlignmentGraph, objectives: Iterable[str]) -> WhatIf:
    """What dropping these objectives together breaks; for one, the same as `graph.pivot`."""
    dropped = list(dict.fromkeys(objectives))
    gone = set(dropped)
    lose_target: list[str] = []
    seen = set(gone)
    for node in dropped:
        for aligner in graph.aligned_from(node):
            if aligner not in seen:
                seen.add(aligner)
                lose_target.append(aligner)
    lose_indirect = _beyond(graph, lose_target, seen)
    return WhatIf(dropped, lose_target=lose_target, lose_indirect=lose_indirect)


def drop_objective(graph: AlignmentGraph, objective: str) -> WhatIf:
    """What dropping one objective breaks: its direct aligners, then those behind them."""
    return drop_objectives(graph, [objective])


def unmodelled_without(levers: Mapping[str, Iterable[str]], lever: str) -> list[str]:
    """The objectives (keys of `levers`, in its order) that model `lever` and no other lever."""
    alone = []
    for objective, modelled in levers.items():
        names = set(modelled)
        if names == {lever}:
            alone.append(objective)
    return alone


def drop_lever(graph: AlignmentGraph, levers: Mapping[str, Iterable[str]], lever: str) -> WhatIf:
    """What dropping a lever breaks.

    `levers` maps each objective to the levers it models. The objectives that model only this
    lever are left modelling none; treated as dropped, their aligners lose their target and
    the contributors behind those lose an indirect link.
    """
    unmodelled = unmodelled_without(levers, lever)
    impact = drop_objectives(graph, unmodelled)
    return WhatIf(
        impact.dropped,
        unmodelled=unmodelled,
        lose_target=impact.lose_target,
        lose_indirect=impact.lose_indirect,
    )


def _beyond(graph: AlignmentGraph, start: list[str], seen: set[str]) -> list[str]:
    """Contributors of `start` not already in `seen`, breadth-first (marks them seen)."""
    found: list[str] = []
    queue = deque(aligner for node in start for aligner in graph.aligned_from(node))
    while queue:
        node = queue.popleft()
        if node in seen:
            continue
        seen.add(node)
        found.append(node)
        queue.extend(graph.aligned_from(node))
    return found
