"""What proves an export's plaintext, not only its ciphertext chain.

An export is signed (Ed25519, through the ``ExportSigner`` port; the adapter is
``infrastructure/export_signing.py``) over every byte an auditor reads: ``signature.json``
holds a signature over the sha256 of ``events.jsonl`` and of ``manifest.json`` exactly as
written. The manifest lists the sha256 of each event's line, and a second signature covers
that list alone, so that when the files no longer match their signature the verifier still
names the event whose line was edited, removed or added."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from domain.quoting import bounded, quoted

EVENTS_FILE = "events.jsonl"
MANIFEST_FILE = "manifest.json"
SIGNATURE_FILE = "signature.json"
ALGORITHM = "Ed25519"
PUBLIC_KEY_BYTES = 32
SIGNATURE_BYTES = 64
# What each signature's message starts with, so that neither can stand for the other.
FILES_CONTEXT = b"yagona case export v1: files\n"
LINES_CONTEXT = b"yagona case export v1: lines\n"
UNSIGNED = (
    "unsigned: the export has no signature.json, so nothing proves its decrypted payloads "
    "(only the ciphertext chain is checked)"
)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def key_id_of(public_key: bytes) -> str:
    """A key's short name: the first 16 hex digits of the sha256 of its raw 32 bytes."""
    return sha256_hex(public_key)[:16]


@dataclass(frozen=True)
class ExportKey:
    """The public half of the key exports are signed with (raw Ed25519, 32 bytes)."""

    public_key: bytes
    algorithm: str = ALGORITHM

    @property
    def key_id(self) -> str:
        return key_id_of(self.public_key)

    @property
    def public_key_b64(self) -> str:
        return base64.b64encode(self.public_key).decode()

    def to_dict(self) -> dict[str, str]:
        return {
            "algorithm": self.algorithm,
            "key_id": self.key_id,
            "public_key": self.public_key_b64,
        }


class ExportSigner(Protocol):
    """Signs exports with the installation's private key (held by the adapter only)."""

    @property
    def key(self) -> ExportKey: ...

    def sign(self, message: bytes) -> bytes: ...


class SignatureCheck(Protocol):
    """Whether ``signature`` is ``public_key``'s signature of ``message`` (Ed25519)."""

    def __call__(self, public_key: bytes, signature: bytes, message: bytes) -> bool: ...


def parse_public_key(text: str) -> bytes:
    """A trusted public key as an auditor gives it: base64 of its 32 bytes, or the JSON
    document ``GET /v1/audit/export-key`` and ``yagona audit export-key`` print."""
    text = text.strip()
    if text.startswith("{"):
        try:
            document = json.loads(text)
        except json.JSONDecodeError:
            raise ValueError("the public key's JSON does not parse") from None
        if not isinstance(document, dict) or not isinstance(document.get("public_key"), str):
            raise ValueError("the public key's JSON has no 'public_key' string")
        text = document["public_key"]
    return _decoded(text, PUBLIC_KEY_BYTES, "the public key")


def _decoded(text: object, size: int, what: str) -> bytes:
    if not isinstance(text, str):
        raise ValueError(f"{what} is not a base64 string")
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{what} is not base64") from None
    if len(raw) != size:
        raise ValueError(f"{what} must decode to {size} bytes, not {len(raw)}")
    return raw


def line_entries(lines: list[dict[str, Any]], texts: list[str]) -> list[dict[str, Any]]:
    """Each event's line of ``events.jsonl``, named by stream, aggregate and version, with
    the sha256 of its exact text."""
    return [
        {
            "stream": line["stream"],
            "aggregate_id": line["aggregate_id"],
            "version": line["version"],
            "sha256": sha256_hex(text.encode()),
        }
        for line, text in zip(lines, texts, strict=True)
    ]


def files_message(events: bytes, manifest: bytes) -> bytes:
    return (
        FILES_CONTEXT
        + (f"{EVENTS_FILE} {sha256_hex(events)}\n{MANIFEST_FILE} {sha256_hex(manifest)}\n").encode()
    )


def lines_message(case_id: object, entries: object) -> bytes:
    canonical = json.dumps({"case_id": case_id, "lines": entries}, sort_keys=True)
    return LINES_CONTEXT + canonical.encode()


def signature_document(
    signer: ExportSigner, events: bytes, manifest_bytes: bytes, manifest: dict[str, Any]
) -> dict[str, Any]:
    """``signature.json``: who signed, what they signed, and the two signatures."""
    key = signer.key
    lines = lines_message(manifest["case_id"], manifest["lines"])
    return {
        "algorithm": key.algorithm,
        "key_id": key.key_id,
        "public_key": key.public_key_b64,
        "signed": {EVENTS_FILE: sha256_hex(events), MANIFEST_FILE: sha256_hex(manifest_bytes)},
        "signature": base64.b64encode(signer.sign(files_message(events, manifest_bytes))).decode(),
        "lines_signature": base64.b64encode(signer.sign(lines)).decode(),
    }


def event_name(stream: object, aggregate_id: object, version: object) -> str:
    return f"{stream}:{aggregate_id} version {version}"


