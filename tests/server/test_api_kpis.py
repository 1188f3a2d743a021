"""KPIs over the API: definitions, readings as JSON or CSV, promotion; the web's rules."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from constellation.server.kpis.models import Kpi, KpiReading
from constellation.server.okrs.models import KeyResult
from constellation.server.tokens.actions import do_create_token
from tests.server.api_helpers import check_against_schema, client_for
from tests.server.factories import World

READINGS = "/orgs/acme/kpis/logo-churn/readings"


def post_csv(token: str, path: str, text: str, *, multipart: bool = False):
    """POST a CSV file as the body or as a multipart form's `file`; the schema is checked."""
    client = Client()
    headers = {"Authorization": f"Bearer {token}"}
    if multipart:
        file = SimpleUploadedFile("r.csv", text.encode(), content_type="text/csv")
        response = client.post("/api/v1" + path, {"file": file}, headers=headers)
    else:
        response = client.post("/api/v1" + path, text, content_type="text/csv", headers=headers)
    response.data = response.json()
    check_against_schema("post", path, response.status_code, response.data)
    return response


def test_anyone_in_the_organisation_lists_kpis_with_health_and_latest_day(world: World) -> None:
    KpiReading.objects.create(kpi=world.kpi, taken_on=date(2026, 11, 2), value=2.1)
    [kpi] = client_for(world.viewer, world.org).get("/orgs/acme/kpis").data
    assert (kpi["id"], kpi["healthy"], kpi["latest_on"], kpi["version"]) == (
        "logo-churn",
        True,
        "2026-11-02",
        1,
    )


def test_a_leader_creates_and_updates_a_kpi_and_a_stale_version_gets_409(world: World) -> None:
    api = client_for(world.leader, world.org)
    created = api.post(
        "/orgs/acme/kpis", {"title": "Uptime", "unit": "%", "healthy_low": 99.5, "team": "growth"}
    )
    assert created.status_code == 201
    assert (created.data["id"], created.data["team"]) == ("uptime", "growth")
    changed = api.patch("/orgs/acme/kpis/uptime", {"version": 1, "healthy_low": 99.9, "team": None})
    assert changed.status_code == 200
    assert (changed.data["healthy_low"], changed.data["team"], changed.data["version"]) == (
        99.9,
        None,
        2,
    )
    stale = api.patch("/orgs/acme/kpis/uptime", {"version": 1, "title": "Availability"})
    assert stale.status_code == 409 and stale.data["current_version"] == 2
    assert Kpi.objects.get(slug="uptime").title == "Uptime"


def test_bad_kpi_input_names_the_json_path(world: World) -> None:
    api = client_for(world.admin, world.org)
    response = api.post("/orgs/acme/kpis", {"title": "X", "healthy_low": 5, "healthy_high": 1})
    assert response.status_code == 422
    assert response.data["errors"][0]["path"] == "$.healthy_high"
    response = api.post("/orgs/acme/kpis", {"title": "X", "team": "nope"})
    assert response.data["errors"][0]["path"] == "$.team"


def test_members_add_readings_but_do_not_define_kpis(world: World) -> None:
    api = client_for(world.member, world.org)
    assert api.post("/orgs/acme/kpis", {"title": "Mine"}).status_code == 403
    patch = api.patch("/orgs/acme/kpis/logo-churn", {"version": 1, "title": "Mine"})
    assert patch.status_code == 403
    saved = api.post(READINGS, {"value": 2.8, "date": "2026-11-04"})
    assert saved.status_code == 201
    assert saved.data["added"] == 1 and saved.data["kpis"][0]["healthy"] is False
    again = api.post(READINGS, {"value": 2.4, "date": "2026-11-04"})
    assert again.data["replaced"] == [
        {"kpi": "logo-churn", "date": "2026-11-04", "before": 2.8, "after": 2.4}
    ]
    listed = api.get(READINGS).data
    assert [(r["date"], r["value"], r["author"]) for r in listed] == [("2026-11-04", 2.4, "member")]


def test_a_bad_reading_names_body_value(world: World) -> None:
    api = client_for(world.member, world.org)
    response = api.post(READINGS, {"value": "lots", "date": "2026-11-04"})
    assert response.status_code == 422
    assert response.data["errors"][0]["loc"] == ["body", "value"]
    assert response.data["errors"][0]["path"] == "$.value"
    response = api.post(READINGS, {"value": 1, "date": "1066-10-14"})
    assert response.data["errors"][0]["path"] == "$.date"
    assert not KpiReading.objects.exists()


