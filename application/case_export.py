"""Case exports: a case's events as JSON Lines with a manifest of their chain hashes and
seals, as a directory or a zip file (the auditor's use case, ``CaseExports``), and their
offline verification (the format is the application's: the CLI and the API share it)."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from uuid import UUID

from application.audit import Audit
from application.ports import ArchivedEvent
from application.principal import Principal
from domain.audit_chain import Finding, chain, event_hash
from domain.context import CommandContext
from domain.quoting import quoted

EVENTS_FILE = "events.jsonl"
MANIFEST_FILE = "manifest.json"
# The most an export's file may hold when it is read back (a case of 10,000 events is a
# few tens of MiB): a zip member is never decompressed past its bound.
EXPORT_LIMITS = {EVENTS_FILE: 256 * 1024 * 1024, MANIFEST_FILE: 64 * 1024 * 1024}
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed, so one export always zips to the same bytes


def export_lines(events: list[ArchivedEvent]) -> list[dict[str, Any]]:
    """A case's events as JSON Lines records: the stored form (for the chain) and the
    decrypted payload (for people)."""
    return [
        {
            "stream": e.stream,
            "position": e.position,
            "aggregate_id": str(e.aggregate_id),
            "version": e.version,
            "topic": e.topic,
            "type": e.type,
            "timestamp": e.timestamp.isoformat() if e.timestamp else None,
            "meta": e.meta,
            "payload": e.payload,
            "state_b64": base64.b64encode(e.stored_state).decode(),
        }
        for e in sorted(events, key=lambda e: (e.stream, str(e.aggregate_id), e.version))
    ]


@dataclass(frozen=True)
class CaseExport:
    manifest: dict[str, Any]
    events: str  # JSON Lines

    @property
    def case_id(self) -> str:
        return str(self.manifest["case_id"])

    def files(self) -> dict[str, bytes]:
        """The export's two files, as written to a directory or a zip."""
        return {
            EVENTS_FILE: (self.events + "\n").encode(),
            MANIFEST_FILE: (json.dumps(self.manifest, indent=2) + "\n").encode(),
        }

    def zip_bytes(self) -> bytes:
        """``events.jsonl`` and ``manifest.json`` in one zip file."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, content in self.files().items():
                info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, content)
        return buffer.getvalue()

    def write(self, out: Path) -> list[Path]:
        """Write the export to a zip file when ``out`` ends with ``.zip``, else into the
        directory ``out``; the paths written."""
        if out.suffix.lower() == ".zip":
            out.parent.mkdir(parents=True, exist_ok=True)
            partial = out.with_name(out.name + ".part")
            partial.write_bytes(self.zip_bytes())
            partial.replace(out)  # never a half-written zip under the name asked for
            return [out]
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for name, content in self.files().items():
            (out / name).write_bytes(content)
            written.append(out / name)
        return written


class SealedHead(Protocol):
    @property
    def seq(self) -> int: ...

    @property
    def hash(self) -> str: ...


class SealRecords(Protocol):
    """The audit seal stream (``infrastructure.audit.Seals``)."""

    def verify(self) -> tuple[Finding | None, dict[str, tuple[int, str]]]: ...

    def latest(self) -> SealedHead | None: ...


class CaseExports:
    """An auditor's export of a case, to verify offline."""

    def __init__(self, audit: Audit, seals: SealRecords) -> None:
        self.audit = audit
        self.seals = seals

    def export(self, principal: Principal, ctx: CommandContext, key: str) -> CaseExport:
        """A case's events with a manifest of their chain hashes, the heads sealed for them
        and the latest seal (to compare with the seal stream). Auditors only; recorded."""
        case_id, events = self.audit.export(principal, ctx, key)
        _, sealed = self.seals.verify()
        lines = export_lines(events)
        manifest = manifest_for(case_id, lines, sealed)
        latest = self.seals.latest()
        manifest["latest_seal"] = {"seq": latest.seq, "hash": latest.hash} if latest else None
        return CaseExport(manifest, jsonl(lines))


def read_export(
    path: Path, *, limits: dict[str, int] = EXPORT_LIMITS
) -> tuple[str, dict[str, Any]]:
    """The events text and manifest of an export, a directory or a zip file
    (``ValueError``, saying why, if it is not one)."""
    if path.is_dir():
        try:
            raw = {name: (path / name).read_bytes() for name in limits}
        except OSError as error:
            raise ValueError(f"not a case export: {error}") from None
    elif path.is_file():
        raw = _read_zip(path, limits)
    else:
        raise ValueError(f"not a case export: {path} is neither a directory nor a zip file")
    try:
        text = raw[EVENTS_FILE].decode("utf-8")
        manifest = json.loads(raw[MANIFEST_FILE].decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"not a case export: {error}") from None
    if not isinstance(manifest, dict) or "chains" not in manifest:
        raise ValueError("not a case export: the manifest has no chains")
    return text.removesuffix("\n"), manifest


