"""Fuzz the whole API from its OpenAPI document with schemathesis, counting every 5xx.

Each operation is called with generated requests, valid (positive) and invalid (negative),
authenticated with a real token of an organisation with data; its path parameters point at
that organisation's rows half the time, so requests reach the handlers, not only the 404s.
`fuzz` is shared by the suite's bounded run and the several-thousand-case run of
docs/benchmarks.md (`API_FUZZ_EXAMPLES`).
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from constellation.server.wsgi import application

# Rows of tests.server.factories' world that path parameters may name.
REAL = {
    "org": ["acme"],
    "objective": ["activation", "retention"],
    "key_result": ["week1-activation", "time-to-value"],
    "kr": ["week1-activation"],
    "team": ["growth", "company"],
    "kpi": ["logo-churn"],
    "lever": ["self-serve"],
    "period": ["2026-Q4"],
}


@dataclass
class Fuzzed:
    """What a run did: cases sent, seconds taken, and each 5xx as `METHOD path -> status`."""

    cases: int = 0
    seconds: float = 0.0
    server_errors: list[str] = field(default_factory=list)


def _aim(case: Any, chance: random.Random) -> None:
    """Point path parameters at real rows half the time (the org always)."""
    for name in list(case.path_parameters or {}):
        real = REAL.get(name)
        if real and (name == "org" or chance.random() < 0.5):
            case.path_parameters[name] = chance.choice(real)


def _strategy(operation: Any) -> Any:
    modes = []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        try:
            modes.append(operation.as_strategy(generation_mode=mode))
        except Exception:
            continue
    return st.one_of(*modes)


@contextmanager
def _connection_kept() -> Iterator[None]:
    """Keep the test's database connection open across requests, as Django's test client does
    (the WSGI handler closes it at the end of each request otherwise)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def fuzz(token: str, examples: int, seed: int = 17) -> Fuzzed:
    """Call every operation `examples` times; 5xx answers are collected, not raised."""
    with _connection_kept():
        return _fuzz(token, examples, seed)


def _fuzz(token: str, examples: int, seed: int) -> Fuzzed:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    headers = {"Authorization": f"Bearer {token}"}
    chance = random.Random(seed)
    report = Fuzzed()
    started = time.monotonic()
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=_strategy(operation))
        def call(case: Any) -> None:
            _aim(case, chance)
            response = case.call(headers=headers)
            report.cases += 1
            if response.status_code >= 500:
                report.server_errors.append(
                    f"{case.method} {case.formatted_path} -> {response.status_code}: "
                    f"{case.body if case.body is not None else ''!r:.200}"
                )

        call()
    report.seconds = time.monotonic() - started
    return report
