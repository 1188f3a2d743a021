"""What the teams endpoints take and return."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field

from constellation.server.api.schemas import Out, Strict

Phase = Literal["exploratory", "growth", "mature"]


class TeamMemberOut(Out):
    """A person listed in a team."""

    username: str
    name: str = Field(description="The person's full name, or the username when it is empty.")
    role: str = Field(description="Their role in the organisation.")


class TeamDetail(Out):
    """A team with its lead and members."""

    id: str = Field(description="The team's slug.")
    name: str
    parent: str | None = Field(description="The parent team's slug.")
    phase: str | None
    lead: str | None = Field(description="The lead's username.")
    archived: bool = Field(description="An archived team takes no new objectives.")
    archived_at: dt.datetime | None
    members: list[TeamMemberOut]
    version: int = Field(description="Send it back with PATCH; a stale version gets a 409.")


class TeamIn(Strict):
    """A new team (owners and admins)."""

    name: str = Field(min_length=1, max_length=200)
    id: str | None = Field(
        default=None, max_length=60, description="Its slug; made from the name when absent."
    )
    parent: str | None = Field(default=None, description="The parent team's slug.")
    lead: str | None = Field(default=None, description="The lead's username.")


class TeamPatch(Strict):
    """A change of a team; absent fields stay. A team's lead may send only `name` and `members`.

    `parent: null` puts the team at the top of the org chart; `lead: null` leaves it without a
    lead; `members` is the whole list of usernames the team should have; `archived` archives
    the team or brings it back (owners and admins).
    """

    name: str | None = Field(default=None, min_length=1, max_length=200)
    parent: str | None = None
    lead: str | None = None
    phase: Phase | None = None
    members: list[str] | None = None
    archived: bool | None = Field(
        default=None, description="`true` archives the team, `false` brings it back (admins)."
    )
    version: int | None = Field(
        default=None,
        ge=1,
        le=2**31 - 1,
        description="The version you read (from GET); a 409 answers if the team changed since.",
    )
