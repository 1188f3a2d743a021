"""What the data bank's search answers: ranked learnings and initiative results."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field

from constellation.server.api.schemas import KR_ID, Out

Outcome = Literal["worked", "partly", "did_not_work", "unknown"]


class SnippetPart(Out):
    """A piece of a snippet; `match` is true for the words the query found."""

    text: str
    match: bool


class DataBankHit(Out):
    """One learning or initiative result found, with the snippet around its matches."""

    kind: Literal["learning", "result"]
    id: int = Field(description="The learning's or the initiative result's numeric id.")
    score: float = Field(description="Relevance: higher is better, comparable within a page.")
    snippet: str = Field(description="The text around the matches (the start when no query).")
    snippet_parts: list[SnippetPart]
    title: str = Field(description="The initiative's title for a result; empty for a learning.")
    team: str
    period: str
    objective: str | None = Field(description="The objective's id, when it still exists.")
    key_result: str | None = Field(description=KR_ID)
    outcome: Outcome | None = Field(description="A result's outcome; null for a learning.")
    tags: list[str] = Field(description="A learning's tags; empty for a result.")
    created_at: dt.datetime


class DataBankPage(Out):
    """A page of search results, best first, and how many match in all."""

    query: str
    terms: list[str] = Field(description="The words and phrases searched for, as understood.")
    count: int
    offset: int
    limit: int
    next: str | None = Field(description="The address of the next page, if any.")
    results: list[DataBankHit]
