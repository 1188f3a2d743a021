"""The live coach: findings of the core coach on the objective and key-result forms as typed."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from constellation.server.audit.models import AuditEvent
from constellation.server.okrs.models import KeyResult, Objective
from tests.server.factories import World, make_key_result, make_objective


def url(name: str, **kwargs: str) -> str:
    return reverse(name, kwargs={"org": "acme", **kwargs})


def objective_form(world: World, **extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "Teams trust their weekly numbers",
        "team": world.team.pk,
        "period": world.period.pk,
        "focus": "customer",
        "commitment": "committed",
        "levers": [world.lever.pk],
    }
    data.update(extra)
    return data


def test_the_forms_post_to_the_coach_as_the_person_types(client, world: World) -> None:
    client.force_login(world.member)
    html = client.get(url("objective-new")).content.decode()
    assert 'hx-trigger="input changed delay:400ms"' in html
    assert f'hx-post="{url("coach-new-objective")}"' in html
    kr_page = client.get(url("key-result-new", slug="activation")).content.decode()
    assert f'hx-post="{url("key-result-coach", slug="activation")}"' in kr_page


def test_a_new_objective_without_a_lever_is_told_with_a_hint(client, world: World) -> None:
    client.force_login(world.member)
    response = client.post(url("coach-new-objective"), objective_form(world, levers=[]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "no-strategy-link" in html
    assert "Hint:" in html
    fixed = client.post(url("coach-new-objective"), objective_form(world)).content.decode()
    assert "no-strategy-link" not in fixed
    assert not Objective.objects.filter(title="Teams trust their weekly numbers").exists()


def test_an_objective_that_is_a_deliverable_is_flagged_while_typing(client, world: World) -> None:
    client.force_login(world.member)
    data = objective_form(world, title="Launch the new billing page", version=1)
    html = client.post(url("coach-objective", slug="activation"), data).content.decode()
    assert "objective-is-output" in html
    assert Objective.objects.get(pk=world.objective.pk).title != "Launch the new billing page"


def test_a_key_result_that_is_an_output_is_flagged_and_offers_the_move(
    client, world: World
) -> None:
    client.force_login(world.member)
    data = {"title": "Ship the onboarding checklist", "type": "metric", "weight": "1"}
    html = client.post(url("key-result-coach", slug="activation"), data).content.decode()
    assert "output-kr" in html
    assert "Hint:" in html
    saved = {**data, "key_result": "week1-activation"}
    edit = client.post(url("key-result-coach", slug="activation"), saved).content.decode()
    assert "Move it to initiatives" in edit
    assert not KeyResult.objects.filter(title="Ship the onboarding checklist").exists()


def test_a_target_without_baseline_is_told_as_typed(client, world: World) -> None:
    client.force_login(world.member)
    data = {"title": "Raise weekly active teams to 200", "type": "metric", "weight": "1"}
    data |= {"target": "200"}
    html = client.post(url("key-result-coach", slug="activation"), data).content.decode()
    assert "missing-baseline" in html


def test_a_fifth_key_result_brings_the_count_finding(client, world: World) -> None:
    for n in range(2):
        make_key_result(world.objective, f"extra-{n}", f"Raise thing {n} from 1 to 2", baseline=1)
    client.force_login(world.member)
    data = {"title": "Raise NPS from 30 to 40", "type": "metric", "weight": "1"}
    html = client.post(url("key-result-coach", slug="activation"), data).content.decode()
    assert "kr-count" in html


def test_reading_the_statement_fills_the_measure_fields(client, world: World) -> None:
    client.force_login(world.member)
    data = {"title": "Cut p95 latency from 900 ms to 300 ms", "type": "metric", "fill": "all"}
    response = client.post(url("key-result-read", slug="activation"), data)
    html = response.content.decode()
    assert 'id="kr-measure"' in html
    assert 'name="baseline" value="900"' in html
    assert 'name="target" value="300"' in html
    assert 'name="unit" value="ms"' in html
    assert "Read from the statement" in html


def test_the_coach_is_refused_to_viewers_and_outsiders(client, world: World) -> None:
    client.force_login(world.viewer)
    assert client.post(url("coach-new-objective"), objective_form(world)).status_code == 403
    client.force_login(world.outsider)
    assert client.post(url("coach-new-objective"), objective_form(world)).status_code == 404
    assert client.post(url("key-result-coach", slug="activation"), {}).status_code == 404
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("size", [2, 40])
def test_the_coach_reads_the_same_number_of_queries_at_any_size(
    client, world: World, size: int
) -> None:
    for n in range(size):
        other = make_objective(world.org, world.team, world.period, f"o-{n}", f"Objective {n}")
        make_key_result(other, "kr", "Raise thing from 1 to 2", baseline=1)
    for n in range(size):
        make_key_result(world.objective, f"k-{n}", f"Raise it {n} from 1 to 2", baseline=1)
    client.force_login(world.member)
    counts = []
    for path, data in (
        (url("coach-new-objective"), objective_form(world)),
        (url("coach-objective", slug="activation"), objective_form(world, version=1)),
        (url("key-result-coach", slug="activation"), {"title": "Raise x from 1 to 2"}),
    ):
        with CaptureQueriesContext(connection) as queries:
            assert client.post(path, data).status_code == 200
        counts.append(len(queries))
    assert counts == EXPECTED_COACH_QUERIES


EXPECTED_COACH_QUERIES = [10, 24, 18]  # alignments: a lookup on each of its two indexes
