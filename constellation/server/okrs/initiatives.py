"""Every write of initiatives: the work expected to move an objective's key results.

An initiative is created (or made from a key result that reads as an output), edited (title,
description, owner, status and its links to the work that tracks it), pointed at the key
results it should move, and deleted. The web app's drawers and the API call these same `do_*`,
so both give the same refusals and leave the same history.

Who may: the objective's owner, a leader, or someone who acts for the objective's team (as for
its key results); viewers write nothing. An edit or a deletion names the version it started
from and is refused (`Conflict`) when someone saved in between. Editing an initiative of a
launched objective needs no reason (the work moves during the quarter); deleting one does, as
deleting a key result does (a pivot the history keeps).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Max

from constellation.core.work_links import WorkLink, detect
from constellation.server.audit import changes as writes
from constellation.server.audit.actions import record, snapshot
from constellation.server.errors import ActionError
from constellation.server.okrs.actions import (
    KEEP,
    Keep,
    given_fields,
    lock_objectives,
    require_key_result_writer,
    require_objective_writer,
    require_pivot_reason,
    stale,
)
from constellation.server.okrs.drafting import lock_key_result, taken_slugs, unique_slug
from constellation.server.okrs.models import Initiative, InitiativeLink, KeyResult, Objective
from constellation.server.orgs.access import Access, is_member

MAX_LINKS = 20
MAX_DESCRIPTION = 5000
STATUSES = tuple(Initiative.Status.values)


@dataclass(slots=True)
class InitiativeInput:
    """A new initiative: what the "Add an initiative" form and the API's POST send."""

    title: str
    moves: list[KeyResult] = field(default_factory=list)
    description: str = ""
    owner: Any = None  # a member of the organisation, or None for nobody yet
    status: str = Initiative.Status.PLANNED
    links: list[str] = field(default_factory=list)  # web addresses, in the order shown


@dataclass(slots=True)
class InitiativeEdit:
    """An edit of an initiative: the fields it sets; those left at `KEEP` stay as saved.

    `links` replaces the whole list (a form sends every link; an API PATCH the list it wants).
    """

    title: str | Keep = KEEP
    description: str | Keep = KEEP
    owner: Any = KEEP
    status: str | Keep = KEEP
    links: list[str] | Keep = KEEP


def check_links(urls: list[str]) -> list[WorkLink]:
    """The links as read by `core.work_links`, duplicates dropped; `ActionError` on `links`
    naming the first address that is not a web link."""
    if len(urls) > MAX_LINKS:
        raise ActionError("links", f"an initiative keeps at most {MAX_LINKS} links")
    found: dict[str, WorkLink] = {}
    for number, url in enumerate(urls, start=1):
        try:
            link = detect(url)
        except ValueError as error:
            raise ActionError("links", f"link {number}: {error}") from None
        found.setdefault(link.url, link)
    return list(found.values())


def check_initiative_parts(access: Access, values: dict[str, Any]) -> None:
    """Refuse an empty title, an unknown status, a long description or an owner from outside
    the organisation."""
    if "title" in values and not str(values["title"] or "").strip():
        raise ActionError("title", "an initiative needs a title")
    if "title" in values and len(values["title"].strip()) > 300:
        raise ActionError("title", "a title is at most 300 characters")
    if "status" in values and values["status"] not in STATUSES:
        raise ActionError("status", f"choose one of {', '.join(STATUSES)}")
    if len(values.get("description") or "") > MAX_DESCRIPTION:
        raise ActionError("description", f"a description is at most {MAX_DESCRIPTION} characters")
    owner = values.get("owner")
    if owner is not None and not is_member(owner, access.organization):
        raise ActionError("owner", "choose a member of this organisation")


def _link_rows(initiative: Initiative, links: list[WorkLink]) -> list[InitiativeLink]:
    return [
        InitiativeLink(
            initiative=initiative, url=link.url, kind=link.kind, label=link.label, position=i
        )
        for i, link in enumerate(links)
    ]


def do_create_initiative(
    access: Access, objective: Objective, data: InitiativeInput, actor: Any
) -> Initiative:
    """Add an initiative (work expected to move key results) after the objective's others."""
    require_objective_writer(access, objective)
    check_initiative_parts(access, given_fields(data))
    links = check_links(data.links)
    if any(kr.objective_id != objective.pk for kr in data.moves):
        raise ActionError("moves", "choose among this objective's key results")
    with writes.atomic():
        scope = Initiative.objects.filter(objective=objective)
        slug = unique_slug(data.title, taken_slugs(scope, data.title, ""))
        position = scope.aggregate(Max("position"))["position__max"]
        initiative = Initiative.objects.create(
            objective=objective,
            slug=slug,
            title=data.title.strip(),
            description=data.description.strip(),
            owner=data.owner,
            status=data.status,
            position=0 if position is None else position + 1,
        )
        initiative.moves.set(data.moves)
        InitiativeLink.objects.bulk_create(_link_rows(initiative, links))
        after = {
            **snapshot(initiative),
            "moves": sorted(kr.slug for kr in data.moves),
            "links": [link.url for link in links],
        }
        record(access.organization.pk, actor, "create", initiative, after=after)
    return initiative


