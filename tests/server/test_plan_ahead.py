"""The next quarter opens for drafting, alignment and review `plan_ahead_days` (six weeks by
default) before it starts, with no dependence on finishing a review."""

from __future__ import annotations

from datetime import date

import pytest

from constellation.server.audit.models import AuditEvent
from constellation.server.errors import ActionError, NotAllowed
from constellation.server.okrs.actions import (
    do_align,
    do_open_periods,
    do_open_periods_everywhere,
    do_set_plan_ahead,
)
from constellation.server.okrs.models import Objective, Period
from constellation.server.orgs.access import access_org
from constellation.server.orgs.models import Membership, Organization
from constellation.server.sharing.models import ReviewRequest
from tests.server.factories import World

pytestmark = pytest.mark.django_db

# 2027-Q1 starts on 1 January 2027: six weeks before is 20 November 2026.
OPENS = date(2026, 11, 20)


def _keys(org: Organization) -> list[str]:
    return list(
        Period.objects.filter(organization=org).order_by("start").values_list("key", flat=True)
    )


def test_the_next_quarter_opens_six_weeks_before_it_starts(world: World) -> None:
    assert do_open_periods(world.org, date(2026, 11, 19)) == []
    assert "2027-Q1" not in _keys(world.org)
    made = do_open_periods(world.org, OPENS)
    assert [p.key for p in made] == ["2027-Q1"]
    assert (made[0].start, made[0].end) == (date(2027, 1, 1), date(2027, 3, 31))
    assert do_open_periods(world.org, OPENS) == []  # once
    assert (
        AuditEvent.objects.filter(
            organization=world.org, object_type="period", action="create"
        ).count()
        == 1
    )


def test_the_current_quarter_is_opened_when_missing(world: World) -> None:
    made = do_open_periods(world.org, date(2027, 2, 1))
    assert [p.key for p in made] == ["2027-Q1"]


def test_each_organisation_sets_how_far_ahead(world: World) -> None:
    admin = access_org(world.admin, "acme", write=True)
    do_set_plan_ahead(admin, 10, world.admin)
    world.org.refresh_from_db()
    assert do_open_periods(world.org, OPENS) == []
    assert [p.key for p in do_open_periods(world.org, date(2026, 12, 22))] == ["2027-Q1"]
    event = AuditEvent.objects.get(organization=world.org, object_type="organization")
    assert (event.before, event.after) == ({"plan_ahead_days": 42}, {"plan_ahead_days": 10})


@pytest.mark.parametrize("days", [-1, 121, "six", 4.5, True])
def test_a_wrong_number_of_days_is_refused_naming_the_field(world: World, days: object) -> None:
    admin = access_org(world.admin, "acme", write=True)
    with pytest.raises(ActionError) as refused:
        do_set_plan_ahead(admin, days, world.admin)
    assert refused.value.field == "plan_ahead_days"
    assert Organization.objects.get(pk=world.org.pk).plan_ahead_days == 42


def test_only_admins_set_it(world: World) -> None:
    with pytest.raises(NotAllowed):
        do_set_plan_ahead(access_org(world.leader, "acme", write=True), 30, world.leader)


def test_the_calendar_opens_it_for_every_organisation_that_has_begun(world: World) -> None:
    Organization.objects.create(slug="empty", name="Not begun")
    begun = Organization.objects.filter(periods__isnull=False).distinct().count()
    assert do_open_periods_everywhere(OPENS) == begun
    assert "2027-Q1" in _keys(world.org)
    assert do_open_periods_everywhere(OPENS) == 0
    assert not Period.objects.filter(organization__slug="empty").exists()


def test_the_next_quarter_is_drafted_aligned_and_sent_for_review_before_it_starts(
    world: World, client
) -> None:
    do_open_periods(world.org, OPENS)
    Membership.objects.get(organization=world.org, user=world.member).teams.add(world.team)
    client.force_login(world.member)
    planning = client.get("/o/acme/plan/").content.decode()
    assert "2027-Q1 is open" in planning
    assert "/o/acme/plan/2027-Q1/" in planning
    assert client.get("/o/acme/plan/2027-Q1/").status_code == 200
    assert '<option value="2027-Q1"' in client.get("/o/acme/").content.decode()

    period = Period.objects.get(organization=world.org, key="2027-Q1")
    made = client.post(
        "/o/acme/draft/new-objective/",
        {
            "title": "Teams reach value in their first day",
            "team": world.team.pk,
            "period": period.pk,
            "commitment": "committed",
        },
    )
    assert made.status_code == 302, made.content.decode()[:2000]
    draft = Objective.objects.get(organization=world.org, period=period)
    assert draft.state == Objective.State.DRAFT

    target = Objective.objects.create(
        organization=world.org,
        slug="company-next",
        team=world.team.parent,
        period=period,
        title="Customers succeed faster",
    )
    access = access_org(world.member, "acme", write=True)
    assert do_align(access, draft, target, world.member)

    leader = Membership.objects.get(organization=world.org, user=world.leader)
    sent = client.post(
        f"/o/acme/teams/{world.team.slug}/send-for-review/?period=2027-Q1",
        {"objectives": [draft.pk], "leaders": [leader.pk], "message": "Early"},
    )
    assert sent.status_code in (302, 303), sent.content.decode()[:2000]
    review = ReviewRequest.objects.get(organization=world.org, period=period)
    assert list(review.objectives.all()) == [draft]


def test_the_planning_page_says_when_the_next_quarter_opens_and_admins_change_it(
    world: World, client
) -> None:
    client.force_login(world.admin)
    page = client.get("/o/acme/plan/").content.decode()
    assert "days before it starts" in page and 'name="plan_ahead_days"' in page
    answer = client.post("/o/acme/plan-ahead/", {"plan_ahead_days": "30"})
    assert answer.status_code == 302
    assert Organization.objects.get(pk=world.org.pk).plan_ahead_days == 30
    client.post("/o/acme/plan-ahead/", {"plan_ahead_days": "999"}, follow=True)
    assert Organization.objects.get(pk=world.org.pk).plan_ahead_days == 30
    refused = client.post("/o/acme/plan-ahead/", {"plan_ahead_days": "999"}, follow=True)
    assert "Not saved" in refused.content.decode()

    client.force_login(world.member)
    assert 'name="plan_ahead_days"' not in client.get("/o/acme/plan/").content.decode()
    assert client.post("/o/acme/plan-ahead/", {"plan_ahead_days": "5"}).status_code == 403
    assert Organization.objects.get(pk=world.org.pk).plan_ahead_days == 30
