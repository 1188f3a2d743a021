"""A real HTTP receiver on 127.0.0.1 for the tests of what the site sends out."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from django_tasks_db.models import DBTaskResult


@dataclass
class Received:
    """One request the receiver got: its path, headers and body."""

    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.body)


@dataclass
class Receiver:
    """A loopback server answering each POST with the next status of `answers` (the last
    one repeats), keeping every request."""

    answers: list[int] = field(default_factory=lambda: [200])
    received: list[Received] = field(default_factory=list)
    url: str = ""
    redirect_to: str = ""


@contextmanager
def receiver(answers: list[int] | None = None, redirect_to: str = "") -> Iterator[Receiver]:
    """Serve on a free loopback port while the block runs."""
    state = Receiver(answers=list(answers or [200]), redirect_to=redirect_to)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            state.received.append(Received(self.path, dict(self.headers.items()), body))
            index = min(len(state.received), len(state.answers)) - 1
            status = state.answers[index]
            self.send_response(status)
            if state.redirect_to:
                self.send_header("Location", state.redirect_to)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def run_queued(task_suffix: str) -> list[Any]:
    """Run every queued job whose path ends with `task_suffix`, as the worker would; their
    results."""
    results = []
    for row in DBTaskResult.objects.filter(task_path__endswith=task_suffix).order_by("pk"):
        args = row.args_kwargs
        results.append(row.task.call(*args["args"], **args["kwargs"]))
        row.delete()
    return results
