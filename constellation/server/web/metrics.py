"""Prometheus metrics at /metrics: requests, latencies, database queries, jobs and emails.

Off unless OKR_METRICS_TOKEN is set (the address answers 404), and then only for a scraper
sending `Authorization: Bearer <token>`. Request and query metrics are counted in each
process; the queue's and the outbox's counts are read from the database at scrape time (two
grouped queries), so every process reports the same totals.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from prometheus_client import REGISTRY, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector

from constellation.server.notifications.access import email_counts
from constellation.server.tracking.access import job_counts

REQUESTS = Counter(
    "constellation_http_requests",
    "HTTP requests answered, by method, view and status",
    ["method", "view", "status"],
)
LATENCY = Histogram(
    "constellation_http_request_duration_seconds",
    "Time to answer a request, by view",
    ["view"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
QUERIES = Counter("constellation_db_queries", "Database queries run while answering requests")
QUERY_SECONDS = Histogram(
    "constellation_db_query_duration_seconds",
    "Time of one database query run while answering a request",
    buckets=(0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5),
)


def _timed_query(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
) -> Any:
    started = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        QUERIES.inc()
        QUERY_SECONDS.observe(time.perf_counter() - started)


class MetricsMiddleware:
    """Counts each request by view (the URL's name: a bounded set) and times it and its queries."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        started = time.perf_counter()
        with connection.execute_wrapper(_timed_query):
            response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name or "unnamed") if match is not None else "unresolved"
        LATENCY.labels(view).observe(time.perf_counter() - started)
        REQUESTS.labels(request.method or "", view, str(response.status_code)).inc()
        return response


class QueueCollector(Collector):
    """Jobs by status and emails by state, counted in the database when scraped."""

    def describe(self) -> list[GaugeMetricFamily]:
        """The families, without a query (registration calls this, not `collect`)."""
        return [
            GaugeMetricFamily(
                "constellation_jobs", "Jobs in the queue by status", labels=["status"]
            ),
            GaugeMetricFamily(
                "constellation_emails", "Emails of the outbox by state", labels=["state"]
            ),
        ]

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """The current counts."""
        jobs, emails = self.describe()
        counts = job_counts()
        for status in ("READY", "RUNNING", "FAILED", "SUCCESSFUL"):
            jobs.add_metric([status.lower()], counts.get(status, 0))
        for state, count in email_counts().items():
            emails.add_metric([state], count)
        yield jobs
        yield emails


REGISTRY.register(QueueCollector())


def metrics(request: HttpRequest) -> HttpResponse:
    """The metrics in Prometheus' text format, for a scraper with the token; else 404 or 401."""
    token = settings.METRICS_TOKEN
    if not token:
        raise Http404("metrics are off")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), token.encode()):
        response = HttpResponse("a bearer token is needed\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)
