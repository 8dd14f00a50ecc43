"""The authorization matrix's table: for each route of the app, the statuses its callers
get (derived from the policy in authorization_callers.py), the real things its path names
and the body it sends.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from tests.reliability.authorization_callers import (
    APPLICANT_ACTS,
    CASE_READERS,
    HANDLER_ACTS,
    HIDDEN_FROM_OFFICERS,
    OTHER_CITIZEN,
    SUBSCRIPTION_OWNER,
    expect,
    granted,
)
from tests.reliability.world import World


class Targets:
    """The real things paths name: shared ones made once, fresh ones for commands that
    change them (one caller succeeds on each)."""

    def __init__(self, world: World, keys: dict[str, dict[str, str]]) -> None:
        self.world = world
        self.keys = keys

    @cached_property
    def application(self) -> dict[str, Any]:
        return self.world.application()

    @cached_property
    def decision(self) -> dict[str, Any]:
        return self.world.decided()

    @cached_property
    def payment(self) -> dict[str, Any]:
        return self.world.paid()

    @cached_property
    def appeal(self) -> dict[str, Any]:
        return self.world.appeal()

    @cached_property
    def request(self) -> dict[str, Any]:
        return self.world.inter_agency_request()

    @cached_property
    def subscription(self) -> dict[str, Any]:
        return self.world.webhook(self.keys["integrator"])

    @cached_property
    def staff_member(self) -> str:
        return self.world.staff_member()


Params = Callable[[Targets], dict[str, str]]


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    expected: dict[str, int]
    params: Params = lambda t: {}  # path parameters
    query: dict[str, Any] = field(default_factory=dict)
    body: Any = None


def shared_case(t: Targets) -> dict[str, str]:
    return {"key": t.application["tracking_number"]}


def decided_case(t: Targets) -> dict[str, str]:
    return {"key": t.decision["application"]["id"]}


CATALOGUE = expect(200, public=True)  # public: no action of the policy
DECISION = {"outcome": "approved", "reasons": "Checked.", "legal_basis": "Art. 1"}
REQUEST = {
    "to_agency": "cadastre-1703202",
    "requested_data": "The registered address",
    "purpose": "Verify residence",
    "legal_basis": "Regulation on inter-agency electronic interaction",
}
APPEAL = {"territory": "1703202", "subject": "utilities", "text": "The road is broken."}
MONTH = {"month": "2026-11"}

STAFF = granted("staff.manage")

ROWS: tuple[Row, ...] = (
    # --- public: operations, the catalogue, verification, the payment provider's side
    Row("GET", "/healthz", CATALOGUE),
    Row("GET", "/readyz", CATALOGUE),
    Row("GET", "/metrics", CATALOGUE),
    Row("GET", "/v1/services", CATALOGUE),
    Row("GET", "/v1/services/{code}", CATALOGUE, lambda t: {"code": "birth-registration"}),
    Row("GET", "/v1/services/{code}/form", CATALOGUE, lambda t: {"code": "birth-registration"}),
    Row("GET", "/v1/territories", CATALOGUE, query={"flat": "true", "limit": "5"}),
    Row("GET", "/v1/territories/{code}", CATALOGUE, lambda t: {"code": "1703202"}),
    Row("GET", "/v1/calendar/{year}", CATALOGUE, lambda t: {"year": "2026"}),
    Row("GET", "/v1/agencies", CATALOGUE, query={"flat": "true", "limit": "5"}),
    Row("GET", "/v1/agencies/{key}", CATALOGUE, lambda t: {"key": "justice-1703202"}),
    Row("GET", "/v1/bhm-rates", CATALOGUE),
    Row(
        "GET",
        "/v1/verify/{registration_number}",
        CATALOGUE,
        lambda t: {"registration_number": t.decision["registration_number"]},
        query={"code": "placeholder"},  # replaced by the real code in the test
    ),
    Row(
        "GET",
        "/v1/payments/sandbox/{provider_payment_id}",
        CATALOGUE,
        lambda t: {"provider_payment_id": t.payment["provider_payment_id"]},
    ),
    Row(  # anyone with the link; a wrong outcome changes nothing
        "POST",
        "/v1/payments/sandbox/{provider_payment_id}",
        expect(422, public=True),
        lambda t: {"provider_payment_id": t.payment["provider_payment_id"]},
        body={"outcome": "maybe"},
    ),
    Row("GET", "/v1/audit/export-key", CATALOGUE),  # a public key: anyone checks an export
    Row("POST", "/v1/payments/stripe/webhook", expect(404, public=True), body={}),
    Row("POST", "/v1/payments/sandbox/webhook", expect(400, public=True), body={}),
    # --- applications
    Row("POST", "/v1/applications", granted("application.submit", 201), body="submission"),
    Row("GET", "/v1/applications", granted("application.list_own")),
    Row("GET", "/v1/applications/{key}", CASE_READERS, shared_case),
    Row(
        "POST",
        "/v1/applications/{key}/information",
        APPLICANT_ACTS,
        lambda t: {"key": t.world.awaiting_information()["id"]},
        body={"message": "A clearer scan is attached."},
    ),
    Row(
        "POST",
        "/v1/applications/{key}/withdrawal",
        APPLICANT_ACTS,
        lambda t: {"key": t.world.application()["id"]},
        body={"reason": "Changed my mind."},
    ),
    Row(
        "POST",
        "/v1/applications/{key}/acceptance",
        granted("application.handle", **HANDLER_ACTS),
        lambda t: {"key": t.world.application()["id"]},
    ),
    Row(
        "POST",
        "/v1/applications/{key}/release",
        granted("application.handle", **HANDLER_ACTS),
        lambda t: {"key": t.world.accepted()["id"]},
    ),
    Row(
        "POST",
        "/v1/applications/{key}/information-requests",
        granted("application.handle", **HANDLER_ACTS),
        lambda t: {"key": t.world.accepted()["id"]},
        body={"message": "Please attach a clearer scan."},
    ),
    Row(
        "POST",
        "/v1/applications/{key}/decision",
        granted("application.handle", 201, **HANDLER_ACTS),
        lambda t: {"key": t.world.accepted()["id"]},
        body=DECISION,
    ),
    Row(
        "POST",
        "/v1/applications/{key}/closure",
        granted("application.handle", **HANDLER_ACTS),
        lambda t: {"key": t.world.decided()["application"]["id"]},
        body={"reason": "Result delivered."},
    ),
    Row("GET", "/v1/applications/{key}/result", CASE_READERS, decided_case),
    Row("GET", "/v1/queue", granted("queue.read")),
    Row("GET", "/v1/decisions", granted("decisions_register.read")),
    Row("GET", "/v1/me/access-log", granted("audit.own_access_log")),
    # --- payments
    Row(
        "POST",
        "/v1/applications/{key}/payments",
        granted("payment.pay", **OTHER_CITIZEN),
        lambda t: {"key": t.world.awaiting_payment()["id"]},
    ),
    Row(
        "GET",
        "/v1/payments/reconciliation",
        granted("payment.reconciliation"),
        query={"date": "2026-11-27"},
    ),
    Row(
        "GET", "/v1/payments/{payment_id}", CASE_READERS, lambda t: {"payment_id": t.payment["id"]}
    ),
    Row(
        "GET",
        "/v1/payments/{payment_id}/receipt",
        CASE_READERS,
        lambda t: {"payment_id": t.payment["id"]},
    ),
    Row(
        "POST",
        "/v1/payments/{payment_id}/corrections",
        granted("payment.correct"),
        lambda t: {"payment_id": t.world.started_payment()["id"]},
        body={"status": "failed", "reason": "The bank reported a chargeback."},
    ),
    # --- audit
    Row("GET", "/v1/audit/applications/{key}/history", granted("audit.read"), decided_case),
    Row("GET", "/v1/audit/applications/{key}/state", granted("audit.read"), decided_case),
    Row("GET", "/v1/audit/applications/{key}/verification", granted("audit.read"), decided_case),
    Row("GET", "/v1/audit/applications/{key}/export", granted("audit.read"), decided_case),
    Row(
        "GET",
        "/v1/audit/actors/{actor}/actions",
        granted("audit.read"),
        lambda t: {"actor": "officer-17"},
    ),
    # --- integrators
    Row("GET", "/v1/feed", granted("feed.read")),
    Row("GET", "/v1/read-models/applications-summary", granted("read_models.read")),
    Row("GET", "/v1/read-models/payments", granted("read_models.read")),
    Row("GET", "/v1/kpi", granted("kpi.read"), query=MONTH),
    Row("GET", "/v1/kpi/ranking", granted("kpi.read"), query=MONTH),
    Row(
        "POST",
        "/v1/webhooks",
        granted("webhooks.manage", 201),
        body={"url": "https://bank.example/hooks", "event_types": ["Payment"]},
    ),
    Row("GET", "/v1/webhooks", granted("webhooks.manage")),
    Row(
        "GET",
        "/v1/webhooks/{subscription_id}",
        SUBSCRIPTION_OWNER,
        lambda t: {"subscription_id": t.subscription["id"]},
    ),
    Row(
        "DELETE",
        "/v1/webhooks/{subscription_id}",
        granted("webhooks.subscription", 204, other_integrator=404),
        lambda t: {"subscription_id": t.world.webhook(t.keys["integrator"])["id"]},
    ),
    Row(
        "GET",
        "/v1/webhooks/{subscription_id}/deliveries",
        SUBSCRIPTION_OWNER,
        lambda t: {"subscription_id": t.subscription["id"]},
    ),
    # --- appeals
    Row("POST", "/v1/appeals", granted("appeal.file", 201), body=APPEAL),
    Row("GET", "/v1/appeals", granted("appeal.list_own")),
    Row(
        "GET",
        "/v1/appeals/{key}",
        granted("appeal.read", **OTHER_CITIZEN, **HIDDEN_FROM_OFFICERS),
        lambda t: {"key": t.appeal["number"]},
    ),
    Row(
        "POST",
        "/v1/appeals/{key}/answer",
        granted("appeal.handle", **HIDDEN_FROM_OFFICERS),
        lambda t: {"key": t.world.appeal()["number"]},
        body={"text": "Repaired."},
    ),
    Row(
        "POST",
        "/v1/appeals/{key}/extension",
        granted("appeal.handle", **HIDDEN_FROM_OFFICERS),
        lambda t: {"key": t.world.appeal()["number"]},
        body={"reason": "A site visit is needed."},
    ),
    Row(
        "POST",
        "/v1/appeals/{key}/head-extension",
        granted("appeal.extend_as_head", **HIDDEN_FROM_OFFICERS),
        lambda t: {"key": t.world.appeal()["number"]},
        body={"reason": "A check by the regional inspectorate is needed."},
    ),
    Row(
        "POST",
        "/v1/appeals/{key}/dispute",
        granted("appeal.act_as_appellant", **OTHER_CITIZEN),
        lambda t: {"key": t.world.answered_appeal()["number"]},
        body={"reason": "Still no water."},
    ),
    Row(
        "POST",
        "/v1/appeals/{key}/rating",
        granted("appeal.act_as_appellant", **OTHER_CITIZEN),
        lambda t: {"key": t.world.answered_appeal()["number"]},
        body={"rating": 4},
    ),
    # --- inter-agency requests
    Row(
        "POST",
        "/v1/applications/{key}/inter-agency-requests",
        granted("application.handle", 201, **HANDLER_ACTS),
        lambda t: {"key": t.world.accepted()["id"]},
        body=REQUEST,
    ),
    Row(
        "GET",
        "/v1/inter-agency-requests/{key}",
        granted("inter_agency.read", other_officer=404, hokim=404),
        lambda t: {"key": t.request["number"]},
    ),
    Row(
        "POST",
        "/v1/inter-agency-requests/{key}/answer",
        granted("inter_agency.handle", officer=403, other_officer=404, hokim=404),
        lambda t: {"key": t.world.inter_agency_request()["number"]},
        body={"data": {"address": "Oltinkoʻl, Mustaqillik 12"}},
    ),
    Row(
        "POST",
        "/v1/inter-agency-requests/{key}/refusal",
        granted("inter_agency.handle", officer=403, other_officer=404, hokim=404),
        lambda t: {"key": t.world.inter_agency_request()["number"]},
        body={"reason": "Not held by this agency."},
    ),
    # --- the staff directory
    Row(
        "POST",
        "/v1/staff",
        granted("staff.manage", 201),
        body={"subject": "matrix-auditor", "role": "auditor"},
    ),
    Row("GET", "/v1/staff", STAFF),
    Row("GET", "/v1/staff/{subject}", STAFF, lambda t: {"subject": t.staff_member}),
    Row(
        "POST",
        "/v1/staff/{subject}/revocation",
        STAFF,
        lambda t: {"subject": t.world.staff_member()},
        body={"reason": "Left the inspectorate"},
    ),
)
