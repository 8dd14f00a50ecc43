"""The Ed25519 key case exports are signed with (``application.export_proof.ExportSigner``)
and the check of such a signature (``SignatureCheck``), on the ``cryptography`` package.

The key is ``YAGONA_EXPORT_SIGNING_KEY`` (base64 of a 32-byte Ed25519 seed, e.g. from
``yagona keygen``); unset, it is derived from the cipher key (HMAC-SHA256 of it for the
purpose ``export-signing``), so every process of an installation signs with the same key
and development needs nothing set. Rotating it: set a new ``YAGONA_EXPORT_SIGNING_KEY``;
each manifest names the id of the key that signed it (docs/security.md)."""

from __future__ import annotations

import base64
import binascii

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from application.export_proof import ExportKey
from infrastructure.keys import cipher_key, derived_key
from infrastructure.settings import Settings, UnsafeConfiguration

SEED_BYTES = 32
PURPOSE = "export-signing"


class Ed25519ExportSigner:
    """Signs with one Ed25519 private key; only its public half leaves this object."""

    def __init__(self, seed: bytes) -> None:
        if len(seed) != SEED_BYTES:
            raise ValueError(f"an Ed25519 seed is {SEED_BYTES} bytes, not {len(seed)}")
        self._private = Ed25519PrivateKey.from_private_bytes(seed)
        public = self._private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self._key = ExportKey(public)

    @property
    def key(self) -> ExportKey:
        return self._key

    def sign(self, message: bytes) -> bytes:
        return self._private.sign(message)

    def __repr__(self) -> str:  # never the private key
        return f"Ed25519ExportSigner(key_id={self._key.key_id!r})"


def ed25519_check(public_key: bytes, signature: bytes, message: bytes) -> bool:
    """Whether ``signature`` is ``public_key``'s Ed25519 signature of ``message``."""
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def signing_seed(encoded: str, source: str) -> bytes:
    """A base64 Ed25519 seed as configured (``UnsafeConfiguration`` naming ``source``)."""
    try:
        raw = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise UnsafeConfiguration(f"{source} is not base64") from None
    if len(raw) != SEED_BYTES:
        raise UnsafeConfiguration(f"{source} must decode to {SEED_BYTES} bytes, not {len(raw)}")
    return raw


def export_signer(settings: Settings) -> Ed25519ExportSigner:
    """The configured signing key; unset, the one derived from the cipher key."""
    if settings.export_signing_key is not None:
        seed = signing_seed(
            settings.export_signing_key.get_secret_value(), "YAGONA_EXPORT_SIGNING_KEY"
        )
    else:
        seed = derived_key(cipher_key(settings), PURPOSE)
    return Ed25519ExportSigner(seed)
