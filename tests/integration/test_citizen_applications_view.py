"""The citizen's read model on PostgreSQL, fed one event at a time as its worker feeds it.

A submission and its routing are one save, but the projection commits each event in its own
transaction. Between the two the row exists with the aggregate's transient ``submitted``
status, which no API vocabulary holds: a list read then answered 500 under load (a database
restart widened the window). A case joins the list and the summary once it is routed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from eventsourcing.persistence import Tracking

from domain.application_statuses import QUEUED, STATUSES
from infrastructure.container import Container
from projections.citizen_applications import CitizenApplicationsProjection, CitizenApplicationsView
from tests.unit.service_application_steps import route, submitted


@pytest.fixture
def view(container: Container, fresh_schema: str) -> Iterator[CitizenApplicationsView]:
    datastore = container.make_datastore(fresh_schema)
    built = CitizenApplicationsView(datastore, tracking_table_name="citizen_applications_tracking")
    built.create_table()
    yield built
    datastore.close()


def feed(projection: CitizenApplicationsProjection, events: list[Any], start: int) -> None:
    for position, event in enumerate(events, start=start):
        projection.process_event(event, Tracking("cases", position))


def test_a_submitted_case_not_yet_routed_is_in_neither_the_list_nor_the_summary(
    view: CitizenApplicationsView,
) -> None:
    app = submitted(applicant_ref="ref-1")
    route(app)
    submission, *routing = app.collect_events()
    projection = CitizenApplicationsProjection(view=view)

    feed(projection, [submission], start=1)
    assert view.for_applicant("ref-1").items == []
    assert view.summary(["status"], filters={}).items == []

    feed(projection, routing, start=2)
    (item,) = view.for_applicant("ref-1").items
    assert (item.id, item.status) == (str(app.id), QUEUED)
    summary = view.summary(["status"], filters={}).items
    assert [(row["status"], row["applications"]) for row in summary] == [(QUEUED, 1)]
    assert all(row["status"] in STATUSES for row in summary)
