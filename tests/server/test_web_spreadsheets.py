"""The spreadsheet pages: downloads from the dashboard and team page, the import page's steps."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from constellation.server.okrs.models import KeyResult
from constellation.server.plans.sheets_read import MAX_BYTES
from tests.server.bulk import add_objectives
from tests.server.factories import PASSWORD, World

pytestmark = pytest.mark.django_db
IMPORT = "/o/acme/import/"
APPLY = "/o/acme/import/apply/"


@pytest.fixture(autouse=True)
def uploads_in_a_temporary_folder(settings: object, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path  # type: ignore[attr-defined]


def signed_in(user: object) -> Client:
    client = Client()
    client.login(username=user.username, password=PASSWORD)  # type: ignore[attr-defined]
    return client


def exported(client: Client) -> bytes:
    response = client.get("/o/acme/exports/okrs.csv", {"period": "2026-Q4"})
    assert response.status_code == 200
    return bytes(response.content)


def preview(client: Client, data: bytes, name: str = "okrs.csv"):  # type: ignore[no-untyped-def]
    file = SimpleUploadedFile(name, data)
    return client.post(IMPORT, {"period": "2026-Q4", "file": file})


def test_the_dashboard_and_team_page_link_to_the_downloads(world: World) -> None:
    client = signed_in(world.viewer)
    page = client.get("/o/acme/").content.decode()
    assert "/o/acme/exports/okrs.xlsx?period=2026-Q4" in page
    assert "/o/acme/import/" not in page  # viewers import nothing
    assert "/o/acme/import/" in signed_in(world.member).get("/o/acme/").content.decode()
    team_page = client.get("/o/acme/teams/growth/", {"period": "2026-Q4"}).content.decode()
    assert "/o/acme/exports/okrs.csv?period=2026-Q4&amp;team=growth" in team_page
    response = client.get("/o/acme/exports/okrs.xlsx", {"period": "2026-Q4", "team": "growth"})
    book = load_workbook(io.BytesIO(response.content))
    assert [row[1].value for row in book["Objectives"].iter_rows(min_row=2)] == ["activation"]
    assert client.get("/o/acme/exports/okrs.csv", {"team": "nope"}).status_code == 404


def test_upload_previews_then_apply_writes_and_the_same_file_then_changes_nothing(
    world: World,
) -> None:
    client = signed_in(world.admin)
    changed = exported(client).replace(b",50,", b",70,")
    page = preview(client, changed)
    text = page.content.decode()
    assert page.status_code == 200
    assert "activation/week1-activation" in text and "<del>50</del> → <ins>70</ins>" in text
    assert KeyResult.objects.get(pk=world.key_result.pk).target == 50
    digest = page.context["apply_form"].initial["upload"]
    done = client.post(APPLY, {"period": "2026-Q4", "upload": digest}, follow=True)
    assert "1 changed key results" in done.content.decode()
    assert KeyResult.objects.get(pk=world.key_result.pk).target == 70
    again = preview(client, changed)
    assert "Nothing to change" in again.content.decode()


def test_a_bad_file_lists_its_cells_and_saves_nothing(world: World) -> None:
    client = signed_in(world.admin)
    page = preview(client, exported(client).replace(b",50,", b",abc,"))
    assert page.status_code == 422
    assert "row 3, column target: &#x27;abc&#x27; is not a number" in page.content.decode()


def test_apply_trusts_nothing_the_browser_sends(world: World, tmp_path: Path) -> None:
    client = signed_in(world.admin)
    page = preview(client, exported(client).replace(b",50,", b",70,"))
    digest = page.context["apply_form"].initial["upload"]
    # Another person's session never applies it, nor does a made-up hash.
    other = signed_in(world.leader)
    assert other.post(APPLY, {"period": "2026-Q4", "upload": digest}).status_code == 302
    assert client.post(APPLY, {"period": "2026-Q4", "upload": "0" * 64}).status_code == 302
    # A file changed on the server since its preview no longer matches its hash.
    stored = next(tmp_path.rglob("*.upload"))
    stored.write_bytes(stored.read_bytes().replace(b",70,", b",90,"))
    assert client.post(APPLY, {"period": "2026-Q4", "upload": digest}).status_code == 302
    assert KeyResult.objects.get(pk=world.key_result.pk).target == 50


def test_a_file_too_large_is_refused_before_it_is_read(world: World) -> None:
    client = signed_in(world.admin)
    page = preview(client, b"x" * (MAX_BYTES + 1))
    assert page.status_code == 200
    assert "The file is larger than" in page.content.decode()


def test_viewers_are_refused_the_import_page(world: World) -> None:
    client = signed_in(world.viewer)
    assert client.get(IMPORT).status_code == 403
    assert preview(client, b"team\r\n").status_code == 403


def test_the_downloads_and_the_preview_run_a_bounded_number_of_queries(
    world: World, django_assert_max_num_queries: object
) -> None:
    add_objectives(world, 120)
    client = signed_in(world.admin)
    with django_assert_max_num_queries(30):  # type: ignore[operator]
        data = exported(client)
    assert len(list(csv.reader(io.StringIO(data.decode())))) > 240
    with django_assert_max_num_queries(30):  # type: ignore[operator]
        client.get("/o/acme/exports/okrs.xlsx", {"period": "2026-Q4"})
    with django_assert_max_num_queries(60):  # type: ignore[operator]
        assert "Nothing to change" in preview(client, data).content.decode()


def test_a_member_changing_another_teams_objective_is_told_why(world: World) -> None:
    client = signed_in(world.member)  # in no team yet
    page = preview(client, exported(client).replace(b",50,", b",70,"))
    assert page.status_code == 403
    assert "Only members of Growth, leaders and admins can import their OKRs" in (
        page.content.decode()
    )
