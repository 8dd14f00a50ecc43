"""Auditors over HTTP: a case's full history, its state as it was, its verification and
export; who did what; and the citizen's view of who read their data."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from application.export_proof import UNSIGNED
from application.principal import Principal
from infrastructure.container import Container
from tests.e2e.cases import CITIZEN_B, citizen, headers, officer, paid_and_decided

AUDITOR = Principal("auditor-3", "auditor")
YAGONA = str(Path(sys.executable).parent / "yagona")


@pytest.fixture(scope="module")
def case(client: TestClient, seeded: Container) -> dict[str, Any]:
    application = paid_and_decided(client, seeded, citizen(CITIZEN_B))
    seeded.wait_for_projections()
    return application


def get(client: TestClient, container: Container, path: str, who: Principal, **params: Any) -> Any:
    return client.get(path, headers=headers(container, who), params=params)


def test_an_auditor_reads_the_whole_history_in_order_with_who_did_what(
    client: TestClient, seeded: Container, case: dict[str, Any]
) -> None:
    path = f"/v1/audit/applications/{case['id']}/history"
    response = get(client, seeded, path, AUDITOR, limit=500)
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert response.json()["next"] is None
    types = [item["type"] for item in items]
    assert types[0] == "ServiceApplication.Submitted"
    for expected in (
        "TrackingNumberIndex.Registered",
        "Payment.Requested",
        "Payment.Succeeded",
        "ServiceApplication.Accepted",
        "Decision.Issued",
        "ServiceApplication.Decided",
    ):
        assert expected in types, types
    assert {item["stream"] for item in items} == {"Cases", "Payments"}
    # Commit order within each stream: an event stamped earlier but recorded later (the
    # decision, stamped before the result is issued) still comes after.
    for stream in ("Cases", "Payments"):
        positions = [item["position"] for item in items if item["stream"] == stream]
        assert positions == sorted(positions), (stream, positions)
    # The streams are merged by time: the payment's events sit between the fee's
    # assessment and the case's Paid.
    payments = [n for n, item in enumerate(items) if item["stream"] == "Payments"]
    assert types.index("ServiceApplication.FeeAssessed") < payments[0]
    assert payments[-1] < types.index("ServiceApplication.Paid")
    submitted = items[0]
    assert (submitted["actor"], submitted["role"]) == (CITIZEN_B, "citizen")
    assert submitted["correlation_id"]
    assert submitted["payload"]["form"]  # decrypted for the auditor
    accepted = next(i for i in items if i["type"] == "ServiceApplication.Accepted")
    assert (accepted["actor"], accepted["role"]) == (officer().subject, "officer")

    # Pages of 3 walk the same history.
    walked: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = get(client, seeded, path, AUDITOR, **params).json()
        walked.extend(page["items"])
        cursor = page["next"]
        if cursor is None:
            break
    assert walked == items


@pytest.mark.parametrize(
    "who", [citizen(CITIZEN_B), officer()], ids=["the applicant", "the officer"]
)
def test_citizens_and_officers_may_not_read_audit_records(
    client: TestClient, seeded: Container, case: dict[str, Any], who: Principal
) -> None:
    for suffix in ("history", "state", "verification", "export"):
        response = get(client, seeded, f"/v1/audit/applications/{case['id']}/{suffix}", who)
        assert response.status_code == 403, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
    response = get(client, seeded, f"/v1/audit/actors/{officer().subject}/actions", who)
    assert response.status_code == 403


def test_the_applicant_sees_the_auditors_read_in_their_access_log(
    client: TestClient, seeded: Container, case: dict[str, Any]
) -> None:
    get(client, seeded, f"/v1/audit/applications/{case['id']}/history", AUDITOR)
    response = get(client, seeded, "/v1/me/access-log", citizen(CITIZEN_B), limit=500)
    assert response.status_code == 200, response.text
    reads = response.json()["items"]
    audit_reads = [r for r in reads if r["actor"] == AUDITOR.subject]
    assert audit_reads, reads
    assert audit_reads[-1]["role"] == "auditor"
    assert audit_reads[-1]["action"] == "audit.history"
    assert audit_reads[-1]["purpose"] == "audit"
    assert audit_reads[-1]["subject_id"] == case["id"]
    # So does a public verification of the result document.
    decision = get(client, seeded, f"/v1/applications/{case['id']}", citizen(CITIZEN_B)).json()
    registration, code = (
        decision["decision"]["registration_number"],
        decision["decision"]["verification_code"],
    )
    assert client.get(f"/v1/verify/{registration}", params={"code": code}).status_code == 200
    reads = get(client, seeded, "/v1/me/access-log", citizen(CITIZEN_B), limit=500).json()["items"]
    assert ("public", "decision.verify") in {(r["actor"], r["action"]) for r in reads}
    # Another citizen's log does not show it.
    other = get(client, seeded, "/v1/me/access-log", citizen(), limit=500).json()["items"]
    assert all(r["subject_id"] != case["id"] for r in other)
    # Only citizens have one.
    assert get(client, seeded, "/v1/me/access-log", AUDITOR).status_code == 403


def test_the_state_as_it_was_by_version_and_by_instant_with_a_diff(
    client: TestClient, seeded: Container, case: dict[str, Any]
) -> None:
    path = f"/v1/audit/applications/{case['id']}/state"
    current = get(client, seeded, path, AUDITOR).json()
    assert current["state"]["status"] == "result_issued"
    first = get(client, seeded, path, AUDITOR, version=1).json()
    assert first["version"] == 1
    assert first["state"]["status"] != "result_issued"
    at_first = get(client, seeded, path, AUDITOR, at=first["recorded_at"]).json()
    assert at_first["version"] >= 1
    assert at_first["recorded_at"] <= current["recorded_at"]
    diff = get(client, seeded, path, AUDITOR, version=current["version"], compare=1).json()
    assert diff["changes"]["status"] == {"from": first["state"]["status"], "to": "result_issued"}

    missing = get(client, seeded, path, AUDITOR, version=current["version"] + 1)
    assert missing.status_code == 404
    assert "has no version" in missing.json()["detail"]
    naive = get(client, seeded, path, AUDITOR, at="2026-11-27T12:00:00")
    assert naive.status_code == 422
    assert "time zone" in naive.json()["detail"]
    before = get(client, seeded, path, AUDITOR, at="2000-01-01T00:00:00Z")
    assert before.status_code == 404
    both = get(client, seeded, path, AUDITOR, version=1, at=first["recorded_at"])
    assert both.status_code == 422


def test_verification_and_export_prove_the_case_untouched(
    client: TestClient, seeded: Container, case: dict[str, Any]
) -> None:
    verified = get(client, seeded, f"/v1/audit/applications/{case['id']}/verification", AUDITOR)
    assert verified.status_code == 200, verified.text
    body = verified.json()
    assert body["intact"] is True
    assert body["first_broken_link"] is None
    assert body["aggregates"] == 5
    exported = get(client, seeded, f"/v1/audit/applications/{case['id']}/export", AUDITOR)
    assert exported.status_code == 200, exported.text
    with zipfile.ZipFile(io.BytesIO(exported.content)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["case_id"] == case["id"]
    assert manifest["events"] == body["events"]


def verify_offline(path: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """``yagona audit verify --export PATH --json`` as a process with no database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("YAGONA_")}
    return subprocess.run(
        [YAGONA, "audit", "verify", "--export", str(path), "--json", *options],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_export_downloads_as_a_zip_the_offline_verifier_takes_as_it_is(
    client: TestClient, seeded: Container, case: dict[str, Any], tmp_path: Path
) -> None:
    response = get(client, seeded, f"/v1/audit/applications/{case['id']}/export", AUDITOR)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    case_id = case["id"]
    assert response.headers["content-disposition"] == f'attachment; filename="case-{case_id}.zip"'
    downloaded = tmp_path / "case.zip"
    downloaded.write_bytes(response.content)
    with zipfile.ZipFile(downloaded) as archive:
        assert sorted(archive.namelist()) == ["events.jsonl", "manifest.json", "signature.json"]
        events = archive.read("events.jsonl")
        manifest = archive.read("manifest.json")
        signature = archive.read("signature.json")

    published = client.get("/v1/audit/export-key").json()  # public: no token
    assert published == seeded.export_signer.key.to_dict()
    assert json.loads(manifest)["signing_key_id"] == published["key_id"]
    intact = verify_offline(downloaded)
    assert intact.returncode == 0, intact.stderr
    assert json.loads(intact.stdout) == {
        "intact": True,
        "problems": [],
        "signature": {**published, "trusted": False},
    }
    assert "intact: export of case " + case["id"] in intact.stderr
    assert f"signed by key {published['key_id']}" in intact.stderr
    assert "the export's own" in intact.stderr
    trusted = verify_offline(downloaded, "--public-key", published["public_key"])
    assert trusted.returncode == 0, trusted.stderr
    assert json.loads(trusted.stdout)["signature"]["trusted"] is True

    # One byte of the submission's decrypted payload (a letter of a string value in its
    # form), changed inside the zip.
    start = events.index(b'"type": "ServiceApplication.Submitted"')
    start = events.rindex(b"\n", 0, start) + 1 if b"\n" in events[:start] else 0
    at = events.index(b'"payload": {', start) + len(b'"payload": {')
    at = events.index(b'": "', at) + len(b'": "')  # the first string value in the payload
    while not chr(events[at]).isalpha():
        at += 1
    assert at < events.index(b'"position": ', start)  # still inside the payload
    altered = bytearray(events)
    altered[at] = ord("x") if altered[at] != ord("x") else ord("y")
    line = json.loads(bytes(altered)[start:].split(b"\n", 1)[0])
    assert line["payload"] != json.loads(events[start:].split(b"\n", 1)[0])["payload"]
    # ... and the manifest's digest of the events file recomputed, as the auditor
    # did: the ciphertext chain still holds, the signed line digest names the event.
    fixed = json.loads(manifest)
    fixed["events_sha256"] = hashlib.sha256(bytes(altered).removesuffix(b"\n")).hexdigest()
    forged = tmp_path / "forged.zip"
    with zipfile.ZipFile(forged, "w") as archive:
        archive.writestr("events.jsonl", bytes(altered))
        archive.writestr("manifest.json", json.dumps(fixed, indent=2) + "\n")
        archive.writestr("signature.json", signature)

    tampered = verify_offline(forged, "--public-key", published["public_key"])
    assert tampered.returncode == 1, tampered.stderr
    number = events[:start].count(b"\n") + 1
    assert json.loads(tampered.stdout)["problems"] == [
        f"Cases:{line['aggregate_id']} version {line['version']} (events.jsonl line {number}): "
        "its line differs from the one signed (its payload, meta, timestamp, type or stored "
        "form was edited)",
        "events.jsonl and manifest.json changed after signing: the signature does not match",
    ]
    assert "TAMPERED: export of case " + case["id"] in tampered.stderr

    # Without its signature the export proves nothing about its plaintext: not intact.
    unsigned = tmp_path / "unsigned.zip"
    with zipfile.ZipFile(unsigned, "w") as archive:
        archive.writestr("events.jsonl", events)
        archive.writestr("manifest.json", manifest)
    refused = verify_offline(unsigned)
    assert refused.returncode == 1, refused.stderr
    assert json.loads(refused.stdout)["problems"] == [UNSIGNED]


def test_the_openapi_document_describes_the_export_as_a_zip(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    ok = spec["paths"]["/v1/audit/applications/{key}/export"]["get"]["responses"]["200"]
    assert ok["content"] == {"application/zip": {"schema": {"type": "string", "format": "binary"}}}


def test_an_actors_actions_and_reads(
    client: TestClient, seeded: Container, case: dict[str, Any]
) -> None:
    clerk = officer().subject
    get(client, seeded, f"/v1/applications/{case['id']}", officer())
    response = get(client, seeded, f"/v1/audit/actors/{clerk}/actions", AUDITOR, limit=500)
    assert response.status_code == 200, response.text
    body = response.json()
    assert {"ServiceApplication.Accepted", "ServiceApplication.Decided"} <= {
        a["type"] for a in body["actions"]
    }
    assert any(r["subject_id"] == case["id"] for r in body["reads"])
    # A citizen is looked up by PINFL; the index holds only their pseudonym.
    by_pinfl = get(client, seeded, f"/v1/audit/actors/{CITIZEN_B}/actions", AUDITOR).json()
    assert "ServiceApplication.Submitted" in {a["type"] for a in by_pinfl["actions"]}


def test_unknown_cases_and_forged_cursors_are_clear_problems(
    client: TestClient, seeded: Container, case: dict[str, Any]
) -> None:
    unknown = get(client, seeded, "/v1/audit/applications/AR-2026-9999999/history", AUDITOR)
    assert unknown.status_code == 404
    assert unknown.headers["content-type"].startswith("application/problem+json")
    forged = get(
        client,
        seeded,
        f"/v1/audit/applications/{case['id']}/history",
        AUDITOR,
        cursor="eyJvZmZzZXQiOiAieCJ9",  # {"offset": "x"}
    )
    assert forged.status_code == 422, forged.text
