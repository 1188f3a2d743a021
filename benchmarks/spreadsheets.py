"""Spreadsheet export and import of a large period: times, queries and file sizes.

In a fresh SQLite data directory, a generated OKR file (`constellation.core.generate`) of N
objectives with K key results each is imported into organisation `bench`, and C check-ins are
added to every key result. Then, in this process, each timed with its number of queries:
  the read of the period's tables (`export_tables`), the XLSX workbook (`write_xlsx`), the two
  CSV files (`write_csv`), and the import's dry run (`do_import_sheet`) of the CSV and of the
  XLSX just written (a fresh export: nothing to change, which the run checks).

Run:  .venv/bin/python benchmarks/spreadsheets.py [--objectives 2000] [--key-results 4]
                                                 [--check-ins 12] [--write-docs]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from figures import write_figures  # a sibling module: the docs section writer

SECTION = "## Spreadsheets: export and import of a period"
FIGURES_START = "<!-- figures of benchmarks/spreadsheets.py: replaced by --write-docs -->"
FIGURES_END = "<!-- end of spreadsheet figures -->"


def build(objectives: int, key_results: int, check_ins: int) -> Any:
    """The organisation `bench` with its period, rows and check-ins; its admin's Access."""
    from django.contrib.auth import get_user_model
    from django.test import override_settings

    from constellation.core.generate import generate_plan_text
    from constellation.core.okrfile import load_text
    from constellation.server.okrs.models import KeyResult
    from constellation.server.orgs.access import access_org
    from constellation.server.orgs.models import Membership, Organization
    from constellation.server.plans.transfer import import_plan
    from constellation.server.tracking.models import CheckIn

    text = generate_plan_text(objectives, key_results, period="2026-Q3")
    with override_settings(CHANGE_HANDLERS=[]):
        import_plan(load_text(text, path="generated.yaml"), "bench")
    from datetime import date, timedelta

    rows = KeyResult.objects.filter(objective__organization__slug="bench").values_list(
        "id", "target"
    )
    pending = [
        CheckIn(
            key_result_id=kr_id,
            checked_on=date(2026, 7, 1) + timedelta(days=7 * week),
            value=round((target or 1) * (week + 1) / (check_ins + 1), 2),
            confidence=5 + week % 5,
            note="On track" if week % 4 == 3 else "",
        )
        for kr_id, target in rows
        for week in range(check_ins)
    ]
    CheckIn.objects.bulk_create(pending, batch_size=5000)
    admin = get_user_model().objects.create_user("bench-admin", "admin@example.com", "x")
    organization = Organization.objects.get(slug="bench")
    Membership.objects.create(organization=organization, user=admin, role="admin")
    return access_org(admin, "bench"), admin


def timed(name: str, work: Callable[[], Any], figures: list[tuple[str, float, int]]) -> Any:
    """Run `work`, noting its wall time and number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = work()
        figures.append((name, time.perf_counter() - started, len(queries)))
    return result


def measure(objectives: int, key_results: int, check_ins: int) -> tuple[str, str]:
    """Build, export and import; the figures as a Markdown table and a line of facts."""
    from constellation.cli.server_commands import setup_django

    setup_django()
    from constellation.server.okrs.models import Period
    from constellation.server.plans.sheets import (
        CHECK_IN_COLUMNS,
        OKR_COLUMNS,
        export_tables,
        write_csv,
        write_xlsx,
    )
    from constellation.server.plans.sheets_import import do_import_sheet

    access, admin = build(objectives, key_results, check_ins)
    period = Period.objects.get(organization=access.organization, key="2026-Q3")
    figures: list[tuple[str, float, int]] = []
    tables = timed(
        "read the period's tables",
        lambda: export_tables(access.organization, period, None),
        figures,
    )
    xlsx = timed("write the XLSX workbook", lambda: write_xlsx(tables), figures)
    okrs = timed(
        "write the objectives-and-key-results CSV",
        lambda: write_csv(OKR_COLUMNS, tables.okr_rows()).encode(),
        figures,
    )
    ins = timed(
        "write the check-ins CSV",
        lambda: write_csv(CHECK_IN_COLUMNS, tables.check_ins).encode(),
        figures,
    )
    for name, data in (("okrs.csv", okrs), ("okrs.xlsx", xlsx)):
        result = timed(
            f"import dry run of {name}",
            lambda data=data, name=name: do_import_sheet(access, period, data, name, admin),
            figures,
        )
        assert not result.changed, f"a fresh export of {name} would change {result.changes()[:3]}"
    table = "| step | wall | queries |\n| --- | --- | --- |\n" + "\n".join(
        f"| {name} | {seconds:.2f} s | {count} |" for name, seconds, count in figures
    )
    facts = (
        f"Period: {len(tables.objectives):,} objectives, {len(tables.key_results):,} key results, "
        f"{len(tables.check_ins):,} check-ins. Files: XLSX {len(xlsx) / 1e6:.1f} MB, "
        f"objectives-and-key-results CSV {len(okrs) / 1e6:.1f} MB, check-ins CSV "
        f"{len(ins) / 1e6:.1f} MB. SQLite, one process, 2 CPUs shared with other work. Both dry "
        "runs found nothing to change."
    )
    return table, facts


def main() -> None:
    """Print (and with --write-docs record) the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objectives", type=int, default=2000)
    parser.add_argument("--key-results", type=int, default=4)
    parser.add_argument("--check-ins", type=int, default=12, help="per key result")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    os.environ["OKR_DATA_DIR"] = tempfile.mkdtemp(prefix="okr-sheets-")
    os.environ.pop("DATABASE_URL", None)
    table, facts = measure(args.objectives, args.key_results, args.check_ins)
    print(facts)
    print(table)
    if args.write_docs:
        command = (
            "`.venv/bin/python benchmarks/spreadsheets.py --objectives "
            f"{args.objectives} --key-results {args.key_results} --check-ins {args.check_ins}` "
            "(with `--write-docs` to write this block)"
        )
        write_figures(SECTION, FIGURES_START, FIGURES_END, command, f"{facts}\n\n{table}")


if __name__ == "__main__":
    main()
