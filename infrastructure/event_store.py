"""The PostgreSQL event store recorders Yagona configures eventsourcing with.

eventsourcing 9.5's PostgreSQL recorder inserts in psycopg pipeline mode. With psycopg 3.3
(C and Python implementations alike) a pipeline whose queued output outgrows the socket's
send buffer never finishes sending: the server waits in ClientRead, the client waits for
results. Over a Unix socket (how the embedded server is reached) that happens from a few
hundred kilobytes, e.g. when seeding; over TCP at larger sizes. These recorders keep the
same statements (table lock, NOTIFY, one multi-row INSERT ... RETURNING) in the same one
transaction, but send them without pipeline mode, so large saves complete.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresProcessRecorder
from eventsourcing.utils import get_topic, retry


class _InsertWithoutPipeline:
    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        recorder: Any = self
        notification_ids: Sequence[int] | None = None
        with recorder.datastore.get_connection() as conn, conn.transaction():
            with conn.cursor() as curs:
                recorder._insert_events(curs, stored_events, **kwargs)
            if stored_events:
                with conn.cursor() as curs:
                    recorder._insert_stored_events(curs, stored_events, **kwargs)
                    notification_ids = recorder._fetch_ids_after_insert_events(
                        curs, stored_events, **kwargs
                    )
        return notification_ids


class ApplicationRecorder(_InsertWithoutPipeline, PostgresApplicationRecorder):
    """An application's events table (``<app>_events``)."""


class ProcessRecorder(_InsertWithoutPipeline, PostgresProcessRecorder):
    """A process application's events table plus its tracking table, in one transaction."""


def recorder_env() -> dict[str, str]:
    """Environment entries that make eventsourcing use these recorders."""
    return {
        "APPLICATION_RECORDER_TOPIC": get_topic(ApplicationRecorder),
        "PROCESS_RECORDER_TOPIC": get_topic(ProcessRecorder),
    }
