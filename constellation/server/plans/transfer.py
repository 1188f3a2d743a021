"""OKR files in and out of the server: `import_plan` (plan → rows) and `export_org` (rows → plan).

An import runs in one transaction: either the whole file lands, audited, or nothing does. A
dry run is the same import rolled back, so what it reports is exactly what would happen.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.db import transaction

from constellation.core import model
from constellation.server.audit import changes as writes
from constellation.server.audit.actions import record
from constellation.server.errors import NotAllowed
from constellation.server.okrs.models import Period
from constellation.server.orgs.access import Access
from constellation.server.orgs.models import Organization
from constellation.server.plans.transfer_export import export_plan
from constellation.server.plans.transfer_import import Importer
from constellation.server.plans.transfer_report import (
    KINDS,
    FieldChange,
    ImportRefused,
    ImportReport,
    ObjectChange,
)

__all__ = [
    "KINDS",
    "ExportError",
    "FieldChange",
    "ImportRefused",
    "ImportReport",
    "ObjectChange",
    "do_import_file",
    "export_org",
    "import_plan",
]

_ORG_SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,60}$")


class ExportError(LookupError):
    """The organisation or period to export does not exist."""


def _organization(slug: str, name: str, report: ImportReport, actor: Any) -> Organization:
    """The organisation to import into, created (or renamed as the file says) when needed."""
    organization = Organization.objects.select_for_update().filter(slug=slug).first()
    if organization is None:
        organization = Organization.objects.create(slug=slug, name=name)
        report.changes.append(ObjectChange("organization", slug, "created"))
        record(organization.pk, actor, "import", organization, after={"slug": slug, "name": name})
    elif organization.name != name:
        change = FieldChange("name", organization.name, name)
        report.changes.append(ObjectChange("organization", slug, "updated", [change]))
        Organization.objects.filter(pk=organization.pk).update(name=name)
        record(
            organization.pk,
            actor,
            "import",
            organization,
            before={"name": organization.name},
            after={"name": name},
        )
        organization.name = name
    else:
        report.unchanged["organization"] += 1
    return organization


def import_plan(
    plan: model.Plan,
    slug: str,
    *,
    actor: Any = None,
    dry_run: bool = False,
    progress: Callable[[str], None] | None = None,
    reason: str = "",
    keep_order: bool = False,
) -> ImportReport:
    """Upsert a plan into organisation `slug` in one transaction; raise ImportRefused if it can't.

    With `dry_run` everything runs and is then rolled back: the report says what would change.
    `keep_order` leaves the rows' positions as they are (see `Importer`).
    """
    if not _ORG_SLUG.match(slug):
        raise ImportRefused(
            [f"organisation {slug!r} is not a valid slug: letters, digits, '-' and '_' (≤ 60)"]
        )
    report = ImportReport(organization=slug, dry_run=dry_run)
    if not reason:
        reason = f"imported from {plan.path}" if plan.path else "imported from an OKR file"
    with writes.atomic():
        organization = _organization(slug, plan.organization, report, actor)
        Importer(
            plan,
            organization,
            report,
            actor=actor,
            reason=reason,
            progress=progress,
            keep_order=keep_order,
        ).run()
        if dry_run:
            transaction.set_rollback(True)
    return report


def do_import_file(
    access: Access, plan: model.Plan, *, actor: Any, dry_run: bool = True
) -> ImportReport:
    """Import an OKR file into the person's own organisation: `import_plan`, the import
    `okr import` runs, in one transaction and audited (a dry run rolled back). Only the
    organisation's admins import: a file may change every team's objectives and its people.
    """
    access.require_write()
    if not access.is_admin:
        raise NotAllowed(
            "Only the organisation's admins import OKR files: a file may change every team's "
            "objectives. Ask an admin for a token, or check the file with a dry run of theirs."
        )
    return import_plan(plan, access.organization.slug, actor=actor, dry_run=dry_run)


def export_org(slug: str, period: str | None = None) -> model.Plan:
    """Organisation `slug` as a core Plan (one period, or all); ExportError when unknown."""
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        raise ExportError(f"no organisation {slug!r}")
    period_row = None
    if period is not None:
        period_row = Period.objects.filter(organization=organization, key=period).first()
        if period_row is None:
            raise ExportError(f"organisation {slug!r} has no period {period!r}")
    return export_plan(organization, period_row)
