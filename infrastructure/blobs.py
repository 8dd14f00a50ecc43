"""Attachments and result documents at rest: encrypted with AES-GCM, under keyed names.

Callers address a blob by the sha256 of its bytes (events record it; citizens and verifiers
use it as an integrity value). On disk nothing shows it:

- the file's name is HMAC-SHA256(name key, the sha256's 32 bytes) in hex, sharded as
  ``ab/cd/abcd…``: without the key a name says nothing about the content, and a guessed
  document cannot be confirmed by hashing it;
- its content is ``YGNB`` + version (1 byte) + key id (8 bytes) + a random 12-byte nonce,
  then the AES-256-GCM ciphertext and tag; the associated data is that header and the
  file's name, so an altered byte, a changed header or a file copied under another blob's
  name fails authentication.

The name key, the content key and the key id are derived from the cipher key
(``keys.derived_key``, one HMAC purpose each), so one configured secret serves events and
files while no two algorithms share a key. Files written by earlier versions (clear text
named by their own sha256) are still read, with a warning, until ``yagona blobs migrate``
has encrypted them (``infrastructure/blob_migration.py``).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

import structlog
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from domain.errors import StoredFileDamaged
from infrastructure.keys import cipher_key, derived_key
from infrastructure.settings import Settings

MAGIC = b"YGNB"
VERSION = 1
KEY_ID_SIZE = 8
NONCE_SIZE = 12
HEADER_SIZE = len(MAGIC) + 1 + KEY_ID_SIZE + NONCE_SIZE
TAG_SIZE = 16
HEX64 = re.compile(r"[0-9a-f]{64}")
PARTIAL_PREFIX = ".incoming-"
log = structlog.get_logger(__name__)


class BlobKey:
    """One cipher key's three derived parts: the name key, the content key, the key id."""

    def __init__(self, encoded_cipher_key: str) -> None:
        self.key_id = derived_key(encoded_cipher_key, "blobs:key-id")[:KEY_ID_SIZE]
        self._names = derived_key(encoded_cipher_key, "blobs:names")
        self._aead = AESGCM(derived_key(encoded_cipher_key, "blobs:contents"))

    def name(self, sha256: str) -> str:
        """The file name of the blob whose bytes hash to ``sha256``."""
        return hmac.new(self._names, bytes.fromhex(sha256), hashlib.sha256).hexdigest()

    def seal(self, name: str, plaintext: bytes) -> bytes:
        header = MAGIC + bytes([VERSION]) + self.key_id + os.urandom(NONCE_SIZE)
        return header + self._aead.encrypt(header[-NONCE_SIZE:], plaintext, header + name.encode())

    def unseal(self, name: str, stored: bytes) -> bytes:
        """The plaintext of ``stored`` (a file named ``name``); ``InvalidTag`` if it fails."""
        header = stored[:HEADER_SIZE]
        return self._aead.decrypt(
            header[-NONCE_SIZE:], stored[HEADER_SIZE:], header + name.encode()
        )


def key_id_of(stored: bytes) -> bytes | None:
    """The key id in an encrypted file's header, or None if ``stored`` has no header."""
    if len(stored) < HEADER_SIZE + TAG_SIZE or not stored.startswith(MAGIC):
        return None
    if stored[len(MAGIC)] != VERSION:
        return None
    return stored[len(MAGIC) + 1 : len(MAGIC) + 1 + KEY_ID_SIZE]


def sharded(root: Path, name: str) -> Path:
    return root / name[:2] / name[2:4] / name


