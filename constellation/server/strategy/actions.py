"""Every write to the strategy: vision and mission per year, levers and roadmap items.

Each `do_*` checks who is writing (leaders and admins shape the strategy), validates its input
(`ActionError` names the field), writes in one transaction, records the change in the audit
history and refuses an edit that started from an older version (`Conflict`).
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError
from django.db.models import F, Max, Model
from django.utils import timezone
from django.utils.text import slugify

from constellation.core.periods import is_period, parse_period
from constellation.server.audit import changes as writes
from constellation.server.audit.actions import record, snapshot
from constellation.server.errors import ActionError, Conflict, NotAllowed
from constellation.server.okrs.actions import open_period
from constellation.server.okrs.models import Period
from constellation.server.orgs.access import Access
from constellation.server.strategy.access import can_edit_strategy, valid_year
from constellation.server.strategy.models import Focus, Lever, RoadmapItem, Strategy

STRATEGISTS_ONLY = (
    "Only leaders and admins of the organisation change its strategy; "
    "everyone else reads it. Ask a leader to make this change."
)
TEXT_LIMIT = 5000
TITLE_LIMIT = 300
LEVER_FIELDS = ("title", "description", "focus", "retired")
ITEM_FIELDS = ("title", "lever", "period", "status")


def require_strategist(access: Access) -> None:
    """Refuse a write to the strategy by anyone but a leader or an admin (members: NotAllowed)."""
    access.require_write()
    if not can_edit_strategy(access):
        raise NotAllowed(STRATEGISTS_ONLY)


def _text(field: str, value: Any, limit: int, *, required: bool = False) -> str:
    """Stripped text within its limit; ActionError naming the field otherwise."""
    text = str(value or "").strip()
    if required and not text:
        raise ActionError(field, f"the {field} cannot be empty")
    if len(text) > limit:
        raise ActionError(field, f"the {field} is {len(text)} characters long; at most {limit}")
    return text


def _stale(kind: str, current: int, expected: int) -> Conflict:
    return Conflict(
        current,
        f"This {kind} was changed by someone else since you opened it (now at version "
        f"{current}, yours was {expected}). Reload to see their change, then apply yours again.",
    )


def _versioned_update(row: Model, values: dict[str, Any], expected_version: int, kind: str) -> None:
    """Write `values` only if the row is still at `expected_version`, bumping it."""
    model = type(row)
    if not values:  # nothing to write, but a stale form is still told so
        current = model._default_manager.filter(pk=row.pk).values_list("version", flat=True).first()
        if current != expected_version:
            raise _stale(kind, current or expected_version, expected_version)
        return
    updated = model._default_manager.filter(pk=row.pk, version=expected_version).update(
        **values, version=F("version") + 1
    )
    if not updated:
        current = model._default_manager.filter(pk=row.pk).values_list("version", flat=True).first()
        raise _stale(kind, current or expected_version, expected_version)
    row.refresh_from_db()


def do_save_strategy(
    access: Access,
    year: int,
    *,
    vision: str,
    mission: str,
    expected_version: int,
    actor: Any,
) -> Strategy:
    """Write `year`'s vision and mission; `expected_version` 0 means none existed when read."""
    require_strategist(access)
    if not valid_year(year):
        raise ActionError("year", f"{year} is not a year a strategy can be written for")
    values = {
        "vision": _text("vision", vision, TEXT_LIMIT),
        "mission": _text("mission", mission, TEXT_LIMIT),
    }
    organization = access.organization
    with writes.atomic():
        row = Strategy.objects.filter(organization=organization, year=year).first()
        if row is None:
            if expected_version != 0:
                raise _stale("strategy", 0, expected_version)
            try:
                with writes.atomic():
                    row = Strategy.objects.create(organization=organization, year=year, **values)
            except IntegrityError:  # someone wrote the same year's strategy a moment ago
                raise _stale("strategy", 1, expected_version) from None
            record(organization.pk, actor, "create", row, after=snapshot(row, list(values)))
            return row
        before = snapshot(row, list(values))
        _versioned_update(row, values, expected_version, "strategy")
        record(organization.pk, actor, "update", row, before=before, after=snapshot(row, [*values]))
    return row


def _focus(value: Any) -> str:
    focus = str(value or "")
    if focus and focus not in Focus.values:
        raise ActionError("focus", f"the focus must be one of {', '.join(Focus.values)}, or none")
    return focus


