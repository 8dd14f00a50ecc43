"""Case exports: a case's events as JSON Lines with a manifest of their chain hashes, seals
and per-event line digests, signed (``signature.json``, see ``export_proof``), as a
directory or a zip file (the auditor's use case, ``CaseExports``), and their offline
verification (the format is the application's: the CLI and the API share it)."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from uuid import UUID

from application.audit import Audit
from application.export_proof import (
    EVENTS_FILE,
    MANIFEST_FILE,
    SIGNATURE_FILE,
    ExportKey,
    ExportSigner,
    SignatureCheck,
    line_entries,
    line_problems,
    signature_document,
    signature_problems,
)
from application.ports import ArchivedEvent
from application.principal import Principal
from domain.audit_chain import Finding, chain, event_hash
from domain.context import CommandContext
from domain.quoting import quoted

# The most an export's file may hold when it is read back (a case of 10,000 events is a
# few tens of MiB): a zip member is never decompressed past its bound. The first two must
# be there; the signature is missing from an unsigned export (one made before signing).
EXPORT_LIMITS = {
    EVENTS_FILE: 256 * 1024 * 1024,
    MANIFEST_FILE: 64 * 1024 * 1024,
    SIGNATURE_FILE: 64 * 1024,
}
REQUIRED_FILES = (EVENTS_FILE, MANIFEST_FILE)
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


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    return (json.dumps(manifest, indent=2) + "\n").encode()


@dataclass(frozen=True)
class CaseExport:
    manifest: dict[str, Any]
    events: str  # JSON Lines
    signature: dict[str, Any] | None = None  # signature.json (None: unsigned)

    @property
    def case_id(self) -> str:
        return str(self.manifest["case_id"])

    def files(self) -> dict[str, bytes]:
        """The export's files, as written to a directory or a zip (and as signed)."""
        files = {
            EVENTS_FILE: (self.events + "\n").encode(),
            MANIFEST_FILE: manifest_bytes(self.manifest),
        }
        if self.signature is not None:
            files[SIGNATURE_FILE] = (json.dumps(self.signature, indent=2) + "\n").encode()
        return files

    def zip_bytes(self) -> bytes:
        """``events.jsonl``, ``manifest.json`` and ``signature.json`` in one zip file."""
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


def signed_export(manifest: dict[str, Any], events: str, signer: ExportSigner) -> CaseExport:
    """The export with its manifest naming the signing key, and its ``signature.json``
    over the very bytes of ``events.jsonl`` and ``manifest.json``."""
    manifest = {**manifest, "signing_key_id": signer.key.key_id}
    files = CaseExport(manifest, events).files()
    signature = signature_document(signer, files[EVENTS_FILE], files[MANIFEST_FILE], manifest)
    return CaseExport(manifest, events, signature)


class CaseExports:
    """An auditor's export of a case, signed, to verify offline."""

    def __init__(self, audit: Audit, seals: SealRecords, signer: ExportSigner) -> None:
        self.audit = audit
        self.seals = seals
        self.signer = signer

    def export(self, principal: Principal, ctx: CommandContext, key: str) -> CaseExport:
        """A case's events with a manifest of their chain hashes, their lines' digests,
        the heads sealed for them and the latest seal (to compare with the seal stream),
        signed. Auditors only; recorded."""
        case_id, events = self.audit.export(principal, ctx, key)
        _, sealed = self.seals.verify()
        lines = export_lines(events)
        manifest = manifest_for(case_id, lines, sealed)
        latest = self.seals.latest()
        manifest["latest_seal"] = {"seq": latest.seq, "hash": latest.hash} if latest else None
        return signed_export(manifest, jsonl(lines), self.signer)

    def signing_key(self) -> ExportKey:
        """The public key exports are signed with (public: anyone may check an export)."""
        return self.signer.key


@dataclass(frozen=True)
class ExportFiles:
    """An export as read back: each file's bytes, the events text and the manifest."""

    raw: Mapping[str, bytes]
    text: str  # events.jsonl without its final newline
    manifest: dict[str, Any]


