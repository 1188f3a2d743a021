"""Hostile inputs answer 4xx naming the field, never a 500, on SQLite and PostgreSQL."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from markdown_it import MarkdownIt

from constellation.core.okrfile import load_text
from constellation.server.okrs.models import KeyResult, Objective
from constellation.server.orgs.access import access_org
from constellation.server.plans.transfer import ImportRefused, import_plan
from constellation.server.quarterly.models import TeamReflection
from constellation.server.tracking.actions import CheckInError, CheckInInput, do_check_in
from constellation.server.tracking.models import CheckIn
from tests.server.api_helpers import client_for
from tests.server.factories import World

pytestmark = pytest.mark.django_db

CHECK_INS = "/orgs/acme/key-results/activation/week1-activation/check-ins"
HUGE = "9" * 30


def check_in_url() -> str:
    return reverse(
        "check-in", kwargs={"org": "acme", "slug": "activation", "kr": "week1-activation"}
    )


def nothing_recorded(world: World) -> bool:
    return (
        not CheckIn.objects.exists() and KeyResult.objects.get(pk=world.key_result.pk).current == 41
    )


def test_a_malformed_period_on_the_plan_page_is_a_400_naming_it(
    client: Client, world: World
) -> None:
    client.force_login(world.member)
    response = client.get("/o/acme/plan/", {"period": "a/b"})
    assert response.status_code == 400
    assert "period" in response.content.decode()


def test_an_oversized_number_in_the_send_for_review_form_is_a_form_error(
    client: Client, world: World
) -> None:
    client.force_login(world.admin)
    url = "/o/acme/teams/growth/send-for-review/"
    for field in ("objectives", "leaders", "stakeholders"):
        response = client.post(f"{url}?period=2026-Q4", {field: HUGE})
        assert response.status_code == 422, field


@pytest.mark.parametrize("value", ["Infinity", "-Infinity", "1e309", "NaN"])
def test_a_check_in_value_that_is_not_finite_is_refused_in_the_web_app(
    client: Client, world: World, value: str
) -> None:
    client.force_login(world.member)
    response = client.post(check_in_url(), {"value": value, "confidence": "5"})
    assert response.status_code in (200, 422)
    assert nothing_recorded(world)


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")])
def test_a_check_in_value_that_is_not_finite_is_refused_by_the_api(
    world: World, value: float
) -> None:
    # json.dumps writes these as `Infinity`, `-Infinity` and `NaN`, as a hostile client would.
    response = client_for(world.member, world.org).post(CHECK_INS, {"value": value})
    assert response.status_code == 422
    assert "value" in str(response.data)
    assert nothing_recorded(world)


@pytest.mark.parametrize("day", ["9999-12-31", "2026-09-30", "2027-01-01"])
def test_a_check_in_dated_outside_its_period_is_refused_by_the_api(world: World, day: str) -> None:
    response = client_for(world.member, world.org).post(CHECK_INS, {"value": 45, "date": day})
    assert response.status_code == 422
    assert "date" in str(response.data)
    assert nothing_recorded(world)


def test_a_check_in_dated_far_ahead_is_refused_in_the_web_app(client: Client, world: World) -> None:
    client.force_login(world.member)
    response = client.post(check_in_url(), {"value": "45", "checked_on": "9999-12-31"})
    assert response.status_code in (200, 422)
    assert "2026-10-01 to 2026-12-31" in response.content.decode()
    assert nothing_recorded(world)


def test_a_check_in_more_than_a_day_ahead_is_refused_even_within_the_period(
    world: World,
) -> None:
    ahead = timezone.localdate() + timedelta(days=2)
    period = world.period
    period.end = ahead + timedelta(days=30)
    period.save()
    body = {"value": 45, "date": ahead.isoformat()}
    response = client_for(world.member, world.org).post(CHECK_INS, body)
    assert response.status_code == 422
    assert "a day ahead" in str(response.data)
    tomorrow = {"value": 45, "date": (ahead - timedelta(days=1)).isoformat()}
    assert client_for(world.member, world.org).post(CHECK_INS, tomorrow).status_code == 201


HOSTILE = "<img src=x onerror=alert(1)> [click](javascript:alert(1)) ![x](http://evil/x.png) *bold*"


def test_user_text_in_the_markdown_report_renders_as_text_not_html(
    client: Client, world: World
) -> None:
    Objective.objects.filter(pk=world.objective.pk).update(title=HOSTILE)
    KeyResult.objects.filter(pk=world.key_result.pk).update(title=f"| {HOSTILE} |")
    TeamReflection.objects.create(
        organization=world.org,
        team=world.team,
        period=world.period,
        surprised=f"<script>alert(1)</script>\n- {HOSTILE}\n# heading",
    )
    client.force_login(world.member)
    text = client.get("/o/acme/teams/growth/report/2026-Q4/report.md").content.decode()
    rendered = MarkdownIt("commonmark").enable("table").render(text)
    for markup in ("<img", "<a ", "<script", "<em>", "<li>", "<h1>heading"):
        assert markup not in rendered, markup
    assert html.unescape(HOSTILE) in html.unescape(rendered)
    assert f"### {HOSTILE}" not in text


@pytest.mark.parametrize("value", [float("inf"), float("nan")])
def test_the_check_in_action_itself_refuses_a_value_that_is_not_finite(
    world: World, value: float
) -> None:
    access = access_org(world.member, "acme")
    with pytest.raises(CheckInError) as refused:
        do_check_in(access, world.key_result, CheckInInput(value=value), world.member)
    assert refused.value.field == "value"
    assert nothing_recorded(world)


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/orgs/acme/kpis/logo-churn/readings", {"value": float("nan")}, "value"),
        ("/orgs/acme/kpis/logo-churn/readings", {"value": float("inf")}, "value"),
        (
            "/orgs/acme/objectives/activation/key-results",
            {"title": "Raise activation from 1 to 2", "baseline": float("-inf"), "target": 2},
            "baseline",
        ),
        (
            "/orgs/acme/objectives/activation/key-results",
            {"title": "Raise activation from 1 to 2", "baseline": 1, "weight": float("nan")},
            "weight",
        ),
    ],
)
def test_every_number_the_api_takes_must_be_finite(
    world: World, path: str, body: dict, field: str
) -> None:
    response = client_for(world.admin, world.org).post(path, body)
    assert response.status_code == 422
    assert field in str(response.data)


def test_an_okr_file_check_in_dated_far_ahead_is_refused_by_the_import() -> None:
    text = """\
version: 1
organization: Acme Analytics
period: 2026-Q4
teams:
  - id: growth
    name: Growth
objectives:
  - id: activation
    team: growth
    title: New teams get to value in their first week
    key_results:
      - title: Raise week-1 activation from 34% to 50%
        check_ins:
          - on: 9999-12-31
            value: 45
"""
    with pytest.raises(ImportRefused) as refused:
        import_plan(load_text(text, "okrs.yaml"), "acme")
    assert "check-in on 9999-12-31 is more than a day ahead" in str(refused.value)
    assert not CheckIn.objects.exists()
