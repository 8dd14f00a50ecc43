"""What mutation testing found untested in the KPI targets (docs/testing.md): a refusal
says where in the table the bad entry is, a table built directly is checked as one read
from a file, and a target that is not a text is refused as bad input."""

from __future__ import annotations

from typing import Any

import pytest

from domain.errors import InvalidInput
from domain.kpi import GE, LE, Target, TargetTable
from tests.unit.test_kpi_targets import DEFAULTS

PARSED = {name: Target.parse(text) for name, text in DEFAULTS.items()}


@pytest.mark.parametrize("text", [95, None, [">= 95"]])
def test_a_target_that_is_not_a_text_is_refused(text: Any) -> None:
    with pytest.raises(InvalidInput, match="a target reads like"):
        Target.parse(text)


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ({"defaults": {k: v for k, v in DEFAULTS.items() if k != "average_rating"}}, "defaults:"),
        (
            {"defaults": DEFAULTS, "services": {"birth": {"average_rating": "<= 4"}}},
            "services.birth:",
        ),
        ({"defaults": DEFAULTS, "agencies": {"tax-1703": {"bogus": ">= 1"}}}, "agencies.tax-1703:"),
        ({"defaults": DEFAULTS, "agencies": ["tax-1703"]}, "agencies: give an object"),
        (["defaults"], "targets: give an object"),
    ],
)
def test_a_refusal_says_where_in_the_table_the_bad_entry_is(data: Any, where: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        TargetTable.from_dict(data)
    assert refused.value.detail.startswith(where), refused.value.detail


def test_a_table_built_directly_needs_every_default() -> None:
    partial = {k: v for k, v in PARSED.items() if k != "average_rating"}
    with pytest.raises(InvalidInput, match=r"^defaults: no target for average_rating$"):
        TargetTable(defaults=partial)


@pytest.mark.parametrize(
    ("layer", "where"), [("services", "services.birth:"), ("agencies", "agencies.tax-1703:")]
)
def test_a_table_built_directly_checks_its_overrides(layer: str, where: str) -> None:
    code = "birth" if layer == "services" else "tax-1703"
    overrides = {code: {"average_rating": Target(4, LE)}}
    with pytest.raises(InvalidInput) as refused:
        TargetTable(defaults=PARSED, **{layer: overrides})
    assert refused.value.detail == f"{where} average_rating is compared with >=, not <="


def test_overrides_need_not_name_every_indicator() -> None:
    table = TargetTable(defaults=PARSED, services={"birth": {"average_rating": Target(4.5, GE)}})
    assert table.for_group(service="birth")["average_rating"] == Target(4.5, GE)
    read = TargetTable.from_dict(
        {"defaults": DEFAULTS, "agencies": {"tax-1703": {"average_rating": ">= 4.5"}}}
    )
    assert read.for_group(agency="tax-1703")["average_rating"] == Target(4.5, GE)
