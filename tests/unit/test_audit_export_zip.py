"""A case export as one zip file: it round-trips through the offline verifier, and a zip
that is not one an export writes (other names, a path out of the directory, a member that
inflates past its bound, not a zip at all) is refused with the reason, never extracted.
(Its signature and per-event digests: test_export_signature.py.)"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from typer.testing import CliRunner

from api.cli import app as cli
from application.case_export import (
    EVENTS_FILE,
    MANIFEST_FILE,
    SIGNATURE_FILE,
    CaseExport,
    export_lines,
    jsonl,
    manifest_for,
    parse_export,
    read_export,
    signed_export,
    verify_export,
)
from application.ports import ArchivedEvent
from infrastructure.export_signing import Ed25519ExportSigner, ed25519_check
from tests.unit.test_cases_app import NOW

CASE = uuid4()
SIGNER = Ed25519ExportSigner(bytes(range(32)))


def an_export(events: int = 3) -> CaseExport:
    archived = [
        ArchivedEvent(
            stream="Cases",
            position=n,
            aggregate_id=CASE,
            version=n,
            topic="domain.service_application:ServiceApplication.Event",
            type="ServiceApplication.Event",
            timestamp=NOW + timedelta(seconds=n),
            meta={"actor": "officer-1"},
            payload={"note": f"step {n}"},
            stored_state=f"stored state {n}".encode(),
        )
        for n in range(1, events + 1)
    ]
    lines = export_lines(archived)
    return signed_export(manifest_for(CASE, lines, {}), jsonl(lines), SIGNER)


def zip_of(path: Path, members: list[tuple[str, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members:
            archive.writestr(name, content)
    return path


def test_a_zipped_export_reads_back_as_its_directory_and_verifies(tmp_path: Path) -> None:
    export = an_export()
    assert export.write(tmp_path / "case.zip") == [tmp_path / "case.zip"]
    export.write(tmp_path / "case")
    assert read_export(tmp_path / "case.zip") == read_export(tmp_path / "case")
    assert sorted(read_export(tmp_path / "case.zip").raw) == [
        EVENTS_FILE,
        MANIFEST_FILE,
        SIGNATURE_FILE,
    ]
    assert verify_export(read_export(tmp_path / "case.zip"), ed25519_check).problems == []
    assert export.zip_bytes() == export.zip_bytes()  # the same export, the same bytes
    assert not (tmp_path / "case.zip.part").exists()


@pytest.mark.filterwarnings("ignore:Duplicate name")  # the hostile zip is made to have one
@pytest.mark.parametrize(
    ("members", "reason"),
    [
        (
            [(EVENTS_FILE, b"{}"), (MANIFEST_FILE, b"{}"), ("run-me.sh", b"rm -rf /")],
            "must hold exactly events.jsonl and manifest.json (and signature.json if signed), "
            "it holds",
        ),
        (
            [(EVENTS_FILE, b"{}"), ("../manifest.json", b"{}")],
            "it holds 'events.jsonl', '../manifest.json'",
        ),
        (
            [(EVENTS_FILE, b"{}"), (EVENTS_FILE, b"{}")],
            "must hold exactly",
        ),
        (
            [(EVENTS_FILE, b"{}"), (SIGNATURE_FILE, b"{}")],
            "it holds 'events.jsonl', 'signature.json'",
        ),
        ([], "it holds nothing"),
    ],
    ids=["an extra file", "a path out of the directory", "a name twice", "no manifest", "empty"],
)
def test_a_zip_with_other_names_is_refused(
    tmp_path: Path, members: list[tuple[str, bytes]], reason: str
) -> None:
    path = zip_of(tmp_path / "hostile.zip", members)
    with pytest.raises(ValueError, match="not a case export") as refused:
        read_export(path)
    assert reason in str(refused.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hostile.zip"]  # nothing extracted


def test_a_member_that_inflates_past_its_bound_is_refused_unread(tmp_path: Path) -> None:
    bomb = b"\0" * 4_000_000  # a few kilobytes compressed
    path = zip_of(tmp_path / "bomb.zip", [(EVENTS_FILE, bomb), (MANIFEST_FILE, b"{}")])
    assert path.stat().st_size < 50_000
    limits = {EVENTS_FILE: 1_000_000, MANIFEST_FILE: 1_000_000}
    with pytest.raises(ValueError, match=r"events\.jsonl exceeds 1,000,000 bytes"):
        read_export(path, limits=limits)


def test_a_member_whose_header_understates_its_size_is_still_bounded(tmp_path: Path) -> None:
    """The sizes in a zip's headers are the sender's word: reading stops at the bound."""
    content = b"\0" * 3_000_000
    path = zip_of(tmp_path / "liar.zip", [(EVENTS_FILE, content), (MANIFEST_FILE, b"{}")])
    raw = bytearray(path.read_bytes())
    size = len(content).to_bytes(4, "little")
    lied = (100).to_bytes(4, "little")
    assert raw.count(size) == 2  # the local header and the central directory
    path.write_bytes(bytes(raw).replace(size, lied))
    with pytest.raises(ValueError, match="not a case export"):
        read_export(path, limits={EVENTS_FILE: 1_000_000, MANIFEST_FILE: 1_000_000})


def test_a_file_that_is_not_a_zip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "case.zip"
    path.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(ValueError, match="is not a readable zip"):
        read_export(path)
    with pytest.raises(ValueError, match="neither a directory nor a zip file"):
        read_export(tmp_path / "missing.zip")


def test_an_export_whose_events_do_not_parse_is_tampered_not_a_crash(tmp_path: Path) -> None:
    files = an_export().files()
    files[EVENTS_FILE] = files[EVENTS_FILE].replace(b'"version": 2', b'"version": ', 1)
    problems = verify_export(parse_export(files), ed25519_check).problems
    assert problems[0] == "the events file is not the one the manifest describes"
    assert problems[1] == "events.jsonl line 2 is not an event line an export writes"
    assert "does not parse as a case export" in problems[3]


def test_the_cli_names_what_is_wrong_with_a_zip_and_exits_2(tmp_path: Path) -> None:
    path = zip_of(tmp_path / "hostile.zip", [(EVENTS_FILE, b"{}"), ("../../etc/cron.d/x", b"")])
    result = CliRunner().invoke(cli, ["audit", "verify", "--export", str(path)])
    assert result.exit_code == 2, result.output
    assert "must hold exactly events.jsonl and manifest.json" in result.output
    assert "Traceback" not in result.output


def test_the_cli_verifies_a_zip_and_finds_an_altered_one(tmp_path: Path) -> None:
    export = an_export()
    good = tmp_path / "good.zip"
    good.write_bytes(export.zip_bytes())
    intact = CliRunner().invoke(cli, ["audit", "verify", "--export", str(good), "--json"])
    assert intact.exit_code == 0, intact.output
    assert json.loads(intact.stdout) == {
        "intact": True,
        "problems": [],
        "signature": {**SIGNER.key.to_dict(), "trusted": False},
    }

    with zipfile.ZipFile(io.BytesIO(export.zip_bytes())) as archive:
        events = archive.read(EVENTS_FILE).replace(b"step 2", b"step 3", 1)
        manifest = archive.read(MANIFEST_FILE)
        signature = archive.read(SIGNATURE_FILE)
    bad = zip_of(
        tmp_path / "bad.zip",
        [(EVENTS_FILE, events), (MANIFEST_FILE, manifest), (SIGNATURE_FILE, signature)],
    )
    altered = CliRunner().invoke(cli, ["audit", "verify", "--export", str(bad), "--json"])
    assert altered.exit_code == 1, altered.output
    assert json.loads(altered.stdout)["problems"] == [
        "the events file is not the one the manifest describes",
        f"Cases:{CASE} version 2 (events.jsonl line 2): its line differs from the one signed "
        "(its payload, meta, timestamp, type or stored form was edited)",
        "events.jsonl changed after signing: the signature does not match",
    ]
    assert UUID(json.loads(manifest)["case_id"]) == CASE