# The edit's fields and the columns they are saved in.
COLUMNS = {"title": "title", "description": "description", "owner": "owner_id", "status": "status"}


def _changes(
    initiative: Initiative, values: dict[str, Any]
) -> tuple[dict[str, Any], list[WorkLink] | None]:
    """The columns an edit changes, and the new links when they differ from the saved ones."""
    columns: dict[str, Any] = {}
    for name, column in COLUMNS.items():
        if name in values:
            value = values[name]
            value = value.pk if name == "owner" and value is not None else value
            value = value.strip() if isinstance(value, str) else value
            if getattr(initiative, column) != value:
                columns[column] = value
    links = None
    if "links" in values:
        wanted = check_links(values["links"])
        if [link.url for link in wanted] != _urls(initiative):
            links = wanted
    return columns, links


def _urls(initiative: Initiative) -> list[str]:
    return [link.url for link in initiative.links.all()]


def do_update_initiative(
    access: Access,
    initiative: Initiative,
    data: InitiativeEdit,
    *,
    expected_version: int,
    actor: Any,
    reason: str = "",
) -> bool:
    """Apply an edit if nobody saved since `expected_version` (else `Conflict`); False when it
    changes nothing. The links given replace the saved ones."""
    require_objective_writer(access, initiative.objective)
    values = given_fields(data)
    check_initiative_parts(access, values)
    columns, links = _changes(initiative, values)
    if not columns and links is None:
        if initiative.version != expected_version:
            raise stale(initiative, expected_version, "initiative")
        return False
    names = [column.removesuffix("_id") for column in columns]
    with writes.atomic():
        lock_objectives([initiative.objective_id])
        before, after = snapshot(initiative, names), {}
        rows = Initiative.objects.filter(pk=initiative.pk, version=expected_version)
        if not rows.update(**columns, version=F("version") + 1):
            raise stale(initiative, expected_version, "initiative")
        if links is not None:
            before["links"] = _urls(initiative)
            InitiativeLink.objects.filter(initiative=initiative).delete()
            InitiativeLink.objects.bulk_create(_link_rows(initiative, links))
            after["links"] = [link.url for link in links]
        objective = initiative.objective
        initiative.refresh_from_db()
        initiative.objective = objective
        after |= snapshot(initiative, names)
        record(
            access.organization.pk,
            actor,
            "update",
            initiative,
            before=before,
            after=after,
            reason=reason,
        )
    return True


def do_delete_initiative(
    access: Access, initiative: Initiative, *, expected_version: int, actor: Any, reason: str = ""
) -> None:
    """Delete an initiative and its links, keeping what it was in the history. Initiative
    results recorded in a quarterly review keep its title. A launched objective's initiative
    goes only with a reason, as its key results do."""
    require_objective_writer(access, initiative.objective)
    require_pivot_reason(initiative.objective, reason)
    with writes.atomic():
        lock_objectives([initiative.objective_id])
        saved = Initiative.objects.select_for_update().filter(pk=initiative.pk).first()
        if saved is None or saved.version != expected_version:
            raise stale(initiative, expected_version, "initiative")
        before = {
            **snapshot(saved),
            "moves": sorted(saved.moves.values_list("slug", flat=True)),
            "links": _urls(saved),
        }
        record(access.organization.pk, actor, "delete", saved, before=before, reason=reason)
        saved.delete()


def do_set_initiative_moves(
    access: Access, initiative: Initiative, moves: list[KeyResult], actor: Any
) -> None:
    """Choose the key results an initiative is expected to move."""
    require_objective_writer(access, initiative.objective)
    if any(kr.objective_id != initiative.objective_id for kr in moves):
        raise ActionError("moves", "choose among this objective's key results")
    with writes.atomic():
        before = sorted(kr.slug for kr in initiative.moves.all())
        initiative.moves.set(moves)
        after = sorted(kr.slug for kr in moves)
        if before != after:
            record(
                access.organization.pk,
                actor,
                "update",
                initiative,
                before={"moves": before},
                after={"moves": after},
            )


def do_move_to_initiative(
    access: Access, key_result: KeyResult, *, expected_version: int, actor: Any, reason: str = ""
) -> Initiative:
    """Turn a key result that reads as an output into an initiative of the same objective.

    In one transaction: the initiative is created (moving nothing yet: the person chooses
    after), the key result is deleted, and both are recorded with before and after.
    """
    require_key_result_writer(access, key_result)
    objective = key_result.objective
    require_pivot_reason(objective, reason)
    with writes.atomic():
        saved = lock_key_result(key_result, expected_version)
        initiative = do_create_initiative(
            access, objective, InitiativeInput(title=saved.title), actor
        )
        record(
            access.organization.pk,
            actor,
            "move_to_initiative",
            saved,
            before=snapshot(saved),
            after={"initiative": initiative.slug, "title": initiative.title},
            reason=reason,
        )
        saved.delete()
    return initiative
