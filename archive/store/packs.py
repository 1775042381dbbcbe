"""Small blobs as records in append-only pack files: a batch of the crawl's blobs costs one write and one
fsync instead of a temp file, a rename and two fsyncs each (benchmarks/crawl_speed.py: the file-per-blob
store's kernel work and the threads its fsyncs needed were most of the archiving spider's cost).

Layout, under DATA/blobs/packs/:
- `<name>.pack`: written by one process only (the name is unique: time, host, pid, random), opened for
  appending, never changed or truncated. A record is `b"GAB1" | sha256 (32 bytes) | size (8 bytes, little
  endian) | the bytes`, so the packs alone say what they hold (`PackIndex.rebuild` reads them back).
- `index.sqlite`: sha256 → (pack, offset of the bytes, size).

A batch is kept in this order: its records appended in one write, the pack fsynced (a new pack's folder too),
then its index rows committed (synchronous=FULL). A blob is returned as kept only after the commit. A kill
before it leaves bytes that no index row points to: never read, and harmless, since a writer never appends to
a pack it did not create (a torn tail is never written after).
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import sqlite3
import struct
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from archive.store.readonly import read_only_connection

logger = logging.getLogger(__name__)

MAGIC = b"GAB1"
HEADER = struct.Struct("<4s32sQ")  # magic, sha256, size
PACK_LIMIT = 1 << 30  # a new pack past this size: files a backup or a copy can handle one at a time
LOCK_TIMEOUT_S = 30.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS packs (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS packed (
    sha256 BLOB PRIMARY KEY,   -- the 32 bytes of the digest
    pack INTEGER NOT NULL REFERENCES packs(id),
    offset INTEGER NOT NULL,   -- where the bytes start (after the record's header)
    size INTEGER NOT NULL
) WITHOUT ROWID;
"""


class PackCorrupt(OSError):
    """A record's header does not say what the index says: the pack was changed behind the store's back."""


