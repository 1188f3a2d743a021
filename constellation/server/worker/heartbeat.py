"""The worker's heartbeat as /readyz reads it."""

from __future__ import annotations

from datetime import datetime


def latest_heartbeat() -> datetime | None:
    """When a worker last reported itself alive, or None when none has.

    Workers do not record heartbeats yet, so this answers None and /readyz reports the
    worker as "unknown"; once they do, this reads the most recent one through its access
    function (settings.WORKER_HEARTBEAT names this function, so /readyz needs no change).
    """
    return None
