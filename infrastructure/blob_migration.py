"""``yagona blobs migrate``: encrypt the clear-text files earlier versions wrote, and move
files encrypted with a previous key under the current one.

Each file is rewritten through the store (encrypted, under its keyed name), read back and
checked, and only then is the old file removed: a run stopped at any point loses nothing,
and the next run finishes the work (a second run changes nothing). File contents are never
printed; a damaged file is reported by its path under ``DATA_DIR/blobs`` (a hash, no name).
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from infrastructure.blobs import HEX64, PARTIAL_PREFIX, DamagedBlob, EncryptedBlobStore, sharded

# A partial write (``.incoming-…``) older than this was left by a process that stopped
# mid-write: its content was never stored, and under earlier versions it was clear text.
STALE_PARTIAL_SECONDS = 3600


@dataclass(frozen=True)
class DamagedFile:
    path: str  # relative to the store's root
    reason: str


@dataclass
class MigrationReport:
    migrated: int = 0  # clear-text files now encrypted
    reencrypted: int = 0  # files under a previous key now under the current one
    encrypted: int = 0  # already encrypted with the current key: left as they are
    partial: int = 0  # stale partial writes removed
    skipped: int = 0  # files that are not the store's (left alone)
    damaged: list[DamagedFile] = field(default_factory=list)

    def summary(self, *, dry_run: bool = False) -> str:
        verb = "would migrate" if dry_run else "migrated"
        parts = [f"{verb} {self.migrated}"]
        if self.reencrypted:
            parts.append(f"{'would re-encrypt' if dry_run else 're-encrypted'} {self.reencrypted}")
        parts += [f"already encrypted {self.encrypted}", f"damaged {len(self.damaged)}"]
        if self.partial:
            verb = "would remove" if dry_run else "removed"
            parts.append(f"{verb} {self.partial} stale partial writes")
        if self.skipped:
            parts.append(f"skipped {self.skipped} files that are not blobs")
        return ", ".join(parts)


def blob_files(root: Path) -> list[Path]:
    """Every file in the store's shard folders (``ab/cd/…``), in a stable order."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.glob("*/*/*") if p.is_file())


def migrate_blobs(
    store: EncryptedBlobStore,
    files: list[Path],
    *,
    dry_run: bool = False,
    advance: Callable[[], None] = lambda: None,
    now: Callable[[], float] = time.time,
) -> MigrationReport:
    """Bring each of ``files`` (from ``blob_files``) under the current key; ``advance`` is
    called after each one (a progress bar)."""
    report = MigrationReport()
    for path in files:
        # gone meanwhile: a concurrent run, or a partial write renamed into place
        with contextlib.suppress(FileNotFoundError):
            _migrate_one(store, path, report, dry_run=dry_run, now=now)
        advance()
    return report


def _migrate_one(
    store: EncryptedBlobStore,
    path: Path,
    report: MigrationReport,
    *,
    dry_run: bool,
    now: Callable[[], float],
) -> None:
    if path.name.startswith(PARTIAL_PREFIX):
        if now() - path.stat().st_mtime > STALE_PARTIAL_SECONDS:
            if not dry_run:
                path.unlink()
            report.partial += 1
        return
    if not HEX64.fullmatch(path.name):
        report.skipped += 1
        return
    content = path.read_bytes()
    try:
        if hashlib.sha256(content).hexdigest() == path.name and path == sharded(
            store.root, path.name
        ):
            if not dry_run:
                _rewrite(store, path, content)
            report.migrated += 1
            return
        content, key = store.open(path)
        if key is store.key:
            report.encrypted += 1
            return
        if not dry_run:
            _rewrite(store, path, content)
        report.reencrypted += 1
    except DamagedBlob as error:
        report.damaged.append(DamagedFile(error.file, error.reason))


def _rewrite(store: EncryptedBlobStore, old: Path, content: bytes) -> None:
    """Store ``content`` under the current key, check it reads back, then remove ``old``
    (kept, and reported damaged, if the new file does not read back as ``content``)."""
    sha256 = store.put(content)
    new = store.path(sha256)
    if store.encrypted_copy(sha256) != content:
        raise DamagedBlob(str(new.relative_to(store.root)), "its new copy does not read back")
    if new != old:
        old.unlink()
