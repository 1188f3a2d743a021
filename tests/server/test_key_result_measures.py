"""A key result's numbers must measure something: a metric's target differs from its baseline,
and a keep-in-range key result has a healthy range (its low end not above its high end). The
web form and the API both offer the range and both are refused the same way, by field."""

from __future__ import annotations

import pytest
from django.urls import reverse

from constellation.server.errors import ActionError
from constellation.server.okrs import drafting
from constellation.server.okrs.actions import KeyResultEdit, do_edit_key_result
from constellation.server.okrs.models import KeyResult
from constellation.server.orgs.access import access_org
from tests.server.api_helpers import client_for
from tests.server.factories import World

pytestmark = pytest.mark.django_db


def _create(world: World, **values: object) -> KeyResult:
    access = access_org(world.admin, "acme", write=True)
    data = drafting.KeyResultInput(title="Keep it measured", **values)  # type: ignore[arg-type]
    return drafting.do_create_key_result(access, world.objective, data, world.admin)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"baseline": 40.0, "target": 40.0}, "target"),
        ({"type": "range"}, "healthy_low"),
        ({"type": "range", "healthy_low": 99.0, "healthy_high": 95.0}, "healthy_high"),
    ],
)
def test_numbers_that_measure_nothing_are_refused_by_field(
    world: World, values: dict, field: str
) -> None:
    with pytest.raises(ActionError) as refused:
        _create(world, **values)
    assert refused.value.field == field
    assert not KeyResult.objects.filter(title="Keep it measured").exists()


def test_a_keep_in_range_key_result_keeps_its_healthy_range(world: World) -> None:
    kr = _create(world, type="range", healthy_low=99.5, unit="%")
    assert (kr.type, kr.healthy_low, kr.healthy_high) == ("range", 99.5, None)
    assert _create(world, type="metric", baseline=0.0, target=10.0).target == 10.0


def test_an_edit_is_checked_against_the_numbers_it_leaves(world: World) -> None:
    access = access_org(world.admin, "acme", write=True)
    kr = KeyResult.objects.get(pk=world.key_result.pk)
    with pytest.raises(ActionError) as refused:
        do_edit_key_result(
            access,
            kr,
            KeyResultEdit(target=kr.baseline),
            expected_version=kr.version,
            actor=world.admin,
        )
    assert refused.value.field == "target"
    # An edit that leaves the numbers alone is not checked against them.
    assert do_edit_key_result(
        access, kr, KeyResultEdit(title="Renamed"), expected_version=kr.version, actor=world.admin
    )


def test_the_web_form_offers_a_healthy_range_and_shows_a_refusal_by_its_field(
    client, world: World
) -> None:
    client.force_login(world.admin)
    address = reverse("key-result-new", kwargs={"org": "acme", "slug": world.objective.slug})
    form = client.get(address).content.decode()
    assert 'value="range"' in form and 'name="healthy_low"' in form
    data = {
        "title": "Keep weekly uptime at or above 99.5%",
        "type": "range",
        "baseline": "",
        "target": "",
        "unit": "%",
        "healthy_low": "",
        "healthy_high": "",
        "weight": "1",
        "owner": "",
        "kpi": "",
    }
    refused = client.post(address, data)
    assert refused.status_code == 422
    html = refused.content.decode()
    field = html[html.index('<label for="kr-healthy_low">') :]
    assert "needs its healthy range" in field[: field.index("</div>")]
    assert client.post(address, {**data, "healthy_low": "99.5"}).status_code == 302
    kr = KeyResult.objects.get(title="Keep weekly uptime at or above 99.5%")
    assert (kr.type, kr.healthy_low, kr.healthy_high) == ("range", 99.5, None)


def test_the_api_creates_a_range_and_shows_its_healthy_range(world: World) -> None:
    admin = client_for(world.admin, world.org)
    path = f"/orgs/acme/objectives/{world.objective.slug}/key-results"
    refused = admin.post(path, {"title": "Keep latency low", "type": "range"})
    assert refused.status_code == 422
    assert "healthy_low" in str(refused.data)
    made = admin.post(
        path, {"title": "Keep p95 latency under 300 ms", "type": "range", "healthy_high": 300}
    )
    assert made.status_code == 201, made.data
    assert (made.data["healthy_low"], made.data["healthy_high"]) == (None, 300)
    same = admin.post(path, {"title": "Hold signups", "baseline": 5, "target": 5})
    assert same.status_code == 422 and "target" in str(same.data)
    listed = admin.get("/orgs/acme/objectives").data["objectives"]
    krs = [kr for o in listed for kr in o["key_results"] if kr["slug"].startswith("keep-p95")]
    assert (krs[0]["healthy_low"], krs[0]["healthy_high"]) == (None, 300)


def test_the_live_coach_reads_the_healthy_range_typed(client, world: World) -> None:
    client.force_login(world.admin)
    address = reverse("key-result-coach", kwargs={"org": "acme", "slug": world.objective.slug})
    typed = {"title": "Keep weekly uptime steady", "type": "range", "weight": "1"}
    without = client.post(address, typed).content.decode()
    with_range = client.post(address, {**typed, "healthy_low": "99.5"}).content.decode()
    # A kept level is a KPI's job: the coach says so, and offers the range typed as the KPI's.
    assert "kpi-as-kr" in with_range
    assert "99.5" in with_range and "99.5" not in without
