"""The KPI pages: the list, a KPI with its chart, defining KPIs, readings by hand, promotion."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from constellation.server.audit.models import AuditEvent
from constellation.server.kpis.models import Kpi, KpiReading
from constellation.server.okrs.models import KeyResult, Objective
from constellation.server.tracking.models import CheckIn
from tests.server.factories import World


def url(name: str, **kwargs: str) -> str:
    return reverse(name, kwargs={"org": "acme", **kwargs})


def add_kpis(world: World, count: int) -> None:
    """`count` more KPIs, each with 20 readings."""
    made = Kpi.objects.bulk_create(
        Kpi(organization=world.org, slug=f"kpi-{n}", title=f"Measure {n}", healthy_low=10)
        for n in range(count)
    )
    KpiReading.objects.bulk_create(
        KpiReading(kpi=kpi, taken_on=date(2026, 10, 1) + timedelta(days=d), value=d)
        for kpi in made
        for d in range(20)
    )


def add_readings(kpi: Kpi, count: int) -> None:
    KpiReading.objects.bulk_create(
        KpiReading(kpi=kpi, taken_on=date(2025, 1, 1) + timedelta(days=d), value=2 + d % 3 / 10)
        for d in range(count)
    )


def test_the_list_shows_each_kpi_with_its_latest_reading_health_and_sparkline(
    client, world: World
) -> None:
    add_readings(world.kpi, 3)
    KpiReading.objects.create(kpi=world.kpi, taken_on=date(2026, 11, 2), value=2.9)
    Kpi.objects.filter(pk=world.kpi.pk).update(current=2.9)
    client.force_login(world.viewer)
    page = client.get(url("kpis")).content.decode()
    assert "Monthly logo churn" in page
    assert "2.9%" in page and "2 Nov 2026" in page
    assert "unhealthy" in page  # in words, not colour alone
    assert (
        '<svg class="sparkline" role="img" aria-label="Recent readings of Monthly logo churn'
        in (page)
    )
    assert "up to 2.5%" in page
    assert "New KPI" not in page and "Upload readings" not in page


def test_the_list_reads_a_fixed_number_of_queries_for_5_or_50_kpis(
    client, world: World, django_assert_max_num_queries
) -> None:
    client.force_login(world.member)
    add_kpis(world, 5)
    with django_assert_max_num_queries(9):
        assert client.get(url("kpis")).status_code == 200
    add_kpis_more = Kpi.objects.bulk_create(
        Kpi(organization=world.org, slug=f"more-{n}", title=f"More {n}") for n in range(45)
    )
    KpiReading.objects.bulk_create(
        KpiReading(kpi=kpi, taken_on=date(2026, 10, 1) + timedelta(days=d), value=d)
        for kpi in add_kpis_more
        for d in range(20)
    )
    with django_assert_max_num_queries(9):
        page = client.get(url("kpis")).content.decode()
    assert page.count('class="kpi-row"') == 51


def test_a_leader_defines_a_kpi(client, world: World) -> None:
    client.force_login(world.leader)
    response = client.post(
        url("kpi-new"),
        {
            "title": "Net promoter score",
            "unit": "points",
            "direction": "increase",
            "healthy_low": "30",
            "healthy_high": "",
            "team": "growth",
        },
    )
    assert response.status_code == 302
    kpi = Kpi.objects.get(slug="net-promoter-score")
    assert (kpi.healthy_low, kpi.healthy_high, kpi.team, kpi.unit) == (
        30,
        None,
        world.team,
        "points",
    )
    assert response.url == url("kpi", kpi="net-promoter-score")
    assert AuditEvent.objects.filter(action="create", object_type="kpi", object_id=kpi.pk).exists()


def test_a_refused_kpi_form_keeps_what_was_typed_and_says_why_next_to_the_field(
    client, world: World
) -> None:
    client.force_login(world.admin)
    response = client.post(
        url("kpi-new"),
        {"title": "Uptime", "direction": "increase", "healthy_low": "99.9", "healthy_high": "99"},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert 'value="Uptime"' in page and 'value="99.9"' in page
    assert 'id="kpi-healthy_high-error"' in page and "below the low end" in page
    assert '<label for="kpi-healthy_low">Healthy from</label>' in page
    assert not Kpi.objects.filter(title="Uptime").exists()


def test_members_may_not_define_kpis_but_viewers_and_members_read_them(
    client, world: World
) -> None:
    client.force_login(world.member)
    assert client.post(url("kpi-new"), {"title": "X", "direction": "increase"}).status_code == 403
    assert client.get(url("kpi-new")).status_code == 302
    response = client.post(
        url("kpi-edit", kpi="logo-churn"), {"title": "X", "direction": "increase", "version": "1"}
    )
    assert response.status_code == 403
    assert Kpi.objects.get(pk=world.kpi.pk).title == "Monthly logo churn"
    client.force_login(world.viewer)
    assert client.get(url("kpi", kpi="logo-churn")).status_code == 200


def test_an_outsider_gets_404_for_every_kpi_page(client, world: World) -> None:
    client.force_login(world.outsider)
    for name, kwargs in (("kpis", {}), ("kpi", {"kpi": "logo-churn"}), ("kpi-new", {})):
        assert client.get(url(name, **kwargs)).status_code == 404
    response = client.post(
        url("kpi-reading-add", kpi="logo-churn"), {"value": "9", "date": "2026-11-01"}
    )
    assert response.status_code == 404
    assert not KpiReading.objects.exists()


def test_the_kpi_page_draws_the_readings_inside_the_healthy_band(client, world: World) -> None:
    add_readings(world.kpi, 5)
    client.force_login(world.member)
    page = client.get(url("kpi", kpi="logo-churn")).content.decode()
    assert '<svg class="chart" id="kpi-chart" role="img"' in page
    assert '<title id="kpi-chart-title">Readings of Monthly logo churn</title>' in page
    assert "healthy range: up to 2.5%" in page
    assert 'class="chart-band"' in page
    assert page.count('class="chart-dot"') == 5
    assert "<caption>Readings of Monthly logo churn</caption>" in page  # the table fallback


@pytest.mark.parametrize("readings", [10, 300])
def test_the_kpi_page_reads_a_fixed_number_of_queries(
    client, world: World, django_assert_num_queries, readings: int
) -> None:
    add_readings(world.kpi, readings)
    client.force_login(world.leader)
    with django_assert_num_queries(QUERIES_OF_KPI_PAGE):
        page = client.get(url("kpi", kpi="logo-churn")).content.decode()
    assert page.count('<circle class="chart-dot') == readings


# Session, user, membership, the KPI, readings, periods, objectives, linked key results,
# guarded objectives, teams (for the edit form), its data source, the switcher and the unread
# count.
QUERIES_OF_KPI_PAGE = 13


def test_a_member_adds_a_reading_and_the_kpi_follows_it(client, world: World) -> None:
    client.force_login(world.member)
    response = client.post(
        url("kpi-reading-add", kpi="logo-churn"), {"value": "2.7", "date": "2026-11-03"}
    )
    assert response.status_code == 302
    world.kpi.refresh_from_db()
    assert world.kpi.current == 2.7
    assert world.kpi.is_healthy() is False
    reading = KpiReading.objects.get()
    assert (reading.value, reading.author) == (2.7, world.member)
    event = AuditEvent.objects.get(action="record_readings")
    assert event.after["current"] == 2.7 and event.before == {"current": 2.1}
    page = client.get(response.url).content.decode()
    assert "Saved 1 reading: 1 new." in page


def test_a_second_reading_of_a_day_replaces_the_first_and_says_so(client, world: World) -> None:
    client.force_login(world.member)
    add = url("kpi-reading-add", kpi="logo-churn")
    client.post(add, {"value": "2.7", "date": "2026-11-03"})
    response = client.post(add, {"value": "2.2", "date": "2026-11-03"}, follow=True)
    assert KpiReading.objects.get().value == 2.2
    assert "1 replaced a reading of the same day" in response.content.decode()
    assert "was 2.7, now 2.2" in response.content.decode()


def test_an_older_reading_does_not_move_the_current_value(client, world: World) -> None:
    client.force_login(world.member)
    add = url("kpi-reading-add", kpi="logo-churn")
    client.post(add, {"value": "2.0", "date": "2026-11-03"})
    client.post(add, {"value": "3.0", "date": "2026-10-01"})
    world.kpi.refresh_from_db()
    assert world.kpi.current == 2.0


def test_a_bad_reading_is_refused_next_to_its_field_keeping_the_input(client, world: World) -> None:
    client.force_login(world.member)
    response = client.post(
        url("kpi-reading-add", kpi="logo-churn"), {"value": "lots", "date": "2026-11-03"}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="reading-value-error"' in page
    assert 'value="2026-11-03"' in page
    assert not KpiReading.objects.exists()


def test_a_viewer_cannot_add_a_reading(client, world: World) -> None:
    client.force_login(world.viewer)
    response = client.post(
        url("kpi-reading-add", kpi="logo-churn"), {"value": "2", "date": "2026-11-03"}
    )
    assert response.status_code == 403
    assert not KpiReading.objects.exists()


def test_an_edit_from_an_older_version_is_refused_and_keeps_what_was_typed(
    client, world: World
) -> None:
    client.force_login(world.leader)
    edit = url("kpi-edit", kpi="logo-churn")
    form = {"title": "Logo churn", "direction": "decrease", "healthy_high": "3", "version": "1"}
    assert client.post(edit, form).status_code == 302
    world.kpi.refresh_from_db()
    assert (world.kpi.title, world.kpi.healthy_high, world.kpi.version) == ("Logo churn", 3, 2)
    stale = {**form, "title": "Churned logos", "version": "1"}
    response = client.post(edit, stale)
    assert response.status_code == 409
    page = response.content.decode()
    assert "changed by someone else" in page
    assert 'value="Churned logos"' in page
    assert 'name="version" value="2"' in page
    assert Kpi.objects.get(pk=world.kpi.pk).title == "Logo churn"


def test_a_leader_promotes_the_kpi_into_a_key_result_that_its_readings_feed(
    client, world: World
) -> None:
    KpiReading.objects.create(kpi=world.kpi, taken_on=date(2026, 10, 20), value=2.4)
    client.force_login(world.leader)
    page = client.get(url("kpi", kpi="logo-churn")).content.decode()
    assert '<option value="activation">' in page
    response = client.post(
        url("kpi-promote", kpi="logo-churn"),
        {"objective": "activation", "target": "1.5", "period": "2026-Q4"},
    )
    assert response.status_code == 302
    kr = KeyResult.objects.get(kpi=world.kpi)
    assert (kr.objective, kr.baseline, kr.target, kr.current) == (world.objective, 2.4, 1.5, 2.4)
    assert kr.title == "Cut Monthly logo churn from 2.4% to 1.5%"
    assert response.url.endswith(f"/o/acme/objectives/activation/#kr-{kr.slug}")
    assert AuditEvent.objects.filter(action="promote", object_id=world.kpi.pk).exists()
    client.force_login(world.member)
    client.post(url("kpi-reading-add", kpi="logo-churn"), {"value": "2.0", "date": "2026-11-09"})
    kr.refresh_from_db()
    assert kr.current == 2.0
    feed = CheckIn.objects.filter(key_result=kr).order_by("checked_on")
    assert [(c.checked_on.isoformat(), c.value) for c in feed] == [
        ("2026-10-20", 2.4),
        ("2026-11-09", 2.0),
    ]
    assert AuditEvent.objects.filter(action="check_in", object_id=kr.pk).count() == 2


def test_a_promotion_against_the_kpis_direction_is_refused_next_to_the_target(
    client, world: World
) -> None:
    KpiReading.objects.create(kpi=world.kpi, taken_on=date(2026, 10, 20), value=2.4)
    client.force_login(world.admin)
    response = client.post(
        url("kpi-promote", kpi="logo-churn"),
        {"objective": "activation", "target": "4", "period": "2026-Q4"},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="promote-target-error"' in page and "should decrease" in page
    assert 'value="4"' in page
    assert not KeyResult.objects.filter(kpi=world.kpi).exists()


def test_members_cannot_promote_and_a_kpi_without_readings_cannot_be_promoted(
    client, world: World
) -> None:
    promote = url("kpi-promote", kpi="logo-churn")
    form = {"objective": "activation", "target": "1", "period": "2026-Q4"}
    client.force_login(world.member)
    assert client.post(promote, form).status_code == 403
    client.force_login(world.leader)
    response = client.post(promote, form)
    assert response.status_code == 422
    assert "record a reading first" in response.content.decode()
    assert not KeyResult.objects.filter(kpi=world.kpi).exists()


def test_a_kpi_of_a_team_is_promoted_only_into_that_teams_objectives(client, world: World) -> None:
    Kpi.objects.filter(pk=world.kpi.pk).update(team=world.team)
    KpiReading.objects.create(kpi=world.kpi, taken_on=date(2026, 10, 20), value=2.4)
    client.force_login(world.leader)
    page = client.get(url("kpi", kpi="logo-churn") + "?period=2026-Q4").content.decode()
    assert '<option value="activation">' in page
    assert '<option value="retention">' not in page  # the company team's objective
    response = client.post(
        url("kpi-promote", kpi="logo-churn"),
        {"objective": "retention", "target": "1", "period": "2026-Q4"},
    )
    assert response.status_code == 422
    assert Objective.objects.get(slug="retention").key_results.count() == 0
