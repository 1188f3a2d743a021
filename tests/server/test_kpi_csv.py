"""Uploading KPI readings as CSV on the web: all or nothing, every problem named by line."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from constellation.server.audit.models import AuditEvent
from constellation.server.kpis.models import Kpi, KpiReading
from constellation.server.kpis.readings_csv import CsvProblems, parse_readings
from constellation.server.okrs.models import KeyResult
from constellation.server.tracking.models import CheckIn
from tests.server.factories import World


def upload(client, text: str | bytes, kpi: str | None = "logo-churn", **extra):
    data = text.encode() if isinstance(text, str) else text
    name = "kpi-upload" if kpi else "kpi-upload-many"
    kwargs = {"org": "acme", **({"kpi": kpi} if kpi else {})}
    file = SimpleUploadedFile("readings.csv", data, content_type="text/csv")
    return client.post(reverse(name, kwargs=kwargs), {"file": file}, **extra)


def csv_of(days: int, start: date = date(2026, 10, 1), value: float = 2.0) -> str:
    rows = [f"{start + timedelta(days=d)},{value + d / 100}" for d in range(days)]
    return "date,value\n" + "\n".join(rows) + "\n"


def test_a_good_file_is_saved_and_the_kpi_follows_its_latest_reading(client, world: World) -> None:
    client.force_login(world.member)
    response = upload(client, "date,value\n2026-10-01,2.0\n2026-10-08,2.2\n2026-10-15,2.6\n")
    assert response.status_code == 302
    assert list(KpiReading.objects.values_list("taken_on", "value")) == [
        (date(2026, 10, 1), 2.0),
        (date(2026, 10, 8), 2.2),
        (date(2026, 10, 15), 2.6),
    ]
    world.kpi.refresh_from_db()
    assert world.kpi.current == 2.6
    event = AuditEvent.objects.get(action="record_readings")
    assert event.after["source"] == "csv" and len(event.after["added"]) == 3
    page = client.get(response.url).content.decode()
    assert "Saved 3 readings: 3 new." in page


def test_a_bad_file_is_refused_whole_with_every_problem_by_line_and_nothing_saved(
    client, world: World
) -> None:
    client.force_login(world.member)
    text = (
        "date,value\n"
        "2026-10-01,2.0\n"
        "2026-10-02,abc\n"
        "01/10/2026,2.1\n"
        "2026-10-04,2.3,extra\n"
        "\n"
        "2026-10-01,2.4\n"
        "2026-10-06,nan\n"
    )
    response = upload(client, text)
    assert response.status_code == 422
    page = response.content.decode()
    for problem in (
        "line 3: value &#x27;abc&#x27; is not a number",
        "line 4: date &#x27;01/10/2026&#x27; is not a date (write it as YYYY-MM-DD)",
        "line 5: expected 2 columns (date, value), found 3",
        "line 7: a second value for logo-churn on 2026-10-01 (first on line 2)",
        "line 8: value &#x27;nan&#x27; is not a number",
    ):
        assert problem in page
    assert "The file was refused and nothing was saved" in page
    assert not KpiReading.objects.exists()
    assert not AuditEvent.objects.filter(action="record_readings").exists()


def test_re_uploading_the_same_rows_adds_nothing_and_a_changed_value_replaces_the_old(
    client, world: World
) -> None:
    client.force_login(world.member)
    text = "date,value\n2026-10-01,2.0\n2026-10-08,2.2\n"
    upload(client, text)
    response = upload(client, text, follow=True)
    assert KpiReading.objects.count() == 2
    assert "Saved 0 readings: 0 new. 2 already recorded with the same value" in (
        response.content.decode()
    )
    response = upload(client, "date,value\n2026-10-08,2.4\n2026-10-15,2.5\n", follow=True)
    page = response.content.decode()
    assert "Saved 2 readings: 1 new, 1 replaced a reading of the same day" in page
    assert "Monthly logo churn on 2026-10-08 was 2.2, now 2.4" in page
    assert dict(KpiReading.objects.values_list("taken_on", "value")) == {
        date(2026, 10, 1): 2.0,
        date(2026, 10, 8): 2.4,
        date(2026, 10, 15): 2.5,
    }


def test_one_file_may_hold_readings_of_several_kpis(client, world: World) -> None:
    Kpi.objects.create(organization=world.org, slug="nps", title="NPS", healthy_low=30)
    client.force_login(world.member)
    text = "kpi,date,value\nlogo-churn,2026-11-01,2.2\nnps,2026-11-01,41\nnps,2026-11-08,44\n"
    response = upload(client, text, kpi=None)
    assert response.status_code == 302
    assert dict(Kpi.objects.values_list("slug", "current")) == {"logo-churn": 2.2, "nps": 44}
    assert AuditEvent.objects.filter(action="record_readings").count() == 2


def test_a_file_for_several_kpis_names_unknown_kpis_and_needs_the_kpi_column(
    client, world: World
) -> None:
    client.force_login(world.member)
    response = upload(
        client, "kpi,date,value\nlogo-churn,2026-11-01,2\nsecret,2026-11-01,3\n", None
    )
    assert response.status_code == 422
    assert "line 3: unknown KPI &#x27;secret&#x27;" in response.content.decode()
    response = upload(client, "date,value\n2026-11-01,2\n", kpi=None)
    assert "line 1: the header has no &#x27;kpi&#x27; column" in response.content.decode()
    assert not KpiReading.objects.exists()


def test_another_organisations_kpi_cannot_be_named_in_a_file(client, world: World) -> None:
    Kpi.objects.create(organization=world.other_org, slug="globex-kpi", title="Globex KPI")
    client.force_login(world.member)
    response = upload(client, "kpi,date,value\nglobex-kpi,2026-11-01,2\n", kpi=None)
    assert response.status_code == 422
    assert "unknown KPI" in response.content.decode()
    assert not KpiReading.objects.exists()


def test_a_file_that_is_not_utf8_or_empty_is_refused_clearly(client, world: World) -> None:
    client.force_login(world.member)
    response = upload(client, "date,value\n2026-11-01,2\n2026-11-02,caf\xe9\n".encode("latin-1"))
    assert "line 3: the file is not UTF-8 text" in response.content.decode()
    response = upload(client, "")
    assert "The submitted file is empty." in response.content.decode()
    response = upload(client, "\n \n")
    assert "line 1: the file is empty: expected a header date,value" in response.content.decode()
    response = upload(client, "date,value\n")
    assert "line 2: the file has a header but no readings" in response.content.decode()
    assert not KpiReading.objects.exists()


def test_an_upload_feeds_the_key_result_promoted_from_the_kpi(client, world: World) -> None:
    kr = KeyResult.objects.create(
        objective=world.objective,
        slug="churn",
        title="Cut churn",
        baseline=2.4,
        target=1.5,
        kpi=world.kpi,
    )
    client.force_login(world.member)
    # Readings outside the key result's period (2026-Q4) are the KPI's history only.
    upload(client, "date,value\n2026-09-30,2.6\n2026-10-05,2.3\n2026-11-05,2.1\n")
    assert list(
        CheckIn.objects.filter(key_result=kr).order_by("checked_on").values_list("value", flat=True)
    ) == [2.3, 2.1]
    kr.refresh_from_db()
    assert (kr.current, kr.version) == (2.1, 2)


def test_viewers_cannot_upload_and_outsiders_get_404(client, world: World) -> None:
    client.force_login(world.viewer)
    assert upload(client, csv_of(3)).status_code == 403
    assert upload(client, csv_of(3), kpi=None).status_code == 403
    client.force_login(world.outsider)
    assert upload(client, csv_of(3)).status_code == 404
    assert not KpiReading.objects.exists()


@pytest.mark.parametrize("rows", [10, 300])
def test_an_upload_runs_a_fixed_number_of_queries(
    client, world: World, django_assert_max_num_queries, rows: int
) -> None:
    KeyResult.objects.create(
        objective=world.objective,
        slug="churn",
        title="Cut churn",
        baseline=3,
        target=1,
        kpi=world.kpi,
    )
    client.force_login(world.member)
    upload(client, csv_of(rows, value=2.0))  # the second upload replaces every value
    with django_assert_max_num_queries(QUERIES_OF_UPLOAD):
        assert upload(client, csv_of(rows, value=2.5)).status_code == 302
    assert KpiReading.objects.count() == rows


# Session, user, membership, the KPI, savepoints, lock, existing readings, bulk update,
# current, audit, linked key results, check-ins, key results' current, their audit; then the
# stored scores and findings of the objectives the KPI feeds or guards, their team's set and
# their period's plan (`plans.stored`, about forty). Rows are written in bulk statements;
# SQLite's limit of 999 parameters per statement splits 300 replaced values into two, so the
# bound is one above what 10 rows take.
QUERIES_OF_UPLOAD = 62


def test_the_parser_lists_at_most_fifty_problems_and_counts_the_rest(world: World) -> None:
    text = "date,value\n" + "".join(f"2026-10-{d:02},x\n" for d in range(1, 29)) * 3
    with pytest.raises(CsvProblems) as refused:
        parse_readings(text, kpi=world.kpi, kpis={})
    assert len(refused.value.problems) == 50
    assert refused.value.lines[-1] == "…and 34 more problems"
