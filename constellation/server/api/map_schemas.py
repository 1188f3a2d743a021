"""The constellation map over the API: its stars, links and strategy, and its "what if"."""

from __future__ import annotations

from typing import Literal

from ninja import Field

from constellation.server.api.schemas import Out

MAP_DESCRIPTION = """
The constellation map of one period: the strategy (vision, mission, active levers), the teams,
the period's objectives as `nodes` (every state: draft, in review, launched, closed) with the
progress and status stored with them, and every alignment touching them as `edges` (`from`
aligns to `to`). An edge with `cross_period` has its other end in another period: that
objective is listed in `outside`, not in `nodes`. Levers are in the strategy's order, nodes in
the organisation's order, edges oldest first, so the same data gives the same answer. A fixed
number of queries whatever the period's size.
""".strip()

WHAT_IF_DESCRIPTION = """
What dropping a lever (`lever`) or an objective (`objective`) of the period would break, before
anyone changes anything; name exactly one. Dropping an objective: `lose_target` are the
objectives aligned to it directly, `lose_indirect` those aligned to it only through others.
Dropping a lever: `unmodelled` are the period's objectives that model that lever alone (they
would model no lever), and `lose_target` / `lose_indirect` are what dropping those objectives
would break. Objectives of other periods linked to the period's are named too.
""".strip()


class MapStrategy(Out):
    """The strategy in force in the period's year."""

    vision: str
    mission: str


class MapLeverOut(Out):
    """An active lever of the strategy."""

    id: str = Field(description="The lever's slug, as a node's `levers` name it.")
    title: str
    objectives: int = Field(description="How many of the period's objectives model it; 0: none.")


class MapTeamOut(Out):
    """A team: the active ones, and any other a node or an outside objective belongs to."""

    id: str = Field(description="The team's slug.")
    name: str


class MapNodeOut(Out):
    """One of the period's objectives."""

    id: str = Field(description="The objective's slug.")
    title: str
    team: str = Field(description="The team's slug.")
    team_name: str
    levers: list[str] = Field(description="The slugs of the levers it models; empty: none.")
    focus: Literal["customer", "business", "both", ""] = Field(description='"": no focus.')
    status: str = Field(description="The stored status: on_track, at_risk, off_track, ...")
    status_reason: str | None = Field(description="Why the status is worse than its pace.")
    progress: float = Field(ge=0, le=1, description="The stored progress, 0 to 1.")
    owner: str | None = Field(description="The owner's full name (else username); null: none.")
    state: Literal["draft", "in_review", "launched", "closed"]
    url: str = Field(description="The objective's page in the web app.")


class MapEdgeOut(Out):
    """`from` aligns to `to`."""

    source: str = Field(alias="from", description="The aligning objective's slug.")
    target: str = Field(alias="to", description="The slug of the objective it aligns to.")
    cross_period: bool = Field(description="One end is in another period (see `outside`).")


class MapOutsideOut(Out):
    """An objective of another period at the other end of a cross-period edge."""

    id: str
    title: str
    period: str = Field(description="Its period's key.")
    team: str = Field(description="Its team's slug.")
    url: str


class MapOut(Out):
    """The constellation map of a period."""

    period: str | None = Field(description="The period's key; null: the organisation has none.")
    organization: str
    strategy: MapStrategy
    levers: list[MapLeverOut]
    teams: list[MapTeamOut]
    nodes: list[MapNodeOut]
    edges: list[MapEdgeOut]
    outside: list[MapOutsideOut]


class DroppedOut(Out):
    """What the "what if" drops."""

    kind: Literal["lever", "objective"]
    id: str = Field(description="The lever's or the objective's slug.")
    title: str
    objectives: list[str] = Field(
        description="The objectives taken out: the one named, or those a lever leaves unmodelled."
    )


class WhatIfOut(Out):
    """What dropping a lever or an objective would break."""

    period: str
    dropped: DroppedOut
    unmodelled: list[str] = Field(description="Objectives that would model no lever.")
    lose_target: list[str] = Field(description="Objectives that would lose a direct target.")
    lose_indirect: list[str] = Field(description="Objectives that would lose an indirect link.")
