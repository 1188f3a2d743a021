"""`okr worker`: runs the job queue (reminders, digests, KPI alerts) and its scheduler.

The queue is Django's tasks API on the database backend (`django-tasks-db`): several workers
share it safely (PostgreSQL hands each job to one worker with `SKIP LOCKED`; SQLite with an
exclusive transaction). A scheduler thread enqueues what is due once a minute. `okr serve`
and `okr demo` start one worker as a child process with `start_background_worker`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from typing import Annotated, Any

import typer

from constellation.cli.app import app, console, err_console

SCHEDULE_EVERY = 60.0  # seconds between two looks at what is due


def _scheduler(stop: threading.Event) -> None:
    """Enqueue what is due now, then again every minute until `stop` is set."""
    from django.db import close_old_connections, connection

    from constellation.server.worker.jobs import schedule_due

    while not stop.is_set():
        try:
            close_old_connections()
            schedule_due()
        except Exception as error:  # a lost database connection: try again next minute
            err_console.print(f"okr worker: scheduling failed: {type(error).__name__}: {error}")
        finally:
            connection.close()  # this thread's own connection; never hold one while waiting
        stop.wait(SCHEDULE_EVERY)


def _make_worker(*, interval: float, batch: bool) -> Any:
    """The database backend's worker loop, telling on standard error which jobs failed."""
    from django.utils.crypto import get_random_string
    from django_tasks_db.management.commands.db_worker import Worker

    class QueueWorker(Worker):
        ran = 0
        failed = 0

        def run_task(self, db_task_result: Any) -> None:
            super().run_task(db_task_result)
            self.ran += 1
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
        worker_id=get_random_string(32),
        excluded_queue_names=[],
    )


def run_worker(*, interval: float = 1.0, once: bool = False) -> int:
    """Run jobs until stopped (or, with `once`, enqueue what is due, run it all, and return).

    Returns how many jobs this worker ran.
    """
    from constellation.server.worker.jobs import schedule_due

    if once:
        enqueued = schedule_due()
        worker = _make_worker(interval=min(interval, 0.2), batch=True)
        worker.run()
        failed = f" ({worker.failed} failed)" if worker.failed else ""
        console.print(f"Enqueued {len(enqueued)} jobs; ran {worker.ran}{failed}.")
        return int(worker.ran)
    stop = threading.Event()
    thread = threading.Thread(target=_scheduler, args=(stop,), name="okr-scheduler", daemon=True)
    thread.start()
    worker = _make_worker(interval=interval, batch=False)
    worker.configure_signals()
    try:
        worker.run()
    finally:
        stop.set()
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
        bool, typer.Option("--once", help="Enqueue what is due, run every queued job, then exit.")
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
