"""The alignment graph: which objectives align to which, as ids only.

Alignment is a link, never a cascade: the graph holds objective ids and nothing else, so it can
never copy or inherit key results. Every walk is iterative, so a chain of thousands of
objectives needs no deep recursion.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from constellation.core.model import Objective


@dataclass(frozen=True, slots=True)
class PivotImpact:
    """What dropping an objective breaks: direct aligners and the contributors behind them."""

    objective: str
    direct: list[str] = field(default_factory=list)
    indirect: list[str] = field(default_factory=list)


class AlignmentGraph:
    """Objectives as nodes, "aligns to" links as edges; ids only, in the order first seen."""

    def __init__(self, links: Iterable[tuple[str, str]] = (), nodes: Iterable[str] = ()) -> None:
        """Build the graph from (source, target) links and, optionally, nodes without links."""
        self._targets: dict[str, list[str]] = {}
        self._aligned_from: dict[str, list[str]] = {}
        for node in nodes:
            self._add_node(node)
        for source, target in links:
            self.add_link(source, target)

    @classmethod
    def from_objectives(cls, objectives: Iterable[Objective]) -> AlignmentGraph:
        """The graph of these objectives' aligns_to links, nodes in the objectives' order."""
        objectives = list(objectives)
        graph = cls(nodes=(o.id for o in objectives))
        for objective in objectives:
            for target in objective.aligns_to:
                graph.add_link(objective.id, target)
        return graph

    def _add_node(self, node: str) -> None:
        if node not in self._targets:
            self._targets[node] = []
            self._aligned_from[node] = []

    def add_link(self, source: str, target: str) -> None:
        """Add source → target once.

        A target that names no known objective is kept as a leaf: with no links of its own it
        can close no loop, and a caller that only lists objectives with links (as the server
        does) still sees every edge.
        """
        self._add_node(source)
        self._add_node(target)
        if target not in self._targets[source]:
            self._targets[source].append(target)
            self._aligned_from[target].append(source)

    @property
    def nodes(self) -> list[str]:
        """Every id in the graph, in the order first seen."""
        return list(self._targets)

    def __contains__(self, node: object) -> bool:
        return node in self._targets

    def targets(self, node: str) -> list[str]:
        """The objectives `node` aligns to directly."""
        return list(self._targets.get(node, ()))

    def aligned_from(self, node: str) -> list[str]:
        """The objectives that align to `node` directly."""
        return list(self._aligned_from.get(node, ()))

    def contributors(self, node: str) -> list[str]:
        """Everyone who aligns to `node`, directly or through others, in breadth-first order."""
        return _bfs(self._aligned_from, node)

    def upstream(self, node: str) -> list[str]:
        """Everything `node` aligns to, directly or up the chain, in breadth-first order."""
        return _bfs(self._targets, node)

    def path(self, source: str, target: str) -> list[str] | None:
        """The shortest chain of links from source to target (both included), or None."""
        if source not in self._targets:
            return None
        if source == target:
            return [source]
        parents: dict[str, str] = {source: source}
        queue = deque([source])
        while queue:
            current = queue.popleft()
            for nxt in self._targets[current]:
                if nxt in parents:
                    continue
                parents[nxt] = current
                if nxt == target:
                    return _unwind(parents, source, target)
                queue.append(nxt)
        return None

    def path_if_linked(self, source: str, target: str) -> list[str] | None:
        """The loop that adding source → target would close, e.g. ["a", "b", "a"]; None if safe."""
        if source == target:
            return [source, source]
        back = self.path(target, source)
        if back is None:
            return None
        return [source, *back]

    def cycles(self) -> list[list[str]]:
        """Each loop once, as its path from its first node (in node order) back to it."""
        order = {node: i for i, node in enumerate(self._targets)}
        found: list[list[str]] = []
        seen: set[tuple[str, ...]] = set()
        state: dict[str, int] = {}  # absent: unvisited, 1: on the current path, 2: done
        for root in self._targets:
            if root not in state:
                for loop in self._loops_from(root, state):
                    canonical = _rotate(loop, order)
                    key = tuple(canonical)
                    if key not in seen:
                        seen.add(key)
                        found.append(canonical)
        return found

    def _loops_from(self, root: str, state: dict[str, int]) -> list[list[str]]:
        """Depth-first from root with an explicit stack; each edge back onto the path is a loop."""
        loops: list[list[str]] = []
        path: list[str] = [root]
        position: dict[str, int] = {root: 0}
        stack: list[tuple[str, int]] = [(root, 0)]
        state[root] = 1
        while stack:
            node, index = stack[-1]
            targets = self._targets[node]
            if index == len(targets):
                stack.pop()
                path.pop()
                del position[node]
                state[node] = 2
                continue
            stack[-1] = (node, index + 1)
            nxt = targets[index]
            mark = state.get(nxt)
            if mark == 1:
                loops.append([*path[position[nxt] :], nxt])
            elif mark is None:
                state[nxt] = 1
                position[nxt] = len(path)
                path.append(nxt)
                stack.append((nxt, 0))
        return loops

    def pivot(self, node: str) -> PivotImpact:
        """What dropping `node` breaks: its direct aligners, then those aligning through them."""
        direct = [n for n in self.aligned_from(node) if n != node]
        direct_set = set(direct)
        indirect = [n for n in self.contributors(node) if n not in direct_set]
        return PivotImpact(node, direct, indirect)

    def pivot_impact(self, node: str) -> list[str]:
        """The objectives that lose an alignment target if `node` is dropped (its direct aligners).

        `pivot(node).indirect` lists the contributors further down that lose their indirect link.
        """
        return self.pivot(node).direct


def _bfs(edges: dict[str, list[str]], start: str) -> list[str]:
    """Nodes reachable from start along edges, breadth-first, without start or duplicates."""
    seen = {start}
    found: list[str] = []
    queue = deque(edges.get(start, ()))
    while queue:
        node = queue.popleft()
        if node in seen:
            continue
        seen.add(node)
        found.append(node)
        following = edges.get(node)
        if following:
            queue.extend(following)
    return found


def _unwind(parents: dict[str, str], source: str, target: str) -> list[str]:
    """The path source → target from a breadth-first search's parent links."""
    path = [target]
    while path[-1] != source:
        path.append(parents[path[-1]])
    path.reverse()
    return path


def _rotate(loop: list[str], order: dict[str, int]) -> list[str]:
    """The loop (first node repeated at the end) started from its earliest node in `order`."""
    ring = loop[:-1]
    start = min(range(len(ring)), key=lambda i: order.get(ring[i], len(order)))
    turned = ring[start:] + ring[:start]
    return [*turned, turned[0]]
