"""From the YAML tree to a Plan, reporting every problem of the file in one run.

Each kind of mapping has a table from key to (attribute, reader). Building walks only the keys a
mapping holds, so unknown keys, wrong types and references are all found in the same pass; the
references are checked at the end, once every id of the file is known.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, cast

from constellation.core.model import (
    CheckIn,
    Initiative,
    KeyResult,
    Kpi,
    Lever,
    Objective,
    Plan,
    Team,
)
from constellation.core.okrfile import schema
from constellation.core.okrfile.problems import OkrFileError, Problem
from constellation.core.okrfile.tree import Built, Entry, Map, Node, Scalar
from constellation.core.okrfile.values import BAD, Reader, describe, suggestion

# A reader gets the file's Builder, the value's node and its key; the key names the attribute.
ValueReader = Callable[["Builder", Node, str], Any]
_SUGGESTED_REFERENCES = 50  # past this many unknown references, skip the (slow) closest match
_LISTED_IDS = 5


def _ref(kind: str) -> ValueReader:
    return lambda builder, node, key: builder.reference(node, key, kind)


def _refs(kind: str) -> ValueReader:
    return lambda builder, node, key: builder.references(node, key, kind)


_LEVER: dict[str, ValueReader] = {
    "id": Reader.ident,
    "title": Reader.required_text,
}
_TEAM: dict[str, ValueReader] = {
    "id": Reader.ident,
    "name": Reader.required_text,
    "parent": _ref("team"),
    "phase": lambda b, n, k: b.choice(n, k, schema.PHASE),
}
_KPI: dict[str, ValueReader] = {
    "id": Reader.ident,
    "title": Reader.required_text,
    "unit": Reader.text,
    "direction": lambda b, n, k: b.choice(n, k, schema.DIRECTION) or "increase",
    "healthy": Reader.healthy,
    "current": Reader.number,
}
_OBJECTIVE: dict[str, ValueReader] = {
    "id": Reader.ident,
    "team": _ref("team"),
    "title": Reader.required_text,
    "period": Reader.period,
    "focus": lambda b, n, k: b.choice(n, k, schema.FOCUS),
    "commitment": lambda b, n, k: b.choice(n, k, schema.COMMITMENT) or "committed",
    "state": lambda b, n, k: b.choice(n, k, schema.STATE),
    "grade": Reader.grade,
    "owner": Reader.text,
    "levers": _refs("lever"),
    "aligns_to": _refs("objective"),
    "guardrails": _refs("KPI"),
    "key_results": lambda b, n, k: b.each(n, k, b.key_result),
    "initiatives": lambda b, n, k: b.each(n, k, b.initiative),
}
_KEY_RESULT: dict[str, ValueReader] = {
    "id": Reader.ident,
    "title": Reader.required_text,
    "type": lambda b, n, k: b.choice(n, k, schema.KR_TYPE) or "metric",
    "baseline": Reader.number,
    "target": Reader.number,
    "current": Reader.number,
    "unit": Reader.text,
    "done": Reader.boolean,
    "healthy": Reader.healthy,
    "kpi": lambda b, n, k: None if _is_null(n) else b.reference(n, k, "KPI"),
    "weight": lambda b, n, k: b.positive(n, k) or 1.0,
    "confidence": Reader.confidence,
    "owner": Reader.text,
    "check_ins": lambda b, n, k: b.each(n, k, b.check_in),
}
_INITIATIVE: dict[str, ValueReader] = {
    "id": Reader.ident,
    "title": Reader.required_text,
    "status": lambda b, n, k: b.choice(n, k, schema.STATUS),
    "owner": Reader.text,
    "moves": Reader.idents,
    "links": Reader.web_addresses,
}
_CHECK_IN: dict[str, ValueReader] = {
    "on": Reader.day,
    "value": Reader.number,
    "confidence": Reader.confidence,
    "done": Reader.boolean,
    "note": lambda b, n, k: b.text(n, k) or "",
}


def _is_null(node: Node) -> bool:
    return node.__class__ is Scalar and node.value is None


def build_plan(
    root: Node | None, path: str, problems: list[Problem], builder: Builder | None = None
) -> Plan:
    """The Plan a file's tree describes; raises OkrFileError listing every problem found.

    `builder` is the one whose `objective` was the parse's objective hook, if any: it holds
    the objectives built while parsing and their references to check.
    """
    top = _top_map(root, path)
    builder = builder or Builder(path)
    builder.problems.extend(problems)
    plan = builder.plan(top, top.entries)
    builder.check_references(plan)
    if builder.problems:
        builder.problems.sort(key=lambda p: (p.line or 0, p.column or 0))
        raise OkrFileError(builder.problems)
    return plan


def _top_map(root: Node | None, path: str) -> Map:
    """The top-level mapping, or one problem when the file is empty, not a mapping or not v1."""
    if root is None or _is_null(root):
        message = "is empty; expected an OKR file starting with 'version: 1'"
        raise OkrFileError([Problem(path, None, None, message)])
    if root.__class__ is not Map:
        message = (
            "the top level must be a mapping of keys (version, organization, period, ...), "
            f"got {describe(root)}"
        )
        raise OkrFileError([Problem(path, root.line, root.column, message)])
    entries = root.entries
    version = entries.get("version")
    if version is not None:
        value = version.value.value if version.value.__class__ is Scalar else BAD
        if value.__class__ is not int or value != schema.SUPPORTED_VERSION:
            shown = value if value.__class__ is int else describe(version.value)
            message = (
                f"unsupported version {shown}; this okr understands version "
                f"{schema.SUPPORTED_VERSION}"
            )
            node = version.value
            raise OkrFileError([Problem(path, node.line, node.column, message)])
    return root


class Builder(Reader):
    """Builds the plan objects of one file and remembers references to check at the end."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        # (kind, id, node) for team, lever, objective and KPI references.
        self.refs: list[tuple[str, str, Node]] = []
        # (objective, id, node) for initiative `moves`, checked against that objective's KRs.
        self.moves: list[tuple[Objective, str, Node]] = []
        # Where each object's `id` is written (by object identity), to point at duplicates.
        self.id_at: dict[int, Entry] = {}
        self.unknown_count = 0

    def fill(
        self, target: Any, node: Node, kind: schema.Kind, table: dict[str, ValueReader]
    ) -> Any:
        """Set the attributes of target from a mapping; None when the node is not a mapping."""
        entries = self.entries(node, kind)
        if entries is None:
            return None
        limits = schema.MAX_LENGTH.get(kind.name, {})
        for key, entry in entries.items():
            reader = table.get(key)  # None for an unknown key, already reported
            if reader is not None:
                value = reader(self, entry.value, key)
                if value is not BAD and not self.too_long(entry.value, key, value, limits):
                    setattr(target, key, value)
        target.line = node.line
        if "id" in entries:
            self.id_at[id(target)] = entries["id"]
        return target

    def too_long(self, node: Node, key: str, value: Any, limits: dict[str, int]) -> bool:
        """Whether a text is longer than the server's column for it (reported if so)."""
        limit = limits.get(key)
        if limit is None or value.__class__ is not str or len(value) <= limit:
            return False
        self.add(node, f"'{key}' is longer than {limit:,} characters ({len(value):,})")
        return True

    def each(self, node: Node, key: str, build: Callable[[Node], Any]) -> list[Any]:
        """Build every item of a list, leaving out those that are not mappings."""
        built = (build(item) for item in self.items(node, key))
        return [item for item in built if item is not None]

    def reference(self, node: Node, key: str, kind: str) -> Any:
        """One id naming another object; checked once every id is known."""
        value = self.ident(node, key)
        if value is not BAD:
            self.refs.append((kind, value, node))
        return value

    def references(self, node: Node, key: str, kind: str) -> list[str]:
        """A list of ids naming other objects."""
        found = self.idents(node, key)
        self.refs.extend((kind, value, item) for value, item in found)
        return [value for value, _ in found]

    def plan(self, root: Map, entries: dict) -> Plan:
        """The plan of the top-level mapping."""
        self.entries(root, schema.TOP)
        plan = Plan(organization="", period="")
        limits = schema.MAX_LENGTH[schema.TOP.name]
        for key, reader in (("organization", Reader.required_text), ("period", Reader.period)):
            if key in entries:
                value = reader(self, entries[key].value, key)
                if value is not BAD and self.too_long(entries[key].value, key, value, limits):
                    value = BAD
                setattr(plan, key, "" if value is BAD else value)
        if "strategy" in entries:
            plan.has_strategy = True
            self.strategy(plan, entries["strategy"].value)
        if "teams" in entries:
            plan.teams = self.each(entries["teams"].value, "teams", self.team)
        if "kpis" in entries:
            plan.kpis = self.each(entries["kpis"].value, "kpis", self.kpi)
        if "objectives" in entries:
            plan.objectives = self.each(entries["objectives"].value, "objectives", self.objective)
        for objective in plan.objectives:
            if objective.period is None:
                objective.period = plan.period
        return plan

    def strategy(self, plan: Plan, node: Node) -> None:
        """Vision, mission and levers; an empty `strategy:` is allowed."""
        if _is_null(node):
            return
        entries = self.entries(node, schema.STRATEGY)
        if entries is None:
            return
        for key in ("vision", "mission"):
            if key in entries:
                value = self.text(entries[key].value, key)
                setattr(plan, key, None if value is BAD else value)
        if "levers" in entries:
            plan.levers = self.each(entries["levers"].value, "levers", self.lever)

    def lever(self, node: Node) -> Lever | None:
        """One strategy lever."""
        return self.fill(Lever(id="", title=""), node, schema.LEVER, _LEVER)

    def team(self, node: Node) -> Team | None:
        """One team of the org chart."""
        return self.fill(Team(id="", name=""), node, schema.TEAM, _TEAM)

    def kpi(self, node: Node) -> Kpi | None:
        """One KPI."""
        return self.fill(Kpi(id="", title=""), node, schema.KPI, _KPI)

    def objective(self, node: Node) -> Objective | None:
        """One objective with its key results and initiatives (built already while parsing
        when this is the parse's objective hook)."""
        if node.__class__ is Built:
            return node.value
        # A blank to fill from the file; a `period` left None here becomes the file's period.
        objective = Objective(id="", team="", title="", period=None)  # type: ignore[arg-type]
        if self.fill(objective, node, schema.OBJECTIVE, _OBJECTIVE) is None:
            return None
        self._derive_kr_ids(objective)
        self._check_unique(objective.key_results, f"key result of objective '{objective.id}'")
        self._check_unique(
            [i for i in objective.initiatives if i.id], f"initiative of objective '{objective.id}'"
        )
        for initiative in objective.initiatives:
            # While reading, `moves` holds Reader.idents' (id, node) pairs; ids alone from here.
            pending = cast("list[tuple[str, Node]]", initiative.moves)
            self.moves.extend((objective, kr_id, item) for kr_id, item in pending)
            initiative.moves = [kr_id for kr_id, _ in pending]
        return objective

    def key_result(self, node: Node) -> KeyResult | None:
        """One key result; its id is derived from the title when absent."""
        # `id` stays None without one in the file, until _derive_kr_ids makes it from the title.
        blank = KeyResult(id=None, title="")  # type: ignore[arg-type]
        kr = self.fill(blank, node, schema.KEY_RESULT, _KEY_RESULT)
        if kr is not None and node.__class__ is Map:  # fill() reads mappings only
            self._check_kr_type(kr, node)
        return kr

    def initiative(self, node: Node) -> Initiative | None:
        """One initiative; `moves` keeps its nodes until the objective's KR ids are known."""
        return self.fill(Initiative(title=""), node, schema.INITIATIVE, _INITIATIVE)

    def check_in(self, node: Node) -> CheckIn | None:
        """One check-in of a key result."""
        return self.fill(CheckIn(on=date.min), node, schema.CHECK_IN, _CHECK_IN)

    def _check_kr_type(self, kr: KeyResult, node: Map) -> None:
        """A range KR needs its healthy range; a healthy range means nothing on other types."""
        entries = node.entries
        written = entries["type"].value if "type" in entries else None
        if written is not None and getattr(written, "value", None) not in schema.KR_TYPE:
            return  # the type itself is wrong and already reported
        if kr.type == "range" and "healthy" not in entries:
            self.add(node, "a key result of type range needs 'healthy' (e.g. \"95..100\")")
        elif kr.type != "range" and kr.healthy is not None:
            self.add(
                entries["healthy"],
                "'healthy' applies to key results of type range; add 'type: range'",
            )

    def _derive_kr_ids(self, objective: Objective) -> None:
        krs = objective.key_results
        ids = schema.derive_ids((kr.title for kr in krs), (kr.id for kr in krs))
        for kr, kr_id in zip(krs, ids, strict=True):
            if kr.id is None:
                kr.id, kr.id_given = kr_id, False

    def _check_unique(self, objects: list[Any], what: str) -> dict[str, Any]:
        """Report ids given twice among objects of one kind; return id -> first object."""
        seen: dict[str, Any] = {}
        for obj in objects:
            if not obj.id:
                continue
            first = seen.setdefault(obj.id, obj)
            if first is not obj:
                at = self.id_at.get(id(obj))
                message = (
                    f"duplicate id '{obj.id}': another {what} has it (line {first.line});"
                    " ids are unique within their kind"
                )
                line, column = (at.line, at.column) if at is not None else (obj.line, None)
                self.problems.append(Problem(self.path, line, column, message))
        return seen

    def check_references(self, plan: Plan) -> None:
        """Report duplicate ids, references to unknown ids and loops in the org chart."""
        known = {
            "team": self._check_unique(plan.teams, "team"),
            "lever": self._check_unique(plan.levers, "lever"),
            "objective": self._check_unique(plan.objectives, "objective"),
            "KPI": self._check_unique(plan.kpis, "KPI"),
        }
        for kind, value, node in self.refs:
            if value not in known[kind]:
                self._unknown(node, kind, value, list(known[kind]), f"{kind}s in this file")
        for objective, value, node in self.moves:
            kr_ids = [kr.id for kr in objective.key_results]
            if value not in kr_ids:
                where = f"key results of objective '{objective.id}'"
                self._unknown(node, "key result", value, kr_ids, where)
        self._check_team_loops(plan.teams)

    def _unknown(self, node: Node, kind: str, value: str, ids: list[str], where: str) -> None:
        """Report a reference to an id that does not exist, with the closest and a few valid ids."""
        message = f"unknown {kind} '{value}'"
        if not ids:
            self.add(node, f"{message}; there are no {where}")
            return
        self.unknown_count += 1
        if self.unknown_count <= _SUGGESTED_REFERENCES:
            message += suggestion(value, ids)
        shown = ", ".join(ids[:_LISTED_IDS]) + (", ..." if len(ids) > _LISTED_IDS else "")
        self.add(node, f"{message}; {where}: {shown}")

    def _check_team_loops(self, teams: list[Team]) -> None:
        """The org chart is a tree: following `parent` must never come back to a team."""
        parents = {team.id: team.parent for team in teams}
        settled: set[str] = set()
        for team in teams:
            chain: list[str] = []
            current: str | None = team.id
            while current is not None and current in parents and current not in settled:
                if current in chain:
                    loop = " → ".join([*chain[chain.index(current) :], current])
                    message = f"team parents form a loop: {loop}; the org chart must be a tree"
                    self.problems.append(Problem(self.path, team.line, None, message))
                    break
                chain.append(current)
                current = parents[current]
            settled.update(chain)
