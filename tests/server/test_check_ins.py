"""Check-ins land, move the key result, and never lose a concurrent one."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from constellation.server.errors import ReadOnly
from constellation.server.orgs.access import access_org
from constellation.server.tracking.actions import CheckInError, CheckInInput, do_check_in
from constellation.server.tracking.models import CheckIn
from tests.server.factories import World


def test_a_check_in_moves_the_key_result(world: World) -> None:
    access = access_org(world.member, "acme")
    do_check_in(
        access, world.key_result, CheckInInput(value=45, confidence=7, note="ok"), world.member
    )
    world.key_result.refresh_from_db()
    assert world.key_result.current == 45
    assert world.key_result.confidence == 7


def test_it_refuses_a_confidence_out_of_range(world: World) -> None:
    access = access_org(world.member, "acme")
    with pytest.raises(CheckInError) as error:
        do_check_in(access, world.key_result, CheckInInput(value=45, confidence=11), world.member)
    assert error.value.field == "confidence"
    assert not CheckIn.objects.exists()


def test_a_viewer_cannot_check_in(world: World) -> None:
    with pytest.raises(ReadOnly):
        do_check_in(
            access_org(world.viewer, "acme"), world.key_result, CheckInInput(value=1), world.viewer
        )


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_check_ins_both_land() -> None:
    from tests.server.factories import make_world

    world = make_world()
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def check_in(value: float) -> None:
        try:
            access = access_org(world.member, "acme")
            barrier.wait()
            do_check_in(access, world.key_result, CheckInInput(value=value), world.member)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=check_in, args=(v,)) for v in (44.0, 46.0)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    values = sorted(
        CheckIn.objects.filter(key_result=world.key_result).values_list("value", flat=True)
    )
    assert values == [44.0, 46.0]
    world.key_result.refresh_from_db()
    assert world.key_result.current in {44.0, 46.0}
    assert world.key_result.version == 3


def test_the_teams_lead_checks_in_on_its_key_results_without_being_a_member(
    world: World,
) -> None:
    from constellation.server.orgs.models import Membership, Team
    from tests.server.factories import make_user

    # A plain member who leads Growth but is not listed in it, as `speaks_for` allows.
    lead = make_user("lead")
    Membership.objects.create(organization=world.org, user=lead, role="member")
    Team.objects.filter(pk=world.team.pk).update(lead=lead)
    access = access_org(lead, "acme")
    do_check_in(access, world.second_key_result, CheckInInput(value=1.5), lead)
    world.second_key_result.refresh_from_db()
    assert world.second_key_result.current == 1.5
    # Leading one team gives nothing on another's key results.
    Team.objects.filter(pk=world.team.pk).update(lead=None)
    with pytest.raises(ReadOnly):
        do_check_in(access_org(lead, "acme"), world.second_key_result, CheckInInput(1), lead)