def parse_export(raw: Mapping[str, bytes]) -> ExportFiles:
    """An export's files parsed (``ValueError``, saying why, if they are not one's)."""
    try:
        text = raw[EVENTS_FILE].decode("utf-8")
        manifest = json.loads(raw[MANIFEST_FILE].decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"not a case export: {error}") from None
    if not isinstance(manifest, dict) or "chains" not in manifest:
        raise ValueError("not a case export: the manifest has no chains")
    return ExportFiles(dict(raw), text.removesuffix("\n"), manifest)


def read_export(path: Path, *, limits: dict[str, int] = EXPORT_LIMITS) -> ExportFiles:
    """The files of an export, a directory or a zip file (``ValueError``, saying why, if
    it is not one)."""
    if path.is_dir():
        try:
            raw = {name: (path / name).read_bytes() for name in REQUIRED_FILES}
            raw |= {
                name: (path / name).read_bytes()
                for name in limits
                if name not in REQUIRED_FILES and (path / name).exists()
            }
        except OSError as error:
            raise ValueError(f"not a case export: {error}") from None
    elif path.is_file():
        raw = _read_zip(path, limits)
    else:
        raise ValueError(f"not a case export: {path} is neither a directory nor a zip file")
    return parse_export(raw)


def _read_zip(path: Path, limits: dict[str, int]) -> dict[str, bytes]:
    """The files of an export zip, read into memory only (nothing is extracted to disk):
    the expected names only, once each, the required ones present, each within its bound
    however well it claims to compress."""
    if path.stat().st_size > sum(limits.values()):
        raise ValueError(f"not a case export: {path.name} is larger than an export can be")
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = [info.filename for info in infos]
            if (
                len(set(names)) != len(names)
                or not set(names) <= set(limits)
                or not set(REQUIRED_FILES) <= set(names)
            ):
                shown = ", ".join(repr(n) for n in names[:5]) + (", …" if len(names) > 5 else "")
                optional = [n for n in limits if n not in REQUIRED_FILES]
                raise ValueError(
                    f"not a case export: the zip must hold exactly {EVENTS_FILE} and "
                    f"{MANIFEST_FILE}{''.join(f' (and {n} if signed)' for n in optional)}, "
                    f"it holds {shown or 'nothing'}"
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
    texts = [_line_text(line) for line in lines]
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
        "events_sha256": hashlib.sha256("\n".join(texts).encode()).hexdigest(),
        "lines": line_entries(lines, texts),
    }


def _line_text(line: dict[str, Any]) -> str:
    return json.dumps(line, sort_keys=True, default=str)


def jsonl(lines: list[dict[str, Any]]) -> str:
    return "\n".join(_line_text(line) for line in lines)


@dataclass(frozen=True)
class ExportVerification:
    problems: list[str]  # empty: intact
    key: ExportKey | None  # the key the export is signed with (None: unsigned)
    trusted: bool  # checked against a key the auditor gave, not only the export's own

    @property
    def intact(self) -> bool:
        return not self.problems


def verify_export(
    export: ExportFiles, check: SignatureCheck, trusted_key: bytes | None = None
) -> ExportVerification:
    """Problems found in an exported case: its events file against the manifest (the
    file's digest, each event's line, the chains and sealed heads), and both against
    their signature, made with ``trusted_key`` if one is given."""
    text, manifest = export.text, export.manifest
    problems = []
    if hashlib.sha256(text.encode()).hexdigest() != manifest.get("events_sha256"):
        problems.append("the events file is not the one the manifest describes")
    problems += line_problems(text, manifest)
    try:
        problems += _chain_problems(text, manifest)
    except (ValueError, KeyError, TypeError, AttributeError, IndexError) as error:
        # An events line or a manifest entry that is not what an export writes.
        problems.append(f"the export does not parse as a case export ({quoted(error)})")
    verdict = signature_problems(export.raw, manifest, check, trusted_key)
    return ExportVerification(problems + verdict.problems, verdict.key, verdict.trusted)


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
