"""What a compose file gives each service, worked out as Docker Compose would, for tests on
a machine with no Docker engine: variable interpolation (``${VAR}``, ``${VAR:-default}``,
``${VAR-default}``, ``${VAR:?message}``, ``${VAR?message}``, ``${VAR:+other}``, ``$$``),
``env_file`` entries (required or not), ``environment`` (mapping or list), on top of the
image's ``ENV`` from the Dockerfile's last stage."""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

_VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)"
    r"|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
    r"|(?P<plain>[A-Za-z_][A-Za-z0-9_]*))"
)


class ComposeRefused(Exception):
    """Compose itself would refuse the file (a required variable or env file is missing)."""


def interpolate(text: str, variables: Mapping[str, str]) -> str:
    def substitute(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        name = match["braced"] or match["plain"]
        op, arg = match["op"], match["arg"] or ""
        value = variables.get(name)
        unset_or_empty = not value
        missing = unset_or_empty if op and op.startswith(":") else value is None
        if op in (":-", "-"):
            return arg if missing else str(value)
        if op in (":?", "?"):
            if missing:
                raise ComposeRefused(f"required variable {name} is missing a value: {arg}")
            return str(value)
        if op in (":+", "+"):
            return "" if missing else arg
        return value or ""

    return _VARIABLE.sub(substitute, text)


def _interpolated(node: Any, variables: Mapping[str, str]) -> Any:
    if isinstance(node, str):
        return interpolate(node, variables)
    if isinstance(node, list):
        return [_interpolated(item, variables) for item in node]
    if isinstance(node, dict):
        return {key: _interpolated(value, variables) for key, value in node.items()}
    return node


def load(path: Path, variables: Mapping[str, str]) -> dict[str, Any]:
    """The compose file with YAML anchors merged and every variable substituted."""
    document = yaml.safe_load(path.read_text())
    assert isinstance(document, dict), f"{path} is not a compose file"
    return dict(_interpolated(document, variables))


def parse_env_file(path: Path, variables: Mapping[str, str]) -> dict[str, str]:
    values = {}
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = interpolate(value, variables) if raw.count("$") else value
    return values


def _env_files(entry: Any) -> list[tuple[str, bool]]:
    if entry is None:
        return []
    entries = entry if isinstance(entry, list) else [entry]
    files = []
    for item in entries:
        if isinstance(item, str):
            files.append((item, True))
        else:
            files.append((item["path"], bool(item.get("required", True))))
    return files


def service_environment(
    compose_file: Path, service: Mapping[str, Any], variables: Mapping[str, str]
) -> dict[str, str]:
    """The environment ``service`` declares: its env files, then ``environment`` over them."""
    env: dict[str, str] = {}
    for name, required in _env_files(service.get("env_file")):
        path = compose_file.parent / name
        if not path.exists():
            if required:
                raise ComposeRefused(f"env file {path} not found")
            continue
        env.update(parse_env_file(path, variables))
    declared = service.get("environment") or {}
    if isinstance(declared, list):
        declared = dict(item.split("=", 1) if "=" in item else (item, None) for item in declared)
    for key, value in declared.items():
        if value is None:  # passed through from the shell, if it has it
            if key in variables:
                env[key] = variables[key]
            continue
        env[key] = str(value)
    return env


def image_environment(dockerfile: Path) -> dict[str, str]:
    """``ENV`` of the Dockerfile's last stage (``KEY=value`` forms)."""
    text = re.sub(r"\\\n", " ", dockerfile.read_text())
    env: dict[str, str] = {}
    for line in text.splitlines():
        words = line.strip().split(None, 1)
        if not words:
            continue
        if words[0].upper() == "FROM":
            env = {}
        elif words[0].upper() == "ENV" and len(words) == 2:
            for pair in shlex.split(words[1]):
                key, _, value = pair.partition("=")
                env[key] = interpolate(value, env)
    return env


def build_copies(dockerfile: Path) -> list[tuple[list[str], str]]:
    """``COPY`` instructions of the Dockerfile's first stage (sources, destination)."""
    text = re.sub(r"\\\n", " ", dockerfile.read_text())
    copies: list[tuple[list[str], str]] = []
    stages = 0
    for line in text.splitlines():
        words = line.strip().split()
        if not words:
            continue
        if words[0].upper() == "FROM":
            stages += 1
            if stages > 1:
                break
        elif words[0].upper() == "COPY" and not any(w.startswith("--") for w in words):
            copies.append((words[1:-1], words[-1]))
    return copies
