"""The event store recorders: large atomic saves, over TCP and over a Unix socket."""

from __future__ import annotations

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from infrastructure.container import Container
from infrastructure.event_store import ApplicationRecorder


class Bulky(Aggregate):
    @event("Created")
    def __init__(self, payload: str) -> None:
        self.payload = payload


class BulkApp(Application):  # type: ignore[type-arg]
    name = "BulkTest"


def test_a_save_of_several_megabytes_is_one_transaction(container: Container) -> None:
    """psycopg's pipeline mode stalls once its output outgrows the socket buffer; the
    recorder Yagona configures sends the same statements without it."""
    app = BulkApp(env=container.env)
    try:
        assert isinstance(app.recorder, ApplicationRecorder)
        aggregates = [Bulky(payload="x" * 2000) for _ in range(4000)]  # ~8 MB of state
        recordings = app.save(*aggregates)
        ids = [r.notification.id for r in recordings]
        assert ids == list(range(ids[0], ids[0] + 4000))
        assert app.recorder.max_notification_id() == ids[-1]
        assert app.repository.get(aggregates[-1].id).payload == "x" * 2000
    finally:
        app.close()
