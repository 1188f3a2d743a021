"""`okr worker`: runs the job queue (reminders, digests, KPI alerts) and its scheduler.

The queue is Django's tasks API on the database backend (`django-tasks-db`): several workers
share it safely (PostgreSQL hands each job to one worker with `SKIP LOCKED`; SQLite with an
exclusive transaction). A background thread records the worker's heartbeat and runs the
reaper every `WORKER_HEARTBEAT_SECONDS` (`tracking.liveness`: the jobs of a worker gone silent
go back to the queue) and enqueues what is due once a minute. `okr serve`
and `okr demo` start one worker as a child process with `start_background_worker`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import datetime
from typing import Annotated, Any

import typer

from constellation.cli.app import app, console, err_console

SCHEDULE_EVERY = 60.0  # seconds between two looks at what is due


def _tick(worker_id: str, *, schedule: bool) -> None:
    """One round of the background thread: heartbeat, reaper, and (when asked) the schedule."""
    from constellation.server.tracking.liveness import beat
    from constellation.server.worker.jobs import reap_silent_workers, schedule_due

    beat(worker_id)
    reap_silent_workers()
    if schedule:
        schedule_due()


def _background(stop: threading.Event, worker_id: str, *, schedule: bool) -> None:
    """Beat and reap every `WORKER_HEARTBEAT_SECONDS`; enqueue what is due every minute.

    The heartbeat runs beside the jobs, so a long job never makes its worker look dead.
    """
    from django.conf import settings
    from django.db import close_old_connections, connection

    last_schedule = -SCHEDULE_EVERY
    while not stop.is_set():
        due = schedule and time.monotonic() - last_schedule >= SCHEDULE_EVERY
        try:
            close_old_connections()
            _tick(worker_id, schedule=due)
            if due:
                last_schedule = time.monotonic()
        except Exception as error:  # a lost database connection: try again at the next beat
            err_console.print(f"okr worker: scheduler failed: {type(error).__name__}: {error}")
        finally:
            connection.close()  # this thread's own connection; never hold one while waiting
        stop.wait(max(settings.WORKER_HEARTBEAT_SECONDS, 1))


def _make_worker(*, interval: float, batch: bool, worker_id: str) -> Any:
    """The database backend's worker loop, telling on standard error which jobs failed."""
    from django_tasks_db.management.commands.db_worker import Worker

    class QueueWorker(Worker):
        ran = 0
        failed = 0

        def run_task(self, db_task_result: Any) -> None:
            from constellation.server.tracking.liveness import requeue_interrupted

            super().run_task(db_task_result)
            self.ran += 1
            if db_task_result.status == "FAILED" and requeue_interrupted(db_task_result.pk):
                return  # stopped by force half-way: another worker finishes it
            if db_task_result.status == "FAILED":
                self.failed += 1
                last = db_task_result.traceback.strip().splitlines()[-1:]
                err_console.print(
                    f"okr worker: job {db_task_result.task_path} failed: {''.join(last)}",
                    markup=False,
                )

    return QueueWorker(
        queue_names=["default"],
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=not batch,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )


def _start(worker_id: str, *, schedule: bool) -> threading.Event:
    """Start the background thread (heartbeat, reaper, schedule); set the event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(
        target=_background,
        args=(stop, worker_id),
        kwargs={"schedule": schedule},
        name="okr-scheduler",
        daemon=True,
    )
    thread.start()
    return stop


def _finish(stop: threading.Event, worker_id: str) -> None:
    """Stop the background thread and forget this worker's heartbeat (it left cleanly)."""
    from constellation.server.tracking.liveness import forget_worker

    stop.set()
    try:
        forget_worker(worker_id)
    except Exception as error:  # the database went away: the row just goes silent
        err_console.print(f"okr worker: could not remove its heartbeat: {error}")


def _report_emails(since: datetime) -> int:
    """Say what became of the emails queued during a `--once` run; how many did not leave."""
    from constellation.server.notifications.outbox import email_states_since

    states = email_states_since(since)
    undelivered = states["waiting"] + states["failed"]
    if undelivered:
        err_console.print(
            f"okr worker: {undelivered} of {sum(states.values())} emails not delivered "
            f"({states['waiting']} waiting for a retry, {states['failed']} failed); "
            "see the outbox in the admin"
        )
    return undelivered


def run_worker(*, interval: float = 1.0, once: bool = False) -> int:
    """Run jobs until stopped (or, with `once`, enqueue what is due, run it all, and return).

    Returns how many jobs this worker ran.
    """
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    worker_id = get_random_string(32)
    if once:
        started = timezone.now()
        _tick(worker_id, schedule=False)
        from constellation.server.worker.jobs import schedule_due

        enqueued = schedule_due()
        stop = _start(worker_id, schedule=False)
        worker = _make_worker(interval=min(interval, 0.2), batch=True, worker_id=worker_id)
        try:
            worker.run()
        finally:
            _finish(stop, worker_id)
        failed = f" ({worker.failed} failed)" if worker.failed else ""
        console.print(f"Enqueued {len(enqueued)} jobs; ran {worker.ran}{failed}.")
        if _report_emails(started):
            raise typer.Exit(1)
        return int(worker.ran)
    stop = _start(worker_id, schedule=True)
    worker = _make_worker(interval=interval, batch=False, worker_id=worker_id)
    worker.configure_signals()
    try:
        worker.run()
    finally:
        _finish(stop, worker_id)
    return int(worker.ran)


@app.command("worker")
def worker_command(
    interval: Annotated[
        float,
        typer.Option(
            "--interval", min=0.05, max=3600, help="Seconds to wait when the queue is empty."
        ),
    ] = 1.0,
    once: Annotated[
        bool,
        typer.Option(
            "--once",
            help="Enqueue what is due, run every queued job, then exit "
            "(status 1 when an email it queued was not delivered).",
        ),
    ] = False,
) -> None:
    """Run the jobs: check-in reminders, team digests and KPI alerts (Ctrl-C to stop)."""
    from constellation.cli.server_commands import _database_or_exit

    _database_or_exit("worker")
    if not once:
        console.print("Worker running: reminders, digests and KPI alerts (Ctrl-C to stop)")
    try:
        run_worker(interval=interval, once=once)
    except KeyboardInterrupt:  # Ctrl-C before the worker took over the signals
        err_console.print("okr worker: stopped")


def start_background_worker() -> subprocess.Popen[bytes]:
    """Start `okr worker` as a child process with this process's environment."""
    command = [sys.executable, "-m", "constellation.cli.main", "worker"]
    return subprocess.Popen(command, env=dict(os.environ))


def stop_background_worker(process: subprocess.Popen[bytes] | None) -> None:
    """Stop a worker started by `start_background_worker` (it finishes its current job)."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
