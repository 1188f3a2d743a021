"""Which period a request means: a key, `all`, or (by default) the current one."""

from __future__ import annotations

from dataclasses import dataclass

from constellation.core.periods import is_period
from constellation.server.api.errors import FieldError
from constellation.server.okrs.access import find_period
from constellation.server.okrs.models import Period
from constellation.server.orgs.access import Access
from constellation.server.plans.scores import current_period

ALL = "all"
PERIOD_HELP = "A period key (`2026-Q3`, `2026`), or `all`; default: the current period."


@dataclass(frozen=True, slots=True)
class Chosen:
    """The period a request asked for: `period` None with `everything` True means all."""

    period: Period | None
    everything: bool = False

    @property
    def label(self) -> str | None:
        """What the response calls it: the key, `all`, or None when the org has no period."""
        if self.everything:
            return ALL
        return self.period.key if self.period is not None else None


def choose_period(access: Access, key: str | None) -> Chosen:
    """The period `key` names in this organisation; a 422 naming `period` if there is none."""
    if key is None or key == "":
        return Chosen(current_period(access.organization))
    if key == ALL:
        return Chosen(None, everything=True)
    if not is_period(key):
        raise FieldError(
            "period", f"{key!r} is not a period: use YYYY-Qn, YYYY or `all`", source="query"
        )
    period = find_period(access, key)
    if period is None:
        raise FieldError(
            "period",
            f"this organisation has no period {key}; GET /orgs/{access.organization.slug}/periods "
            "lists them",
            source="query",
        )
    return Chosen(period)
