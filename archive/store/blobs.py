"""Content-addressed, append-only store of raw bytes: DATA/blobs/sha256/ab/cd/<sha256>.

Bytes are streamed into a temporary file in the store's own directory while SHA-256 is computed, fsynced,
then renamed into place, so a path under `sha256/` always holds complete bytes (a crash leaves at most an
orphan in `tmp/`, swept on open). A blob is never rewritten: a second put of the same bytes is a no-op.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

CHUNK = 1 << 20


class BlobTooLarge(Exception):
    """The stream went past the store's size cap; nothing was kept."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"larger than the size cap of {limit} bytes")
        self.limit = limit


class BlobWriter:
    """Receives chunks, hashes them on the way to a temp file; `commit()` moves the file into place."""

    def __init__(self, store: BlobStore, max_bytes: int | None) -> None:
        self._store = store
        self._max = max_bytes
        self._hash = hashlib.sha256()
        self.size = 0
        fd, name = tempfile.mkstemp(dir=store.tmp_dir, prefix="part-")
        self._tmp = Path(name)
        self._file: BinaryIO = os.fdopen(fd, "wb")

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self._max is not None and self.size > self._max:
            self.abort()
            raise BlobTooLarge(self._max)
        self._hash.update(chunk)
        self._file.write(chunk)

    def commit(self) -> str:
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            sha = self._hash.hexdigest()
            final = self._store.path(sha)
            if final.exists():
                self._tmp.unlink()
            else:
                final.parent.mkdir(parents=True, exist_ok=True)
                os.chmod(self._tmp, 0o444)
                os.replace(self._tmp, final)
        except BaseException:  # a full disk at flush or fsync: nothing half-written stays behind
            self.abort()
            raise
        return sha

    def abort(self) -> None:
        if not self._file.closed:
            with contextlib.suppress(OSError):  # closing flushes, which fails again on a full disk
                self._file.close()
        self._tmp.unlink(missing_ok=True)


def blob_path(root: Path, sha256: str) -> Path:
    """The path layout of the store, for readers that must not create or sweep anything (a server)."""
    return Path(root) / "sha256" / sha256[:2] / sha256[2:4] / sha256


class BlobStore:
    def __init__(self, root: Path, max_bytes: int | None = None) -> None:
        self.root = Path(root)
        self.max_bytes = max_bytes
        self.tmp_dir = self.root / "tmp"
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        (self.root / "sha256").mkdir(exist_ok=True)
        self.sweep_orphans()

    def path(self, sha256: str) -> Path:
        return blob_path(self.root, sha256)

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def writer(self) -> BlobWriter:
        return BlobWriter(self, self.max_bytes)

    def put_chunks(self, chunks: Iterable[bytes]) -> tuple[str, int]:
        writer = self.writer()
        try:
            for chunk in chunks:
                writer.write(chunk)
        except BaseException:
            writer.abort()
            raise
        return writer.commit(), writer.size

    def put_bytes(self, data: bytes) -> tuple[str, int]:
        view = memoryview(data)
        return self.put_chunks(bytes(view[i : i + CHUNK]) for i in range(0, len(data), CHUNK))

    def put_file(self, path: Path) -> tuple[str, int]:
        with open(path, "rb") as f:
            return self.put_chunks(iter(lambda: f.read(CHUNK), b""))

    def read(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    def sweep_orphans(self, older_than_s: float = 3600) -> int:
        """Temp files of a crashed run are never referenced: drop those older than `older_than_s` (0 when the
        caller holds the data folder's run lock; otherwise the age spares a concurrent writer's)."""
        cutoff = time.time() - older_than_s
        removed = 0
        for p in self.tmp_dir.glob("part-*"):
            try:
                if older_than_s <= 0 or p.stat().st_mtime < cutoff:
                    p.unlink()
                    removed += 1
            except FileNotFoundError:
                pass
        return removed
