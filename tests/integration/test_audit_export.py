"""A case export on PostgreSQL verifies offline as it is, directory or zip, signed by the
installation's key; an edited decrypted payload is named by its event, an edited stored
event by its chain, and a forger who recomputes the chain heads by the sealed head."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from uuid import UUID

from typer.testing import CliRunner

from api.cli import app as cli
from application.case_export import (
    EVENTS_FILE,
    MANIFEST_FILE,
    SIGNATURE_FILE,
    manifest_for,
    read_export,
    verify_export,
)
from infrastructure.container import Container
from infrastructure.export_signing import ed25519_check
from tests.integration.tampering import AUDITOR, CTX, case, cli_env, store

__all__ = ["case", "store"]  # fixtures used here


def test_an_export_verifies_offline_and_an_altered_export_does_not(
    case: tuple[Container, UUID], tmp_path: Path
) -> None:
    container, application_id = case
    export = container.queries.exports.export(AUDITOR, CTX, str(application_id))
    directory = tmp_path / "case"
    export.write(directory)
    assert export.manifest["events"] == len(export.events.splitlines()) >= 10
    assert json.loads(export.events.splitlines()[0])["payload"] is not None  # decrypted

    assert sorted(p.name for p in directory.iterdir()) == [
        EVENTS_FILE,
        MANIFEST_FILE,
        SIGNATURE_FILE,
    ]
    key = container.export_signer.key
    signed = {**key.to_dict(), "trusted": True}
    trusted = ["--public-key", key.public_key_b64]
    intact = CliRunner().invoke(
        cli, ["audit", "verify", "--export", str(directory), "--json", *trusted]
    )
    assert intact.exit_code == 0, intact.output
    assert json.loads(intact.stdout) == {"intact": True, "problems": [], "signature": signed}

    # The command writes a zip when asked for one, and the verifier takes it as it is.
    zipped = tmp_path / "case.zip"
    written = CliRunner().invoke(
        cli,
        ["audit", "export", "--application", str(application_id), "--out", str(zipped)],
        env=cli_env(container),
    )
    assert written.exit_code == 0, written.output
    assert f"signed by key {key.key_id}" in written.output
    assert read_export(zipped) == read_export(directory)
    from_zip = CliRunner().invoke(
        cli, ["audit", "verify", "--export", str(zipped), "--json", *trusted]
    )
    assert from_zip.exit_code == 0, from_zip.output
    assert json.loads(from_zip.stdout) == {"intact": True, "problems": [], "signature": signed}

    # Alter one decrypted payload and fix up the file digest, as the auditor of issue 15
    # did: the chain (over the ciphertext) holds, the signed line digest names the event.
    original = (directory / EVENTS_FILE).read_bytes()
    original_manifest = (directory / MANIFEST_FILE).read_bytes()
    lines = [json.loads(line) for line in original.decode().splitlines()]
    edited = next(i for i, line in enumerate(lines) if line["payload"])
    lines[edited]["payload"] = {**lines[edited]["payload"], "edited": "by hand"}
    text = "\n".join(json.dumps(line, sort_keys=True) for line in lines)
    (directory / EVENTS_FILE).write_text(text + "\n")
    manifest = json.loads(original_manifest)
    manifest["events_sha256"] = hashlib.sha256(text.encode()).hexdigest()
    (directory / MANIFEST_FILE).write_text(json.dumps(manifest))
    line = lines[edited]
    payload_edit = CliRunner().invoke(
        cli, ["audit", "verify", "--export", str(directory), "--json", *trusted]
    )
    assert payload_edit.exit_code == 1, payload_edit.output
    assert json.loads(payload_edit.stdout)["problems"] == [
        f"{line['stream']}:{line['aggregate_id']} version {line['version']} (events.jsonl "
        f"line {edited + 1}): its line differs from the one signed (its payload, meta, "
        "timestamp, type or stored form was edited)",
        "events.jsonl and manifest.json changed after signing: the signature does not match",
    ]
    (directory / EVENTS_FILE).write_bytes(original)
    (directory / MANIFEST_FILE).write_bytes(original_manifest)

    # Alter one stored event in the export and fix up the file digest, as a forger would:
    # the chain head gives it away too.
    lines = [json.loads(line) for line in (directory / EVENTS_FILE).read_text().splitlines()]
    state = bytearray(base64.b64decode(lines[1]["state_b64"]))
    state[-1] ^= 0x01
    lines[1]["state_b64"] = base64.b64encode(bytes(state)).decode()
    text = "\n".join(json.dumps(line, sort_keys=True) for line in lines)
    (directory / EVENTS_FILE).write_text(text + "\n")
    manifest = json.loads((directory / MANIFEST_FILE).read_text())
    manifest["events_sha256"] = hashlib.sha256(text.encode()).hexdigest()
    (directory / MANIFEST_FILE).write_text(json.dumps(manifest))

    altered = CliRunner().invoke(cli, ["audit", "verify", "--export", str(directory), "--json"])
    assert altered.exit_code == 1
    problems = json.loads(altered.stdout)["problems"]
    chain_key = f"{lines[1]['stream']}:{lines[1]['aggregate_id']}"
    unsigned = [
        f"{chain_key} version {lines[1]['version']} (events.jsonl line 2): its line differs "
        "from the one signed (its payload, meta, timestamp, type or stored form was edited)",
        f"{chain_key}: the chain's head differs (an event was altered)",
        "events.jsonl and manifest.json changed after signing: the signature does not match",
    ]
    assert problems == unsigned
    assert verify_export(read_export(directory), ed25519_check).problems == problems

    # A forger who also recomputes the manifest's chain heads still differs from the head
    # sealed before the export.
    forged = manifest_for(UUID(manifest["case_id"]), lines, {})
    for entry_key, entry in manifest["chains"].items():
        entry["head"] = forged["chains"][entry_key]["head"]
    (directory / MANIFEST_FILE).write_text(json.dumps(manifest))
    assert verify_export(read_export(directory), ed25519_check).problems == [
        unsigned[0],
        f"{chain_key}: the chain differs from its sealed head",
        unsigned[2],
    ]