def _connect_rw(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=LOCK_TIMEOUT_S, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")  # a committed row must outlive a power loss: captures name it
    conn.executescript(SCHEMA)
    return conn


class PackIndex:
    """Where each packed blob is. Read-only unless `writable` (then created when absent, and rebuilt from
    the packs when they are there and it is not); safe to share between threads (one lock: lookups are
    microseconds)."""

    def __init__(self, folder: Path, writable: bool = False) -> None:
        self.folder = Path(folder)
        self.path = self.folder / "index.sqlite"
        self.writable = writable
        self._conn: sqlite3.Connection | None = None
        self._pid = os.getpid()
        self._lock = threading.RLock()
        self._names: dict[int, Path] = {}

    def _db(self) -> sqlite3.Connection | None:
        if self._pid != os.getpid():  # a forked child never uses its parent's connection (SQLite forbids it)
            self._conn, self._pid, self._lock = None, os.getpid(), threading.RLock()
        if self._conn is None:
            if self.writable:
                self.folder.mkdir(parents=True, exist_ok=True)
                lost = not self.path.exists() and any(self.folder.glob("*.pack"))
                self._conn = _connect_rw(self.path)
                if lost:  # packs without their index (deleted, or a folder copied without it): read them back
                    logger.warning(
                        "%s: the pack index is missing; rebuilt it: %d blobs", self.folder, self.rebuild()
                    )
            elif self.path.is_file():  # no index: nothing was ever packed here
                self._conn = read_only_connection(self.path, LOCK_TIMEOUT_S)
                self._conn.execute("SELECT 1 FROM packed LIMIT 1")
        return self._conn

    def locate(self, sha256: str) -> tuple[Path, int, int] | None:
        """(pack file, offset of the bytes, size), or None when not packed."""
        try:
            key = bytes.fromhex(sha256)
        except ValueError:
            return None
        with self._lock:
            db = self._db()
            if db is None:
                return None
            row = db.execute("SELECT pack, offset, size FROM packed WHERE sha256 = ?", (key,)).fetchone()
            if row is None:
                return None
            pack, offset, size = row
            if pack not in self._names:
                name = db.execute("SELECT name FROM packs WHERE id = ?", (pack,)).fetchone()[0]
                self._names[pack] = self.folder / name
        return self._names[pack], offset, size

    def held(self, keys: list[bytes]) -> set[bytes]:
        """Which of these digests (32 bytes each) are packed already."""
        out: set[bytes] = set()
        with self._lock:
            db = self._db()
            if db is None:
                return out
            for i in range(0, len(keys), 500):  # under SQLite's bound on parameters
                part = keys[i : i + 500]
                marks = ",".join("?" * len(part))
                out.update(
                    r[0] for r in db.execute(f"SELECT sha256 FROM packed WHERE sha256 IN ({marks})", part)
                )
        return out

    def add_pack(self, name: str) -> int:
        with self._lock:
            db = self._db()
            assert db is not None
            return int(db.execute("INSERT INTO packs(name) VALUES (?) RETURNING id", (name,)).fetchone()[0])

    def add(self, pack: int, rows: list[tuple[bytes, int, int]]) -> None:
        """(sha256, offset, size) of records already durable in the pack, committed at once."""
        with self._lock:
            db = self._db()
            assert db is not None
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany(
                    "INSERT OR IGNORE INTO packed(sha256, pack, offset, size) VALUES (?, ?, ?, ?)",
                    [(sha, pack, offset, size) for sha, offset, size in rows],
                )
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def rebuild(self) -> int:
        """Index every whole record of every pack (after the index was lost or a pack copied in from
        elsewhere); returns how many rows were added. A torn tail ends a pack's reading."""
        added = 0
        for pack_path in sorted(self.folder.glob("*.pack")):
            with self._lock:
                db = self._db()
                assert db is not None
                row = db.execute("SELECT id FROM packs WHERE name = ?", (pack_path.name,)).fetchone()
            pack = int(row[0]) if row else self.add_pack(pack_path.name)
            rows = [(bytes.fromhex(sha), offset, size) for sha, offset, size in records(pack_path)]
            before = self.count()
            self.add(pack, rows)
            added += self.count() - before
        return added

    def digests(self) -> list[str]:
        """Every packed blob's sha256."""
        with self._lock:
            db = self._db()
            return [] if db is None else [r[0].hex() for r in db.execute("SELECT sha256 FROM packed")]

    def count(self) -> int:
        with self._lock:
            db = self._db()
            return 0 if db is None else int(db.execute("SELECT count(*) FROM packed").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn = None


def records(pack: Path) -> Iterator[tuple[str, int, int]]:
    """(sha256, offset, size) of each whole record in a pack, in order; stops at a torn or foreign tail."""
    end = pack.stat().st_size
    with open(pack, "rb") as f:
        pos = 0
        while pos + HEADER.size <= end:
            f.seek(pos)
            magic, digest, size = HEADER.unpack(f.read(HEADER.size))
            start = pos + HEADER.size
            if magic != MAGIC or start + size > end:
                return
            yield digest.hex(), start, size
            pos = start + size


def read_record(pack: Path, offset: int, size: int, sha256: str) -> bytes:
    """The bytes of one record, its header checked against what the index said."""
    fd = os.open(pack, os.O_RDONLY | os.O_CLOEXEC)
    try:
        data = os.pread(fd, HEADER.size + size, offset - HEADER.size)
    finally:
        os.close(fd)
    magic, digest, length = HEADER.unpack_from(data)
    if magic != MAGIC or digest.hex() != sha256 or length != size or len(data) != HEADER.size + size:
        raise PackCorrupt(f"{pack}: the record at {offset} is not {sha256}")
    return data[HEADER.size :]


class PackWriter:
    """Appends batches to this process's own pack; one batch at a time (the crawl's group commit)."""

    def __init__(self, index: PackIndex) -> None:
        self.index = index
        self.folder = index.folder
        self._fd: int | None = None
        self._pack = 0
        self._end = 0
        self._pid = os.getpid()

    def _open(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        host = quote(socket.gethostname(), safe="")[:40]
        name = f"{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{host}-{os.getpid()}-{secrets.token_hex(4)}.pack"
        path = self.folder / name
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | os.O_CLOEXEC, 0o444)
        dfd = os.open(self.folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dfd)  # the new pack's name survives a power loss before any row names it
        finally:
            os.close(dfd)
        self._pack = self.index.add_pack(name)
        self._end = 0
        self._pid = os.getpid()

    def put(self, blobs: list[tuple[bytes, bytes]]) -> None:
        """Append (sha256 digest, bytes) records; durable and indexed when this returns. On an error
        nothing of the batch is indexed (its bytes may stay in the pack, unread)."""
        if not blobs:
            return
        if self._fd is None or self._end >= PACK_LIMIT or self._pid != os.getpid():
            self.close()
            self._open()
        assert self._fd is not None
        parts: list[bytes] = []
        rows: list[tuple[bytes, int, int]] = []
        pos = self._end
        for digest, data in blobs:
            parts.append(HEADER.pack(MAGIC, digest, len(data)))
            parts.append(data)
            rows.append((digest, pos + HEADER.size, len(data)))
            pos += HEADER.size + len(data)
        try:
            view = memoryview(b"".join(parts))
            while view:
                view = view[os.write(self._fd, view) :]
            os.fsync(self._fd)
        except BaseException:
            self.close()  # the tail may be torn: the next batch starts a new pack
            raise
        self._end = pos
        self.index.add(self._pack, rows)

    def close(self) -> None:
        if self._fd is not None and self._pid == os.getpid():
            os.close(self._fd)
        self._fd = None
