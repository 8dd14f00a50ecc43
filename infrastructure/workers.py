"""Projection (and, later, policy) runners as supervised background threads.

Each read model follows its application's notification log through LISTEN/NOTIFY and
resumes from its tracked position after a restart. A runner that fails (the database went
away, a bug) is restarted with backoff, so the worker heals without an operator.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import structlog
from eventsourcing.application import Application
from eventsourcing.projection import Projection, ProjectionRunner

from application.catalogue import Catalogue
from projections.catalogue import CatalogueProjection, CatalogueView
from projections.tracked_view import TrackedView

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class ProjectionSpec:
    name: str
    application_class: type[Application[Any]]
    projection_class: type[Projection[Any]]
    view_class: type[TrackedView]


PROJECTIONS: tuple[ProjectionSpec, ...] = (
    ProjectionSpec("catalogue", Catalogue, CatalogueProjection, CatalogueView),
)


def projection_spec(name: str) -> ProjectionSpec:
    for spec in PROJECTIONS:
        if spec.name == name:
            return spec
    known = ", ".join(s.name for s in PROJECTIONS)
    raise KeyError(f"no read model is called {name!r} (known: {known})")


class SupervisedRunner:
    """Runs one projection in a background thread; restarts it with backoff on failure."""

    backoff = (0.5, 1.0, 2.0, 5.0, 10.0)

    def __init__(self, spec: ProjectionSpec, env: dict[str, str]) -> None:
        self.spec = spec
        self.env = env
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._runner: ProjectionRunner[Any, Any] | None = None
        self._thread = threading.Thread(
            target=self._supervise, name=f"projection-{spec.name}", daemon=True
        )
        self.failures = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        with self._lock:
            if self._runner is not None:
                self._runner.stop()
        self._thread.join(timeout)

    def _supervise(self) -> None:
        attempt = 0
        while not self._stopping.is_set():
            try:
                runner: ProjectionRunner[Any, Any] = ProjectionRunner(
                    application_class=self.spec.application_class,
                    projection_class=self.spec.projection_class,
                    view_class=self.spec.view_class,
                    env=self.env,
                )
                with self._lock:
                    self._runner = runner
                    if self._stopping.is_set():
                        runner.stop()
                with runner:
                    log.info("projection.started", projection=self.spec.name)
                    attempt = 0
                    runner.run_forever()
            except Exception as error:
                self.failures += 1
                delay = self.backoff[min(attempt, len(self.backoff) - 1)]
                attempt += 1
                log.warning(
                    "projection.failed",
                    projection=self.spec.name,
                    error=type(error).__name__,
                    detail=str(error).splitlines()[0] if str(error) else "",
                    retry_in=delay,
                )
                self._stopping.wait(delay)
            finally:
                with self._lock:
                    self._runner = None
        log.info("projection.stopped", projection=self.spec.name)


class Workers:
    """Every projection's supervised runner, started and stopped together."""

    def __init__(self, env: dict[str, str], specs: tuple[ProjectionSpec, ...] = PROJECTIONS):
        self.runners = [SupervisedRunner(spec, env) for spec in specs]

    def start(self) -> None:
        for runner in self.runners:
            runner.start()

    def stop(self) -> None:
        for runner in self.runners:
            runner.stop()