def _new_slug(access: Access, title: str) -> str:
    """A lever id from its title, unique in the organisation (`-2`, `-3`... when taken)."""
    base = (slugify(title)[:55].strip("-")) or "lever"
    taken = set(
        Lever.objects.filter(organization=access.organization, slug__startswith=base).values_list(
            "slug", flat=True
        )
    )
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def do_create_lever(
    access: Access, *, title: str, description: str = "", focus: str = "", actor: Any
) -> Lever:
    """Add a strategic bet at the end of the list, with an id made from its title."""
    require_strategist(access)
    values = {
        "title": _text("title", title, TITLE_LIMIT, required=True),
        "description": _text("description", description, TEXT_LIMIT),
        "focus": _focus(focus),
    }
    with writes.atomic():
        levers = Lever.objects.select_for_update().filter(organization=access.organization)
        last = levers.aggregate(last=Max("position"))["last"]
        lever = Lever.objects.create(
            organization=access.organization,
            slug=_new_slug(access, values["title"]),
            position=0 if last is None else last + 1,
            **values,
        )
        record(access.organization.pk, actor, "create", lever, after=snapshot(lever))
    return lever


def do_update_lever(
    access: Access,
    lever: Lever,
    changes: dict[str, Any],
    *,
    expected_version: int,
    actor: Any,
) -> Lever:
    """Edit, retire (`retired: True`) or bring back a lever, unless edited since the version."""
    require_strategist(access)
    unknown = set(changes) - set(LEVER_FIELDS)
    if unknown:
        raise ActionError(sorted(unknown)[0], "this field cannot be changed here")
    values: dict[str, Any] = {}
    if "title" in changes:
        values["title"] = _text("title", changes["title"], TITLE_LIMIT, required=True)
    if "description" in changes:
        values["description"] = _text("description", changes["description"], TEXT_LIMIT)
    if "focus" in changes:
        values["focus"] = _focus(changes["focus"])
    if "retired" in changes and bool(changes["retired"]) != (lever.retired_at is not None):
        values["retired_at"] = timezone.now() if changes["retired"] else None
    with writes.atomic():
        names = list(values)
        before = snapshot(lever, names)
        _versioned_update(lever, values, expected_version, "lever")
        action = "update"
        if "retired_at" in values:
            action = "retire" if values["retired_at"] else "restore"
        record(
            access.organization.pk,
            actor,
            action,
            lever,
            before=before,
            after=snapshot(lever, names),
        )
    return lever


def period_for_key(access: Access, key: str | None, actor: Any) -> Period | None:
    """The organisation's period `key`, created when missing (a roadmap may look ahead)."""
    if key is None or key == "":
        return None
    if not is_period(key):
        raise ActionError("period", f"{key!r} is not a period: use YYYY-Qn (2026-Q3) or YYYY")
    calendar = parse_period(key)
    if not valid_year(calendar.start.year):
        raise ActionError("period", f"{key} is too far from today to plan for")
    return open_period(access.organization, calendar, actor)[0]


def _item_values(access: Access, changes: dict[str, Any], actor: Any) -> dict[str, Any]:
    """Validated column values of a roadmap item from what the caller sent."""
    values: dict[str, Any] = {}
    if "title" in changes:
        values["title"] = _text("title", changes["title"], TITLE_LIMIT, required=True)
    if "status" in changes:
        status = str(changes["status"] or "")
        if status not in RoadmapItem.Status.values:
            choices = ", ".join(RoadmapItem.Status.values)
            raise ActionError("status", f"the status must be one of {choices}")
        values["status"] = status
    if "lever" in changes:
        lever = changes["lever"]
        if lever is not None and lever.organization_id != access.organization.pk:
            raise ActionError("lever", "no such lever")
        values["lever"] = lever
    if "period" in changes:
        values["period"] = period_for_key(access, changes["period"], actor)
    return values


def do_create_roadmap_item(
    access: Access,
    *,
    title: str,
    lever: Lever | None,
    period: str | None,
    status: str = RoadmapItem.Status.PLANNED,
    actor: Any,
) -> RoadmapItem:
    """Put a piece of planned work on the roadmap, under the lever it serves."""
    require_strategist(access)
    changes = {"title": title, "lever": lever, "period": period, "status": status}
    with writes.atomic():
        values = _item_values(access, changes, actor)
        item = RoadmapItem.objects.create(organization=access.organization, **values)
        record(access.organization.pk, actor, "create", item, after=snapshot(item))
    return item


def do_update_roadmap_item(
    access: Access,
    item: RoadmapItem,
    changes: dict[str, Any],
    *,
    expected_version: int,
    actor: Any,
) -> RoadmapItem:
    """Edit a roadmap item (move it to another lever or quarter, change its status)."""
    require_strategist(access)
    unknown = set(changes) - set(ITEM_FIELDS)
    if unknown:
        raise ActionError(sorted(unknown)[0], "this field cannot be changed here")
    with writes.atomic():
        values = _item_values(access, changes, actor)
        names = list(values)
        before = snapshot(item, names)
        _versioned_update(item, values, expected_version, "roadmap item")
        record(
            access.organization.pk,
            actor,
            "update",
            item,
            before=before,
            after=snapshot(item, names),
        )
    return item
