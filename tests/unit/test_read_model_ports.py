"""The read models implement the application's ports, and the vocabularies the API offers
are the ones the read models can answer."""

from __future__ import annotations

import inspect

from application.read_models.cases import (
    SUMMARY_GROUPS,
    CitizenApplications,
    DecisionsRegister,
    OfficerQueue,
)
from application.read_models.catalogue import CatalogueReadModel
from application.read_models.kpi import KpiReadModel
from application.read_models.payments import PaymentsLedger
from projections.catalogue import CatalogueView
from projections.citizen_applications import SUMMARY_DIMENSIONS, CitizenApplicationsView
from projections.decisions_register import DecisionsRegisterView
from projections.kpi import KpiView
from projections.officer_queue import OfficerQueueView
from projections.payments_ledger import PaymentsLedgerView

PORTS = {
    CitizenApplications: CitizenApplicationsView,
    OfficerQueue: OfficerQueueView,
    DecisionsRegister: DecisionsRegisterView,
    PaymentsLedger: PaymentsLedgerView,
    KpiReadModel: KpiView,
    CatalogueReadModel: CatalogueView,
}


def _methods(cls: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member)
        for name, member in inspect.getmembers(cls, inspect.isfunction)
        if not name.startswith("_")
    }


def test_each_view_has_every_method_of_its_port_with_the_same_parameters() -> None:
    for port, view in PORTS.items():
        implemented = _methods(view)
        for name, signature in _methods(port).items():
            assert name in implemented, f"{view.__name__} lacks {port.__name__}.{name}"
            assert list(implemented[name].parameters) == list(signature.parameters), (
                f"{view.__name__}.{name} takes other parameters than {port.__name__}.{name}"
            )


def test_the_summary_groups_offered_are_those_the_read_model_can_group_by() -> None:
    assert tuple(SUMMARY_DIMENSIONS) == SUMMARY_GROUPS
