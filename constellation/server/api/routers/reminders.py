"""The organisation's check-in cadence: when reminders and team digests go out."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router

from constellation.server.api.auth import api_access
from constellation.server.api.errors import FieldError
from constellation.server.api.schemas import ConflictMessage, Message, Out, Strict
from constellation.server.api.schemas import ValidationProblems as Problems
from constellation.server.tracking.actions import CadenceError, do_set_cadence
from constellation.server.tracking.cadence import WEEKDAYS, Cadence, cadence_of, now

router = Router(tags=["reminders"])
PATH = "/orgs/{org}/settings/reminders"


class CadenceOut(Out):
    """When people check in: reminders and digests go out at each slot of this cadence."""

    weekday: int = Field(description="0 = Monday … 6 = Sunday.")
    weekday_name: str = Field(description="`Monday` … `Sunday`.")
    time: str = Field(description="Local time, `HH:MM`.")
    time_zone: str = Field(description="IANA time zone, e.g. `Europe/Paris`.")
    version: int = Field(description="Send it back with a change: a stale one answers 409.")
    next_slot: dt.datetime = Field(description="When the next reminders go out (UTC).")


class CadenceIn(Strict):
    """A new cadence (admins only), with the `version` it was read at."""

    weekday: int = Field(ge=0, le=6, description="0 = Monday … 6 = Sunday.")
    time: str = Field(description="Local time, `HH:MM` (24-hour).")
    time_zone: str = Field(max_length=64, description="IANA time zone, e.g. `Europe/Paris`.")
    version: int = Field(description="The `version` of the cadence this change starts from.")


def cadence_out(cadence: Cadence) -> dict[str, Any]:
    """A cadence as the API shows it."""
    return {
        "weekday": cadence.weekday,
        "weekday_name": WEEKDAYS[cadence.weekday],
        "time": f"{cadence.at:%H:%M}",
        "time_zone": cadence.time_zone,
        "version": cadence.version,
        "next_slot": cadence.next_slot(now()),
    }


def _time(text: str) -> dt.time:
    """`HH:MM` as a time, else 422 naming `$.time`."""
    try:
        parsed = dt.datetime.strptime(text.strip(), "%H:%M")
    except ValueError:
        raise FieldError("time", f"“{text}” is not a time: use HH:MM, e.g. 09:00") from None
    return parsed.time()


@router.get(
    PATH,
    response={200: CadenceOut, 401: Message, 404: Message},
    summary="Read the cadence",
    operation_id="getReminderSettings",
)
def read_cadence(request: HttpRequest, org: str) -> dict[str, Any]:
    """The organisation's check-in cadence and its next slot."""
    access = api_access(request, org)
    return cadence_out(cadence_of(access.organization))


@router.put(
    PATH,
    operation_id="putReminderSettings",
    response={
        200: CadenceOut,
        401: Message,
        403: Message,
        404: Message,
        409: ConflictMessage,
        422: Problems,
    },
    summary="Change the cadence (admins)",
)
def change_cadence(request: HttpRequest, org: str, payload: CadenceIn) -> dict[str, Any]:
    """Set weekday, time and time zone if `version` is still current; else 409."""
    access = api_access(request, org, write=True)
    cadence = Cadence(payload.weekday, _time(payload.time), payload.time_zone)
    try:
        do_set_cadence(access, cadence, expected_version=payload.version, actor=request.user)
    except CadenceError as error:
        raise FieldError(error.field, error.message) from None
    return cadence_out(cadence_of(access.organization))
