"""Files at rest over the real stack: a submitted attachment and the rendered result
documents are stored encrypted under keyed names in ``DATA_DIR/blobs`` (no citizen's name,
no attachment's bytes, no file named by a sha256), download as they were issued, and a
damaged file is a 409 problem, not the bytes and not a 500."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from fastapi.testclient import TestClient

from infrastructure.blobs import EncryptedBlobStore
from infrastructure.container import Container
from infrastructure.keys import cipher_key
from tests.e2e.cases import citizen, headers, officer, service_example, submission
from tests.e2e.test_result_documents_http import decide

SCAN = b"%PDF-1.4\n% the passport scan of Aziza Karimova, series AB 1234567\n%%EOF\n"


def blob_root(container: Container) -> Path:
    return container.settings.data_dir / "blobs"


def stored_files(container: Container) -> list[Path]:
    return [p for p in blob_root(container).rglob("*") if p.is_file()]


def file_and_decide(client: TestClient, container: Container) -> tuple[str, str]:
    """A birth registration with ``SCAN`` attached, approved: its tracking number and the
    sha256 its events record for the attachment."""
    body = submission("birth-registration")
    body["attachments"][0]["content_base64"] = base64.b64encode(SCAN).decode()
    created = client.post("/v1/applications", json=body, headers=headers(container, citizen()))
    assert created.status_code == 201, created.text
    key = created.json()["tracking_number"]
    view = client.get(f"/v1/applications/{key}", headers=headers(container, citizen())).json()
    [scan] = [a for a in view["attachments"] if a["size"] == len(SCAN)]
    decide(client, container, key, officer(), "approved")
    return key, scan["sha256"]


def download(client: TestClient, container: Container, key: str, file_format: str) -> bytes:
    response = client.get(
        f"/v1/applications/{key}/result",
        params={"format": file_format},
        headers=headers(container, citizen()),
    )
    assert response.status_code == 200, response.text
    return response.content


def test_attachments_and_results_are_encrypted_at_rest_and_download_as_issued(
    client: TestClient, seeded: Container
) -> None:
    key, scan_sha256 = file_and_decide(client, seeded)
    assert scan_sha256 == hashlib.sha256(SCAN).hexdigest()
    html = download(client, seeded, key, "html")
    pdf = download(client, seeded, key, "pdf")
    # What must not be readable at rest: the person's names as the result document prints
    # them, and the attachment's bytes.
    form = service_example("birth-registration")
    names = [str(v) for k, v in form.items() if k.endswith("name") and isinstance(v, str)]
    names = [n for n in names if n.encode() in html]
    assert names, "the result document names the people it certifies"
    secrets = [n.encode() for n in names] + [b"Aziza Karimova", b"AB 1234567", SCAN[:40]]
    hashes = {scan_sha256, hashlib.sha256(html).hexdigest(), hashlib.sha256(pdf).hexdigest()}
    files = stored_files(seeded)
    assert len(files) >= 3
    for path in files:
        raw = path.read_bytes()
        assert not any(secret in raw for secret in secrets), path
        assert path.name not in hashes
        assert hashlib.sha256(raw).hexdigest() != path.name
    store = EncryptedBlobStore(blob_root(seeded), cipher_key(seeded.settings))
    assert store.get(scan_sha256) == SCAN


def test_a_damaged_result_document_is_a_409_problem_without_its_contents(
    client: TestClient, seeded: Container
) -> None:
    key, _ = file_and_decide(client, seeded)
    html = download(client, seeded, key, "html")
    store = EncryptedBlobStore(blob_root(seeded), cipher_key(seeded.settings))
    path = store.path(hashlib.sha256(html).hexdigest())
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    path.write_bytes(bytes(raw))
    response = client.get(
        f"/v1/applications/{key}/result",
        params={"format": "html"},
        headers=headers(seeded, citizen()),
    )
    assert response.status_code == 409, response.text
    problem = response.json()
    assert problem["type"] == "urn:yagona:problem:stored-file-damaged"
    assert problem["detail"] == (
        f"the html result document of application {key} is damaged in storage and is not served"
    )
    assert "Aziza" not in response.text
    assert download(client, seeded, key, "pdf")  # the other document is untouched
