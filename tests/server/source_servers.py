"""Real HTTP servers on 127.0.0.1 for data source tests: a JSON endpoint and a Prometheus."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Answer:
    """What the server answers on one path: a status, a body and how long it waits first."""

    status: int = 200
    body: Any = None
    delay: float = 0.0
    # Seconds between two bytes of the body: a server that answers slowly but never stops.
    drip: float = 0.0


@dataclass
class Endpoint:
    """A loopback server: set `answers[path]`, read what it was asked in `asked`."""

    base: str
    answers: dict[str, Answer] = field(default_factory=dict)
    asked: list[dict[str, Any]] = field(default_factory=list)


@contextmanager
def serve() -> Iterator[Endpoint]:
    """A JSON server on a free loopback port, stopped afterwards."""
    endpoint = Endpoint(base="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            endpoint.asked.append(
                {"path": parts.path, "query": parse_qs(parts.query), "headers": dict(self.headers)}
            )
            answer = endpoint.answers.get(parts.path, Answer(404, {"error": "not found"}))
            time.sleep(answer.delay)
            raw = (
                answer.body if isinstance(answer.body, bytes) else json.dumps(answer.body).encode()
            )
            self.send_response(answer.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            # The client may have given up (a timeout test).
            with suppress(BrokenPipeError, ConnectionResetError):
                if not answer.drip:
                    self.wfile.write(raw)
                for byte in raw if answer.drip else b"":
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(answer.drip)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    endpoint.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield endpoint
    finally:
        server.shutdown()
        server.server_close()


def prometheus_vector(*values: str) -> dict[str, Any]:
    """An instant-query answer of Prometheus with one series per value."""
    result = [
        {"metric": {"__name__": "up", "instance": f"i{n}"}, "value": [1764763200.0, value]}
        for n, value in enumerate(values)
    ]
    return {"status": "success", "data": {"resultType": "vector", "result": result}}
