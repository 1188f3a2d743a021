"""Organisation scoping in one place: every tenant-owned model's manager can `restrict` itself.

`Model.objects.restrict(organization)` keeps the rows of one organisation, following the path
from the model to its organisation (`organization`, `objective__organization`, ...). The
`access_*` functions start every read from it, so no lookup can forget the tenant.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self, TypeVar

from django.db import models

ModelT = TypeVar("ModelT", bound=models.Model)


class OrganizationQuerySet(models.QuerySet[ModelT, ModelT]):
    """A queryset that knows the path from its model to the organisation that owns each row."""

    organization_path: ClassVar[str] = "organization"

    def restrict(self, organization: Any) -> Self:
        """The rows that belong to `organization` (an Organization or an Access)."""
        organization = getattr(organization, "organization", organization)
        return self.filter(**{self.organization_path: organization})


class ByKpi(OrganizationQuerySet[ModelT]):
    """Rows that belong to their KPI's organisation."""

    organization_path = "kpi__organization"


class BySource(OrganizationQuerySet[ModelT]):
    """Alignments, which belong to their source objective's organisation."""

    organization_path = "source__organization"


class ByObjective(OrganizationQuerySet[ModelT]):
    """Rows that belong to their objective's organisation."""

    organization_path = "objective__organization"


class ByInitiative(OrganizationQuerySet[ModelT]):
    """Rows that belong to their initiative's organisation (an initiative's links)."""

    organization_path = "initiative__objective__organization"


class ByRequest(OrganizationQuerySet[ModelT]):
    """Reviewers, who belong to their review request's organisation."""

    organization_path = "request__organization"


class ByKeyResult(OrganizationQuerySet[ModelT]):
    """Rows that belong to their key result's organisation."""

    organization_path = "key_result__objective__organization"