def test_viewers_cannot_write_and_outsiders_get_404(world: World) -> None:
    viewer = client_for(world.viewer, world.org)
    assert viewer.post(READINGS, {"value": 2}).status_code == 403
    assert viewer.post("/orgs/acme/kpis", {"title": "X"}).status_code == 403
    outsider = client_for(world.outsider, world.other_org)
    assert outsider.get("/orgs/acme/kpis").status_code == 404
    assert outsider.get(READINGS).status_code == 404
    assert outsider.post(READINGS, {"value": 2}).status_code == 404
    assert not KpiReading.objects.exists()


@pytest.mark.parametrize("multipart", [False, True], ids=["text-csv", "multipart"])
def test_a_csv_upload_saves_all_rows_or_lists_every_bad_line(world: World, multipart: bool) -> None:
    _, token = do_create_token(world.member, world.org, "csv")
    bad = post_csv(
        token, f"{READINGS}/csv", "date,value\n2026-11-01,2\n2026-11-02,abc\n", multipart=multipart
    )
    assert bad.status_code == 422
    assert bad.data["errors"][0]["msg"] == "line 3: value 'abc' is not a number"
    assert (bad.data["errors"][0]["line"], bad.data["errors"][0]["column"]) == (3, "value")
    assert not KpiReading.objects.exists()
    good = post_csv(
        token, f"{READINGS}/csv", "date,value\n2026-11-01,2\n2026-11-02,2.2\n", multipart=multipart
    )
    assert good.status_code == 201 and good.data["added"] == 2
    assert good.data["kpis"][0]["current"] == 2.2


def test_a_csv_of_several_kpis_is_uploaded_to_the_kpi_list(world: World) -> None:
    Kpi.objects.create(organization=world.org, slug="nps", title="NPS")
    _, token = do_create_token(world.member, world.org, "csv")
    text = "kpi,date,value\nlogo-churn,2026-11-01,2\nnps,2026-11-01,40\n"
    response = post_csv(token, "/orgs/acme/kpis/readings/csv", text)
    assert response.status_code == 201
    assert {k["id"]: k["current"] for k in response.data["kpis"]} == {"logo-churn": 2, "nps": 40}


def test_a_leader_promotes_a_kpi_by_api(world: World) -> None:
    KpiReading.objects.create(kpi=world.kpi, taken_on=date(2026, 10, 20), value=2.4)
    api = client_for(world.leader, world.org)
    response = api.post(
        "/orgs/acme/kpis/logo-churn/promote", {"objective": "activation", "target": 1.8}
    )
    assert response.status_code == 201
    assert (response.data["baseline"], response.data["target"]) == (2.4, 1.8)
    kr = KeyResult.objects.get(kpi=world.kpi)
    assert response.data["key_result"] == f"activation/{kr.slug}"
    missing = api.post("/orgs/acme/kpis/logo-churn/promote", {"objective": "secret", "target": 1})
    assert missing.status_code == 422 and missing.data["errors"][0]["path"] == "$.objective"


@pytest.mark.parametrize("count", [5, 50])
def test_lists_run_a_fixed_number_of_queries(
    world: World, django_assert_num_queries, count: int
) -> None:
    kpis = Kpi.objects.bulk_create(
        Kpi(organization=world.org, slug=f"k-{n}", title=f"K {n}") for n in range(count)
    )
    KpiReading.objects.bulk_create(
        KpiReading(kpi=k, taken_on=date(2026, 1, 1) + timedelta(days=d), value=d)
        for k in kpis[:2]
        for d in range(count * 6)
    )
    api = client_for(world.member, world.org)
    with django_assert_num_queries(5):
        assert len(api.get("/orgs/acme/kpis").data) == count + 1
    with django_assert_num_queries(4):
        assert len(api.get("/orgs/acme/kpis/k-0/readings").data) == count * 6


@pytest.mark.parametrize("path", [f"{READINGS}/csv", "/orgs/acme/kpis/readings/csv"])
def test_a_multipart_upload_without_its_file_is_a_documented_422_naming_file(
    world: World, path: str
) -> None:
    _, token = do_create_token(world.leader, world.org, "csv")
    readings = KpiReading.objects.count()
    response = Client().post(
        "/api/v1" + path, {"note": "no file"}, headers={"Authorization": f"Bearer {token}"}
    )
    check_against_schema("post", path, response.status_code, response.json())
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "$.file"
    assert KpiReading.objects.count() == readings
