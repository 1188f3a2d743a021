"""OKR spreadsheets over the API: XLSX and CSV downloads, and an import previewed then applied."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from constellation.server.okrs.models import KeyResult
from tests.server.api_helpers import check_against_schema, client_for
from tests.server.bulk import add_objectives
from tests.server.factories import World

pytestmark = pytest.mark.django_db
EXPORTS = "/orgs/acme/exports"
IMPORTS = "/orgs/acme/spreadsheet-imports"


def download(token: str, path: str, **params: str):  # type: ignore[no-untyped-def]
    """GET a file with a Bearer token; an error answer is checked against the schema."""
    response = Client().get("/api/v1" + path, params, headers={"Authorization": f"Bearer {token}"})
    if response.status_code >= 400:
        check_against_schema("get", path, response.status_code, response.json())
    return response


def upload(token: str, data: bytes, name: str = "okrs.csv", query: str = ""):  # type: ignore[no-untyped-def]
    """POST a file as the multipart form's `file`; the answer is checked against the schema."""
    file = SimpleUploadedFile(name, data)
    response = Client().post(
        f"/api/v1{IMPORTS}{query}", {"file": file}, headers={"Authorization": f"Bearer {token}"}
    )
    response.data = response.json()
    check_against_schema("post", IMPORTS, response.status_code, response.data)
    return response


def token(world: World, user: object) -> str:
    return str(client_for(user, world.org).token)


def test_the_xlsx_download_is_a_workbook_with_three_sheets(world: World) -> None:
    response = download(token(world, world.viewer), f"{EXPORTS}/okrs.xlsx", period="2026-Q4")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="acme-2026-Q4-okrs.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Objectives", "Key results", "Check-ins"]


def test_the_csv_downloads_hold_okrs_and_check_ins_of_a_team(world: World) -> None:
    viewer = token(world, world.viewer)
    response = download(viewer, f"{EXPORTS}/okrs.csv", period="2026-Q4", team="growth")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {row["objective"] for row in rows} == {"activation"}
    response = download(viewer, f"{EXPORTS}/check-ins.csv", period="2026-Q4")
    assert response.content.decode().startswith("objective,key_result,on,value")


def test_a_dry_run_previews_and_apply_writes_then_nothing_more(world: World) -> None:
    admin = token(world, world.admin)
    data = download(admin, f"{EXPORTS}/okrs.csv", period="2026-Q4").content
    fresh = upload(admin, data, query="?period=2026-Q4")
    assert fresh.status_code == 200 and fresh.data["changed"] is False
    assert fresh.data["counts"]["key_results"]["unchanged"] == 2
    changed = data.replace(b",50,", b",55,")
    preview = upload(admin, changed, query="?period=2026-Q4")
    assert preview.data["dry_run"] is True
    assert preview.data["changes"] == [
        {
            "kind": "key result",
            "key": "activation/week1-activation",
            "action": "updated",
            "fields": [{"field": "target", "before": 50, "after": 55}],
        }
    ]
    assert KeyResult.objects.get(pk=world.key_result.pk).target == 50
    applied = upload(admin, changed, query="?period=2026-Q4&dry_run=false")
    assert applied.data["dry_run"] is False and applied.data["changed"] is True
    assert KeyResult.objects.get(pk=world.key_result.pk).target == 55
    again = upload(admin, changed, query="?period=2026-Q4&dry_run=false")
    assert again.data["changed"] is False


def test_a_bad_file_is_a_problem_naming_row_and_column(world: World) -> None:
    admin = token(world, world.admin)
    data = download(admin, f"{EXPORTS}/okrs.csv", period="2026-Q4").content
    refused = upload(admin, data.replace(b",50,", b",abc,"), query="?period=2026-Q4")
    assert refused.status_code == 422
    assert refused["Content-Type"] == "application/problem+json"
    [error] = refused.data["errors"]
    assert error["path"] == "row 3, column target"
    assert error["loc"] == ["body", "file", 3, "target"]
    assert error["msg"] == "row 3, column target: 'abc' is not a number (digits, '.' for decimals)"


def test_a_missing_file_or_period_is_a_422_naming_it(world: World) -> None:
    admin = token(world, world.admin)
    response = Client().post(f"/api/v1{IMPORTS}", {}, headers={"Authorization": f"Bearer {admin}"})
    assert response.status_code == 422 and response.json()["errors"][0]["loc"][-1] == "file"
    refused = download(admin, f"{EXPORTS}/okrs.csv", period="2031-Q1")
    assert refused.status_code == 422 and refused.json()["errors"][0]["loc"][-1] == "period"


def test_viewers_cannot_import_and_outsiders_get_404(world: World) -> None:
    data = download(token(world, world.admin), f"{EXPORTS}/okrs.csv", period="2026-Q4").content
    assert upload(token(world, world.viewer), data).status_code == 403
    outsider = str(client_for(world.outsider, world.other_org).token)
    assert upload(outsider, data).status_code == 404
    assert download(outsider, f"{EXPORTS}/okrs.xlsx").status_code == 404
    assert (
        download(token(world, world.viewer), f"{EXPORTS}/okrs.csv", team="nope").status_code == 404
    )


def test_exports_and_imports_run_a_bounded_number_of_queries(
    world: World, django_assert_max_num_queries: object
) -> None:
    add_objectives(world, 150)
    admin = token(world, world.admin)
    with django_assert_max_num_queries(30):  # type: ignore[operator]
        xlsx = download(admin, f"{EXPORTS}/okrs.xlsx", period="2026-Q4").content
    with django_assert_max_num_queries(55):  # type: ignore[operator]
        assert upload(admin, xlsx, "okrs.xlsx", "?period=2026-Q4").data["changed"] is False
