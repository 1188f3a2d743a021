"""What the initiative endpoints take: a new initiative, an initiative's changes, its moves."""

from __future__ import annotations

from typing import Annotated

from ninja import Field
from pydantic import AfterValidator

from constellation.core.work_links import check_url
from constellation.server.api.schemas import InitiativeStatus, Strict
from constellation.server.okrs.initiatives import MAX_DESCRIPTION, MAX_LINKS

LINKS = (
    "Web addresses (http or https) of the work that tracks it: Jira, GitHub, GitLab and Linear "
    "issues are recognised and labelled (`ABC-123`, `owner/repo#42`); any other address is "
    "kept as a plain link. In the order shown."
)
OWNER = "A member's username; null: nobody yet."
MOVES = "Slugs of the objective's key results it should move."

# A web address, checked item by item so a 422 names the one that is wrong (`$.links[1]`).
WebAddress = Annotated[str, AfterValidator(check_url)]


class InitiativeIn(Strict):
    """Work expected to move some of the objective's key results."""

    title: str = Field(min_length=1, max_length=300)
    description: str = Field("", max_length=MAX_DESCRIPTION)
    owner: str | None = Field(None, description=OWNER)
    status: InitiativeStatus = "planned"
    links: list[WebAddress] = Field(default_factory=list, max_length=MAX_LINKS, description=LINKS)
    moves: list[str] = Field(default_factory=list, description=MOVES)


class InitiativePatch(Strict):
    """Change an initiative; only the fields sent change. `version` is the one you read."""

    version: int = Field(ge=1, description="The initiative's version when you read it.")
    title: str | None = Field(None, min_length=1, max_length=300)
    description: str | None = Field(None, max_length=MAX_DESCRIPTION)
    owner: str | None = Field(None, description=OWNER)
    status: InitiativeStatus | None = None
    links: list[WebAddress] | None = Field(
        None, max_length=MAX_LINKS, description=LINKS + " Replaces the saved links."
    )


class InitiativeMovesIn(Strict):
    """The key results an initiative is expected to move, replacing the ones before."""

    moves: list[str] = Field(description="Slugs of the objective's key results.")