def write_atomically(path: Path, data: bytes) -> None:
    """``data`` appears at ``path`` whole or not at all (written, flushed, then renamed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=PARTIAL_PREFIX)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class DamagedBlob(StoredFileDamaged):
    """``StoredFileDamaged`` with the file (relative to the store's root) and the reason."""

    def __init__(self, file: str, reason: str) -> None:
        super().__init__(f"the stored file is damaged: {reason}; restore it from a backup")
        self.file = file
        self.reason = reason


def damaged(path: Path, root: Path, reason: str) -> DamagedBlob:
    """The error for a file that fails its checks, logged by its (keyed) name only."""
    file = str(path.relative_to(root))
    log.error("blob.damaged", file=file, reason=reason)
    return DamagedBlob(file, reason)


class EncryptedBlobStore:
    """Files under ``root`` encrypted with ``key`` (a base64 cipher key). Files encrypted
    with one of ``previous`` keys are read as well (and re-encrypted by ``yagona blobs
    migrate``). Writing the same bytes twice leaves one file."""

    def __init__(self, root: Path, key: str, previous: Sequence[str] = ()) -> None:
        self.root = root
        self.key = BlobKey(key)
        self.keys = {self.key.key_id: self.key}  # the current key first, then the others
        for encoded in previous:
            older = BlobKey(encoded)
            self.keys.setdefault(older.key_id, older)

    def path(self, sha256: str, key: BlobKey | None = None) -> Path:
        """Where the blob ``sha256`` is kept under ``key`` (by default the current one)."""
        if not HEX64.fullmatch(sha256):
            raise ValueError("a blob is named by 64 lowercase hex digits")
        return sharded(self.root, (key or self.key).name(sha256))

    def put(self, content: bytes) -> str:
        sha256 = hashlib.sha256(content).hexdigest()
        path = self.path(sha256)
        if path.exists():
            try:
                if self.read(path) == content:
                    return sha256
            except (StoredFileDamaged, FileNotFoundError):
                pass  # the same bytes, written again below, repair it
        write_atomically(path, self.key.seal(path.name, content))
        return sha256

    def get(self, sha256: str) -> bytes | None:
        """The bytes whose sha256 is ``sha256``, None if no file holds them; a file that
        fails its checks raises ``StoredFileDamaged`` (never returns other bytes)."""
        content = self._encrypted(sha256)
        if content is None:
            content = self._clear(sha256)
        if content is None:  # migrated between the two looks
            content = self._encrypted(sha256)
        return content

    def encrypted_copy(self, sha256: str) -> bytes | None:
        """The bytes of ``sha256`` as the current key's file holds them (no other file)."""
        try:
            content = self.read(self.path(sha256))
        except FileNotFoundError:
            return None
        return self._checked(content, sha256, self.path(sha256))

    def _encrypted(self, sha256: str) -> bytes | None:
        for key in self.keys.values():
            path = self.path(sha256, key)
            try:
                content = self.read(path)
            except FileNotFoundError:
                continue
            return self._checked(content, sha256, path)
        return None

    def _checked(self, content: bytes, sha256: str, path: Path) -> bytes:
        if hashlib.sha256(content).hexdigest() != sha256:
            raise damaged(path, self.root, "its content does not match the requested sha256")
        return content

    def _clear(self, sha256: str) -> bytes | None:
        """A clear-text file an earlier version wrote, named by its own sha256."""
        path = sharded(self.root, sha256)
        try:
            content = path.read_bytes()
        except FileNotFoundError:
            return None
        if hashlib.sha256(content).hexdigest() != sha256:
            raise damaged(path, self.root, "a clear-text file no longer matches its name")
        log.warning("blob.clear_text", hint="run `yagona blobs migrate` to encrypt it")
        return content

    def read(self, path: Path) -> bytes:
        """The plaintext of the encrypted file at ``path``, checked against its name."""
        content, _ = self.open(path)
        return content

    def open(self, path: Path) -> tuple[bytes, BlobKey]:
        """The plaintext of the encrypted file at ``path`` and the key it is under; raises
        ``StoredFileDamaged`` for a file that fails its checks, ``FileNotFoundError`` for
        none."""
        stored = path.read_bytes()
        key_id = key_id_of(stored)
        if key_id is None:
            raise damaged(path, self.root, "it is not an encrypted file of this store")
        key = self.keys.get(key_id)
        if key is None:
            raise damaged(
                path, self.root, f"it is encrypted with a key not configured (id {key_id.hex()})"
            )
        try:
            content = key.unseal(path.name, stored)
        except InvalidTag:
            raise damaged(
                path, self.root, "it fails authentication (altered, or under another file's name)"
            ) from None
        if key.name(hashlib.sha256(content).hexdigest()) != path.name:
            raise damaged(path, self.root, "its content does not belong under its name")
        return content, key


def blob_store(settings: Settings, previous: Sequence[str] = ()) -> EncryptedBlobStore:
    """The configured store: ``DATA_DIR/blobs``, encrypted with the cipher key."""
    return EncryptedBlobStore(settings.data_dir / "blobs", cipher_key(settings), previous)
