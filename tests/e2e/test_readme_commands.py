"""Every command README.md shows, run as a user would against a live server.

The commands are read from README.md itself (shell lines of fenced code blocks, and inline
code that starts with a command), so a new or changed example is checked with no change
here. Each runs in bash against a server this test starts on a free 127.0.0.1 port over a
fresh database, seeded, with one application filed; each must exit 0, and a curl command
must get a 2xx answer. Substitutions:

- ``http://127.0.0.1:8000`` and ``http://localhost:8000`` become the test server's address;
- ``[optional parts]`` of a synopsis are left out, and its placeholders (``ROLE``, ``ID``,
  ``a,b``…) take the value of ``OPTION_VALUES`` for the option before them;
- the shell has ``yagona`` on its PATH, the server's ``YAGONA_*`` settings, and
  ``$APPLICATION_ID`` and ``$CITIZEN_TOKEN``, ``$OFFICER_TOKEN``, ``$AUDITOR_TOKEN``,
  ``$ADMIN_TOKEN`` for examples that need them.

A command that is the beginning of a longer README command (``yagona token`` beside the
table's full form) is a mention of it, not run on its own. Commands that cannot run here are
in ``EXCLUDED``, each with its reason. Commands run in README order; one that fails is tried
again after the others (``audit verify --export DIR`` needs the export listed after it).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from psycopg import sql

from infrastructure.database import DatabaseConfig
from tests.e2e.cases import attachments, service_example
from tests.e2e.processes import YAGONA, clean_env, fetch, free_port, ready, running, until

README = Path(__file__).resolve().parents[2] / "README.md"
COMMANDS = {"curl", "yagona", "make", "docker", "pytest", "python", "python3", "pip", "wrk"}
EXCLUDED = {
    "make run": "installs, then serves on port 8000 until stopped; its steps (yagona seed, "
    "yagona serve) run here",
    "make": "the build and the test suite, this test included",
    "pytest": "the test suite, this test included",
    ".venv/bin/python benchmarks/": "a benchmark takes minutes; docs/benchmarks.md records runs",
    "benchmarks/private_postgres.sh": "starts a second PostgreSQL server on port 5433",
    "docker": "needs a Docker engine; tests/e2e/test_compose.py runs the compose services",
    "yagona serve": "runs until stopped; the server these commands talk to is started so",
    "yagona worker": "runs until stopped; tests/e2e/test_cli_and_live_server.py runs it",
    "yagona integrators revoke": "destroys a client's key; tests/integration/"
    "test_integrators_cli.py covers it",
}
PINFL = "31503901234567"
pytestmark = pytest.mark.timeout(900)
AGENCY = "justice-1703202"


@dataclass(frozen=True)
class Command:
    text: str  # as README shows it
    line: int


def readme_commands(text: str) -> list[Command]:
    """Shell commands of README.md: lines of shell (or unlabelled) code blocks, and inline
    code whose first word (after ``VAR=value`` assignments) is a command or a script."""
    found: list[Command] = []
    fence = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
    for block in fence.finditer(text):
        if block.group(1) in ("", "sh", "bash", "shell", "console"):
            first = text[: block.start(2)].count("\n") + 1
            for offset, line in enumerate(block.group(2).splitlines()):
                found.append(Command(line.strip().removeprefix("$ "), first + offset))
    blanked = fence.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    for span in re.finditer(r"(?<!`)`([^`\n]+)`(?!`)", blanked):
        found.append(Command(span.group(1).strip(), blanked[: span.start()].count("\n") + 1))
    commands = [c for c in found if is_command(c.text)]
    commands.sort(key=lambda c: c.line)
    unique: dict[str, Command] = {}
    for command in commands:
        unique.setdefault(command.text, command)
    return list(unique.values())


def program(text: str) -> str | None:
    words = text.split()
    while words and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0]):
        words = words[1:]
    return words[0] if words else None


def is_command(text: str) -> bool:
    first = program(text)
    if first is None:
        return False
    if first in COMMANDS or first.startswith(".venv/bin/"):
        return True
    script = README.parent / first  # a script of the repository, not a file mentioned
    return first.endswith((".sh", ".py")) and script.is_file() and os.access(script, os.X_OK)


def exclusion(text: str) -> str | None:
    """Why ``text`` is not run here, if it is not."""
    for prefix, reason in EXCLUDED.items():
        if prefix.endswith("/") and text.startswith(prefix):
            return reason
        if text.split()[: len(prefix.split())] == prefix.split():
            return reason
    return None


def mentions(commands: list[Command]) -> set[str]:
    """Commands that are only the first words of a longer README command."""
    texts = [c.text.split() for c in commands]
    return {
        " ".join(words)
        for words in texts
        if any(len(other) > len(words) and other[: len(words)] == words for other in texts)
    }


PLACEHOLDER = re.compile(r"^(?:[A-Z][A-Z_]*|a,b)$")


def instantiate(text: str, values: dict[str, str], base: str) -> str:
    """``text`` with the test server's address, no optional parts, placeholders filled."""
    text = re.sub(r"https?://(?:127\.0\.0\.1|localhost):8000", base, text)
    if program(text) != "yagona":
        return text
    text = re.sub(r"\s*\[[^\]]*\]", "", text)
    words = shlex.split(text)
    for i, word in enumerate(words):
        if PLACEHOLDER.match(word) and i > 0:
            option = words[i - 1]
            if option not in values:
                pytest.fail(
                    f"README command {text!r}: no value for {word} after {option}; "
                    f"add one to the test's option values"
                )
            words[i] = values[option]
    return shlex.join(words)


