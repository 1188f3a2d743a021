"""OKR spreadsheets: exports open as XLSX and CSV, import previews and applies, round trips."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from constellation.server.audit.models import AuditEvent
from constellation.server.errors import NotAllowed, ReadOnly
from constellation.server.okrs.models import KeyResult, Objective
from constellation.server.orgs.access import access_org
from constellation.server.plans.sheets import (
    CHECK_IN_COLUMNS,
    OKR_COLUMNS,
    csv_escape,
    csv_unescape,
    export_tables,
    write_csv,
    write_xlsx,
)
from constellation.server.plans.sheets_import import do_import_sheet
from constellation.server.plans.sheets_read import SheetProblems
from constellation.server.tracking.models import CheckIn
from tests.server.bulk import add_objectives
from tests.server.factories import World, make_objective

pytestmark = pytest.mark.django_db


def _csv(world: World, team: object = None) -> bytes:
    tables = export_tables(world.org, world.period, team)  # type: ignore[arg-type]
    return write_csv(OKR_COLUMNS, tables.okr_rows()).encode()


def _xlsx(world: World) -> bytes:
    return write_xlsx(export_tables(world.org, world.period, None))


def _import(world: World, data: bytes, name: str, user: object = None, **kwargs: bool):  # type: ignore[no-untyped-def]
    person = user or world.admin
    access = access_org(person, "acme")
    return do_import_sheet(access, world.period, data, name, person, **kwargs)


def test_csv_escape_round_trips_every_text() -> None:
    for text in ("=1+1", "+x", "-y", "@z", "\tt", "\rr", "'quoted", "'", "plain", "'=a", ""):
        assert csv_unescape(csv_escape(text)) == text
    assert csv_escape("=SUM(A1)") == "'=SUM(A1)"
    assert csv_unescape("'hello") == "'hello"


def test_the_xlsx_export_has_typed_cells_on_three_sheets(world: World) -> None:
    CheckIn.objects.create(key_result=world.key_result, checked_on="2026-10-20", value=40)
    book = load_workbook(io.BytesIO(_xlsx(world)))
    assert book.sheetnames == ["Objectives", "Key results", "Check-ins"]
    krs = book["Key results"]
    assert krs.freeze_panes == "A2"
    header = [cell.value for cell in krs[1]]
    row = dict(zip(header, [cell.value for cell in krs[2]], strict=True))
    assert row["objective"] == "activation"
    assert row["baseline"] == 34 and row["target"] == 50
    assert krs.column_dimensions["C"].width > 10
    check_in = book["Check-ins"][2]
    assert check_in[2].is_date and check_in[2].value.date().isoformat() == "2026-10-20"


def test_the_csv_export_has_one_row_per_key_result_and_one_for_a_bare_objective(
    world: World,
) -> None:
    rows = list(csv.DictReader(io.StringIO(_csv(world).decode())))
    assert [(r["objective"], r["key_result"]) for r in rows] == [
        ("retention", ""),
        ("activation", "week1-activation"),
        ("activation", "time-to-value"),
    ]
    assert rows[1]["objective_owner"] == "member@example.com"
    assert rows[1]["baseline"] == "34"


def test_a_fresh_export_imports_back_with_no_change(world: World) -> None:
    CheckIn.objects.create(key_result=world.key_result, checked_on="2026-10-20", value=40)
    for data, name in ((_csv(world), "okrs.csv"), (_xlsx(world), "okrs.xlsx")):
        result = _import(world, data, name)
        assert not result.changed, result.changes()
        assert result.counts()["objective"]["unchanged"] == 2
        assert result.counts()["key result"]["unchanged"] == 2
        applied = _import(world, data, name, dry_run=False)
        assert not applied.changed


def test_a_formula_like_title_is_text_in_both_files_and_comes_back_as_itself(
    world: World,
) -> None:
    Objective.objects.filter(pk=world.objective.pk).update(title="=HYPERLINK(evil)")
    KeyResult.objects.filter(pk=world.key_result.pk).update(title="-5 churn @ risk", unit="+%")
    KeyResult.objects.filter(pk=world.second_key_result.pk).update(title="\r\tCut <time> & 'wait'")
    book = load_workbook(io.BytesIO(_xlsx(world)))
    title = book["Objectives"]["C3"]
    assert title.value == "=HYPERLINK(evil)" and title.data_type == "s" and title.quotePrefix
    assert book["Key results"]["C2"].data_type == "s"
    assert book["Key results"]["C3"].value == "\r\tCut <time> & 'wait'"
    data = _csv(world)
    rows = list(csv.DictReader(io.StringIO(data.decode())))
    assert rows[1]["objective_title"] == "'=HYPERLINK(evil)"
    assert rows[1]["key_result_title"] == "'-5 churn @ risk"
    for file, name in ((data, "okrs.csv"), (_xlsx(world), "okrs.xlsx")):
        assert not _import(world, file, name).changed


def test_the_preview_shows_new_and_changed_rows_and_writes_nothing(world: World) -> None:
    text = _csv(world).decode()
    text = text.replace(",50,", ",60,")
    text += (
        "growth,speed,Ship faster,,aspirational,,deploys,Deploy daily,metric,1,5,per day,,,,,,\r\n"
    )
    before = AuditEvent.objects.count()
    result = _import(world, text.encode(), "okrs.csv")
    counts = result.counts()
    assert counts["objective"] == {"created": 1, "updated": 0, "unchanged": 2}
    assert counts["key result"] == {"created": 1, "updated": 1, "unchanged": 1}
    changed = next(c for c in result.changes() if c["action"] == "updated")
    assert changed["key"] == "activation/week1-activation"
    assert {"field": "target", "before": 50, "after": 60} in changed["fields"]
    assert AuditEvent.objects.count() == before
    assert not Objective.objects.filter(slug="speed").exists()


def test_apply_writes_once_and_a_second_apply_changes_nothing(world: World) -> None:
    text = _csv(world).decode().replace(",50,", ",60,")
    applied = _import(world, text.encode(), "okrs.csv", dry_run=False)
    assert applied.changed
    world.key_result.refresh_from_db()
    assert world.key_result.target == 60 and world.key_result.version == 2
    assert AuditEvent.objects.filter(action="import", object_type="keyresult").count() == 1
    assert world.objective.levers.count() == 1  # what the sheet has no column for is kept
    again = _import(world, text.encode(), "okrs.csv", dry_run=False)
    assert not again.changed


def test_row_level_errors_name_row_column_and_what_is_wrong(world: World) -> None:
    text = _csv(world).decode()
    lines = text.split("\r\n")
    lines[2] = lines[2].replace(",50,", ",abc,")
    lines[3] = lines[3].replace("growth", "nowhere")
    with pytest.raises(SheetProblems) as refused:
        _import(world, "\r\n".join(lines).encode(), "okrs.csv")
    messages = [str(p) for p in refused.value.problems]
    assert "row 3, column target: 'abc' is not a number (digits, '.' for decimals)" in messages
    with pytest.raises(SheetProblems) as refused:
        _import(world, "\r\n".join([lines[0], lines[3]]).encode(), "okrs.csv")
    assert [str(p) for p in refused.value.problems] == [
        "row 2, column team: 'nowhere' is not a team of this organisation"
    ]


def test_a_missing_column_an_unknown_owner_and_a_formula_are_refused(world: World) -> None:
    with pytest.raises(SheetProblems) as refused:
        _import(world, b"team,objective\r\ngrowth,x\r\n", "okrs.csv")
    assert "row 1, column objective_title: is missing from the header" in [
        str(p) for p in refused.value.problems
    ]
    text = _csv(world).decode().replace("member@example.com", "nobody@example.com")
    with pytest.raises(SheetProblems) as refused:
        _import(world, text.encode(), "okrs.csv")
    assert "is not a member of this organisation" in str(refused.value.problems[0])
    book = load_workbook(io.BytesIO(_xlsx(world)))
    book["Key results"]["E2"] = "=1+1"
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(SheetProblems) as refused:
        _import(world, out.getvalue(), "okrs.xlsx")
    assert str(refused.value.problems[0]) == (
        "Key results, row 2, column baseline: a formula: type its value instead"
    )


def test_an_objective_of_another_period_is_refused(world: World) -> None:
    from tests.server.factories import make_period

    later = make_period(world.org, "2027-Q1")
    make_objective(world.org, world.team, later, "later", "Later")
    text = _csv(world).decode() + "growth,later,Later,,,,,,,,,,,,,,,\r\n"
    with pytest.raises(SheetProblems) as refused:
        _import(world, text.encode(), "okrs.csv")
    assert str(refused.value.problems[0]) == (
        "row 5, column objective: 'later' is an objective of 2027-Q1, not 2026-Q4"
    )


def test_viewers_cannot_import_and_members_only_their_teams(world: World) -> None:
    text = _csv(world).decode().replace(",50,", ",60,")
    with pytest.raises(ReadOnly):
        _import(world, text.encode(), "okrs.csv", user=world.viewer)
    with pytest.raises(NotAllowed):
        _import(world, text.encode(), "okrs.csv", user=world.member)
    world.team.members.add(world.member.memberships.get())
    assert _import(world, text.encode(), "okrs.csv", user=world.member).changed


def test_a_team_export_holds_only_that_team(world: World) -> None:
    rows = list(csv.DictReader(io.StringIO(_csv(world, world.team).decode())))
    assert {r["team"] for r in rows} == {"growth"}


def test_check_ins_export_as_their_own_csv(world: World) -> None:
    CheckIn.objects.create(
        key_result=world.key_result, checked_on="2026-10-20", value=40, note="-ok"
    )
    tables = export_tables(world.org, world.period, None)
    rows = list(csv.DictReader(io.StringIO(write_csv(CHECK_IN_COLUMNS, tables.check_ins))))
    assert rows == [
        {
            "objective": "activation",
            "key_result": "week1-activation",
            "on": "2026-10-20",
            "value": "40",
            "confidence": "",
            "done": "",
            "note": "'-ok",
        }
    ]


def test_an_export_and_import_of_many_objectives_run_in_bounded_queries(
    world: World, django_assert_max_num_queries: object
) -> None:
    add_objectives(world, 300)
    with django_assert_max_num_queries(20):  # type: ignore[operator]
        tables = export_tables(world.org, world.period, None)
    assert len(tables.objectives) > 300
    data = write_csv(OKR_COLUMNS, tables.okr_rows()).encode()
    with django_assert_max_num_queries(45):  # type: ignore[operator]
        assert not _import(world, data, "okrs.csv").changed
