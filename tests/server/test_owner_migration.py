"""Organisations made before owners existed get their first admin as owner on upgrade."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("orgs", "0004_team_version")]
AFTER = [("orgs", "0005_first_admin_of_each_organisation_becomes_owner")]


@pytest.mark.django_db(transaction=True)
def test_the_first_admin_of_each_organisation_becomes_its_owner() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    User = apps.get_model("auth", "User")
    Organization = apps.get_model("orgs", "Organization")
    Membership = apps.get_model("orgs", "Membership")
    old = Organization.objects.create(slug="old", name="Old")
    owned = Organization.objects.create(slug="owned", name="Owned")
    first, second, third = (User.objects.create(username=name) for name in ("a", "b", "c"))
    Membership.objects.create(organization=old, user=first, role="admin")
    Membership.objects.create(organization=old, user=second, role="admin")
    Membership.objects.create(organization=owned, user=first, role="admin")
    Membership.objects.create(organization=owned, user=third, role="owner")
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    Membership = apps.get_model("orgs", "Membership")
    roles = {
        (m.organization.slug, m.user.username): m.role
        for m in Membership.objects.select_related("organization", "user")
    }
    assert roles == {
        ("old", "a"): "owner",
        ("old", "b"): "admin",
        ("owned", "a"): "admin",
        ("owned", "c"): "owner",
    }
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
