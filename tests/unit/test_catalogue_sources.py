"""Every fee, exemption and legal term in the catalogue either names its act or is declared
unsourced in ``unsourced_catalogue_values.txt``: a new value without a source fails here until
someone finds its act or declares it. ``pytest -s`` prints the list."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from domain.sources import LegalSource
from infrastructure.reference_data import catalogue_entries

DECLARED = Path(__file__).with_name("unsourced_catalogue_values.txt")


def _sourced_values(entry: dict[str, Any]) -> list[tuple[str, str, object]]:
    """(what the value is, the key naming its source, the dict holding that key) for one service."""
    code = entry["code"]
    values: list[tuple[str, str, object]] = [
        (f"fee {code}", "source", entry["fee"]),
        (f"term {code}", "term_source", entry),
    ]
    values += [
        (f"surcharge {code}/{s['code']}", "source", s) for s in entry["fee"].get("surcharges", [])
    ]
    values += [(f"exemption {code}/{e['code']}", "source", e) for e in entry.get("exemptions", [])]
    return values


def _all_values() -> list[tuple[str, str, object]]:
    return [value for entry in catalogue_entries() for value in _sourced_values(entry)]


def unsourced() -> list[str]:
    return sorted(
        name
        for name, key, holder in _all_values()
        if isinstance(holder, dict) and holder.get(key) is None
    )


def test_every_value_says_where_it_comes_from_or_null() -> None:
    """The key is there even when null: "nobody could verify the act" is stated, not omitted."""
    missing = [
        name
        for name, key, holder in _all_values()
        if isinstance(holder, dict) and key not in holder
    ]
    assert missing == []


def test_the_unsourced_values_are_the_declared_ones() -> None:
    found = unsourced()
    print(f"\n{len(found)} catalogue values without a verified source:")
    for name in found:
        print(f"  {name}")
    declared = sorted(
        line.strip()
        for line in DECLARED.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    )
    assert found == declared, (
        "newly unsourced: "
        f"{sorted(set(found) - set(declared))}; now sourced (remove from {DECLARED.name}): "
        f"{sorted(set(declared) - set(found))}"
    )


@pytest.mark.parametrize(
    ("name", "key", "holder"),
    [v for v in _all_values() if isinstance(v[2], dict) and v[2].get(v[1]) is not None],
    ids=lambda v: v if isinstance(v, str) and " " in v else "",
)
def test_every_source_is_well_formed(name: str, key: str, holder: dict[str, Any]) -> None:
    source = LegalSource.from_dict(holder[key])
    assert source.to_dict() == holder[key], f"{name}: write the source in its canonical form"
