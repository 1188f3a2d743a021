"""Schemas of data sources over HTTP: secrets are write-only, never in an answer."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from constellation.server.api.schemas import Out, Strict

KIND = "http_json (an endpoint and a JSONPath), sql (a database URL and a query) or prometheus."
INTERVAL = "Minutes between two reads: 60, 360 or 1440."


class SourceIn(Strict):
    """A data source; an empty secret keeps the stored one."""

    kind: Literal["http_json", "sql", "prometheus"] = Field(description=KIND)
    query: str = Field(max_length=10_000, description="The JSONPath, the SQL query or the PromQL.")
    url: str = Field("", max_length=2000, description="The endpoint, or Prometheus's base URL.")
    database_url: str = Field(
        "", max_length=2000, description="SQL: sqlite:///path or postgres://… (write-only)."
    )
    header_name: str = Field("", max_length=100, description="e.g. Authorization.")
    header_value: str = Field("", max_length=5000, description="The header's secret (write-only).")
    interval_minutes: int = Field(1440, description=INTERVAL)
    timeout_seconds: int = Field(10, description="Seconds a read may take.")
    version: int | None = Field(
        None, description="The source's current version when changing it; null to create it."
    )


class SourceTestIn(Strict):
    """Values to test; each field left out is the stored source's."""

    kind: Literal["http_json", "sql", "prometheus"] | None = Field(None, description=KIND)
    query: str | None = Field(None, max_length=10_000)
    url: str | None = Field(None, max_length=2000)
    database_url: str | None = Field(None, max_length=2000)
    header_name: str | None = Field(None, max_length=100)
    header_value: str | None = Field(None, max_length=5000)
    interval_minutes: int | None = Field(None, description=INTERVAL)
    timeout_seconds: int | None = None


class SourceOut(Out):
    """A data source and how its last read went; secrets only say whether they are set."""

    feeds: str = Field(description="The key result's id or the KPI's slug.")
    kind: str
    url: str
    database: str = Field(description="The database URL with its password hidden.")
    query: str
    header_name: str
    has_header_value: bool
    interval_minutes: int
    timeout_seconds: int
    version: int
    next_run_at: dt.datetime
    last_run_at: dt.datetime | None
    last_value: float | None
    last_error: str
    failures: int = Field(description="Failed reads in a row.")


class SourceTestOut(Out):
    """What a read gives now (nothing is recorded): a value, or the error."""

    ok: bool
    value: float | None
    error: str | None
