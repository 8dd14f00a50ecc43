"""The reliability suite: races, crashes, a database restart, hostile input, and the
authorization matrix. Every test here is marked ``reliability``; the long ones are also
marked ``long`` and run only with ``--long`` (``make test`` and ``make reliability`` pass it;
a bare ``pytest`` leaves them out)."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip_long = pytest.mark.skip(reason="long reliability test: run with --long (make test)")
    for item in items:
        if "tests/reliability/" in str(item.fspath):
            item.add_marker(pytest.mark.reliability)
            if "long" in item.keywords and not config.getoption("--long"):
                item.add_marker(skip_long)
