"""One operation, one door: for every operation both faces offer, the web view and the API
endpoint call the same action, so both give the same refusals and leave the same history.

Read from the source, not run: each face function's calls are resolved through its module's
imports, following the module's own helpers and the actions an action hands over to (`do_x`
calling `do_y`). A face that stops calling the shared action, or an action that stops handing
over to it, fails here by name.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVER = "constellation.server"
WEB = f"{SERVER}.web.views"
API = f"{SERVER}.api.routers"
# How deep an action may hand over to another one (do_check_in → do_check_in_many).
HANDOVERS = 4


@dataclass(frozen=True, slots=True)
class Door:
    """An operation, the action both faces must reach, and the faces' functions."""

    operation: str
    action: str  # `module:function`, the module under constellation.server
    web: tuple[str, ...]  # `module:function` under web.views (or a full dotted module)
    api: tuple[str, ...]  # `module:function` under api.routers


DOORS = (
    Door(
        "edit an objective",
        "okrs.actions:do_edit_objective",
        web=("objectives:edit_objective", "drafting:edit_objective"),
        api=("okrs:patch_objective",),
    ),
    Door(
        "create an objective",
        "okrs.drafting:do_create_objective",
        web=("drafting:new_objective",),
        api=("okrs:create_objective",),
    ),
    Door(
        "create a key result",
        "okrs.drafting:do_create_key_result",
        web=("draft_key_results:new_key_result",),
        api=("drafting:create_key_result",),
    ),
    Door(
        "edit a key result",
        "okrs.actions:do_edit_key_result",
        web=("draft_key_results:edit_key_result",),
        api=("drafting:patch_key_result",),
    ),
    Door(
        "read a key result's measure from its statement",
        "okrs.statements:fill_measure",
        web=("draft_key_results:read_statement", f"{SERVER}.web.draft_forms:KeyResultForm.clean"),
        api=("drafting:create_key_result", "drafting:patch_key_result"),
    ),
    Door(
        "delete a key result",
        "okrs.drafting:do_delete_key_result",
        web=("draft_key_results:delete_key_result",),
        api=("drafting:delete_key_result",),
    ),
    Door(
        "delete an objective",
        "okrs.drafting:do_delete_objective",
        web=("drafting:delete_objective",),
        api=("okrs:delete_objective",),
    ),
    Door(
        "add an initiative",
        "okrs.initiatives:do_create_initiative",
        web=("initiatives:new_initiative",),
        api=("initiatives:create_initiative",),
    ),
    Door(
        "edit an initiative (owner, status, links)",
        "okrs.initiatives:do_update_initiative",
        web=("initiatives:edit_initiative",),
        api=("initiatives:update_initiative",),
    ),
    Door(
        "delete an initiative",
        "okrs.initiatives:do_delete_initiative",
        web=("initiatives:delete_initiative",),
        api=("initiatives:delete_initiative",),
    ),
    Door(
        "choose what an initiative moves",
        "okrs.initiatives:do_set_initiative_moves",
        web=("draft_key_results:initiative_moves",),
        api=("initiatives:put_initiative_moves",),
    ),
    Door(
        "check in",
        "tracking.actions:do_check_in_many",
        web=("objectives:check_in", "my_week:my_week_page"),
        api=("tracking:create_check_in",),
    ),
    Door(
        "correct a check-in",
        "tracking.actions:do_edit_check_in",
        web=("check_ins:correct_check_in",),
        api=("tracking:patch_check_in",),
    ),
    Door(
        "delete a check-in",
        "tracking.actions:do_delete_check_in",
        web=("check_ins:delete_check_in",),
        api=("tracking:delete_check_in",),
    ),
    Door("align", "okrs.actions:do_align", web=("alignment:align",), api=("okrs:align",)),
    Door("unalign", "okrs.actions:do_unalign", web=("alignment:unalign",), api=("okrs:unalign",)),
    Door(
        "send a draft for review",
        "sharing.actions:do_send_for_review",
        web=("sharing:send_for_review",),
        api=("sharing:create_review_request",),
    ),
    Door(
        "answer a review request",
        "sharing.actions:do_answer_review",
        web=("review_requests:answer",),
        api=("sharing:answer_review_request",),
    ),
    Door(
        "resubmit after changes",
        "sharing.actions:do_resubmit",
        web=("review_requests:resubmit",),
        api=("sharing:resubmit_review_request",),
    ),
    Door(
        "launch",
        "sharing.actions:do_launch",
        web=("launch:launch_review",),
        api=("sharing:launch_review_request",),
    ),
    Door(
        "ask another team for support",
        "sharing.actions:do_ask_dependency",
        web=("dependencies:ask",),
        api=("sharing:create_dependency",),
    ),
    Door(
        "answer a dependency",
        "sharing.actions:do_answer_dependency",
        web=("dependencies:answer_dependency",),
        api=("sharing:answer_dependency",),
    ),
    Door(
        "grade and decide in the quarterly review",
        "quarterly.actions:do_review_objective",
        web=("quarterly_review:review_objective",),
        api=("quarterly:put_review",),
    ),
    Door(
        "write the team's reflection",
        "quarterly.actions:do_save_reflection",
        web=("quarterly_review:save_reflection",),
        api=("quarterly:put_reflection",),
    ),
    Door(
        "finish the quarterly review",
        "quarterly.actions:do_finish_review",
        web=("quarterly_review:finish_review",),
        api=("quarterly:finish",),
    ),
    Door(
        "reopen a finished quarterly review",
        "quarterly.actions:do_reopen_review",
        web=("quarterly_review:reopen_review",),
        api=("quarterly:reopen",),
    ),
    Door(
        "record a learning",
        "quarterly.actions:do_record_learning",
        web=("quarterly_review:record_learning",),
        api=("quarterly:create_learning",),
    ),
    Door(
        "record an initiative's result",
        "quarterly.actions:do_record_initiative_result",
        web=("quarterly_review:record_result",),
        api=("quarterly:create_result",),
    ),
    Door(
        "define a KPI",
        "kpis.actions:do_create_kpi",
        web=("kpis:new_kpi",),
        api=("kpis:create_kpi",),
    ),
    Door(
        "edit a KPI", "kpis.actions:do_update_kpi", web=("kpis:edit_kpi",), api=("kpis:update_kpi",)
    ),
    Door(
        "delete a KPI",
        "kpis.actions:do_delete_kpi",
        web=("kpis:delete_kpi",),
        api=("kpis:delete_kpi",),
    ),
    # The API's own door (and the CLI's `okr import` goes through `import_plan`, which it
    # hands over to): the web app imports no files.
    Door(
        "import an OKR file",
        "plans.transfer:do_import_file",
        web=(),
        api=("imports:create_import",),
    ),
    Door(
        "record KPI readings",
        "kpis.actions:do_record_readings",
        web=("kpis:add_reading", "kpis:upload_readings", "kpis:upload_many"),
        api=("kpis:create_reading", "kpis:upload_readings", "kpis:upload_many"),
    ),
    Door(
        "promote a KPI", "kpis.actions:do_promote_kpi", web=("kpis:promote",), api=("kpis:promote",)
    ),
    Door(
        "set up a data source",
        "sources.actions:do_set_source",
        web=("sources:key_result_source", "sources:kpi_source"),
        api=("sources:set_key_result_source", "sources:set_kpi_source"),
    ),
    Door(
        "remove a data source",
        "sources.actions:do_remove_source",
        web=("sources:key_result_source", "sources:kpi_source"),
        api=("sources:remove_key_result_source", "sources:remove_kpi_source"),
    ),
    Door(
        "test a data source now",
        "sources.actions:test_source",
        web=("sources:key_result_source", "sources:kpi_source"),
        api=("sources:test_key_result_source", "sources:test_kpi_source"),
    ),
    Door(
        "save the strategy",
        "strategy.actions:do_save_strategy",
        web=("strategy:save_strategy",),
        api=("strategy:put_strategy",),
    ),
    Door(
        "add a lever",
        "strategy.actions:do_create_lever",
        web=("strategy:create_lever",),
        api=("strategy:create_lever",),
    ),
    Door(
        "edit a lever",
        "strategy.actions:do_update_lever",
        web=("strategy:edit_lever",),
        api=("strategy:update_lever",),
    ),
    Door(
        "add a roadmap item",
        "strategy.actions:do_create_roadmap_item",
        web=("strategy:create_item",),
        api=("strategy:create_roadmap_item",),
    ),
    Door(
        "edit a roadmap item",
        "strategy.actions:do_update_roadmap_item",
        web=("strategy:edit_item",),
        api=("strategy:update_roadmap_item",),
    ),
    Door(
        "record the organisation's readiness",
        "orgs.actions:do_record_readiness",
        web=("readiness:readiness",),
        api=("strategy:put_readiness",),
    ),
    Door(
        "create an API token",
        "tokens.actions:do_create_token",
        web=("tokens:tokens",),
        api=("tokens:create_token",),
    ),
    Door(
        "revoke an API token",
        "tokens.actions:do_revoke_token",
        web=("tokens:revoke_token",),
        api=("tokens:revoke_token",),
    ),
    Door(
        "mark notifications read",
        "notifications.actions:do_mark_read",
        web=("notifications:mark_read", "notifications:mark_all_read"),
        api=("notifications:read_one", "notifications:read_all"),
    ),
    Door(
        "set the check-in cadence",
        "tracking.actions:do_set_cadence",
        web=("reminders:reminder_settings",),
        api=("reminders:change_cadence",),
    ),
    Door(
        "invite people",
        "people.actions:do_invite",
        web=("people:people",),
        api=("people:create_invitations",),
    ),
    Door(
        "revoke an invitation",
        "people.actions:do_revoke_invitation",
        web=("people:revoke_invitation",),
        api=("people:revoke_invitation",),
    ),
    Door(
        "change a person's role",
        "people.actions:do_change_role",
        web=("people:change_role",),
        api=("people:patch_member",),
    ),
    Door(
        "deactivate a person",
        "people.actions:do_deactivate",
        web=("people:deactivate",),
        api=("people:deactivate_member", "people:patch_member"),
    ),
    Door(
        "reactivate a person",
        "people.actions:do_reactivate",
        web=("people:reactivate",),
        api=("people:patch_member",),
    ),
    Door(
        "create a team",
        "orgs.actions:do_create_team",
        web=("teams_manage:teams_page",),
        api=("teams:create_team",),
    ),
    Door(
        "edit a team",
        "orgs.actions:do_edit_team",
        web=("teams_manage:team_settings",),
        api=("teams:patch_team",),
    ),
    Door(
        "add a team member",
        "orgs.actions:do_add_team_member",
        web=("teams_manage:team_members",),
        api=("teams:patch_team",),
    ),
    Door(
        "remove a team member",
        "orgs.actions:do_remove_team_member",
        web=("teams_manage:team_members",),
        api=("teams:patch_team",),
    ),
    Door(
        "archive a team",
        "orgs.actions:do_archive_team",
        web=("teams_manage:team_archive",),
        api=("teams:archive_team", "teams:patch_team"),
    ),
    Door(
        "bring back an archived team",
        "orgs.actions:do_unarchive_team",
        web=("teams_manage:team_archive",),
        api=("teams:patch_team",),
    ),
    Door(
        "import objectives and key results from a spreadsheet",
        "plans.sheets_import:do_import_sheet",
        web=("sheets:import_sheet", "sheets:apply_sheet"),
        api=("spreadsheets:import_spreadsheet",),
    ),
    Door(
        "export a period's OKRs as spreadsheets",
        "plans.sheets:export_tables",
        web=("sheets:export_xlsx", "sheets:export_csv", "sheets:export_check_ins"),
        api=(
            "spreadsheets:export_xlsx",
            "spreadsheets:export_csv",
            "spreadsheets:export_check_ins",
        ),
    ),
    Door(
        "subscribe a webhook",
        "integrations.actions:do_create_webhook",
        web=("integrations:integrations",),
        api=("webhooks:create_webhook", "webhooks:create_channel"),
    ),
    Door(
        "change or disable a webhook",
        "integrations.actions:do_update_webhook",
        web=("integrations:webhook", "integrations:webhook_enabled"),
        api=("webhooks:patch_webhook", "webhooks:patch_channel"),
    ),
    Door(
        "delete a webhook",
        "integrations.actions:do_delete_webhook",
        web=("integrations:webhook_delete",),
        api=("webhooks:delete_webhook", "webhooks:delete_channel"),
    ),
    Door(
        "rotate a webhook's signing secret",
        "integrations.actions:do_rotate_webhook_secret",
        web=("integrations:webhook_rotate",),
        api=("webhooks:rotate_webhook_secret",),
    ),
    Door(
        "send a webhook a test event",
        "integrations.actions:do_send_test_event",
        web=("integrations:webhook_test",),
        api=("webhooks:send_test_event", "webhooks:send_channel_test"),
    ),
)


