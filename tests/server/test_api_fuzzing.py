"""A bounded schemathesis run of the whole API finds no 5xx (the long run: docs/benchmarks.md)."""

from __future__ import annotations

import os

import pytest

from tests.server.api_fuzzing import fuzz
from tests.server.api_helpers import client_for
from tests.server.factories import World

pytestmark = pytest.mark.django_db


def test_no_generated_request_to_any_operation_gets_a_server_error(world: World) -> None:
    token = client_for(world.admin, world.org).token
    assert token is not None
    examples = int(os.environ.get("API_FUZZ_EXAMPLES", "3"))
    report = fuzz(token, examples)
    print(f"{report.cases} cases in {report.seconds:.1f} s, {len(report.server_errors)} 5xx")
    assert report.cases >= 100
    assert report.server_errors == []
