"""Services: versioned terms and the published/suspended/retired lifecycle."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from application.catalogue import parse_terms
from domain.errors import (
    InvalidCode,
    InvalidEffectiveDate,
    InvalidFeeRule,
    InvalidFormSchema,
    InvalidServiceTerms,
    MissingTranslation,
    NothingChanged,
    ServiceNotActive,
    ServiceNotSuspended,
    ServiceRetired,
)
from domain.service import Service
from tests.unit.builders import DAY, FORM_SCHEMA, META, names, paid_terms, terms
from tests.unit.gwt import given, history, when_created


def published(**changes: Any) -> Service:
    return Service.publish(
        code="birth-registration",
        terms=parse_terms(terms(**changes)),
        effective_from=DAY,
        meta=META,
    )


def lifecycle(*steps: str) -> list[Any]:
    service = published()
    for step in steps:
        if step == "suspend":
            service.suspend(reason="maintenance", meta=META)
        elif step == "resume":
            service.resume(meta=META)
        elif step == "retire":
            service.retire(reason="replaced", meta=META)
    return history(service)


def test_publishing_records_version_one_of_the_terms() -> None:
    outcome = when_created(published).then(Service.Published, code="birth-registration")
    service = outcome.aggregate
    assert service.status == "active"
    assert service.current.number == 1
    assert service.current.terms.deadline_working_days == 3


def test_revising_appends_a_version_from_its_effective_date() -> None:
    outcome = given(*history(published())).when(
        lambda s: s.revise(
            terms=parse_terms(terms(deadline_working_days=5)),
            effective_from=date(2025, 1, 1),
            meta=META,
        )
    )
    outcome.then(Service.Revised, effective_from="2025-01-01")
    service = outcome.aggregate
    assert [v.number for v in service.versions] == [1, 2]
    assert service.version_on(date(2024, 6, 1)).terms.deadline_working_days == 3
    assert service.version_on(date(2025, 6, 1)).terms.deadline_working_days == 5
    assert service.terms_version(1) is not None
    assert service.terms_version(3) is None


def test_revising_with_identical_terms_is_refused() -> None:
    given(*history(published())).when(
        lambda s: s.revise(terms=parse_terms(terms()), effective_from=DAY, meta=META)
    ).then_error(NothingChanged)


def test_a_revision_cannot_predate_the_current_version() -> None:
    given(*history(published())).when(
        lambda s: s.revise(
            terms=parse_terms(terms(deadline_working_days=9)),
            effective_from=date(2023, 1, 1),
            meta=META,
        )
    ).then_error(InvalidEffectiveDate)


def test_a_retired_service_cannot_be_revised() -> None:
    given(*lifecycle("retire")).when(
        lambda s: s.revise(
            terms=parse_terms(terms(deadline_working_days=9)), effective_from=DAY, meta=META
        )
    ).then_error(ServiceRetired, "retired and cannot be revised")


def test_a_suspended_service_can_still_be_revised() -> None:
    given(*lifecycle("suspend")).when(
        lambda s: s.revise(
            terms=parse_terms(terms(deadline_working_days=9)), effective_from=DAY, meta=META
        )
    ).then(Service.Revised)


@pytest.mark.parametrize(
    ("steps", "command", "expected", "error"),
    [
        ((), "suspend", Service.Suspended, None),
        (("suspend",), "resume", Service.Resumed, None),
        ((), "retire", Service.Retired, None),
        (("suspend",), "retire", Service.Retired, None),
        (("suspend",), "suspend", None, ServiceNotActive),
        (("retire",), "suspend", None, ServiceNotActive),
        ((), "resume", None, ServiceNotSuspended),
        (("retire",), "resume", None, ServiceNotSuspended),
        (("retire",), "retire", None, ServiceRetired),
        (("suspend", "resume"), "resume", None, ServiceNotSuspended),
    ],
)
def test_lifecycle_transitions(
    steps: tuple[str, ...], command: str, expected: type | None, error: type | None
) -> None:
    commands = {
        "suspend": lambda s: s.suspend(reason="maintenance", meta=META),
        "resume": lambda s: s.resume(meta=META),
        "retire": lambda s: s.retire(reason="replaced", meta=META),
    }
    outcome = given(*lifecycle(*steps)).when(commands[command])
    if error is None:
        assert expected is not None
        outcome.then(expected)
    else:
        outcome.then_error(error)


def test_suspension_needs_a_reason() -> None:
    given(*lifecycle()).when(lambda s: s.suspend(reason="  ", meta=META)).then_error(
        InvalidServiceTerms, "reason"
    )


def test_service_codes_are_slugs() -> None:
    with pytest.raises(InvalidCode):
        Service.publish(
            code="Birth Registration", terms=parse_terms(terms()), effective_from=DAY, meta=META
        )


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"form": 5}, InvalidServiceTerms, "form must be one of"),
        ({"jurisdiction": "village"}, InvalidServiceTerms, "jurisdiction"),
        ({"fee": {"kind": "fixed", "amount": 100}}, InvalidServiceTerms, "only form-4"),
        ({"deadline_working_days": 0}, InvalidServiceTerms, "at least one working day"),
        ({"deadline_working_days": -1}, InvalidServiceTerms, "non-negative"),
        ({"result_kind": "medal"}, InvalidServiceTerms, "result_kind"),
        ({"refund_on": ["whim"]}, InvalidServiceTerms, "refund_on"),
        ({"names": {"uz-Latn": "x"}}, MissingTranslation, "names is missing"),
        ({"category": "Civil Registry"}, InvalidServiceTerms, "category"),
        (
            {
                "required_documents": [
                    {"code": "a1", "names": names()},
                    {"code": "a1", "names": names()},
                ]
            },
            InvalidServiceTerms,
            "repeat codes: a1",
        ),
        (
            {"required_documents": [{"code": "a1", "names": names(), "optional": "yes"}]},
            InvalidServiceTerms,
            "optional must be true or false",
        ),
    ],
)
def test_invalid_terms_are_named(changes: dict[str, Any], error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        parse_terms(terms(**changes))


def test_a_document_is_required_unless_marked_optional() -> None:
    documents = [
        {"code": "a1", "names": names()},
        {"code": "a2", "names": names(), "optional": True},
    ]
    parsed = parse_terms(terms(required_documents=documents))
    assert [(d.code, d.optional) for d in parsed.required_documents] == [
        ("a1", False),
        ("a2", True),
    ]
    # Terms recorded before documents could be optional read back unchanged.
    assert parsed.to_dict()["required_documents"] == documents


def test_a_fee_rule_with_a_negative_amount_is_invalid_fee_rule() -> None:
    with pytest.raises(InvalidFeeRule, match="cannot be negative"):
        parse_terms(paid_terms(fee={"kind": "fixed", "amount": -1}))


def test_a_paid_form_four_service_is_accepted() -> None:
    assert parse_terms(paid_terms()).fee.kind == "bhm_multiple"


def test_a_form_schema_that_is_not_json_schema_is_refused() -> None:
    schema = dict(FORM_SCHEMA, properties={"child_name": {"type": "text"}})
    with pytest.raises(InvalidFormSchema, match="not a valid JSON Schema at /properties"):
        parse_terms(terms(form_schema=schema))


def test_a_form_schema_whose_examples_fail_it_is_refused() -> None:
    schema = dict(FORM_SCHEMA, examples=[{"child_name": "A"}])
    with pytest.raises(InvalidFormSchema, match="examples\\[0\\]"):
        parse_terms(terms(form_schema=schema))


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ([], "must be a JSON Schema object"),
        ({"type": "array"}, '"type": "object"'),
        ({"type": "object", "properties": {}}, "under 'properties'"),
        ({"type": "object", "properties": {"a": {"type": "string"}}}, "under 'examples'"),
    ],
)
def test_form_schema_shape_rules(schema: Any, message: str) -> None:
    with pytest.raises(InvalidFormSchema, match=message):
        parse_terms(terms(form_schema=schema))
