"""Who may change a team's objectives: its members, the objective's (or key result's) owner,
leaders and admins; a member of another team is refused (`NotAllowed`), a viewer first of all
(`ReadOnly`), whatever face the change comes from."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from constellation.server.errors import ActionError, NotAllowed, ReadOnly
from constellation.server.okrs import actions, drafting, initiatives
from constellation.server.okrs.models import Initiative, Objective
from constellation.server.orgs.access import Access, access_org
from constellation.server.orgs.models import Team
from tests.server.factories import World
from tests.server.sharing_factories import join, make_stakeholder, make_team

pytestmark = pytest.mark.django_db

Write = Callable[[Access, World, Any], object]


def _edit_objective(access: Access, world: World, actor: Any) -> object:
    data = actions.ObjectiveEdit(title="Changed by someone")
    return actions.do_edit_objective(access, world.objective, data, expected_version=1, actor=actor)


def _edit_key_result(access: Access, world: World, actor: Any) -> object:
    kr = world.second_key_result  # owned by nobody
    data = actions.KeyResultEdit(target=0.5)
    return actions.do_edit_key_result(access, kr, data, expected_version=1, actor=actor)


def _create_key_result(access: Access, world: World, actor: Any) -> object:
    data = drafting.KeyResultInput(title="Raise NPS from 30 to 40", baseline=30, target=40)
    return drafting.do_create_key_result(access, world.objective, data, actor)


def _delete_key_result(access: Access, world: World, actor: Any) -> object:
    kr = world.second_key_result
    return drafting.do_delete_key_result(access, kr, expected_version=1, actor=actor)


def _create_initiative(access: Access, world: World, actor: Any) -> object:
    data = initiatives.InitiativeInput(title="Guided setup")
    return initiatives.do_create_initiative(access, world.objective, data, actor)


def _initiative(world: World) -> Any:
    found, _ = Initiative.objects.get_or_create(objective=world.objective, title="Wizard")
    return found


def _update_initiative(access: Access, world: World, actor: Any) -> object:
    edit = initiatives.InitiativeEdit(status="in_progress")
    return initiatives.do_update_initiative(
        access, _initiative(world), edit, expected_version=1, actor=actor
    )


def _delete_initiative(access: Access, world: World, actor: Any) -> object:
    found = _initiative(world)
    return initiatives.do_delete_initiative(access, found, expected_version=1, actor=actor)


def _unalign(access: Access, world: World, actor: Any) -> object:
    retention = Objective.objects.get(slug="retention")
    return actions.do_unalign(access, world.objective, retention, actor)


def _create_objective(access: Access, world: World, actor: Any) -> object:
    data = drafting.ObjectiveInput(
        title="Teams trust numbers", team=world.team, period=world.period
    )
    return drafting.do_create_objective(access, data, actor)


WRITES: dict[str, Write] = {
    "edit the objective": _edit_objective,
    "edit a key result": _edit_key_result,
    "add a key result": _create_key_result,
    "delete a key result": _delete_key_result,
    "add an initiative": _create_initiative,
    "edit an initiative": _update_initiative,
    "delete an initiative": _delete_initiative,
    "remove an alignment": _unalign,
    "create an objective": _create_objective,
}


@pytest.fixture
def unowned(world: World) -> World:
    """The Growth objective with no owner, so only acting for Growth lets anyone change it."""
    Objective.objects.filter(pk=world.objective.pk).update(owner=None)
    world.objective.refresh_from_db()
    return world


@pytest.mark.parametrize("write", list(WRITES), ids=list(WRITES))
def test_a_member_of_another_team_is_refused(unowned: World, write: str) -> None:
    stella = make_stakeholder(unowned, make_team(unowned))
    with pytest.raises(NotAllowed, match="Only members of Growth"):
        WRITES[write](access_org(stella, "acme"), unowned, stella)


@pytest.mark.parametrize("write", list(WRITES), ids=list(WRITES))
def test_a_viewer_is_refused_as_a_viewer(unowned: World, write: str) -> None:
    with pytest.raises(ReadOnly, match="viewers") as refused:
        WRITES[write](access_org(unowned.viewer, "acme"), unowned, unowned.viewer)
    assert not isinstance(refused.value, NotAllowed)


@pytest.mark.parametrize("who", ["member", "leader"])
@pytest.mark.parametrize("write", list(WRITES), ids=list(WRITES))
def test_a_member_of_the_team_and_a_leader_may(unowned: World, write: str, who: str) -> None:
    join(unowned, unowned.member, unowned.team)
    person = getattr(unowned, who)
    WRITES[write](access_org(person, "acme"), unowned, person)


def test_the_objectives_owner_may_change_it_from_another_team(world: World) -> None:
    assert world.objective.owner == world.member  # and the member is in no team
    assert _edit_objective(access_org(world.member, "acme"), world, world.member) is True


def test_a_key_results_owner_may_change_it(unowned: World) -> None:
    stella = make_stakeholder(unowned, make_team(unowned))
    kr = unowned.second_key_result
    kr.owner = stella
    kr.save()
    data = actions.KeyResultEdit(target=0.5)
    access = access_org(stella, "acme")
    assert actions.do_edit_key_result(access, kr, data, expected_version=1, actor=stella)


def test_moving_an_objective_needs_acting_for_the_team_it_goes_to(world: World) -> None:
    platform = make_team(world)
    data = actions.ObjectiveEdit(team=platform)
    with pytest.raises(NotAllowed, match="Only members of Platform"):
        actions.do_edit_objective(
            access_org(world.member, "acme"),
            world.objective,
            data,
            expected_version=1,
            actor=world.member,
        )
    join(world, world.member, platform)
    actions.do_edit_objective(
        access_org(world.member, "acme"), world.objective, data, expected_version=1, actor=None
    )
    assert Objective.objects.get(pk=world.objective.pk).team == platform


def test_another_organisations_team_is_no_such_team_never_named(world: World) -> None:
    elsewhere = Team.objects.get(organization=world.other_org)
    data = drafting.ObjectiveInput(title="Sneaky", team=elsewhere, period=world.period)
    with pytest.raises(ActionError) as refused:
        drafting.do_create_objective(access_org(world.member, "acme"), data, world.member)
    assert refused.value.field == "team" and elsewhere.name not in refused.value.message
