"""An oversized upload is refused while it is read, over real HTTP, not read in full first."""

from __future__ import annotations

import re
import socket
import threading
import time
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from tests.server.api_helpers import client_for
from tests.server.factories import World, make_world

DECLARED = 50_000_000


def _post_head(url: str, path: str, token: str, length: int) -> socket.socket:
    """Open a connection and send only a multipart request's head and first bytes."""
    address = urlsplit(url)
    connection = socket.create_connection((address.hostname, address.port), timeout=10)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {address.netloc}\r\n"
        f"Authorization: Bearer {token}\r\n"
        "Content-Type: multipart/form-data; boundary=XyZ\r\n"
        f"Content-Length: {length}\r\n\r\n"
        '--XyZ\r\nContent-Disposition: form-data; name="file"; filename="big.yaml"\r\n\r\n'
    )
    connection.sendall(head.encode() + b"x" * 65536)
    return connection


def _until_requests_end(timeout: float = 10.0) -> None:
    """Wait for the live server's request threads to end. The server answers the refusal but
    keeps reading the declared body until the client hangs up; its thread must be done, its
    end-of-request database work included, before the test's database is flushed (else the
    flush and that work can deadlock on PostgreSQL)."""
    deadline = time.monotonic() + timeout
    while any("process_request_thread" in t.name for t in threading.enumerate()):
        if time.monotonic() > deadline:
            raise AssertionError(f"a request of the live server still runs after {timeout} s")
        time.sleep(0.02)


def _answer(connection: socket.socket) -> bytes:
    """The answer's head and body (by its Content-Length)."""
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = connection.recv(65536)
        if not chunk:
            return received
        received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    length = re.search(rb"Content-Length: (\d+)", head, re.IGNORECASE)
    while length and len(body) < int(length.group(1)):
        chunk = connection.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


@pytest.mark.django_db(transaction=True)
@override_settings(UPLOAD_MAX_BYTES=2_000_000)
def test_a_50_mb_upload_is_refused_before_it_is_read(live_server: Any) -> None:
    world = make_world()
    token = client_for(world.member, world.org).token
    assert token is not None
    started = time.monotonic()
    connection = _post_head(live_server.url, "/api/v1/orgs/acme/imports", token, DECLARED)
    try:
        answer = _answer(connection)
    finally:
        connection.close()
    _until_requests_end()
    # Only 64 KiB of the declared 50 MB were ever sent: the answer came without the rest.
    assert answer.split(b" ", 2)[1] == b"413", answer[:300]
    assert b"larger than 2,000,000 bytes (UPLOAD_MAX_BYTES)" in answer, answer[-600:]
    assert time.monotonic() - started < 5


@pytest.mark.django_db
@override_settings(UPLOAD_MAX_BYTES=10_000)
@pytest.mark.parametrize("path", ["/o/acme/kpis/readings/upload/", "/o/acme/import/"])
def test_an_oversized_upload_in_the_web_app_is_a_400_naming_the_limit(
    client: Client, world: World, path: str
) -> None:
    client.force_login(world.admin)
    big = SimpleUploadedFile("big.csv", b"kpi,date,value\n" + b"x" * 50_000, "text/csv")
    response = client.post(path, {"file": big})
    assert response.status_code == 400
    assert "larger than 10,000 bytes (UPLOAD_MAX_BYTES)" in response.content.decode()
