"""``yagona blobs migrate`` encrypts the clear-text files earlier versions wrote, re-keys
files under a previous key, reports damaged ones, and a second run changes nothing."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from typer.testing import CliRunner

from api.cli import app as cli
from infrastructure.blob_migration import blob_files, migrate_blobs
from infrastructure.blobs import EncryptedBlobStore
from infrastructure.keys import new_key
from tests.unit.test_blob_store import files, legacy_put

KEY = new_key()
DOCUMENTS = [f"%PDF-1.4 passport of Aziza Karimova, page {n}".encode() for n in range(5)]


def migrate(store: EncryptedBlobStore, *, dry_run: bool = False) -> str:
    return migrate_blobs(store, blob_files(store.root), dry_run=dry_run).summary(dry_run=dry_run)


def assert_no_clear_text(root: Path) -> None:
    for path in files(root):
        raw = path.read_bytes()
        assert b"Aziza" not in raw, path
        assert hashlib.sha256(raw).hexdigest() != path.name, path


def test_clear_files_are_encrypted_in_place_and_a_second_run_does_nothing(tmp_path: Path) -> None:
    hashes = [legacy_put(tmp_path, d) for d in DOCUMENTS]
    store = EncryptedBlobStore(tmp_path, KEY)
    store.put(b"%PDF-1.4 written encrypted already")
    assert migrate(store, dry_run=True) == "would migrate 5, already encrypted 1, damaged 0"
    assert len([p for p in files(tmp_path) if p.name in hashes]) == 5  # a dry run changes nothing
    assert migrate(store) == "migrated 5, already encrypted 1, damaged 0"
    assert_no_clear_text(tmp_path)
    assert len(files(tmp_path)) == 6
    assert [store.encrypted_copy(h) for h in hashes] == DOCUMENTS
    assert migrate(store) == "migrated 0, already encrypted 6, damaged 0"


def test_a_run_stopped_after_writing_resumes_without_loss(tmp_path: Path) -> None:
    sha256 = legacy_put(tmp_path, DOCUMENTS[0])
    store = EncryptedBlobStore(tmp_path, KEY)
    store.put(DOCUMENTS[0])  # the encrypted copy was written, the clear one not yet removed
    assert migrate(store) == "migrated 1, already encrypted 1, damaged 0"
    assert migrate(store) == "migrated 0, already encrypted 1, damaged 0"
    assert store.get(sha256) == DOCUMENTS[0]


def test_damaged_files_are_reported_by_path_and_kept(tmp_path: Path) -> None:
    store = EncryptedBlobStore(tmp_path, KEY)
    good, bad = store.put(DOCUMENTS[0]), store.put(DOCUMENTS[1])
    sealed = store.path(bad).read_bytes()
    store.path(bad).write_bytes(sealed[:-1] + bytes([sealed[-1] ^ 0x01]))  # always a change
    clear = legacy_put(tmp_path, DOCUMENTS[2])
    (tmp_path / clear[:2] / clear[2:4] / clear).write_bytes(b"%PDF-1.4 altered")
    report = migrate_blobs(store, blob_files(tmp_path))
    assert report.summary() == "migrated 0, already encrypted 1, damaged 2"
    assert sorted(d.path for d in report.damaged) == sorted(
        [str(store.path(bad).relative_to(tmp_path)), f"{clear[:2]}/{clear[2:4]}/{clear}"]
    )
    assert all("Aziza" not in d.reason for d in report.damaged)
    assert store.get(good) == DOCUMENTS[0]
    assert len(files(tmp_path)) == 3


def test_files_under_a_previous_key_are_re_encrypted_with_the_current_one(tmp_path: Path) -> None:
    old = new_key()
    sha256 = EncryptedBlobStore(tmp_path, old).put(DOCUMENTS[0])
    assert migrate(EncryptedBlobStore(tmp_path, KEY)).endswith("damaged 1")  # old key not given
    store = EncryptedBlobStore(tmp_path, KEY, previous=[old])
    assert migrate(store) == "migrated 0, re-encrypted 1, already encrypted 0, damaged 0"
    assert EncryptedBlobStore(tmp_path, KEY).get(sha256) == DOCUMENTS[0]  # no old key needed
    assert len(files(tmp_path)) == 1


def test_stale_partial_writes_are_removed_and_other_files_left_alone(tmp_path: Path) -> None:
    store = EncryptedBlobStore(tmp_path, KEY)
    shard = tmp_path / "ab" / "cd"
    shard.mkdir(parents=True)
    (shard / ".incoming-fresh").write_bytes(b"being written")
    (shard / ".incoming-stale").write_bytes(b"%PDF-1.4 half of Aziza's")
    os.utime(shard / ".incoming-stale", (0, 0))
    (shard / "README").write_bytes(b"an operator's note")
    assert migrate(store) == (
        "migrated 0, already encrypted 0, damaged 0, removed 1 stale partial writes, "
        "skipped 1 files that are not blobs"
    )
    assert sorted(p.name for p in files(tmp_path)) == [".incoming-fresh", "README"]


def test_the_command_migrates_and_prints_counts_only(tmp_path: Path) -> None:
    root = tmp_path / "blobs"
    hashes = [legacy_put(root, d) for d in DOCUMENTS]
    previous = tmp_path / "old.key"
    old = new_key()
    previous.write_text(old + "\n")
    EncryptedBlobStore(root, old).put(b"%PDF-1.4 under the old key")
    env = {
        "YAGONA_DATA_DIR": str(tmp_path),
        "YAGONA_CIPHER_KEY": KEY,
        "YAGONA_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none",  # never connected
    }
    runner = CliRunner()
    args = ["blobs", "migrate", "--previous-key-file", str(previous)]
    first = runner.invoke(cli, args, env=env)
    assert first.exit_code == 0, first.output
    assert first.stdout.strip() == "migrated 5, re-encrypted 1, already encrypted 0, damaged 0"
    assert "Aziza" not in first.output
    assert not any(h in first.output for h in hashes)
    assert_no_clear_text(root)
    again = runner.invoke(cli, ["blobs", "migrate"], env=env)
    assert again.stdout.strip() == "migrated 0, already encrypted 6, damaged 0"
    missing = runner.invoke(cli, [*args[:3], str(tmp_path / "absent.key")], env=env)
    assert missing.exit_code == 2
    assert "cannot read the key" in missing.output
