"""What ServiceApplication's commands see of the case: its state, read-only, and the
private methods that record its events.

The commands live in mixins (``domain/case_routing.py``, ``domain/case_handling.py``); the
state and the ``@event`` methods stay on the aggregate in ``domain/service_application.py``,
where the event classes' topics name them. The mixins' methods take ``self`` as this
protocol: a command reads the case and changes it only by recording an event. (mypy does
not refuse ``self.status = ...`` in a mixin, it takes it for an attribute of the mixin:
the properties say the rule, they do not enforce it.) Each call of a mixin's command on a
ServiceApplication makes mypy check the aggregate against this protocol; the event methods
are keyword-only here, as the commands call them, so that their parameters' names are
checked too, not only their types.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol
from uuid import UUID

from domain.calendar import WorkingCalendar


class CaseState(Protocol):
    @property
    def tracking_number(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def term_working_days(self) -> int: ...
    @property
    def clock_started_on(self) -> date | None: ...
    @property
    def paused_since(self) -> date | None: ...
    @property
    def paused_working_days(self) -> int: ...
    @property
    def due_date(self) -> date | None: ...
    @property
    def assignee(self) -> str | None: ...
    @property
    def deadline_breached(self) -> bool: ...
    @property
    def decision_id(self) -> UUID | None: ...
    @property
    def registration_number(self) -> str | None: ...
    @property
    def paid_by(self) -> UUID | None: ...
    @property
    def was_accepted(self) -> bool: ...

    # --- the guards, and the clock's start (CaseRouting's) ------------------------------------

    def _require(self, action: str, *allowed: str) -> None: ...

    def _require_assignee(self, officer: str, action: str) -> None: ...

    def _start_clock(
        self, today: date, calendar: WorkingCalendar, meta: dict[str, str]
    ) -> None: ...

    # --- the methods that record the events ------------------------------------------------

    def _routed(
        self,
        *,
        agency_id: UUID,
        agency_code: str,
        term_working_days: int,
        status: str,
        meta: dict[str, str],
    ) -> None: ...

    def _fee_assessed(
        self,
        *,
        amount: int,
        currency: str,
        assessed_on: str,
        exemption: dict[str, str] | None,
        meta: dict[str, str],
    ) -> None: ...

    def _paid(
        self, *, payment_id: UUID, amount: int, paid_on: str, meta: dict[str, str]
    ) -> None: ...

    def _payment_not_expected(
        self, *, payment_id: UUID, reason: str, meta: dict[str, str]
    ) -> None: ...

    def _cancelled(self, *, reason: str, status: str, meta: dict[str, str]) -> None: ...

    def _clock_started(
        self, *, started_on: str, due_date: str, status: str, meta: dict[str, str]
    ) -> None: ...

    def _due_date_recomputed(self, *, due_date: str, meta: dict[str, str]) -> None: ...

    def _deadline_breached(
        self, *, due_date: str, detected_on: str, meta: dict[str, str]
    ) -> None: ...

    def _escalated(
        self, *, to_agency_id: UUID, to_agency_code: str, meta: dict[str, str]
    ) -> None: ...

    def _accepted(self, *, officer: str, status: str, meta: dict[str, str]) -> None: ...

    def _assignment_released(self, *, officer: str, status: str, meta: dict[str, str]) -> None: ...

    def _information_requested(
        self, *, officer: str, message: str, requested_on: str, status: str, meta: dict[str, str]
    ) -> None: ...

    def _information_provided(
        self,
        *,
        message: str,
        form: dict[str, Any],
        provided_on: str,
        paused_working_days: int,
        due_date: str,
        status: str,
        meta: dict[str, str],
    ) -> None: ...

    def _decided(
        self,
        *,
        decision_id: UUID,
        registration_number: str,
        outcome: str,
        officer: str,
        decided_on: str,
        working_days_taken: int,
        within_term: bool,
        status: str,
        meta: dict[str, str],
    ) -> None: ...

    def _result_issued(
        self,
        *,
        decision_id: UUID,
        registration_number: str,
        documents: dict[str, str],
        status: str,
        meta: dict[str, str],
    ) -> None: ...

    def _withdrawn(
        self, *, reason: str, before_acceptance: bool, status: str, meta: dict[str, str]
    ) -> None: ...

    def _closed(self, *, reason: str, status: str, meta: dict[str, str]) -> None: ...
