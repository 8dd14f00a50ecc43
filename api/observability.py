"""Per-request context (request id), access logs and Prometheus metrics."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable
from time import perf_counter
from typing import Any

import structlog
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import unexpected_error_response

log = structlog.get_logger("yagona.http")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
REQUEST_ID_HEADER = "x-request-id"


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "yagona_http_requests_total",
            "HTTP requests answered",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "yagona_http_request_duration_seconds",
            "Time to answer an HTTP request",
            ["method", "route"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )

    def watch_projections(self, status: Callable[[], list[dict[str, Any]]]) -> None:
        self.registry.register(_ProjectionCollector(status))


class _ProjectionCollector(Collector):
    def __init__(self, status: Callable[[], list[dict[str, Any]]]) -> None:
        self.status = status

    def collect(self) -> Iterable[Metric]:
        position = GaugeMetricFamily(
            "yagona_projection_position", "Last event position applied", labels=["projection"]
        )
        lag = GaugeMetricFamily(
            "yagona_projection_lag_events",
            "Events recorded but not yet applied",
            labels=["projection"],
        )
        try:
            rows = self.status()
        except Exception:
            rows = []
        for row in rows:
            position.add_metric([row["name"]], row["position"])
            lag.add_metric([row["name"]], row["lag"])
        yield position
        yield lag


class RequestContextMiddleware:
    """Binds a request id (the caller's ``X-Request-ID`` if sane, else a new one) to the
    logging context, returns it in a header, logs one line per request and records
    metrics by route template (never by raw path, which may carry ids). An exception no
    handler took is logged here and answered with a 500 problem carrying the request id."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_request_id(scope) or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500
        response_started = False
        started = perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER.encode(), request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_id)
            except Exception as error:
                log.error("http.unexpected_error", error=type(error).__name__, exc_info=error)
                if response_started:
                    raise
                response = unexpected_error_response(Request(scope))
                await response(scope, receive, send_with_id)
            finally:
                elapsed = perf_counter() - started
                route = scope.get("route")
                template = getattr(route, "path", None) or "unmatched"
                method = scope["method"]
                self.metrics.requests.labels(method, template, str(status)).inc()
                self.metrics.latency.labels(method, template).observe(elapsed)
                log.info(
                    "http.request",
                    method=method,
                    route=template,
                    status=status,
                    duration_ms=round(elapsed * 1000, 2),
                )


def _incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == REQUEST_ID_HEADER.encode():
            candidate = value.decode("latin-1")
            return candidate if _REQUEST_ID.fullmatch(candidate) else None
    return None
