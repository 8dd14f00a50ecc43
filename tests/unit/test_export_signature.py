"""Exports prove their plaintext: ``signature.json`` signs every byte an auditor reads
(``events.jsonl`` and ``manifest.json``), and the signed manifest's per-event digests let
the offline verifier name the event whose decrypted payload, meta or time was edited,
removed or added, even when the forger recomputed the manifest's file digest."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from api.cli import app as cli
from application.case_export import (
    EVENTS_FILE,
    MANIFEST_FILE,
    SIGNATURE_FILE,
    ExportVerification,
    manifest_bytes,
    manifest_for,
    parse_export,
    signed_export,
    verify_export,
)
from application.export_proof import UNSIGNED, key_id_of, parse_public_key
from infrastructure.export_signing import Ed25519ExportSigner, ed25519_check, export_signer
from infrastructure.settings import Settings
from tests.conftest import TEST_CIPHER_KEY
from tests.unit.test_audit_export_zip import CASE, SIGNER, an_export

OTHER = Ed25519ExportSigner(b"\x07" * 32)
EDITED = "its line differs from the one signed"


def verified(files: dict[str, bytes], trusted: bytes | None = None) -> ExportVerification:
    return verify_export(parse_export(files), ed25519_check, trusted)


def lines_of(files: dict[str, bytes]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in files[EVENTS_FILE].decode().splitlines()]


def rewritten(files: dict[str, bytes], lines: list[dict[str, Any]]) -> dict[str, bytes]:
    """``events.jsonl`` from ``lines``, and the manifest's file digest recomputed for it, as
    the auditor of the issue did (the signature left as it was)."""
    text = "\n".join(json.dumps(line, sort_keys=True) for line in lines)
    manifest = json.loads(files[MANIFEST_FILE])
    manifest["events_sha256"] = hashlib.sha256(text.encode()).hexdigest()
    return {**files, EVENTS_FILE: (text + "\n").encode(), MANIFEST_FILE: manifest_bytes(manifest)}


def test_an_untouched_export_is_intact_and_says_which_key_signed_it() -> None:
    files = an_export().files()
    assert sorted(files) == [EVENTS_FILE, MANIFEST_FILE, SIGNATURE_FILE]
    assert json.loads(files[MANIFEST_FILE])["signing_key_id"] == SIGNER.key.key_id
    own = verified(files)
    assert (own.intact, own.key, own.trusted) == (True, SIGNER.key, False)
    trusted = verified(files, SIGNER.key.public_key)
    assert (trusted.intact, trusted.trusted) == (True, True)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("payload", {"note": "step 2, approved"}),
        ("meta", {"actor": "officer-2"}),
        ("timestamp", "2020-01-01T00:00:00+00:00"),
        ("type", "ServiceApplication.Withdrawn"),
    ],
)
def test_an_edited_plaintext_is_reported_with_its_event(field: str, value: Any) -> None:
    files = an_export().files()
    lines = lines_of(files)
    lines[1][field] = value  # the chain (over the stored ciphertext) is untouched
    result = verified(rewritten(files, lines))
    assert not result.intact
    assert result.problems == [
        f"Cases:{CASE} version 2 (events.jsonl line 2): {EDITED} "
        "(its payload, meta, timestamp, type or stored form was edited)",
        "events.jsonl and manifest.json changed after signing: the signature does not match",
    ]


def test_a_forger_who_also_recomputes_the_line_digests_is_still_found() -> None:
    files = an_export().files()
    lines = lines_of(files)
    lines[0]["payload"] = {"note": "forged"}
    forged = rewritten(files, lines)
    manifest = json.loads(forged[MANIFEST_FILE])
    manifest["lines"][0]["sha256"] = hashlib.sha256(
        json.dumps(lines[0], sort_keys=True).encode()
    ).hexdigest()
    forged[MANIFEST_FILE] = manifest_bytes(manifest)
    assert verified(forged).problems == [
        "events.jsonl and manifest.json changed after signing: the signature does not match",
        "the manifest's per-event digests are not the ones signed, so the events edited "
        "cannot be named from them",
    ]


def test_an_edited_manifest_is_reported() -> None:
    files = an_export().files()
    manifest = json.loads(files[MANIFEST_FILE])
    manifest["latest_seal"] = {"seq": 9, "hash": "0" * 64}
    result = verified({**files, MANIFEST_FILE: manifest_bytes(manifest)})
    assert result.problems == ["manifest.json changed after signing: the signature does not match"]
    # One byte of layout is a change too: the signature is over the bytes as written.
    spaced = files[MANIFEST_FILE].replace(b"\n", b"\n ", 1)
    assert verified({**files, MANIFEST_FILE: spaced}).problems == [
        "manifest.json changed after signing: the signature does not match"
    ]


def test_removed_and_added_lines_are_named() -> None:
    files = an_export().files()
    lines = lines_of(files)
    removed = verified(rewritten(files, [lines[0], lines[2]]))
    assert f"Cases:{CASE} version 2: missing from events.jsonl" in " ".join(removed.problems)
    assert not removed.intact

    extra = {**lines[2], "version": 4}
    added = verified(rewritten(files, [*lines, extra]))
    assert f"Cases:{CASE} version 4 (events.jsonl line 4): not in the signed manifest" in (
        added.problems
    )
    twice = verified(rewritten(files, [*lines, lines[1]]))
    assert f"Cases:{CASE} version 2 (events.jsonl line 4): a second line for it" in (twice.problems)


def test_a_different_trusted_key_is_reported_and_a_resigned_export_with_it() -> None:
    files = an_export().files()
    other = verified(files, OTHER.key.public_key)
    assert other.problems == [
        f"signed by key {SIGNER.key.key_id}, not by the trusted key {OTHER.key.key_id}"
    ]
    # A forger who edits the events and signs again with a key of their own: intact by
    # that key alone, which is why the verifier says whose key it is; refused by the
    # trusted one.
    lines = lines_of(files)
    lines[1]["payload"] = {"note": "forged"}
    forged = signed_export(
        manifest_for(CASE, lines, {}),
        "\n".join(json.dumps(line, sort_keys=True) for line in lines),
        OTHER,
    ).files()
    by_own_key = verified(forged)
    assert (by_own_key.intact, by_own_key.key) == (True, OTHER.key)
    assert verified(forged, SIGNER.key.public_key).problems == [
        f"signed by key {OTHER.key.key_id}, not by the trusted key {SIGNER.key.key_id}"
    ]


def test_an_unsigned_or_garbled_signature_is_not_intact() -> None:
    files = an_export().files()
    unsigned = {k: v for k, v in files.items() if k != SIGNATURE_FILE}
    assert verified(unsigned).problems == [UNSIGNED]
    assert verified(unsigned).key is None
    document = json.loads(files[SIGNATURE_FILE])
    for broken, reason in (
        ({**document, "algorithm": "RSA"}, "its algorithm is not Ed25519"),
        ({**document, "signature": "AAAA"}, "signature must decode to 64 bytes, not 3"),
        ({**document, "public_key": "not base64!"}, "public_key is not base64"),
    ):
        garbled = {**files, SIGNATURE_FILE: json.dumps(broken).encode()}
        assert verified(garbled).problems == [
            f"signature.json is not an export's signature: {reason}"
        ]
    flipped = bytearray(base64.b64decode(document["signature"]))
    flipped[0] ^= 1
    bad = {**document, "signature": base64.b64encode(bytes(flipped)).decode()}
    assert verified({**files, SIGNATURE_FILE: json.dumps(bad).encode()}).problems == [
        "the signature does not match events.jsonl and manifest.json"
    ]


def test_the_key_is_configured_or_derived_from_the_cipher_key(tmp_path: Path) -> None:
    derived = export_signer(Settings(data_dir=tmp_path, cipher_key=TEST_CIPHER_KEY))  # type: ignore[arg-type]
    again = export_signer(Settings(data_dir=tmp_path / "x", cipher_key=TEST_CIPHER_KEY))  # type: ignore[arg-type]
    assert derived.key == again.key  # every process of an installation signs alike
    seed = base64.b64encode(b"\x07" * 32).decode()
    configured = export_signer(
        Settings(data_dir=tmp_path, cipher_key=TEST_CIPHER_KEY, export_signing_key=seed)  # type: ignore[arg-type]
    )
    assert configured.key == OTHER.key != derived.key  # rotation: set a new key
    assert configured.key.key_id == hashlib.sha256(OTHER.key.public_key).hexdigest()[:16]
    assert repr(configured) == f"Ed25519ExportSigner(key_id={configured.key.key_id!r})"
    for bad in ("not base64!", base64.b64encode(b"short").decode()):
        with pytest.raises(ValueError, match="export_signing_key"):
            Settings(export_signing_key=bad)  # type: ignore[arg-type]


def test_a_trusted_key_is_given_as_base64_or_as_the_published_json() -> None:
    key = SIGNER.key
    assert parse_public_key(key.public_key_b64) == key.public_key
    assert parse_public_key(json.dumps(key.to_dict())) == key.public_key
    assert key_id_of(key.public_key) == key.key_id
    for bad, reason in (("{", "does not parse"), ("AAAA", "32 bytes"), ("{}", "public_key")):
        with pytest.raises(ValueError, match=reason):
            parse_public_key(bad)


def test_the_cli_verifies_with_a_trusted_key_and_prints_the_export_key(tmp_path: Path) -> None:
    an_export().write(tmp_path / "case")
    own = CliRunner().invoke(cli, ["audit", "verify", "--export", str(tmp_path / "case")])
    assert own.exit_code == 0, own.output
    assert f"signed by key {SIGNER.key.key_id}" in own.output
    assert "the export's own" in own.output

    seed = base64.b64encode(bytes(range(32))).decode()
    env = {"YAGONA_EXPORT_SIGNING_KEY": seed, "YAGONA_DATA_DIR": str(tmp_path / "none")}
    printed = CliRunner().invoke(cli, ["audit", "export-key"], env=env)
    assert printed.exit_code == 0, printed.output
    assert json.loads(printed.stdout) == SIGNER.key.to_dict()
    (tmp_path / "key.json").write_text(printed.stdout)

    for given in (str(tmp_path / "key.json"), SIGNER.key.public_key_b64):
        trusted = CliRunner().invoke(
            cli, ["audit", "verify", "--export", str(tmp_path / "case"), "--public-key", given]
        )
        assert trusted.exit_code == 0, trusted.output
        assert "the trusted key" in trusted.output
    untrusted = ["--public-key", OTHER.key.public_key_b64]
    other = CliRunner().invoke(
        cli, ["audit", "verify", "--export", str(tmp_path / "case"), "--json", *untrusted]
    )
    assert other.exit_code == 1, other.output
    assert json.loads(other.stdout)["problems"] == [
        f"signed by key {SIGNER.key.key_id}, not by the trusted key {OTHER.key.key_id}"
    ]
    garbled = CliRunner().invoke(
        cli, ["audit", "verify", "--export", str(tmp_path / "case"), "--public-key", "AAAA"]
    )
    assert garbled.exit_code == 2
    assert "--public-key: the public key must decode to 32 bytes, not 3" in garbled.output
