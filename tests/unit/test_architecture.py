"""The layer contract's finer points that import-linter cannot express."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(package: str) -> set[tuple[str, str]]:
    found = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update((str(path.relative_to(ROOT)), a.name) for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add((str(path.relative_to(ROOT)), node.module))
    return found


def test_domain_imports_only_the_standard_library_and_eventsourcing_domain() -> None:
    allowed_stdlib = sys.stdlib_module_names
    offenders = [
        (path, module)
        for path, module in imported_modules("domain")
        if module.split(".")[0] not in allowed_stdlib
        and module != "eventsourcing.domain"
        and module.split(".")[0] != "domain"
    ]
    assert offenders == []


def test_domain_does_no_io_and_reads_no_clock() -> None:
    forbidden = {"os", "socket", "subprocess", "random", "time", "logging", "pathlib", "io"}
    offenders = [
        (path, module)
        for path, module in imported_modules("domain")
        if module.split(".")[0] in forbidden
    ]
    assert offenders == []
    for path in (ROOT / "domain").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "datetime.now(" not in text, path
        assert "date.today(" not in text, path
