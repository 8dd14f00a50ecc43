"""The key that encrypts personal data in events, and the pseudonym key derived from it."""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import os
import tempfile
from pathlib import Path

from infrastructure.settings import Settings, UnsafeConfiguration

KEY_SIZES = (16, 24, 32)


def new_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def _checked(encoded: str, source: str) -> str:
    try:
        raw = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise UnsafeConfiguration(f"{source} is not base64") from None
    if len(raw) not in KEY_SIZES:
        raise UnsafeConfiguration(f"{source} must decode to 16, 24 or 32 bytes, not {len(raw)}")
    return encoded.strip()


def key_file(settings: Settings) -> Path:
    """Where development keeps its cipher key when ``YAGONA_CIPHER_KEY`` is unset."""
    return settings.data_dir / "cipher.key"


def cipher_key(settings: Settings) -> str:
    """The base64 AES key: the configured one; in development, one kept in
    ``DATA_DIR/cipher.key`` (created on first use, readable by its owner only)."""
    if settings.cipher_key is not None:
        return _checked(settings.cipher_key.get_secret_value(), "YAGONA_CIPHER_KEY")
    if settings.is_production:
        raise UnsafeConfiguration("YAGONA_CIPHER_KEY is not set")
    path = key_file(settings)
    if not path.exists():
        # Written whole to a private temporary file, then linked into place: of processes
        # starting together (a worker and a seed), one key wins and all read that one.
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".cipher-")
        try:
            with os.fdopen(descriptor, "w") as file:
                file.write(new_key() + "\n")
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    return _checked(path.read_text(), str(path))


def derived_secret(encoded_cipher_key: str, purpose: str) -> str:
    """A secret for ``purpose`` derived from the cipher key (e.g. the sandbox's signatures)."""
    raw = base64.b64decode(encoded_cipher_key)
    return hmac.new(raw, f"yagona:{purpose}".encode(), hashlib.sha256).hexdigest()


def derived_key(encoded_cipher_key: str, purpose: str) -> bytes:
    """A 32-byte key for ``purpose`` (HMAC-SHA256 of ``yagona:<purpose>`` under the cipher
    key): each use gets its own key, and none of them reveals the cipher key."""
    return hmac.new(
        base64.b64decode(encoded_cipher_key), f"yagona:{purpose}".encode(), hashlib.sha256
    ).digest()


def key_in_file(path: Path) -> str:
    """The base64 AES key kept alone in ``path`` (as ``DATA_DIR/cipher.key`` is)."""
    try:
        text = path.read_text()
    except OSError as error:
        raise UnsafeConfiguration(f"{path}: cannot read the key ({error.strerror})") from None
    return _checked(text, str(path))


def pseudonym_key(encoded_cipher_key: str) -> bytes:
    """A separate key for citizens' pseudonyms in read models, derived from the cipher key."""
    return hmac.new(
        base64.b64decode(encoded_cipher_key), b"yagona:pseudonyms", hashlib.sha256
    ).digest()