@dataclass(frozen=True, slots=True)
class Module:
    """A module's functions (and methods, as `Class.method`) and what its names import."""

    name: str
    functions: dict[str, ast.FunctionDef]
    names: dict[str, str]  # local name → `module:function`, or `module` for a module


def _is_module(dotted: str) -> bool:
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def source_of(dotted: str) -> str:
    """The text of one module of the project."""
    path = ROOT.joinpath(*dotted.split("."))
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    return path.read_text(encoding="utf-8")


@cache
def module(dotted: str) -> Module:
    """One module of the project, parsed."""
    return parse(dotted, source_of(dotted))


def parse(dotted: str, source: str) -> Module:
    """A module's functions and imports, from its source."""
    tree = ast.parse(source)
    functions: dict[str, ast.FunctionDef] = {}
    names: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            functions[node.name] = node
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    functions[f"{node.name}.{item.name}"] = item
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                whole = f"{node.module}.{alias.name}"
                target = whole if _is_module(whole) else f"{node.module}:{alias.name}"
                names[alias.asname or alias.name] = target
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
    return Module(dotted, functions, names)


# A module read from other source than its file (to check that this test would notice).
REPLACED: dict[str, Module] = {}


def _defined(target: str) -> tuple[Module, ast.FunctionDef] | None:
    """The module and definition of `module:function`, following re-exports."""
    name, _, function = target.partition(":")
    if not name.startswith("constellation.") or not _is_module(name):
        return None
    found = REPLACED.get(name) or module(name)
    if function in found.functions:
        return found, found.functions[function]
    imported = found.names.get(function)
    return _defined(imported) if imported and ":" in imported else None


