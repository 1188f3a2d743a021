"""`okr import` and owners: only the organisation's members, and nothing said about anyone else."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from constellation.core import model
from constellation.server.audit.models import AuditEvent
from constellation.server.okrs.models import KeyResult, Objective
from constellation.server.orgs.models import Membership, Organization
from constellation.server.plans.transfer import ImportRefused, import_plan
from tests.server.factories import World
from tests.server.test_import_export import small_plan

pytestmark = pytest.mark.django_db


def fingerprint() -> dict[str, Any]:
    """What an import could change about people and plans, everywhere."""
    return {
        "users": sorted(User.objects.values_list("username", flat=True)),
        "memberships": sorted(Membership.objects.values_list("organization__slug", "user_id")),
        "orgs": Organization.objects.count(),
        "objectives": sorted(Objective.objects.values_list("slug", "version", "owner_id")),
        "key_results": sorted(KeyResult.objects.values_list("slug", "version", "owner_id")),
        "audit": AuditEvent.objects.count(),
    }


def refusal(plan: model.Plan, slug: str = "acme") -> list[str]:
    """The problems an import of `plan` is refused with."""
    with pytest.raises(ImportRefused) as refused:
        import_plan(plan, slug)
    return refused.value.problems


def test_an_owner_of_another_organisation_is_refused_and_not_enrolled(world: World) -> None:
    before = fingerprint()
    plan = small_plan(owner="outsider")
    plan.path = "okrs.yaml"
    assert refusal(plan) == [
        "okrs.yaml:1:1: owner 'outsider' is not a member of this organisation: add them to it "
        "first, or leave the owner out"
    ]
    assert fingerprint() == before
    assert not Membership.objects.filter(organization=world.org, user=world.outsider).exists()


def test_a_username_elsewhere_and_an_unknown_one_get_the_same_answer(world: World) -> None:
    before = fingerprint()
    elsewhere = refusal(small_plan(owner="outsider"))
    unknown = refusal(small_plan(owner="nobody.here"))
    assert [p.replace("outsider", "X") for p in elsewhere] == [
        p.replace("nobody.here", "X") for p in unknown
    ]
    assert fingerprint() == before  # in particular no user "nobody.here" was created


def test_a_key_result_owner_is_refused_at_its_own_line(world: World) -> None:
    plan = small_plan()
    plan.path = "okrs.yaml"
    plan.objectives[0].line = 3
    plan.objectives[0].key_results[1].owner = "outsider"
    plan.objectives[0].key_results[1].line = 12
    assert refusal(plan) == [
        "okrs.yaml:12:1: owner 'outsider' is not a member of this organisation: add them to it "
        "first, or leave the owner out"
    ]


def test_an_import_that_creates_its_organisation_enrols_nobody(world: World) -> None:
    before = fingerprint()
    problems = refusal(small_plan(team="growth", owner="member"), slug="initech")
    assert any("owner 'member' is not a member of this organisation" in p for p in problems)
    assert fingerprint() == before
    assert not Organization.objects.filter(slug="initech").exists()


def test_a_dry_run_refuses_the_same_way(world: World) -> None:
    before = fingerprint()
    with pytest.raises(ImportRefused) as refused:
        import_plan(small_plan(owner="outsider"), "acme", dry_run=True)
    assert "owner 'outsider' is not a member" in refused.value.problems[0]
    assert fingerprint() == before


def test_members_of_any_role_may_own(world: World) -> None:
    plan = small_plan(owner="viewer")
    plan.objectives[0].key_results[1].owner = "admin"
    report = import_plan(plan, "acme")
    assert report.counts()["person"]["unchanged"] == 3
    objective = Objective.objects.get(organization=world.org, slug="activation")
    assert objective.owner == world.viewer
    assert KeyResult.objects.get(objective=objective, slug="time-to-value").owner == world.admin
