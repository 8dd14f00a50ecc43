"""The KPI targets shipped in ``reference_data/kpi_targets.json``, loaded once."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from domain.kpi import TargetTable

TARGETS_FILE = "kpi_targets.json"


@cache
def load_kpi_targets() -> TargetTable:
    """Default targets and overrides per service and per agency (validated: every indicator
    has a default, each target uses its indicator's direction)."""
    text = (
        resources.files("infrastructure.reference_data")
        .joinpath(TARGETS_FILE)
        .read_text(encoding="utf-8")
    )
    return TargetTable.from_dict(json.loads(text))