def _callee(found: Module, call: ast.Call) -> str | None:
    """What a call names, as `module:function` (this module's own functions included)."""
    func = call.func
    if isinstance(func, ast.Name):
        if func.id in found.functions:
            return f"{found.name}:{func.id}"
        target = found.names.get(func.id)
        return target if target and ":" in target else None
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        owner = found.names.get(func.value.id)
        if owner and ":" not in owner:
            return f"{owner}:{func.attr}"
    return None


def reached(target: str) -> set[str]:
    """Every function `target` calls: its module's helpers followed, and actions followed
    into the actions they hand over to (resolved, re-exports included)."""
    calls: set[str] = set()
    explored: set[str] = set()
    pending = [(target, 0)]
    while pending:
        current, handovers = pending.pop()
        found = _defined(current)
        if found is None:
            continue
        here, definition = found
        resolved = f"{here.name}:{definition.name}"
        if resolved in explored:
            continue
        explored.add(resolved)
        for call in (node for node in ast.walk(definition) if isinstance(node, ast.Call)):
            callee = _callee(here, call)
            if callee is None:
                continue
            calls.add(callee)
            name, _, function = callee.partition(":")
            if name == here.name:
                pending.append((callee, handovers))  # a helper of the same module
            elif function.startswith(("do_", "check_")) and handovers < HANDOVERS:
                pending.append((callee, handovers + 1))
    return {_canonical(item) for item in calls}


