"""Alignment links over the API: add (refusing cycles, naming them) and remove."""

from __future__ import annotations

import pytest

from constellation.server.audit.models import AuditEvent
from constellation.server.okrs.models import Alignment
from constellation.server.orgs.models import Team
from tests.server.api_helpers import ApiClient, client_for
from tests.server.factories import World, make_objective
from tests.server.sharing_factories import join, make_stakeholder, make_team

pytestmark = pytest.mark.django_db


def _links(world: World) -> set[tuple[str, str]]:
    rows = Alignment.objects.filter(source__organization=world.org)
    return set(rows.values_list("source__slug", "target__slug"))


@pytest.fixture(autouse=True)
def _member_of_both_teams(world: World) -> None:
    """The member acts for Growth and for the company: linking needs acting for the source."""
    join(world, world.member, world.team)
    join(world, world.member, Team.objects.get(organization=world.org, slug="company"))


@pytest.fixture
def onboarding(world: World) -> object:
    """A third objective, so links can form a chain."""
    return make_objective(world.org, world.team, world.period, "onboarding", "Setup is painless")


def test_a_member_aligns_an_objective_and_it_is_audited(world: World, onboarding: object) -> None:
    client = client_for(world.member, world.org)
    response = client.post("/orgs/acme/objectives/onboarding/aligns-to", {"target": "activation"})
    assert response.status_code == 201
    assert response.data == {"id": "onboarding", "aligns_to": ["activation"], "created": True}
    assert ("onboarding", "activation") in _links(world)
    assert AuditEvent.objects.filter(action="align", actor=world.member).exists()
    again = client.post("/orgs/acme/objectives/onboarding/aligns-to", {"target": "activation"})
    assert again.status_code == 200
    assert again.data["created"] is False


def test_a_link_that_closes_a_cycle_is_a_422_naming_the_loop(
    world: World, onboarding: object
) -> None:
    client = client_for(world.member, world.org)
    client.post("/orgs/acme/objectives/onboarding/aligns-to", {"target": "activation"})
    before = _links(world)
    response = client.post("/orgs/acme/objectives/retention/aligns-to", {"target": "onboarding"})
    assert response.status_code == 422
    problem = response.data["errors"][0]
    assert problem["path"] == "$.target"
    assert "retention → onboarding → activation → retention" in problem["msg"]
    assert _links(world) == before


def test_an_objective_cannot_align_to_itself(world: World) -> None:
    client = client_for(world.member, world.org)
    response = client.post("/orgs/acme/objectives/activation/aligns-to", {"target": "activation"})
    assert response.status_code == 422
    assert "cycle" in response.data["errors"][0]["msg"]


def test_an_unknown_or_foreign_target_is_a_422(world: World) -> None:
    client = client_for(world.member, world.org)
    for target in ("nothing", "secret"):
        response = client.post("/orgs/acme/objectives/activation/aligns-to", {"target": target})
        assert response.status_code == 422
        assert response.data["errors"][0]["path"] == "$.target"
    bad = client.post("/orgs/acme/objectives/activation/aligns-to", {"goal": "retention"})
    assert bad.status_code == 422
    assert {item["path"] for item in bad.data["errors"]} == {"$.target", "$.goal"}


def test_a_member_removes_a_link(world: World) -> None:
    client = client_for(world.member, world.org)
    response = client.delete("/orgs/acme/objectives/activation/aligns-to/retention")
    assert response.status_code == 204
    assert _links(world) == set()
    assert AuditEvent.objects.filter(action="unalign").exists()
    missing = client.delete("/orgs/acme/objectives/activation/aligns-to/retention")
    assert missing.status_code == 404


def test_viewers_cannot_change_links(world: World, onboarding: object) -> None:
    viewer = client_for(world.viewer, world.org)
    before = _links(world)
    added = viewer.post("/orgs/acme/objectives/onboarding/aligns-to", {"target": "activation"})
    removed = viewer.delete("/orgs/acme/objectives/activation/aligns-to/retention")
    assert (added.status_code, removed.status_code) == (403, 403)
    assert _links(world) == before


def test_outsiders_and_anonymous_callers_change_nothing(world: World) -> None:
    before = _links(world)
    for client, status in ((client_for(world.outsider, world.other_org), 404), (ApiClient(), 401)):
        added = client.post("/orgs/acme/objectives/retention/aligns-to", {"target": "activation"})
        removed = client.delete("/orgs/acme/objectives/activation/aligns-to/retention")
        assert (added.status_code, removed.status_code) == (status, status)
    assert _links(world) == before


def test_a_target_in_another_quarter_is_a_422_naming_both_periods(world: World) -> None:
    from tests.server.factories import make_period

    later = make_period(world.org, "2027-Q1")
    make_objective(world.org, world.team, later, "next", "Next quarter's bet")
    client = client_for(world.member, world.org)
    response = client.post("/orgs/acme/objectives/activation/aligns-to", {"target": "next"})
    assert response.status_code == 422
    problem = response.data["errors"][0]
    assert problem["path"] == "$.target"
    assert "same period (2026-Q4)" in problem["msg"]
    assert "is in 2027-Q1" in problem["msg"]
    assert not Alignment.objects.filter(source__slug="activation", target__slug="next").exists()


def test_a_member_of_another_team_cannot_link_or_unlink(world: World, onboarding: object) -> None:
    client = client_for(make_stakeholder(world, make_team(world)), world.org)
    before = _links(world)
    added = client.post("/orgs/acme/objectives/onboarding/aligns-to", {"target": "activation"})
    assert added.status_code == 403 and "Only members of Growth" in added.data["detail"]
    removed = client.delete("/orgs/acme/objectives/activation/aligns-to/retention")
    assert removed.status_code == 403
    assert _links(world) == before
