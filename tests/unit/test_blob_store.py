"""Files at rest: attachments and result documents are encrypted (AES-GCM) under names keyed
by the cipher key, read back only whole and unaltered, and found by their plaintext sha256."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from domain.errors import StoredFileDamaged
from infrastructure.blobs import HEADER_SIZE, MAGIC, EncryptedBlobStore
from infrastructure.keys import new_key

CONTENT = b"<html><p>Aziza Karimova, PINFL 31503901234567, is granted the certificate.</p>"
KEY = new_key()


def files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def legacy_put(root: Path, content: bytes) -> str:
    """A file as the clear-text store of earlier versions wrote it: ``ab/cd/<sha256>``."""
    sha256 = hashlib.sha256(content).hexdigest()
    path = root / sha256[:2] / sha256[2:4] / sha256
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return sha256


def test_a_stored_file_holds_no_plaintext_and_is_not_named_by_its_sha256(tmp_path: Path) -> None:
    store = EncryptedBlobStore(tmp_path, KEY)
    sha256 = store.put(CONTENT)
    assert sha256 == hashlib.sha256(CONTENT).hexdigest()  # callers still address it so
    [stored] = files(tmp_path)
    assert sha256 not in str(stored.relative_to(tmp_path))
    assert stored == tmp_path / stored.name[:2] / stored.name[2:4] / stored.name
    raw = stored.read_bytes()
    assert raw.startswith(MAGIC)
    for secret in (b"Aziza", b"Karimova", b"31503901234567", b"<html>"):
        assert secret not in raw
    assert len(raw) == HEADER_SIZE + len(CONTENT) + 16  # header, ciphertext, GCM tag
    assert store.get(sha256) == CONTENT


def test_names_depend_on_the_key_and_writing_twice_leaves_one_file(tmp_path: Path) -> None:
    first, second = (
        EncryptedBlobStore(tmp_path / "a", KEY),
        EncryptedBlobStore(tmp_path / "b", new_key()),
    )
    assert first.put(CONTENT) == first.put(CONTENT) == second.put(CONTENT)
    [a], [b] = files(tmp_path / "a"), files(tmp_path / "b")
    assert a.name != b.name
    assert second.get(hashlib.sha256(b"other").hexdigest()) is None


def test_each_write_has_its_own_nonce(tmp_path: Path) -> None:
    store = EncryptedBlobStore(tmp_path, KEY)
    sha256 = store.put(CONTENT)
    before = store.path(sha256).read_bytes()
    store.path(sha256).unlink()
    store.put(CONTENT)
    assert store.path(sha256).read_bytes() != before
    assert store.get(sha256) == CONTENT


@pytest.mark.parametrize("offset", [0, 5, HEADER_SIZE - 1, HEADER_SIZE + 3, -1])
def test_a_flipped_byte_anywhere_is_a_damaged_file_not_garbage(tmp_path: Path, offset: int) -> None:
    store = EncryptedBlobStore(tmp_path, KEY)
    sha256 = store.put(CONTENT)
    path = store.path(sha256)
    raw = bytearray(path.read_bytes())
    raw[offset] ^= 0x01
    path.write_bytes(bytes(raw))
    with pytest.raises(StoredFileDamaged, match="the stored file is damaged"):
        store.get(sha256)


def test_a_truncated_or_emptied_file_is_damaged(tmp_path: Path) -> None:
    store = EncryptedBlobStore(tmp_path, KEY)
    sha256 = store.put(CONTENT)
    for content in (store.path(sha256).read_bytes()[:-1], b""):
        store.path(sha256).write_bytes(content)
        with pytest.raises(StoredFileDamaged):
            store.get(sha256)


def test_a_file_copied_under_another_blobs_name_is_damaged(tmp_path: Path) -> None:
    store = EncryptedBlobStore(tmp_path, KEY)
    mine = store.put(CONTENT)
    theirs = store.put(b"%PDF-1.4 another citizen's passport scan")
    shutil.copyfile(store.path(mine), store.path(theirs))
    with pytest.raises(StoredFileDamaged, match="fails authentication"):
        store.get(theirs)
    assert store.get(mine) == CONTENT


def test_putting_the_same_bytes_again_repairs_a_damaged_file(tmp_path: Path) -> None:
    store = EncryptedBlobStore(tmp_path, KEY)
    sha256 = store.put(CONTENT)
    store.path(sha256).write_bytes(b"garbage")
    assert store.put(CONTENT) == sha256
    assert store.get(sha256) == CONTENT
    assert len(files(tmp_path)) == 1  # no partial write left behind


def test_a_file_under_a_key_not_configured_is_refused_and_a_previous_key_reads_it(
    tmp_path: Path,
) -> None:
    old = new_key()
    sha256 = EncryptedBlobStore(tmp_path, old).put(CONTENT)
    [stored] = files(tmp_path)
    # Under the new key alone the old key's file is not where the new key names it...
    assert EncryptedBlobStore(tmp_path, KEY).get(sha256) is None
    # ...and, found by its name, it is refused rather than read.
    with pytest.raises(StoredFileDamaged, match="key not configured"):
        EncryptedBlobStore(tmp_path, KEY).read(stored)
    assert EncryptedBlobStore(tmp_path, KEY, previous=[old]).get(sha256) == CONTENT


def test_clear_files_of_earlier_versions_are_read_until_migrated(tmp_path: Path) -> None:
    store = EncryptedBlobStore(tmp_path, KEY)
    sha256 = legacy_put(tmp_path, CONTENT)
    assert store.get(sha256) == CONTENT
    assert store.encrypted_copy(sha256) is None
    (tmp_path / sha256[:2] / sha256[2:4] / sha256).write_bytes(b"altered")
    with pytest.raises(StoredFileDamaged, match="clear-text file no longer matches"):
        store.get(sha256)


def test_a_blob_is_named_by_64_lowercase_hex_digits(tmp_path: Path) -> None:
    store = EncryptedBlobStore(tmp_path, KEY)
    for bad in ("../../etc/passwd", "AB" * 32, "a" * 63):
        with pytest.raises(ValueError, match="64 lowercase hex digits"):
            store.get(bad)
