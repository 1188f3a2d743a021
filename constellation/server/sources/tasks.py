"""The data sources' job: read one source and record its number.

The scheduler (`worker.jobs.schedule_due`) enqueues one job per source and due slot, under
a unique key, so two workers never sync the same slot twice; a sync that finds its source
changed or removed meanwhile writes nothing.
"""

from __future__ import annotations

from django_tasks import task

from constellation.server.sources.actions import do_sync_source
from constellation.server.tracking.cadence import now


@task()
def sync_source_job(source_id: int) -> str:
    """Sync one source: "recorded", "unchanged", "failed" or "skipped"."""
    return do_sync_source(source_id, now())
