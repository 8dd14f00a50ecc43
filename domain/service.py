"""Services: catalogue entries whose terms are versioned.

Published -> Revised (a new version of the terms) -> Suspended / Resumed -> Retired.
An application pins the version it was submitted under, so terms are never edited in
place: a revision appends a version with the date it takes effect.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.agency import AGENCY_KIND, JURISDICTION_LEVELS
from domain.errors import (
    InvalidCode,
    InvalidEffectiveDate,
    InvalidLegalSource,
    InvalidServiceTerms,
    NothingChanged,
    ServiceNotActive,
    ServiceNotSuspended,
    ServiceRetired,
)
from domain.exemptions import Exemption
from domain.fees import FeeRule
from domain.form_schema import check_form_schema_shape
from domain.i18n import Translations, require_translations
from domain.ids import natural_id
from domain.quoting import quoted
from domain.sources import LegalSource
from domain.validity import Validity

SERVICE_CODE = re.compile(r"[a-z0-9][a-z0-9-]{2,63}")
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{1,63}")

# The four forms of interactive service.
FORM_INFORMATION = 1  # publish public information
FORM_ONE_WAY = 2  # the form can be fetched and filled in
FORM_TWO_WAY = 3  # apply and receive the result online
FORM_TRANSACTIONAL = 4  # everything online, fee payment included
FORMS = (FORM_INFORMATION, FORM_ONE_WAY, FORM_TWO_WAY, FORM_TRANSACTIONAL)

RESULT_KINDS = (
    "certificate",
    "licence",
    "permit",
    "registration",
    "decision",
    "information",
    "extract",
    "connection",
    "enrolment",
    "benefit",
)
VALIDITY_KINDS = ("permit", "licence")  # results valid for a time
REFUND_OCCASIONS = ("rejection", "withdrawal_before_acceptance")

ACTIVE = "active"
SUSPENDED = "suspended"
RETIRED = "retired"
STATUSES = (ACTIVE, SUSPENDED, RETIRED)
# The changes a service's history records (its events, as the catalogue lists them).
CHANGES = ("published", "revised", "suspended", "resumed", "retired")


@dataclass(frozen=True)
class RequiredDocument:
    """A document an application attaches; an optional one only where it applies (the
    previous marriage's termination, a representative's power of attorney...)."""

    code: str
    names: Translations
    optional: bool = False

    def to_dict(self) -> dict[str, Any]:
        # ``optional`` is written only when set, so terms recorded before it existed stay
        # equal to their reference data (and seeding revises nothing that did not change).
        data: dict[str, Any] = {"code": self.code, "names": dict(self.names)}
        if self.optional:
            data["optional"] = True
        return data


def _slug(field: str, value: object) -> str:
    if not isinstance(value, str) or not _SLUG.fullmatch(value):
        raise InvalidServiceTerms(f"{field} must match {_SLUG.pattern}, got {quoted(value)}")
    return value


def _unique(field: str, codes: list[str]) -> None:
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise InvalidServiceTerms(f"{field} repeat codes: {', '.join(duplicates)}")


@dataclass(frozen=True)
class ServiceTerms:
    """Everything a version of a service promises: names, form, fee, deadline, schema."""

    names: Translations
    descriptions: Translations
    category: str
    form: int
    agency_kind: str
    jurisdiction: str
    required_documents: tuple[RequiredDocument, ...]
    fee: FeeRule
    exemptions: tuple[Exemption, ...]
    refund_on: tuple[str, ...]
    deadline_working_days: int
    result_kind: str
    legal_basis: Translations
    form_schema: dict[str, Any]
    validity: Validity | None = None  # permits and licences; None: no time limit
    term_source: LegalSource | None = None  # the act setting deadline_working_days

    @classmethod
    def from_dict(cls, data: object) -> ServiceTerms:
        if not isinstance(data, dict):
            raise InvalidServiceTerms("service terms must be an object")
        form = data.get("form")
        if form not in FORMS or isinstance(form, bool):
            raise InvalidServiceTerms(f"form must be one of 1, 2, 3, 4, got {quoted(form)}")
        agency_kind = data.get("agency_kind")
        if not isinstance(agency_kind, str) or not AGENCY_KIND.fullmatch(agency_kind):
            raise InvalidServiceTerms(
                f"agency_kind must match {AGENCY_KIND.pattern}, got {quoted(agency_kind)}"
            )
        jurisdiction = data.get("jurisdiction")
        if jurisdiction not in JURISDICTION_LEVELS:
            raise InvalidServiceTerms(
                f"jurisdiction must be one of {', '.join(JURISDICTION_LEVELS)}, "
                f"got {quoted(jurisdiction)}"
            )
        documents_raw = data.get("required_documents", [])
        if not isinstance(documents_raw, list) or not all(
            isinstance(d, dict) for d in documents_raw
        ):
            raise InvalidServiceTerms("required_documents must be a list of objects")
        if any(not isinstance(d.get("optional", False), bool) for d in documents_raw):
            raise InvalidServiceTerms("required_documents[].optional must be true or false")
        documents = tuple(
            RequiredDocument(
                _slug("required_documents[].code", d.get("code")),
                require_translations("required_documents[].names", d.get("names")),
                bool(d.get("optional", False)),
            )
            for d in documents_raw
        )
        _unique("required_documents", [d.code for d in documents])
        fee = FeeRule.from_dict(data.get("fee"))
        if not fee.is_free and form != FORM_TRANSACTIONAL:
            raise InvalidServiceTerms(
                f"only form-4 (fully transactional) services take a fee online; this is form {form}"
            )
        exemptions_raw = data.get("exemptions", [])
        if not isinstance(exemptions_raw, list) or not all(
            isinstance(e, dict) for e in exemptions_raw
        ):
            raise InvalidServiceTerms("exemptions must be a list of objects")
        exemptions = tuple(Exemption.from_dict(e) for e in exemptions_raw)
        _unique("exemptions", [e.code for e in exemptions])
        refund_on = data.get("refund_on", [])
        if not isinstance(refund_on, list) or any(r not in REFUND_OCCASIONS for r in refund_on):
            raise InvalidServiceTerms(
                f"refund_on lists occasions among {', '.join(REFUND_OCCASIONS)}, got "
                f"{quoted(refund_on)}"
            )
        deadline = data.get("deadline_working_days")
        if not isinstance(deadline, int) or isinstance(deadline, bool) or deadline < 0:
            raise InvalidServiceTerms(
                f"deadline_working_days is a non-negative integer, got {quoted(deadline)}"
            )
        if deadline < 1 and form in (FORM_TWO_WAY, FORM_TRANSACTIONAL):
            raise InvalidServiceTerms(
                f"a form-{form} service needs a legal deadline of at least one working day"
            )
        result_kind = data.get("result_kind")
        if result_kind not in RESULT_KINDS:
            raise InvalidServiceTerms(
                f"result_kind must be one of {', '.join(RESULT_KINDS)}, got {quoted(result_kind)}"
            )
        form_schema = check_form_schema_shape(data.get("form_schema"))
        _check_rate_field(fee, form_schema)
        return cls(
            names=require_translations("names", data.get("names")),
            descriptions=require_translations("descriptions", data.get("descriptions")),
            category=_slug("category", data.get("category")),
            form=int(form),
            agency_kind=agency_kind,
            jurisdiction=str(jurisdiction),
            required_documents=documents,
            fee=fee,
            exemptions=exemptions,
            refund_on=tuple(str(r) for r in refund_on),
            deadline_working_days=deadline,
            result_kind=str(result_kind),
            legal_basis=require_translations("legal_basis", data.get("legal_basis")),
            form_schema=form_schema,
            validity=_validity(str(result_kind), data.get("validity"), form_schema),
            term_source=_term_source(data.get("term_source")),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "names": dict(self.names),
            "descriptions": dict(self.descriptions),
            "category": self.category,
            "form": self.form,
            "agency_kind": self.agency_kind,
            "jurisdiction": self.jurisdiction,
            "required_documents": [d.to_dict() for d in self.required_documents],
            "fee": self.fee.to_dict(),
            "exemptions": [e.to_dict() for e in self.exemptions],
            "refund_on": list(self.refund_on),
            "deadline_working_days": self.deadline_working_days,
            "result_kind": self.result_kind,
            "legal_basis": dict(self.legal_basis),
            "form_schema": self.form_schema,
        } | (
            ({"validity": self.validity.to_dict()} if self.validity else {})
            | ({"term_source": self.term_source.to_dict()} if self.term_source else {})
        )


def _term_source(data: object) -> LegalSource | None:
    try:
        return LegalSource.optional(data)
    except InvalidLegalSource as e:
        raise InvalidServiceTerms(f"term_{e}") from None


def _check_rate_field(fee: FeeRule, form_schema: dict[str, Any]) -> None:
    """A fee that depends on a form field names a field of the form with those values."""
    if fee.by_field is None:
        return
    name = fee.by_field.field
    field = form_schema.get("properties", {}).get(name)
    if not isinstance(field, dict) or not isinstance(field.get("enum"), list):
        raise InvalidServiceTerms(
            f"the fee depends on form field {quoted(name)}, which the form schema must "
            "declare with an enum of its values"
        )
    missing = sorted(v for v, _ in fee.by_field.multiples if v not in field["enum"])
    if missing:
        raise InvalidServiceTerms(
            f"the fee's rates by {name} name values the form does not offer: {', '.join(missing)}"
        )
    if name not in form_schema.get("required", []):
        raise InvalidServiceTerms(f"the fee depends on form field {quoted(name)}: make it required")


def _validity(result_kind: str, data: object, form_schema: dict[str, Any]) -> Validity | None:
    if data is None:
        return None
    if result_kind not in VALIDITY_KINDS:
        raise InvalidServiceTerms(
            f"only a {' or '.join(VALIDITY_KINDS)} has a validity, not a {result_kind}"
        )
    return Validity.from_dict(data, form_schema)


def _text(field: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidServiceTerms(f"{field} must be a non-empty text")
    return value.strip()


@dataclass(frozen=True)
class ServiceVersion:
    number: int
    terms: ServiceTerms
    effective_from: date


class Service(Aggregate):
    """A state service in the catalogue, with every version of its terms."""

    class Published(Aggregate.Created):
        code: str
        terms: dict[str, Any]
        effective_from: str
        meta: dict[str, str]

    class Revised(Aggregate.Event):
        terms: dict[str, Any]
        effective_from: str
        meta: dict[str, str]

    class Suspended(Aggregate.Event):
        reason: str
        meta: dict[str, str]

    class Resumed(Aggregate.Event):
        meta: dict[str, str]

    class Retired(Aggregate.Event):
        reason: str
        meta: dict[str, str]

    @staticmethod
    def create_id(code: str, **_: Any) -> UUID:
        return natural_id("services", code)

    @classmethod
    def publish(
        cls, *, code: str, terms: ServiceTerms, effective_from: date, meta: dict[str, str]
    ) -> Service:
        if not isinstance(code, str) or not SERVICE_CODE.fullmatch(code):
            raise InvalidCode(f"service code must match {SERVICE_CODE.pattern}, got {quoted(code)}")
        return cls(
            code=code,
            terms=terms.to_dict(),
            effective_from=effective_from.isoformat(),
            meta=meta,
        )

    @event(Published)
    def __init__(
        self, code: str, terms: dict[str, Any], effective_from: str, meta: dict[str, str]
    ) -> None:
        self.code = code
        self.status = ACTIVE
        self.versions = [
            ServiceVersion(1, ServiceTerms.from_dict(terms), date.fromisoformat(effective_from))
        ]

    @property
    def current(self) -> ServiceVersion:
        return self.versions[-1]

    def terms_version(self, number: int) -> ServiceVersion | None:
        """The version with ``number`` (1-based), if it exists."""
        return self.versions[number - 1] if 1 <= number <= len(self.versions) else None

    def version_on(self, day: date) -> ServiceVersion:
        """The version in force on ``day`` (the first version before its date)."""
        in_force = self.versions[0]
        for version in self.versions:
            if version.effective_from <= day:
                in_force = version
        return in_force

    def revise(self, *, terms: ServiceTerms, effective_from: date, meta: dict[str, str]) -> None:
        if self.status == RETIRED:
            raise ServiceRetired(f"service {self.code} is retired and cannot be revised")
        if terms == self.current.terms:
            raise NothingChanged(f"service {self.code} already has these terms")
        if effective_from < self.current.effective_from:
            raise InvalidEffectiveDate(
                f"a revision of {self.code} cannot take effect before its current version "
                f"({self.current.effective_from.isoformat()})"
            )
        self._revised(terms=terms.to_dict(), effective_from=effective_from.isoformat(), meta=meta)

    @event(Revised)
    def _revised(self, terms: dict[str, Any], effective_from: str, meta: dict[str, str]) -> None:
        self.versions.append(
            ServiceVersion(
                len(self.versions) + 1,
                ServiceTerms.from_dict(terms),
                date.fromisoformat(effective_from),
            )
        )

    def suspend(self, *, reason: str, meta: dict[str, str]) -> None:
        if self.status != ACTIVE:
            raise ServiceNotActive(f"service {self.code} is {self.status}, not active")
        self._suspended(reason=_text("reason", reason), meta=meta)

    @event(Suspended)
    def _suspended(self, reason: str, meta: dict[str, str]) -> None:
        self.status = SUSPENDED

    def resume(self, *, meta: dict[str, str]) -> None:
        if self.status != SUSPENDED:
            raise ServiceNotSuspended(f"service {self.code} is {self.status}, not suspended")
        self._resumed(meta=meta)

    @event(Resumed)
    def _resumed(self, meta: dict[str, str]) -> None:
        self.status = ACTIVE

    def retire(self, *, reason: str, meta: dict[str, str]) -> None:
        if self.status == RETIRED:
            raise ServiceRetired(f"service {self.code} is already retired")
        self._retired(reason=_text("reason", reason), meta=meta)

    @event(Retired)
    def _retired(self, reason: str, meta: dict[str, str]) -> None:
        self.status = RETIRED

    @property
    def accepts_applications(self) -> bool:
        return self.status == ACTIVE and self.current.terms.form in (
            FORM_TWO_WAY,
            FORM_TRANSACTIONAL,
        )
