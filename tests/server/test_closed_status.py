"""A closed objective's status is its result (its final grade's band), not its pace: through
the stored scores, the API and the pages alike."""

from __future__ import annotations

import pytest

from constellation.server.okrs.models import Objective
from constellation.server.orgs.access import access_org
from constellation.server.plans.stored import rescore_organization
from constellation.server.quarterly.actions import do_finish_review
from constellation.server.quarterly.models import ObjectiveReview
from tests.server.api_helpers import client_for
from tests.server.factories import World

pytestmark = pytest.mark.django_db


def test_a_closed_objective_graded_0_9_reads_its_result_everywhere(world: World, client) -> None:
    objective = world.objective
    # The review settles a final grade of 0.9; finishing it closes the objective.
    ObjectiveReview.objects.create(
        organization=world.org,
        objective=objective,
        decision=ObjectiveReview.Decision.DONE,
        grade_override=0.9,
        override_reason="Shipped the wizard; activation nearly there",
    )
    leader = access_org(world.leader, "acme")
    do_finish_review(leader, objective.team, objective.period, world.leader)
    closed = Objective.objects.get(pk=objective.pk)
    assert closed.state == "closed"
    assert (closed.status, closed.grade) == ("on_track", 0.9)  # stored in the same transaction
    assert rescore_organization(world.org).total == 0  # and what a fresh run says

    api = client_for(world.member, world.org).get(f"/orgs/acme/objectives/{objective.slug}")
    assert (api.data["status"], api.data["grade"]) == ("on_track", 0.9)

    client.force_login(world.member)
    page = client.get(f"/o/acme/objectives/{objective.slug}/").content.decode()
    start = page.index('id="objective-summary"')
    summary = page[start : page.index("</section>", start)]
    assert "Closed" in summary and "Final grade 0.9" in summary
    assert "expected by now" not in summary and "At risk" not in summary
    dashboard = client.get(f"/o/acme/?period={objective.period.key}").content.decode()
    row = dashboard[dashboard.index(f'data-objective="{objective.slug}"') :]
    assert "Closed: grade 0.9" in row[: row.index("</tr>")]


def test_a_closed_period_offers_no_door_to_drafting(world: World, client) -> None:
    client.force_login(world.admin)
    key = world.period.key
    assert "New objective" in client.get(f"/o/acme/?period={key}").content.decode()
    type(world.period).objects.filter(pk=world.period.pk).update(closed=True)
    for page in (f"/o/acme/?period={key}", f"/o/acme/teams/{world.team.slug}/?period={key}"):
        assert "New objective" not in client.get(page).content.decode()
    assert "New objective in" not in client.get(f"/o/acme/plan/{key}/").content.decode()