def _canonical(target: str) -> str:
    found = _defined(target)
    return f"{found[0].name}:{found[1].name}" if found is not None else target


def _face(prefix: str, short: str) -> str:
    return short if short.startswith(SERVER) else f"{prefix}.{short}"


def _action(door: Door) -> str:
    return f"{SERVER}.{door.action}"


@pytest.mark.parametrize("door", DOORS, ids=[door.operation for door in DOORS])
def test_the_web_and_the_api_go_through_the_same_action(door: Door) -> None:
    action = _action(door)
    assert _defined(action) is not None, f"{door.action} is not defined"
    for face, functions in (("web", (WEB, door.web)), ("api", (API, door.api))):
        prefix, names = functions
        for short in names:
            target = _face(prefix, short)
            assert _defined(target) is not None, f"{face} has no {short}"
            assert action in reached(target), (
                f"to {door.operation}, the {face}'s {short} must call {door.action}"
            )


def test_every_action_an_endpoint_calls_is_one_the_web_shares_or_is_listed() -> None:
    """A new endpoint calling an action the list does not name fails here, so the list (and
    the web's door to it) is kept up to date."""
    listed = {_action(door) for door in DOORS}
    shared = set().union(*(reached(_action(door)) for door in DOORS))
    routers = ROOT.joinpath(*API.split("."))
    missing = []
    for path in sorted(routers.glob("*.py")):
        found = module(f"{API}.{path.stem}")
        for name in found.functions:
            for called in reached(f"{found.name}:{name}"):
                function = called.partition(":")[2]
                if function.startswith("do_") and called not in listed | shared:
                    missing.append(f"{path.stem}.{name} → {called}")
    assert not missing, "endpoints calling actions no door lists:\n" + "\n".join(missing)


