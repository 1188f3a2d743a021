"""The organisation's check-in cadence (weekday, time, time zone), its slots, and the clock.

A slot is one occurrence of the cadence: Monday 09:00 in Europe/Paris on 16 November is one
slot, stored in UTC. Jobs take "now" from `now()`, which `OKR_NOW` can pin to a moment so a
test runs real workers at a chosen time.
"""

from __future__ import annotations

import calendar
import logging
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.conf import settings
from django.utils import timezone

from constellation.server.orgs.models import Organization

logger = logging.getLogger(__name__)
WEEK = timedelta(days=7)
WEEKDAYS = list(calendar.day_name)


def now() -> datetime:
    """The current moment for jobs: OKR_NOW (ISO 8601, UTC when no offset) if set, else now."""
    pinned = (getattr(settings, "OKR_NOW", "") or "").strip()
    if not pinned:
        return timezone.now()
    moment = datetime.fromisoformat(pinned)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def is_time_zone(name: str) -> bool:
    """Whether `name` is an IANA time zone this machine knows (`Europe/Paris`, `UTC`)."""
    if not name or name != name.strip():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def time_zone_names() -> list[str]:
    """Every IANA time zone name, sorted, for choosers."""
    return sorted(available_timezones())


@dataclass(frozen=True, slots=True)
class Cadence:
    """When an organisation checks in: a weekday (0 = Monday), a local time and a time zone."""

    weekday: int
    at: time
    time_zone: str

    @property
    def zone(self) -> ZoneInfo:
        """The time zone; UTC when the stored name is unknown (an operator's typo)."""
        try:
            return ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            logger.warning("unknown time zone %r: reminders use UTC", self.time_zone)
            return ZoneInfo("UTC")

    @property
    def version(self) -> int:
        """A checksum of the values: an editor names it, so a concurrent change is detected."""
        text = f"{self.weekday}|{self.at:%H:%M}|{self.time_zone}"
        return zlib.crc32(text.encode())

    def describe(self) -> str:
        """`Monday at 09:00 (Europe/Paris)`."""
        return f"{WEEKDAYS[self.weekday % 7]} at {self.at:%H:%M} ({self.time_zone})"

    def at_day(self, day: date) -> datetime:
        """The slot on a local day, in UTC."""
        return datetime.combine(day, self.at, tzinfo=self.zone).astimezone(UTC)

    def latest_slot(self, moment: datetime) -> datetime:
        """The last slot at or before `moment`, in UTC."""
        local = moment.astimezone(self.zone)
        day = local.date() - timedelta(days=(local.weekday() - self.weekday) % 7)
        slot = self.at_day(day)
        return slot if slot <= moment else self.at_day(day - WEEK)

    def previous_slot(self, slot: datetime) -> datetime:
        """The slot a week before `slot` (same local time, across daylight-saving changes)."""
        return self.at_day(self.local_day(slot) - WEEK)

    def next_slot(self, moment: datetime) -> datetime:
        """The first slot after `moment`, in UTC."""
        return self.at_day(self.local_day(self.latest_slot(moment)) + WEEK)

    def local_day(self, slot: datetime) -> date:
        """The organisation's calendar day of a moment."""
        return slot.astimezone(self.zone).date()


def _as_time(value: object) -> time:
    """The model's default is the text `09:00` until the row is read back from the database."""
    if isinstance(value, time):
        return value
    return time.fromisoformat(str(value))


def cadence_of(organization: Organization) -> Cadence:
    """The organisation's check-in cadence."""
    return Cadence(
        weekday=organization.checkin_weekday % 7,
        at=_as_time(organization.checkin_time),
        time_zone=organization.time_zone or "UTC",
    )