def _line_key(text: str) -> tuple[str, str, int] | None:
    try:
        line = json.loads(text)
    except json.JSONDecodeError:
        return None
    if not isinstance(line, dict):
        return None
    key = (line.get("stream"), line.get("aggregate_id"), line.get("version"))
    if not isinstance(key[0], str) or not isinstance(key[1], str) or type(key[2]) is not int:
        return None
    return key[0], key[1], key[2]


def line_problems(text: str, manifest: Mapping[str, Any]) -> list[str]:
    """Each event whose line in ``events.jsonl`` is not the one the manifest lists: edited,
    missing, twice, or not listed at all (named by stream, aggregate and version)."""
    entries = manifest.get("lines")
    if not isinstance(entries, list):
        return ["the manifest lists no digest per event: the events' plaintext is not proven"]
    expected: dict[tuple[object, ...], object] = {}
    for entry in entries:
        if not isinstance(entry, dict):
            return ["the manifest's per-event digests are not what an export writes"]
        named = (entry.get("stream"), entry.get("aggregate_id"), entry.get("version"))
        expected[named] = entry.get("sha256")
    problems = []
    seen: set[tuple[object, ...]] = set()
    for number, line in enumerate(text.split("\n") if text else [], start=1):
        key = _line_key(line)
        if key is None:
            problems.append(f"events.jsonl line {number} is not an event line an export writes")
            continue
        name = bounded(event_name(*key), 160)
        if key not in expected:
            problems.append(f"{name} (events.jsonl line {number}): not in the signed manifest")
        elif key in seen:
            problems.append(f"{name} (events.jsonl line {number}): a second line for it")
        elif sha256_hex(line.encode()) != expected[key]:
            problems.append(
                f"{name} (events.jsonl line {number}): its line differs from the one signed "
                "(its payload, meta, timestamp, type or stored form was edited)"
            )
        seen.add(key)
    for listed in expected:
        if listed not in seen:
            problems.append(
                f"{bounded(event_name(*listed), 160)}: missing from events.jsonl (removed, or "
                "its stream, aggregate or version edited)"
            )
    return problems


@dataclass(frozen=True)
class SignatureVerdict:
    problems: list[str]
    key: ExportKey | None  # the key the export says it is signed with
    trusted: bool  # checked against a key the auditor gave, not only the export's own


def signature_problems(
    raw: Mapping[str, bytes],
    manifest: Mapping[str, Any],
    check: SignatureCheck,
    trusted_key: bytes | None = None,
) -> SignatureVerdict:
    """Whether ``signature.json`` signs these very files, with the trusted key if one is
    given (else with the key the export names, which proves only that nothing changed
    since someone holding that key signed)."""
    document_bytes = raw.get(SIGNATURE_FILE)
    if document_bytes is None:
        return SignatureVerdict([UNSIGNED], None, False)
    try:
        document = json.loads(document_bytes.decode("utf-8"))
        if not isinstance(document, dict) or document.get("algorithm") != ALGORITHM:
            raise ValueError(f"its algorithm is not {ALGORITHM}")
        key = ExportKey(_decoded(document.get("public_key"), PUBLIC_KEY_BYTES, "public_key"))
        signature = _decoded(document.get("signature"), SIGNATURE_BYTES, "signature")
        lines_signature = _decoded(
            document.get("lines_signature"), SIGNATURE_BYTES, "lines_signature"
        )
    except (ValueError, UnicodeDecodeError) as error:
        reason = error.reason if isinstance(error, UnicodeDecodeError) else str(error)
        problem = f"signature.json is not an export's signature: {reason}"
        return SignatureVerdict([problem], None, False)
    problems = []
    if trusted_key is not None and trusted_key != key.public_key:
        problems.append(
            f"signed by key {key.key_id}, not by the trusted key {key_id_of(trusted_key)}"
        )
    if document.get("key_id") != key.key_id:
        problems.append(f"signature.json's key id is not its public key's ({key.key_id})")
    if manifest.get("signing_key_id") != key.key_id:
        problems.append(
            f"the manifest names signing key {quoted(manifest.get('signing_key_id'))}, "
            f"signature.json key {key.key_id}"
        )
    events, manifest_bytes = raw[EVENTS_FILE], raw[MANIFEST_FILE]
    if not check(key.public_key, signature, files_message(events, manifest_bytes)):
        signed = document.get("signed")
        signed = signed if isinstance(signed, dict) else {}
        changed = [
            name
            for name, content in ((EVENTS_FILE, events), (MANIFEST_FILE, manifest_bytes))
            if signed.get(name) != sha256_hex(content)
        ]
        problems.append(
            f"{' and '.join(changed)} changed after signing: the signature does not match"
            if changed
            else "the signature does not match events.jsonl and manifest.json"
        )
    lines = lines_message(manifest.get("case_id"), manifest.get("lines"))
    if not check(key.public_key, lines_signature, lines):
        problems.append(
            "the manifest's per-event digests are not the ones signed, so the events "
            "edited cannot be named from them"
        )
    return SignatureVerdict(problems, key, trusted_key is not None)
