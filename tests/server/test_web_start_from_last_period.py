"""Start from last period: unfinished objectives and learnings brought into a new draft."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from constellation.server.audit.models import AuditEvent
from constellation.server.okrs.models import Alignment, Objective
from constellation.server.orgs.access import access_org
from constellation.server.quarterly.actions import do_record_learning
from tests.server.factories import World, make_key_result, make_objective, make_period
from tests.server.sharing_factories import join


def start_url(period: str = "2027-Q1") -> str:
    path = reverse("start-from-last-period", kwargs={"org": "acme", "team": "growth"})
    return f"{path}?period={period}"


def setup(world: World) -> Objective:
    """A finished objective beside the unfinished `activation`, a learning and a new quarter."""
    make_period(world.org, "2027-Q1")
    done = make_objective(world.org, world.team, world.period, "done", "Docs answer questions")
    make_key_result(
        done, "docs", "Raise docs answers from 10 to 20", baseline=10, target=20, current=20
    )
    join(world, world.member, world.team)  # a team's own people record its learnings
    access = access_org(world.member, "acme")
    do_record_learning(
        access,
        world.team,
        world.period,
        "Guided setup beat emails for activation",
        world.member,
        tags=["activation"],
        objective=world.objective,
    )
    return done


def test_it_shows_unfinished_objectives_and_last_periods_learnings(client, world: World) -> None:
    setup(world)
    client.force_login(world.member)
    html = client.get(start_url()).content.decode()
    assert "Start 2027-Q1 from 2026-Q4" in html
    assert "Guided setup beat emails for activation" in html
    assert f'name="objectives" value="{world.objective.pk}"' in html
    assert "Finished, not offered: Docs answer questions" in html


def test_bringing_an_objective_copies_it_as_a_linked_draft(client, world: World) -> None:
    setup(world)
    client.force_login(world.member)
    response = client.post(start_url(), {"objectives": [world.objective.pk]})
    assert response.status_code == 302
    copy = Objective.objects.get(carried_from=world.objective)
    assert copy.period.key == "2027-Q1"
    assert copy.state == "draft"
    assert copy.slug == "activation-2027-q1"
    assert list(copy.levers.all()) == [world.lever]
    assert list(copy.guardrails.all()) == [world.kpi]
    krs = {kr.slug: (kr.baseline, kr.target) for kr in copy.key_results.all()}
    assert krs == {"week1-activation": (41, 50), "time-to-value": (2, 1)}
    assert Alignment.objects.filter(source=copy, target__slug="retention").exists()
    event = AuditEvent.objects.get(action="carry")
    assert event.object_id == copy.pk
    assert "carried from 2026-Q4" in event.reason
    page = client.get(response.url).content.decode()
    assert "Brought 1 objective into 2027-Q1" in page
    again = client.get(start_url()).content.decode()
    assert "already brought into 2027-Q1" in again


def test_a_finished_or_already_carried_objective_is_refused(client, world: World) -> None:
    done = setup(world)
    client.force_login(world.member)
    assert client.post(start_url(), {"objectives": [done.pk]}).status_code == 422
    assert client.post(start_url(), {"objectives": [world.objective.pk]}).status_code == 302
    repeat = client.post(start_url(), {"objectives": [world.objective.pk]})
    assert repeat.status_code == 422
    assert "Choose at least one unfinished objective" in repeat.content.decode()
    assert Objective.objects.filter(carried_from__isnull=False).count() == 1


def test_another_organisations_objective_cannot_be_smuggled_in(client, world: World) -> None:
    setup(world)
    client.force_login(world.member)
    response = client.post(start_url(), {"objectives": [world.other_objective.pk]})
    assert response.status_code == 422
    assert not Objective.objects.filter(carried_from__isnull=False).exists()


def test_viewers_read_but_cannot_bring_and_outsiders_get_404(client, world: World) -> None:
    setup(world)
    client.force_login(world.viewer)
    html = client.get(start_url()).content.decode()
    assert "Guided setup beat emails" in html
    assert "Bring the chosen objectives" not in html
    assert client.post(start_url(), {"objectives": [world.objective.pk]}).status_code == 403
    client.force_login(world.outsider)
    assert client.get(start_url()).status_code == 404
    assert client.post(start_url(), {"objectives": [world.objective.pk]}).status_code == 404
    assert not Objective.objects.filter(carried_from__isnull=False).exists()


def _more(world: World, count: int) -> list[int]:
    ids = []
    for n in range(count):
        objective = make_objective(world.org, world.team, world.period, f"more-{n}", f"More {n}")
        objective.levers.add(world.lever)
        Alignment.objects.create(source=objective, target=world.objective)
        for k in range(3):
            make_key_result(objective, f"k{k}", f"Raise item {k} from 1 to 5", baseline=1, target=5)
        ids.append(objective.pk)
    return ids


def test_the_page_and_the_copy_take_the_same_queries_at_any_size(client, world: World) -> None:
    setup(world)
    client.force_login(world.member)
    counts = []
    # Both sizes are over five objectives, so the team's set has its finding in both: written
    # in one INSERT however many there are (none at all would spare it).
    for size in (6, 12):
        Objective.objects.filter(carried_from__isnull=False).delete()
        Objective.objects.filter(slug__startswith="more-").delete()
        ids = _more(world, size)
        with CaptureQueriesContext(connection) as page:
            assert client.get(start_url()).status_code == 200
        with CaptureQueriesContext(connection) as carry:
            assert client.post(start_url(), {"objectives": ids}).status_code == 302
        counts.append((len(page), len(carry)))
    assert counts[0] == counts[1]
    assert Objective.objects.filter(carried_from__isnull=False).count() == 12