CHECK_IN_WRITES = {"CheckIn", "CheckIn.objects.create", "CheckIn.objects.bulk_create"}


def _check_in_writers() -> set[str]:
    """Every function of the server that makes or saves check-in rows itself."""
    writers = set()
    for path in sorted(ROOT.joinpath("constellation", "server").rglob("*.py")):
        dotted = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        if ".demo." in dotted or ".migrations." in dotted or dotted.endswith(".models"):
            continue
        for name, definition in module(dotted).functions.items():
            for call in (n for n in ast.walk(definition) if isinstance(n, ast.Call)):
                if ast.unparse(call.func) in CHECK_IN_WRITES:
                    writers.add(f"{dotted}:{name}")
    return writers


def test_a_check_in_is_written_in_one_place() -> None:
    """Check-in rows are made only by `do_check_in_many` (the OKR-file import and the demo
    load rows as a file or a script states them: they are not check-ins someone makes)."""
    many = f"{SERVER}.tracking.actions:do_check_in_many"
    row = f"{SERVER}.tracking.actions:_check_in"
    allowed = {
        many,
        row,
        f"{SERVER}.plans.transfer_import:Importer.import_check_in",
        # The import's existing check-ins, read as plain rows, become model rows to update.
        f"{SERVER}.plans.transfer_export:CheckInRow.as_model",
    }
    writers = _check_in_writers()
    assert writers <= allowed, f"check-ins written outside do_check_in_many: {writers - allowed}"
    actions = module(f"{SERVER}.tracking.actions")
    callers = {
        name
        for name, definition in actions.functions.items()
        if any(
            isinstance(call, ast.Call) and _callee(actions, call) == row
            for call in ast.walk(definition)
        )
    }
    assert callers == {"do_check_in_many"}
    for caller in ("tracking.actions:do_check_in", "tracking.actions:do_check_ins"):
        assert many in reached(f"{SERVER}.{caller}"), caller
    assert many in reached(f"{SERVER}.kpis.feed:feed_key_results")


@pytest.mark.parametrize(
    ("face", "action"),
    [
        (f"{WEB}.objectives:edit_objective", "do_edit_objective("),
        (f"{API}.okrs:patch_objective", "actions.do_edit_objective("),
        (f"{API}.tracking:create_check_in", "do_check_in("),
        (f"{SERVER}.tracking.actions:do_check_in", "do_check_in_many("),
    ],
)
def test_a_face_or_action_that_stops_calling_its_door_is_caught(face: str, action: str) -> None:
    """The check itself: the same module with the call to its action replaced by a write of
    its own no longer reaches the action."""
    name = face.partition(":")[0]
    source = source_of(name)
    assert action in source
    door = f"{SERVER}.okrs.actions:do_edit_objective"
    if "check_in" in action:
        door = f"{SERVER}.tracking.actions:do_check_in_many"
    assert door in reached(face)
    REPLACED[name] = parse(name, source.replace(action, "write_it_myself("))
    try:
        assert door not in reached(face)
    finally:
        del REPLACED[name]
