"""Small blobs as records in append-only pack files: a batch of the crawl's blobs costs one write and one
fsync instead of a temp file, a rename and two fsyncs each (benchmarks/blob_batches.py, crawl_speed.py: the
file-per-blob store's kernel work and the threads its fsyncs needed were most of the archiving spider's cost).

Layout, under DATA/blobs/packs/:
- `<name>.pack`: written by one process only (the name is unique: time, host, pid, random), opened for
  appending, never changed or truncated. A record is `b"GAB1" | sha256 (32 bytes) | size (8 bytes, little
  endian) | the bytes`, so the packs alone say what they hold.
- `index.sqlite`: sha256 → (pack, offset of the bytes, size), and each pack's indexed end (`packs`). Derived
  from the packs, and caught up with them whenever a writer opens it. While a writer has it open it is in WAL
  mode with synchronous=NORMAL, as the corpus is: a commit appends the batch's pages to the WAL with no fsync
  and no journal file made and deleted (a rollback journal with synchronous=FULL cost three fsyncs a batch and
  most of the blob store's kernel time, benchmarks/blob_batches.py). A power loss may take the last commits,
  but rows and the pack's indexed end are one transaction and go together, so the next writer's catch-up
  finds those records again in the pack, which was fsynced before them (until a writer opens it, readers see
  those blobs as missing: the corpus, also synchronous=NORMAL, may have kept captures naming them). When a
  writer closes it and no other connection has it open, it goes back to a rollback journal (`close`): at rest
  it opens read-only where nothing can be written, and a reader creates nothing. Left in WAL mode (a reader
  had it open, the writer was killed), a read-only mount that lacks its `-shm` file is read as `immutable`,
  without the WAL's last commits. A hot journal a killed writer left is rolled back by the next opener that
  can write the folder, a reader too.

A batch is kept in this order: its pack registered (a new pack only), its records appended in one write,
the pack fsynced (a new pack's folder too), then its index rows committed. A blob is returned as kept only
after the commit; the corpus names it only after that. A writer never appends to a pack it did not create, so
a torn tail is never written after.

Catching up, when a writer opens the index: every pack is read back from its indexed end (all of a pack the
index never registered: the index lost, emptied or damaged and moved aside, a rebuild cut short, a pack copied
in), each record checked against its digest (a header whose bytes never reached the disk ends the reading), the
pack fsynced, then its rows and new end committed together. So rows a power loss took from the index, and bytes
a killed writer appended but never indexed, are indexed again; a record is never indexed before it is durable.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import secrets
import socket
import sqlite3
import struct
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

from archive.store.faults import LOCK_TIMEOUT_S
from archive.store.readonly import read_only_connection

logger = logging.getLogger(__name__)
_T = TypeVar("_T")

MAGIC = b"GAB1"
HEADER = struct.Struct("<4s32sQ")  # magic, sha256, size
PACK_LIMIT = 1 << 30  # a new pack past this size: files a backup or a copy can handle one at a time

SCHEMA = """
CREATE TABLE IF NOT EXISTS packs (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    indexed_end INTEGER NOT NULL DEFAULT 0  -- the pack's bytes up to here are indexed: read back from here
);
CREATE TABLE IF NOT EXISTS packed (
    sha256 BLOB PRIMARY KEY,   -- the 32 bytes of the digest
    pack INTEGER NOT NULL REFERENCES packs(id),
    offset INTEGER NOT NULL,   -- where the bytes start (after the record's header)
    size INTEGER NOT NULL
) WITHOUT ROWID;
"""


class PackCorrupt(OSError):
    """A record's header does not say what the index says: the pack was changed behind the store's back."""


class PackIndexError(OSError):
    """The pack index failed: errno ENOSPC (full), EROFS (read-only), EBUSY (locked by another process) or
    EIO (damaged), so that callers treat it as they treat the data folder's other file errors."""


def _index_error(path: Path, exc: sqlite3.Error) -> PackIndexError:
    text = str(exc).lower()
    if "full" in text:
        code = errno.ENOSPC
    elif "readonly" in text or "read-only" in text:
        code = errno.EROFS
    elif "locked" in text or "busy" in text:
        code = errno.EBUSY
    else:
        code = errno.EIO
    return PackIndexError(code, f"blob index: {exc}", str(path))


def _file_id(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_dev, st.st_ino


def fsync_folder(folder: Path) -> None:
    """A rename or a new entry in `folder` made durable (an fsync of the file alone does not)."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _unindexed_from(pack: Path, ends: dict[str, int]) -> int | None:
    """Where a pack's bytes past its indexed end start (0: a pack the index never registered), or None
    when the index has read all of it."""
    if pack.name not in ends:
        return 0
    end = ends[pack.name]
    return end if pack.stat().st_size > end else None


def _make_folder(folder: Path) -> None:
    """`folder` and its entry in its parent, durable."""
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        fsync_folder(folder.parent)


class PackIndex:
    """Where each packed blob is. Reads use a read-only connection (nothing is created, also on a read-only
    file system); the first write of a `writable` index opens it for writing, creating it or catching it
    up with the packs on disk. Safe to share between threads: one lock, lookups are microseconds."""

    def __init__(self, folder: Path, writable: bool = False) -> None:
        self.folder = Path(folder)
        self.path = self.folder / "index.sqlite"
        self.writable = writable
        self._ro: sqlite3.Connection | None = None
        self._rw: sqlite3.Connection | None = None
        self._ro_file: tuple[int, int] | None = None  # (device, inode) of the file each was opened on
        self._rw_file: tuple[int, int] | None = None
        self._pid = os.getpid()
        self._lock = threading.RLock()
        self._names: dict[int, Path] = {}

    def _forked(self) -> None:
        """A forked child never uses its parent's connections or lock (SQLite forbids the one; the other may
        be held by a thread that does not exist in the child)."""
        if self._pid != os.getpid():
            self._ro = self._rw = None
            self._pid, self._lock = os.getpid(), threading.RLock()

    def _reader(self) -> sqlite3.Connection | None:
        if self._rw is not None:
            return self._rw
        if self._ro is not None and self._ro_file != _file_id(self.path):
            self._ro.close()  # the index was replaced (rebuilt, moved aside) since: read the one there now
            self._ro = None
        if self._ro is None and self.path.is_file():  # no index: nothing was ever packed here
            self._ro_file = _file_id(self.path)
            conn = read_only_connection(self.path, LOCK_TIMEOUT_S)
            if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'packed'").fetchone() is None:
                conn.close()  # created, its schema not yet committed (or lost to a power loss): none yet
                return None
            self._ro = conn
        return self._ro

    def _recover(self, exc: sqlite3.Error) -> bool:
        """After an error another process left behind: a hot journal of a writer killed mid-commit (which a
        read-only connection cannot roll back, and any connection may), or the index replaced under an open
        connection. True when the connections were reset for another try."""
        name = getattr(exc, "sqlite_errorname", "")
        if name == "SQLITE_READONLY_ROLLBACK" and os.access(self.folder, os.W_OK):
            self._reset()
            conn = sqlite3.connect(self.path, timeout=LOCK_TIMEOUT_S, isolation_level=None)
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # rolls the hot journal back
            finally:
                conn.close()
            return True
        if name == "SQLITE_READONLY_DBMOVED" or (
            self.path.is_file() and self._opened_file() != _file_id(self.path)
        ):
            self._reset()
            return True
        return False

    def _opened_file(self) -> tuple[int, int] | None:
        return self._rw_file if self._rw is not None else self._ro_file

    def _reset(self) -> None:
        for conn in (self._ro, self._rw):
            if conn is not None:
                conn.close()
        self._ro = self._rw = None

    def _writer(self) -> sqlite3.Connection:
        if self._rw is None:
            if not self.writable:
                raise PackIndexError(errno.EROFS, "blob index opened for reading", str(self.path))
            if self._ro is not None:
                self._ro.close()
                self._ro = None
            _make_folder(self.folder)
            self._rw = self._open_rw()
            self._rw_file = _file_id(self.path)
            self._catch_up(self._rw)
        return self._rw

    def _open_rw(self) -> sqlite3.Connection:
        try:
            return self._connect_rw()
        except sqlite3.DatabaseError as exc:
            if "not a database" not in str(exc) and "malformed" not in str(exc):
                raise
        aside = self.path.with_name(f"index.sqlite.damaged-{time.strftime('%Y%m%dT%H%M%S')}")
        os.replace(self.path, aside)  # derived data: kept aside for a look, rebuilt from the packs
        wal = self.path.with_name("index.sqlite-wal")
        if wal.exists():  # frames of the damaged file, never to be replayed into the new one
            os.replace(wal, aside.with_name(aside.name + "-wal"))
        for leftover in ("index.sqlite-journal", "index.sqlite-shm"):
            self.path.with_name(leftover).unlink(missing_ok=True)
        logger.warning("%s was damaged; moved to %s, rebuilding it from the packs", self.path, aside.name)
        return self._connect_rw()

    def _connect_rw(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path, timeout=LOCK_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
        try:
            # Rows and the pack's end commit together: a power loss takes both, and the catch-up reads them
            # back from the pack (the module's docstring).
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.executescript(SCHEMA)
            status = conn.execute("PRAGMA quick_check").fetchone()[0]
            if status != "ok":
                raise sqlite3.DatabaseError(f"database disk image is malformed ({status})")
        except BaseException:
            conn.close()
            raise
        return conn

    def _catch_up(self, db: sqlite3.Connection) -> None:
        """Index what every pack holds past its indexed end (see the module's docstring)."""
        ends = dict(db.execute("SELECT name, indexed_end FROM packs").fetchall())
        added = read_back = 0
        for pack_path in sorted(self.folder.glob("*.pack")):
            start = _unindexed_from(pack_path, ends)
            if start is None:
                continue
            found = list(records(pack_path, start=start, verify=True))
            if pack_path.name in ends and not found:
                continue  # only a torn tail past the end (an unregistered pack is registered even if empty)
            fd = os.open(pack_path, os.O_RDONLY)
            try:
                os.fsync(fd)  # bytes a killed writer left in the page cache: durable before a row names them
            finally:
                os.close(fd)
            end = found[-1][1] + found[-1][2] if found else 0
            db.execute("BEGIN IMMEDIATE")
            try:  # the pack, its rows and its end at once
                db.execute("INSERT OR IGNORE INTO packs(name) VALUES (?)", (pack_path.name,))
                pack = int(db.execute("SELECT id FROM packs WHERE name = ?", (pack_path.name,)).fetchone()[0])
                before = db.total_changes
                db.executemany(
                    "INSERT OR IGNORE INTO packed(sha256, pack, offset, size) VALUES (?, ?, ?, ?)",
                    [(bytes.fromhex(sha), pack, offset, size) for sha, offset, size in found],
                )
                added += db.total_changes - before
                db.execute("UPDATE packs SET indexed_end = max(indexed_end, ?) WHERE id = ?", (end, pack))
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            read_back += 1
        if read_back:
            logger.warning(
                "%s: read back %d pack(s) past what the index held: %d blobs", self.folder, read_back, added
            )

    def _read(self, fn: Callable[[sqlite3.Connection | None], _T]) -> _T:
        """`fn(connection, or None when there is no index)` under the lock, SQLite's errors as PackIndexError."""
        return self._with(lambda: fn(self._reader()))

    def _write(self, fn: Callable[[sqlite3.Connection], _T]) -> _T:
        return self._with(lambda: fn(self._writer()))

    def _with(self, call: Callable[[], _T]) -> _T:
        self._forked()
        with self._lock:
            try:
                return call()
            except sqlite3.Error as exc:
                try:
                    if not self._recover(exc):
                        raise _index_error(self.path, exc) from exc
                except sqlite3.Error as again:
                    raise _index_error(self.path, again) from exc
            try:
                return call()  # once more, on fresh connections
            except sqlite3.Error as exc:
                raise _index_error(self.path, exc) from exc

    def unread(self) -> list[Path]:
        """The packs holding whole records past what the index says it read (all packs when there is no
        index)."""
        packs = sorted(self.folder.glob("*.pack"))
        if not packs:
            return []
        ends: dict[str, int] = self._read(
            lambda db: (
                {} if db is None else dict(db.execute("SELECT name, indexed_end FROM packs").fetchall())
            )
        )
        return [
            p
            for p in packs
            if (start := _unindexed_from(p, ends)) is not None
            and (p.name not in ends or next(records(p, start, verify=True), None) is not None)
        ]  # a torn tail past the end is no record: nothing to read back

    def open_for_writing(self) -> None:
        """Open the index for writing now (a writer's start), catching it up with the packs on disk."""
        self._write(lambda db: None)

    def locate(self, sha256: str) -> tuple[Path, int, int] | None:
        """(pack file, offset of the bytes, size), or None when not packed."""
        try:
            key = bytes.fromhex(sha256)
        except ValueError:
            return None

        def find(db: sqlite3.Connection | None) -> tuple[Path, int, int] | None:
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

        return self._read(find)

    def held(self, keys: list[bytes]) -> set[bytes]:
        """Which of these digests (32 bytes each) are packed already."""

        def find(db: sqlite3.Connection | None) -> set[bytes]:
            out: set[bytes] = set()
            if db is None:
                return out
            for i in range(0, len(keys), 500):  # under SQLite's bound on parameters
                part = keys[i : i + 500]
                marks = ",".join("?" * len(part))
                out.update(
                    r[0] for r in db.execute(f"SELECT sha256 FROM packed WHERE sha256 IN ({marks})", part)
                )
            return out

        return self._read(find)

    def add_pack(self, name: str) -> int:
        """Register a pack about to be created (before its file: a catch-up never takes a live writer's new
        pack for one to read back)."""
        return self._write(
            lambda db: int(
                db.execute("INSERT INTO packs(name) VALUES (?) RETURNING id", (name,)).fetchone()[0]
            )
        )

    def add(self, pack: int, rows: list[tuple[bytes, int, int]], end: int) -> None:
        """(sha256, offset, size) of records already durable in the pack, and the pack's end after them,
        committed at once."""

        def insert(db: sqlite3.Connection) -> None:
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany(
                    "INSERT OR IGNORE INTO packed(sha256, pack, offset, size) VALUES (?, ?, ?, ?)",
                    [(sha, pack, offset, size) for sha, offset, size in rows],
                )
                db.execute("UPDATE packs SET indexed_end = max(indexed_end, ?) WHERE id = ?", (end, pack))
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

        self._write(insert)

    def digests(self) -> list[str]:
        """Every packed blob's sha256."""
        return self._read(
            lambda db: [] if db is None else [r[0].hex() for r in db.execute("SELECT sha256 FROM packed")]
        )

    def count(self) -> int:
        return self._read(
            lambda db: 0 if db is None else int(db.execute("SELECT count(*) FROM packed").fetchone()[0])
        )

    def close(self) -> None:
        self._forked()
        with self._lock:
            if self._rw is not None:
                # The WAL folded into the file and made durable, then back to a rollback journal, so that
                # readers at rest create nothing. While another process has the index open it stays in WAL
                # mode; what a power loss may take from it, the next writer's catch-up reads back.
                with suppress(sqlite3.Error):
                    self._rw.execute("PRAGMA wal_checkpoint(PASSIVE)")
                    self._rw.execute("PRAGMA journal_mode=DELETE")
            self._reset()


def records(pack: Path, start: int = 0, verify: bool = False) -> Iterator[tuple[str, int, int]]:
    """(sha256, offset, size) of each whole record in a pack from `start` (a record's first byte), in order;
    stops at a torn or foreign tail, and with `verify` at a record whose bytes do not hash to its digest (a
    header written, its data not)."""
    end = pack.stat().st_size
    with open(pack, "rb") as f:
        pos = start
        while pos + HEADER.size <= end:
            f.seek(pos)
            magic, digest, size = HEADER.unpack(f.read(HEADER.size))
            start = pos + HEADER.size
            if magic != MAGIC or start + size > end:
                return
            if verify and hashlib.sha256(f.read(size)).digest() != digest:
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
        raise PackCorrupt(errno.EIO, f"the record at {offset} is not {sha256}", str(pack))
    return data[HEADER.size :]


@dataclass(frozen=True)
class Appended:
    """Records a `PackWriter.append` wrote: the pack's id in the index and its file, the rows, its end."""

    pack: int
    fd: int
    rows: list[tuple[bytes, int, int]]
    end: int


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
        host = quote(socket.gethostname(), safe="")[:40]
        name = f"{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{host}-{os.getpid()}-{secrets.token_hex(4)}.pack"
        self._pack = self.index.add_pack(name)  # also creates the folder and catches the index up
        self._fd = os.open(
            self.folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | os.O_CLOEXEC, 0o444
        )
        fsync_folder(self.folder)  # the new pack's name survives a power loss before any row names its bytes
        self._end = 0
        self._pid = os.getpid()

    def put(self, blobs: list[tuple[bytes, bytes]]) -> None:
        """Append (sha256 digest, bytes) records; durable and indexed when this returns. On an error
        nothing of the batch is indexed (its bytes may stay in the pack, unread)."""
        appended = self.append(blobs)
        if appended is not None:
            self.sync(appended)
            self.commit(appended)

    def append(self, blobs: list[tuple[bytes, bytes]]) -> Appended | None:
        """The first of `put`'s three steps: the records written to the pack in one write, not yet durable
        nor indexed. The crawl runs this and `commit` on its reactor and only `sync` in a thread, so that
        the thread does no Python work that would contend for the interpreter with the reactor."""
        if not blobs:
            return None
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
        except BaseException:
            self.close()  # the tail may be torn: the next batch starts a new pack
            raise
        self._end = pos
        return Appended(self._pack, self._fd, rows, pos)

    def sync(self, appended: Appended) -> None:
        """The appended records durable (safe in another thread: one system call)."""
        try:
            os.fsync(appended.fd)
        except BaseException:
            if self._fd == appended.fd:
                self.close()  # what reached the disk is unknown: the next batch starts a new pack
            raise

    def commit(self, appended: Appended) -> None:
        """The durable records' rows and the pack's end after them, in one commit."""
        self.index.add(appended.pack, appended.rows, appended.end)

    def close(self) -> None:
        if self._fd is not None and self._pid == os.getpid():
            os.close(self._fd)
        self._fd = None
