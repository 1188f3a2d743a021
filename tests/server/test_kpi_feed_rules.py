"""A KPI's readings follow the check-in rule of the key results they feed, on every face.

A reading of a KPI becomes a check-in of each key result promoted from it, so recording one
needs the same right as checking in on those key results; a team's KPI takes readings only
from someone who acts for that team. Promotion of a team's KPI stays inside that team.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from constellation.server.audit.models import AuditEvent
from constellation.server.errors import ActionError, NotAllowed
from constellation.server.kpis.actions import do_add_reading, do_promote_kpi
from constellation.server.kpis.models import Kpi, KpiReading
from constellation.server.okrs.models import KeyResult
from constellation.server.orgs.access import access_org
from constellation.server.orgs.models import Membership, Team
from constellation.server.tokens.actions import do_create_token
from constellation.server.tracking.actions import CheckInInput, do_check_in
from constellation.server.tracking.models import CheckIn
from tests.server.api_helpers import client_for
from tests.server.factories import World, make_key_result, make_objective, make_user

DAY = date(2026, 11, 3)
READINGS = "/orgs/acme/kpis/logo-churn/readings"


def stranger(world: World) -> User:
    """A writing member of the organisation, in no team and owning nothing."""
    person = make_user("stranger")
    Membership.objects.create(organization=world.org, user=person, role="member")
    return person


def promoted(world: World) -> KeyResult:
    """A key result of Growth's objective, promoted from logo churn, with no owner."""
    return make_key_result(
        world.objective,
        "logo-churn",
        "Cut monthly logo churn from 2.5% to 1.5%",
        baseline=2.5,
        target=1.5,
        current=2.5,
        unit="%",
        kpi=world.kpi,
        position=2,
    )


def join_growth(world: World, person: User) -> None:
    """Make `person` a member of Growth (the team of the world's objective)."""
    Membership.objects.get(organization=world.org, user=person).teams.add(world.team)


def assert_nothing_written(key_result: KeyResult) -> None:
    """No reading, no check-in, no audit event and the key result where it was."""
    assert not KpiReading.objects.exists()
    assert not CheckIn.objects.filter(key_result=key_result).exists()
    assert not AuditEvent.objects.filter(action__in=("record_readings", "check_in")).exists()
    key_result.refresh_from_db()
    assert (key_result.current, key_result.version) == (2.5, 1)


def test_a_reading_that_would_move_another_teams_key_result_is_refused(world: World) -> None:
    key_result = promoted(world)
    person = stranger(world)
    access = access_org(person, "acme")
    with pytest.raises(NotAllowed) as refused:
        do_add_reading(access, world.kpi, DAY, 2.2, person)
    assert "Growth" in str(refused.value) and key_result.title in str(refused.value)
    assert_nothing_written(key_result)
    # The same rule as a check-in made by hand on that key result.
    with pytest.raises(NotAllowed):
        do_check_in(access, key_result, CheckInInput(value=2.2), person)


def test_a_member_of_the_team_feeds_its_key_result(world: World) -> None:
    key_result = promoted(world)
    person = stranger(world)
    join_growth(world, person)
    result = do_add_reading(access_org(person, "acme"), world.kpi, DAY, 2.2, person)
    assert (result.added, result.fed) == (1, 1)
    key_result.refresh_from_db()
    assert key_result.current == 2.2


def test_the_teams_lead_feeds_its_key_result_without_being_a_member(world: World) -> None:
    key_result = promoted(world)
    person = stranger(world)
    Team.objects.filter(pk=world.team.pk).update(lead=person)
    result = do_add_reading(access_org(person, "acme"), world.kpi, DAY, 2.2, person)
    assert result.fed == 1
    key_result.refresh_from_db()
    assert key_result.current == 2.2


