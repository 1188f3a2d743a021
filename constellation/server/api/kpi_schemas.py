"""What the KPI endpoints take and return (see schemas.py for the shared shapes)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field

from constellation.server.api.schemas import KpiOut, Message, Out, Strict

Direction = Literal["increase", "decrease"]
CSV_HELP = (
    "A CSV file, as the body (`Content-Type: text/csv`) or as the `file` field of a multipart "
    "form. Header `date,value` (or `kpi,date,value`); dates as YYYY-MM-DD. The whole file is "
    "refused when any line is wrong (422 listing each problem with its line), else saved in "
    "one transaction: a day that already has a reading gets the file's value."
)


class KpiDetailOut(KpiOut):
    """A KPI with its team, its latest reading's day and its version (for PATCH)."""

    team: str | None = Field(description="The team's slug, if the KPI belongs to a team.")
    latest_on: dt.date | None = Field(description="The day of the latest reading.")
    version: int = Field(description="Send it back with PATCH; a stale version gets a 409.")


class KpiIn(Strict):
    """A new KPI; its id (slug) is made from the title."""

    title: str = Field(min_length=1, max_length=300)
    unit: str = Field("", max_length=30)
    direction: Direction = "increase"
    healthy_low: float | None = Field(None, description="Null: no lower end.")
    healthy_high: float | None = Field(None, description="Null: no upper end.")
    team: str | None = Field(None, description="A team's slug; null: no team.")


class KpiPatch(Strict):
    """Change a KPI; `version` is the one you read (a stale one gets a 409).

    Fields left out keep their value; `healthy_low`, `healthy_high` and `team` accept null.
    """

    version: int
    title: str | None = Field(None, min_length=1, max_length=300)
    unit: str | None = Field(None, max_length=30)
    direction: Direction | None = None
    healthy_low: float | None = None
    healthy_high: float | None = None
    team: str | None = None


class ReadingIn(Strict):
    """A reading of a KPI; a day that already has one gets this value instead."""

    value: float = Field(description="A finite number.")
    date: dt.date | None = Field(None, description="The day of the reading; default today.")


class ReadingOut(Out):
    """One reading of a KPI."""

    kpi: str = Field(description="The KPI's slug.")
    date: dt.date
    value: float
    author: str | None = Field(description="Who recorded it (username).")
    created_at: dt.datetime


class ReplacedOut(Out):
    """A day whose earlier reading was replaced."""

    kpi: str
    date: dt.date
    before: float
    after: float


class ReadingsSaved(Out):
    """What saving readings did, and the KPIs' new state."""

    added: int
    replaced: list[ReplacedOut]
    unchanged: int = Field(description="Rows already recorded with the same value.")
    fed: int = Field(description="How many linked key results got check-ins.")
    message: str
    kpis: list[KpiDetailOut]


class CsvProblemOut(Out):
    """One problem of a refused CSV file."""

    loc: list[str | int] = Field(description='Where: `["body", "line", 7, "value"]`.')
    path: str = Field(description="`line 7, column value`.")
    line: int
    column: str | None
    msg: str = Field(description="`line 7: value 'abc' is not a number`.")
    type: str


class CsvProblemsOut(Message):
    """The file was refused as a whole and nothing was saved; every problem is listed under
    `errors`."""

    errors: list[CsvProblemOut]
    more: int = Field(description="How many further problems were not listed.")


class PromoteIn(Strict):
    """Make the KPI a key result of an objective: baseline = its latest reading."""

    objective: str = Field(min_length=1, description="The objective's id.")
    target: float
    title: str = Field("", max_length=300, description="Default: `Raise/Cut <KPI> from … to …`.")
    reason: str = Field("", max_length=5000, description="Needed for a launched objective.")


class PromotedOut(Out):
    """The key result made from the KPI."""

    key_result: str = Field(description="`<objective id>/<key result slug>`.")
    title: str
    baseline: float
    target: float
