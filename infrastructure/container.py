"""The composition root: the one place that wires adapters into the use cases."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.utils import Environment

from application.catalogue import Catalogue
from application.ports import Clock
from infrastructure.clock import SystemClock
from infrastructure.database import DatabaseConfig, ddl_lock, ensure_database, ensure_schema
from infrastructure.embedded_postgres import start_embedded
from infrastructure.event_store import recorder_env
from infrastructure.settings import Settings, check_production_safety
from infrastructure.tokens import TokenService
from infrastructure.workers import PROJECTIONS, ProjectionSpec, Workers, projection_spec
from projections.catalogue import CatalogueView
from projections.rebuild import Progress, RebuildReport, rebuild
from projections.tracked_view import TrackedView


def resolve_database(settings: Settings) -> DatabaseConfig:
    """The configured PostgreSQL, or the embedded server under the data folder."""
    if settings.database_url:
        config = DatabaseConfig.from_url(settings.database_url, schema=settings.db_schema)
        ensure_database(config)
    else:
        config = start_embedded(settings.data_dir, schema=settings.db_schema)
    return config


@dataclass
class Container:
    settings: Settings
    database: DatabaseConfig
    env: dict[str, str]
    clock: Clock
    catalogue: Catalogue
    catalogue_view: CatalogueView
    tokens: TokenService
    workers: Workers | None = None
    _views: dict[str, TrackedView] = field(default_factory=dict)

    def start_workers(self) -> None:
        if self.workers is None:
            self.workers = Workers(self.env)
            self.workers.start()

    def stop_workers(self) -> None:
        if self.workers is not None:
            self.workers.stop()
            self.workers = None

    def application(self, spec: ProjectionSpec) -> Any:
        if spec.application_class is Catalogue:
            return self.catalogue
        raise KeyError(spec.name)

    def view(self, name: str) -> TrackedView:
        if name not in self._views:
            with ddl_lock(self.database):
                self._views[name] = make_view(projection_spec(name), self.env)
        return self._views[name]

    def projection_status(self) -> list[dict[str, Any]]:
        """Each read model's position in its application's log, and how far behind it is."""
        status = []
        for spec in PROJECTIONS:
            app = self.application(spec)
            head = app.recorder.max_notification_id() or 0
            position = self.view(spec.name).position(app.name)
            status.append(
                {"name": spec.name, "position": position, "head": head, "lag": head - position}
            )
        return status

    def wait_for_projections(self, timeout: float = 30.0) -> None:
        """Block until every read model has applied everything recorded so far."""
        for spec in PROJECTIONS:
            app = self.application(spec)
            head = app.recorder.max_notification_id()
            if head:
                self.view(spec.name).wait(app.name, head, timeout=timeout)

    def rebuild_projection(self, name: str, progress: Progress | None = None) -> RebuildReport:
        spec = projection_spec(name)
        return rebuild(
            name=name,
            app=self.application(spec),
            projection_class=spec.projection_class,
            live_view=self.view(name),
            make_datastore=self.make_datastore,
            progress=progress,
        )

    def make_datastore(self, schema: str) -> PostgresDatastore:
        db = self.database
        return PostgresDatastore(
            dbname=db.dbname,
            host=db.host,
            port=db.port,
            user=db.user,
            password=db.password,
            schema=schema,
            pool_size=2,
            max_overflow=4,
        )

    def close(self) -> None:
        self.stop_workers()
        self.catalogue.close()
        for view in self._views.values():
            view.datastore.close()


def make_view(spec: ProjectionSpec, env: dict[str, str]) -> TrackedView:
    """A read model's view over its tables (created if missing), for queries."""
    factory = InfrastructureFactory[TrackedView].construct(env=Environment(spec.name, env))
    return factory.tracking_recorder(spec.view_class)


def build_container(
    settings: Settings, *, clock: Clock | None = None, start_workers: bool = False
) -> Container:
    check_production_safety(settings)
    database = resolve_database(settings)
    env = (
        database.eventsourcing_env(
            pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow
        )
        | recorder_env()
    )
    clock = clock or SystemClock()
    with ddl_lock(database):
        ensure_schema(database)
        catalogue = Catalogue(env=env)
        view = make_view(projection_spec("catalogue"), env)
    assert isinstance(view, CatalogueView)
    container = Container(
        settings=settings,
        database=database,
        env=env,
        clock=clock,
        catalogue=catalogue,
        catalogue_view=view,
        tokens=TokenService(
            settings.jwt_secret.get_secret_value(),
            issuer=settings.jwt_issuer,
            ttl_seconds=settings.token_ttl_seconds,
            clock=clock,
        ),
        _views={"catalogue": view},
    )
    if start_workers:
        container.start_workers()
    return container