def test_a_teams_kpi_takes_readings_only_from_who_acts_for_the_team(world: World) -> None:
    Kpi.objects.filter(pk=world.kpi.pk).update(team=world.team)
    kpi = Kpi.objects.get(pk=world.kpi.pk)
    person = stranger(world)
    with pytest.raises(NotAllowed) as refused:
        do_add_reading(access_org(person, "acme"), kpi, DAY, 2.2, person)
    assert "Growth" in str(refused.value)
    assert not KpiReading.objects.exists()
    join_growth(world, person)
    assert do_add_reading(access_org(person, "acme"), kpi, DAY, 2.2, person).added == 1
    leader = do_add_reading(access_org(world.leader, "acme"), kpi, DAY, 2.3, world.leader)
    assert len(leader.replaced) == 1


def test_the_web_page_and_both_csv_uploads_refuse_with_a_403_saying_why(
    client: Client, world: World
) -> None:
    key_result = promoted(world)
    client.force_login(stranger(world))
    add = reverse("kpi-reading-add", kwargs={"org": "acme", "kpi": "logo-churn"})
    response = client.post(add, {"value": "2.2", "date": DAY.isoformat()})
    assert response.status_code == 403 and "Growth" in response.content.decode()
    for name, kwargs, text in (
        ("kpi-upload", {"kpi": "logo-churn"}, "date,value\n2026-11-03,2.2\n"),
        ("kpi-upload-many", {}, "kpi,date,value\nlogo-churn,2026-11-03,2.2\n"),
    ):
        file = SimpleUploadedFile("r.csv", text.encode(), content_type="text/csv")
        response = client.post(reverse(name, kwargs={"org": "acme", **kwargs}), {"file": file})
        assert response.status_code == 403 and "Growth" in response.content.decode()
    assert_nothing_written(key_result)


def test_the_api_refuses_readings_and_csv_with_a_403_saying_why(world: World) -> None:
    key_result = promoted(world)
    person = stranger(world)
    response = client_for(person, world.org).post(READINGS, {"value": 2.2, "date": "2026-11-03"})
    assert response.status_code == 403 and "Growth" in response.data["detail"]
    _, token = do_create_token(person, world.org, "csv")
    csv = Client().post(
        f"/api/v1{READINGS}/csv",
        "date,value\n2026-11-03,2.2\n",
        content_type="text/csv",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert csv.status_code == 403 and "Growth" in csv.json()["detail"]
    assert_nothing_written(key_result)


def test_a_teams_kpi_is_promoted_only_into_that_teams_objectives(world: World) -> None:
    other = Team.objects.create(organization=world.org, slug="support", name="Support")
    Kpi.objects.filter(pk=world.kpi.pk).update(team=other)
    kpi = Kpi.objects.select_related("team").get(pk=world.kpi.pk)
    KpiReading.objects.create(kpi=kpi, taken_on=date(2026, 10, 20), value=2.4)
    access = access_org(world.leader, "acme")
    with pytest.raises(ActionError) as refused:
        do_promote_kpi(access, kpi, world.objective, target=1.8, actor=world.leader)
    assert refused.value.field == "objective" and "Support" in refused.value.message
    assert not KeyResult.objects.filter(kpi=kpi).exists()
    own = make_objective(world.org, other, world.period, "support-fast", "Answers come fast")
    made = do_promote_kpi(access, kpi, own, target=1.8, actor=world.leader)
    assert made.objective_id == own.pk


def test_the_api_refuses_promoting_a_teams_kpi_into_another_teams_objective(
    world: World,
) -> None:
    other = Team.objects.create(organization=world.org, slug="support", name="Support")
    Kpi.objects.filter(pk=world.kpi.pk).update(team=other)
    KpiReading.objects.create(kpi=world.kpi, taken_on=date(2026, 10, 20), value=2.4)
    response = client_for(world.leader, world.org).post(
        "/orgs/acme/kpis/logo-churn/promote", {"objective": "activation", "target": 1.8}
    )
    assert response.status_code == 422
    assert response.data["errors"][0]["path"] == "$.objective"
    assert not KeyResult.objects.filter(kpi=world.kpi).exists()