def _read_zip(path: Path, limits: dict[str, int]) -> dict[str, bytes]:
    """The two files of an export zip, read into memory only (nothing is extracted to
    disk): exactly the expected names, once each, each within its bound however well it
    claims to compress."""
    if path.stat().st_size > sum(limits.values()):
        raise ValueError(f"not a case export: {path.name} is larger than an export can be")
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = [info.filename for info in infos]
            if sorted(names) != sorted(limits):
                shown = ", ".join(repr(n) for n in names[:5]) + (", …" if len(names) > 5 else "")
                raise ValueError(
                    f"not a case export: the zip must hold exactly {EVENTS_FILE} and "
                    f"{MANIFEST_FILE}, it holds {shown or 'nothing'}"
                )
            raw = {}
            for info in infos:
                limit = limits[info.filename]
                if info.flag_bits & 0x1:
                    raise ValueError(f"not a case export: {info.filename} is encrypted")
                if info.file_size > limit:
                    raise ValueError(f"not a case export: {info.filename} exceeds {limit:,} bytes")
                with archive.open(info) as member:
                    content = member.read(limit + 1)  # never more, whatever the header says
                if len(content) > limit:
                    raise ValueError(f"not a case export: {info.filename} exceeds {limit:,} bytes")
                raw[info.filename] = content
            return raw
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError) as error:
        raise ValueError(f"not a case export: {path.name} is not a readable zip: {error}") from None


def manifest_for(
    case_id: UUID, lines: list[dict[str, Any]], sealed: dict[str, tuple[int, str]]
) -> dict[str, Any]:
    """The chain hashes of an export, so it can be verified offline."""
    chains: dict[str, dict[str, Any]] = {}
    for line in lines:
        key = f"{line['stream']}:{line['aggregate_id']}"
        digest = event_hash(
            line["aggregate_id"],
            line["version"],
            line["topic"],
            base64.b64decode(line["state_b64"]),
        )
        entry = chains.setdefault(key, {"versions": [], "event_hashes": []})
        entry["versions"].append(line["version"])
        entry["event_hashes"].append(digest)
    for key, entry in chains.items():
        entry["head"] = chain(entry.pop("event_hashes"))[-1]
        if key in sealed:
            entry["sealed_head"] = list(sealed[key])
    return {
        "case_id": str(case_id),
        "events": len(lines),
        "chains": chains,
        "events_sha256": hashlib.sha256(jsonl(lines).encode()).hexdigest(),
    }


def jsonl(lines: list[dict[str, Any]]) -> str:
    return "\n".join(json.dumps(line, sort_keys=True, default=str) for line in lines)


def verify_export(text: str, manifest: dict[str, Any]) -> list[str]:
    """Problems found in an exported case (empty when it verifies)."""
    problems = []
    if hashlib.sha256(text.encode()).hexdigest() != manifest.get("events_sha256"):
        problems.append("the events file is not the one the manifest describes")
    try:
        return problems + _chain_problems(text, manifest)
    except (ValueError, KeyError, TypeError, AttributeError, IndexError) as error:
        # An events line or a manifest entry that is not what an export writes.
        return [*problems, f"the export does not parse as a case export ({quoted(error)})"]


def _chain_problems(text: str, manifest: dict[str, Any]) -> list[str]:
    problems = []
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    recomputed = manifest_for(UUID(manifest["case_id"]), lines, {})["chains"]
    for key, expected in manifest.get("chains", {}).items():
        found = recomputed.get(key)
        sealed = expected.get("sealed_head")
        if found is None:
            problems.append(f"{key}: its events are missing from the export")
        elif found["versions"] != expected["versions"]:
            problems.append(f"{key}: versions {found['versions']} != {expected['versions']}")
        elif found["head"] != expected["head"]:
            problems.append(f"{key}: the chain's head differs (an event was altered)")
        elif sealed and sealed[0] in found["versions"]:
            prefix = found["versions"].index(sealed[0]) + 1
            digests = [
                event_hash(
                    key.split(":", 1)[1],
                    line["version"],
                    line["topic"],
                    base64.b64decode(line["state_b64"]),
                )
                for line in lines
                if f"{line['stream']}:{line['aggregate_id']}" == key
            ]
            if chain(digests[:prefix])[-1] != sealed[1]:
                problems.append(f"{key}: the chain differs from its sealed head")
    for key in set(recomputed) - set(manifest.get("chains", {})):
        problems.append(f"{key}: events that the manifest does not list")
    return problems