@pytest.fixture
def fresh_database(postgres_server: DatabaseConfig) -> Iterator[DatabaseConfig]:
    name = f"yagona_readme_{uuid.uuid4().hex[:8]}"
    with postgres_server.connect() as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield postgres_server.with_dbname(name)
    with postgres_server.connect() as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def test_the_readme_finds_its_commands() -> None:
    commands = {c.text for c in readme_commands(README.read_text())}
    assert any(program(c) == "curl" for c in commands)
    assert any(program(c) == "yagona" for c in commands)


def test_every_readme_command_works(fresh_database: DatabaseConfig, tmp_path: Path) -> None:
    commands = readme_commands(README.read_text())
    skipped = mentions(commands)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = clean_env(
        YAGONA_DATABASE_URL=fresh_database.url(),
        YAGONA_DATA_DIR=str(tmp_path / "var"),
        YAGONA_LOG_LEVEL="WARNING",
        PATH=f"{Path(YAGONA).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    seeded = subprocess.run(
        [YAGONA, "seed"], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert seeded.returncode == 0, seeded.stderr
    with running([YAGONA, "serve", "--port", str(port)], env, tmp_path / "serve.log") as server:
        until(lambda: ready(base), 180, f"the server to be ready:\n{server.output()[-2000:]}")
        tokens = {
            role: mint(env, "--role", role, "--sub", sub, *extra)
            for role, sub, extra in (
                ("citizen", PINFL, ()),
                ("officer", "officer-1", ("--agency", AGENCY)),
                ("auditor", "auditor-1", ()),
                ("admin", "admin-1", ()),
            )
        }
        code = "marriage-registration"
        body = {
            "service_code": code,
            "territory": "1703202",
            "form": service_example(code),
            "attachments": attachments(code),
        }
        filed = fetch(f"{base}/v1/applications", method="POST", data=body, token=tokens["citizen"])
        assert filed.status == 201, filed.body
        application = filed.body["id"]
        shell_env = {
            **env,
            "APPLICATION_ID": application,
            **{f"{role.upper()}_TOKEN": token for role, token in tokens.items()},
        }
        export = tmp_path / "export"
        values = {
            "--host": "127.0.0.1",
            "--port": str(port),
            "--role": "citizen",
            "--sub": PINFL,
            "--agency": AGENCY,
            "--scopes": "feed:read",
            "--name": "README example",
            "--ttl": "600",
            "--synthetic": "1",
            "--application": application,
            "--out": str(export),
            "--export": str(export),
        }
        pending = []
        for command in commands:
            if command.text in skipped or exclusion(command.text):
                continue
            pending.append((command, instantiate(command.text, values, base)))
        assert pending, "no README command to run"
        failures: dict[str, str] = {}
        for _attempt in range(2):
            failures = {}
            for command, text in pending:
                problem = run(text, shell_env, tmp_path)
                if problem:
                    failures[f"README.md:{command.line}: {command.text}"] = problem
            pending = [(c, t) for c, t in pending if f"README.md:{c.line}: {c.text}" in failures]
            if not pending:
                break
    assert not failures, "\n\n".join(f"{k}\n{v}" for k, v in failures.items())


def mint(env: dict[str, str], *args: str) -> str:
    minted = subprocess.run(
        [YAGONA, "token", *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert minted.returncode == 0, minted.stderr
    return minted.stdout.strip()


def run(text: str, env: dict[str, str], cwd: Path) -> str | None:
    """Run one command in bash; what went wrong, or None."""
    script = text
    if program(text) == "curl":
        script += " --silent --show-error --write-out '\\n%{http_code}'"
    done = subprocess.run(
        ["bash", "-c", script],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = f"$ {script}\nexit {done.returncode}\n{done.stdout[-1500:]}\n{done.stderr[-1500:]}"
    if done.returncode != 0:
        return output
    if program(text) == "curl":
        status = done.stdout.rstrip().rsplit("\n", 1)[-1]
        if not status.startswith("2"):
            return output
    return None


if __name__ == "__main__":  # list what would run, and what is excluded and why
    found = readme_commands(README.read_text())
    for each in found:
        reason = exclusion(each.text) or ("mention" if each.text in mentions(found) else "")
        sys.stdout.write(f"{each.line:4} {'skip: ' + reason if reason else 'run'}: {each.text}\n")
