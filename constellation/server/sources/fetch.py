"""Reading a source's number: an HTTP JSON endpoint, a SQL query or a Prometheus query.

Every read is bounded: a timeout on connecting and on the whole answer, a size limit on what
is read, and SQL opened read-only with a statement timeout, so a slow or huge source never
hangs the worker. Each failure is a `SourceError` whose message names what was wrong.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import jsonpath
import requests
from django.conf import settings

from constellation.server.sources.problems import SourceError, number_of
from constellation.server.sources.sql import read_sql


@dataclass(frozen=True, slots=True)
class Recipe:
    """Everything needed to read a source, secrets opened (never stored like this)."""

    kind: str
    url: str
    query: str
    header_name: str = ""
    header_value: str = ""
    database_url: str = ""
    timeout: float = 10.0


def get_json(recipe: Recipe, url: str, params: dict[str, str] | None = None) -> Any:
    """The JSON answer of a GET, within the timeout and the size limit, else SourceError."""
    headers = {"Accept": "application/json"}
    if recipe.header_name and recipe.header_value:
        headers[recipe.header_name] = recipe.header_value
    deadline = time.monotonic() + recipe.timeout
    limit = settings.SOURCES_MAX_RESPONSE_BYTES
    try:
        with requests.get(
            url, params=params, headers=headers, timeout=recipe.timeout, stream=True
        ) as answer:
            if answer.status_code >= 400:
                raise SourceError(f"{url} answered HTTP {answer.status_code} {answer.reason}")
            body = bytearray()
            # read1 returns what has arrived (never waits for a full chunk), so a server that
            # drips its answer byte by byte still meets the deadline.
            while chunk := answer.raw.read1(16384, decode_content=True):
                body += chunk
                if len(body) > limit:
                    raise SourceError(f"the answer of {url} is larger than {limit:,} bytes")
                if time.monotonic() > deadline:
                    raise SourceError(f"{url} took longer than {recipe.timeout:g} s to answer")
    except requests.Timeout:
        raise SourceError(f"{url} took longer than {recipe.timeout:g} s to answer") from None
    except requests.RequestException as error:
        raise SourceError(f"{url} could not be reached: {_reason(error)}") from None
    try:
        return json.loads(bytes(body))
    except ValueError:
        raise SourceError(f"the answer of {url} is not JSON") from None


def _reason(error: Exception) -> str:
    """The last line of a connection error, without the library's nesting."""
    text = str(error.args[0] if error.args else error)
    return text.rsplit(": ", 1)[-1][:200] or type(error).__name__


def read_json(recipe: Recipe) -> float:
    """The number at the recipe's JSONPath in the endpoint's JSON answer."""
    try:
        path = jsonpath.compile(recipe.query)
    except jsonpath.JSONPathError as error:
        raise SourceError(f"the JSONPath {recipe.query} is not valid: {error}") from None
    data = get_json(recipe, recipe.url)
    try:
        found = path.findall(data)
    except jsonpath.JSONPathError as error:
        raise SourceError(f"the JSONPath {recipe.query} failed: {error}") from None
    if not found:
        raise SourceError(f"the JSONPath {recipe.query} found nothing in the answer")
    if len(found) > 1:
        raise SourceError(
            f"the JSONPath {recipe.query} found {len(found)} values; it must find exactly one"
        )
    return number_of(found[0], f"the value at {recipe.query}")


def read_prometheus(recipe: Recipe) -> float:
    """The single sample of an instant PromQL query (`/api/v1/query`)."""
    url = recipe.url.rstrip("/") + "/api/v1/query"
    answer = get_json(recipe, url, {"query": recipe.query})
    if not isinstance(answer, dict) or answer.get("status") != "success":
        error = answer.get("error") if isinstance(answer, dict) else None
        raise SourceError(f"Prometheus refused the query: {error or 'no success status'}")
    data = answer.get("data") or {}
    kind, result = data.get("resultType"), data.get("result")
    if kind == "scalar" and isinstance(result, list) and len(result) == 2:
        return number_of(result[1], "the query's scalar")
    if kind != "vector" or not isinstance(result, list):
        raise SourceError(f"the query returned a {kind or 'missing'} result: use an instant vector")
    if not result:
        raise SourceError("the query returned no series: nothing matches it right now")
    if len(result) > 1:
        raise SourceError(
            f"the query returned {len(result)} series; aggregate them into one (sum, avg, max)"
        )
    sample = result[0].get("value") if isinstance(result[0], dict) else None
    if not isinstance(sample, list) or len(sample) != 2:
        raise SourceError("the query's series has no sample value")
    return number_of(sample[1], "the query's sample")


def read_value(recipe: Recipe) -> float:
    """The number the source gives now, or SourceError saying why not."""
    if recipe.kind == "http_json":
        return read_json(recipe)
    if recipe.kind == "prometheus":
        return read_prometheus(recipe)
    if recipe.kind == "sql":
        return read_sql(recipe.database_url, recipe.query, recipe.timeout)
    raise SourceError(f"unknown kind of source: {recipe.kind}")
