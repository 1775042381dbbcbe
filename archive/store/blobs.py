"""Content-addressed, append-only store of raw bytes, in two forms: records in append-only packs
(archive/store/packs.py: the crawl's batches of blobs up to PACKED_MAX) and files of their own,
DATA/blobs/sha256/ab/cd/<sha256> (the rest). Readers go through `BlobReader`, which knows both.

A file is streamed into a temporary file in the store's own directory while SHA-256 is computed, fsynced,
then renamed into place, and the folder it went into fsynced (with the folders a put created), so a path
under `sha256/` always holds complete bytes and a blob a put returned survives a power loss (a crash
leaves at most an orphan in `tmp/`, swept on open). A blob is never rewritten and held once: a second put of
the same bytes, in either form, is a no-op.

`put_many` keeps a batch at once (the crawl's group commit, pipelines/store.py): its small blobs in one
write and one fsync of this process's pack, its large ones as files whose fsyncs are issued together. The
crawl calls its three steps apart (`stage`, `sync_staged` in a thread, `finish_staged`).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import itertools
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, TypeVar

from archive.store.packs import Appended, PackIndex, PackWriter, fsync_folder, read_record

logger = logging.getLogger(__name__)

_T = TypeVar("_T")  # what a batch syncs: a file's descriptor or a folder

CHUNK = 1 << 20
# Blobs a batch keeps in a pack rather than in a file of their own: pages and most attachments. A larger one
# is a file: its own write dwarfs a file's cost, and tools that need a path read it without a copy.
PACKED_MAX = 1 << 20
# fsyncs of one batch issued at once: enough for the file system to commit them together.
SYNC_THREADS = 8


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
            with self._store.placing_held():  # held once: not packed by another thread meanwhile
                held = final.exists() or self._store.packs.locate(sha) is not None
                if not held:
                    created = self._store.folder_for(final)
                    os.chmod(self._tmp, 0o444)
                    os.replace(self._tmp, final)
            if held:
                self._tmp.unlink()
            else:
                for folder in [final.parent, *created]:
                    fsync_folder(folder)
        except BaseException:  # a full disk at flush or fsync: nothing half-written stays behind
            self.abort()
            raise
        return sha

    def abort(self) -> None:
        if not self._file.closed:
            with contextlib.suppress(OSError):  # closing flushes, which fails again on a full disk
                self._file.close()
        self._tmp.unlink(missing_ok=True)


@dataclass
class StagedBatch:
    """A batch between `BlobStore.stage` and `finish_staged`."""

    datas: list[bytes]
    out: list[tuple[str, int] | Exception] = field(default_factory=list)
    small: list[tuple[int, str]] = field(default_factory=list)  # (index in datas, sha256)
    large: list[int] = field(default_factory=list)
    appended: Appended | None = None
    error: OSError | None = None  # what kept all the small blobs out
    synced: bool = False  # the appended records' fsync returned: only then are they indexed
    placing: bool = False  # the store's placing lock is held for this batch


class BlobReader:
    """Reads the store, creating and sweeping nothing (a server, an extraction worker, an export). Every
    reader goes through here, never through a path it builds: a blob is a file of its own or a record in
    a pack (archive/store/packs.py), and only the store knows which."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.packs = self._pack_index()

    def _pack_index(self) -> PackIndex:
        return PackIndex(self.root / "packs")

    def path(self, sha256: str) -> Path:
        """Where the blob is or would be as a file of its own (writers and the store's tests)."""
        return self.root / "sha256" / sha256[:2] / sha256[2:4] / sha256

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file() or self.packs.locate(sha256) is not None

    def size(self, sha256: str) -> int:
        """The blob's size in bytes; FileNotFoundError when the store does not hold it."""
        try:
            return self.path(sha256).stat().st_size
        except FileNotFoundError:
            return self._packed(sha256)[2]

    def digests(self) -> set[str]:
        """The sha256 of every blob held, files and packed (an audit's, a test's view: a walk of the store)."""
        files = {p.name for p in (self.root / "sha256").rglob("*") if p.is_file()}  # a stray file too
        return files | set(self.packs.digests())

    def _packed(self, sha256: str) -> tuple[Path, int, int]:
        where = self.packs.locate(sha256)
        if where is None:
            raise FileNotFoundError(errno.ENOENT, "no such blob", sha256)
        return where

    def open(self, sha256: str) -> BinaryIO:
        """The blob's bytes as a binary file object, to be closed; FileNotFoundError when not held."""
        try:
            return open(self.path(sha256), "rb")
        except FileNotFoundError:
            return io.BytesIO(self._read_packed(sha256))  # packed blobs are small (PACKED_MAX)

    def read(self, sha256: str) -> bytes:
        try:
            return self.path(sha256).read_bytes()
        except FileNotFoundError:
            return self._read_packed(sha256)

    def _read_packed(self, sha256: str) -> bytes:
        pack, offset, size = self._packed(sha256)
        return read_record(pack, offset, size, sha256)

    @contextlib.contextmanager
    def local_path(self, sha256: str, scratch: Path | None = None) -> Iterator[Path]:
        """A file holding the blob's bytes, for tools that take a path (LibreOffice, pdfium, a server's
        file response), valid inside the `with`, never to be written to. A packed blob is copied to a
        temporary file in `scratch` (the system's when None), removed after."""
        path = self.path(sha256)
        if path.is_file():
            yield path
            return
        data = self._read_packed(sha256)
        fd, name = tempfile.mkstemp(dir=scratch, prefix=f"blob-{sha256[:16]}-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.chmod(name, 0o444)
            yield Path(name)
        finally:
            Path(name).unlink(missing_ok=True)

    def close(self) -> None:
        self.packs.close()


class BlobStore(BlobReader):
    def __init__(self, root: Path, max_bytes: int | None = None) -> None:
        super().__init__(root)
        self.max_bytes = max_bytes
        self.tmp_dir = self.root / "tmp"
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        (self.root / "sha256").mkdir(exist_ok=True)
        self.sweep_orphans()
        # Folders known to exist (created or seen by this process): no mkdir per blob. Blobs are never
        # removed, so neither are their folders.
        self._folders: set[Path] = set()
        self._names = itertools.count()
        self._sync_pool: ThreadPoolExecutor | None = None
        self._pack_writer: PackWriter | None = None
        # Taken from "is it held?" to "it is in place" by every put: the same bytes are never placed as a file
        # by one thread and packed by another (the group commit and a package's members run in threads).
        self.placing = threading.Lock()
        self._staged_by: int | None = None  # the thread whose staged batch holds `placing`
        self._catch_up_packs()

    def _catch_up_packs(self) -> None:
        """Packs the index has not read (it was lost or damaged, a rebuild was cut short, a pack was copied in)
        are read back before anything is asked of it; where nothing can be written, said once."""
        try:
            try:
                unread = bool(self.packs.unread())
            except OSError:
                unread = True  # unreadable (damaged, say): opening it for writing repairs what it can
            if unread:
                self.packs.open_for_writing()
        except OSError as e:
            logger.warning(
                "%s: %s; the blobs of those packs read as missing until a writer can index them", self.root, e
            )

    def _pack_index(self) -> PackIndex:
        return PackIndex(self.root / "packs", writable=True)

    def folder_for(self, final: Path) -> list[Path]:
        """Make sure `final`'s folder exists; the folders whose entries changed because one was created
        (each must be fsynced for the new folder to survive a power loss)."""
        folder = final.parent
        if folder in self._folders:
            return []
        created: list[Path] = []
        for f in (folder.parent, folder):
            if f in self._folders:
                continue
            try:
                os.mkdir(f)
                created.append(f.parent)
            except FileExistsError:
                pass
            self._folders.add(f)
        return created

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

    def put_many(self, datas: list[bytes]) -> list[tuple[str, int] | Exception]:
        """Keep each of `datas`; for each, (sha256, size) or the exception that kept it out (BlobTooLarge,
        an OSError). Every blob returned is durable when this returns. Blobs up to PACKED_MAX go to this
        process's pack in one write and one fsync (archive/store/packs.py); larger ones are files of their
        own (`_put_files`). One batch at a time."""
        batch = self.stage(datas)
        try:
            self.sync_staged(batch)
        finally:
            out = self.finish_staged(batch)
        return out

    def stage(self, datas: list[bytes]) -> StagedBatch:
        """`put_many`'s first step, in three so that the crawl's reactor runs this one and `finish_staged`,
        and a thread only `sync_staged` (its fsync and the large files): a thread doing Python work between
        system calls contends with the reactor for the interpreter at every call (~14 hand-offs a page).
        The small blobs are hashed and those not held appended to the pack, not yet durable; until
        `finish_staged` (which must follow, whatever `sync_staged` did) no other put places anything, and
        none may be made on this thread (it raises RuntimeError rather than wait for itself)."""
        batch = StagedBatch(datas)
        for i, data in enumerate(datas):
            if self.max_bytes is not None and len(data) > self.max_bytes:
                batch.out.append(BlobTooLarge(self.max_bytes))
            elif len(data) > PACKED_MAX:
                batch.out.append(OSError("not kept"))  # replaced by sync_staged
                batch.large.append(i)
            else:
                sha = hashlib.sha256(data).hexdigest()
                batch.out.append((sha, len(data)))
                batch.small.append((i, sha))
        if batch.small:
            self._take_placing()
            self._staged_by = threading.get_ident()
            batch.placing = True
            try:
                batch.appended = self._append_packed(batch)
            except OSError as e:  # the pack's file or its index (PackIndexError): the whole batch
                batch.error = e
            except BaseException:
                self._release_placing(batch)
                raise
        return batch

    @contextlib.contextmanager
    def placing_held(self) -> Iterator[None]:
        self._take_placing()
        try:
            yield
        finally:
            self.placing.release()

    def _take_placing(self) -> None:
        """The placing lock; a put on the thread that staged a batch still open would wait for itself
        forever (only that thread's `finish_staged` releases it): an error instead."""
        if self._staged_by == threading.get_ident():
            raise RuntimeError("a put on the thread holding a staged batch: finish_staged it first")
        self.placing.acquire()

    def _release_placing(self, batch: StagedBatch) -> None:
        """The placing lock `stage` took for this batch, given back (once)."""
        if batch.placing:
            batch.placing = False
            self._staged_by = None
            self.placing.release()

    def sync_staged(self, batch: StagedBatch) -> None:
        """The staged records durable, and the large blobs kept as files (safe in another thread)."""
        if batch.appended is not None and batch.error is None:
            assert self._pack_writer is not None
            try:
                self._pack_writer.sync(batch.appended)
            except OSError as e:
                batch.error = e
            else:
                batch.synced = True
        if batch.large:
            # The batch holds the placing lock from `stage` on when it has small blobs: not taken again.
            results = self._put_files([batch.datas[i] for i in batch.large], batch_holds_lock=batch.placing)
            for i, result in zip(batch.large, results, strict=True):
                batch.out[i] = result

    def finish_staged(self, batch: StagedBatch) -> list[tuple[str, int] | Exception]:
        """The durable records indexed; each blob's (sha256, size) or the exception that kept it out."""
        try:
            if batch.appended is not None and batch.error is None:
                assert self._pack_writer is not None
                if not batch.synced:  # sync_staged never ran or was interrupted: nothing is known durable
                    self._pack_writer.close()  # the next batch starts a new pack after this unknown tail
                    batch.error = OSError(errno.EIO, "the batch was not made durable", str(self.root))
                else:
                    try:
                        self._pack_writer.commit(batch.appended)
                    except OSError as e:
                        batch.error = e
        finally:
            self._release_placing(batch)
        if batch.error is not None:
            for i, _ in batch.small:
                batch.out[i] = batch.error
        return batch.out

    def _append_packed(self, batch: StagedBatch) -> Appended | None:
        """The batch's small blobs not yet held, once each, appended to this process's pack."""
        held = self.packs.held(list({bytes.fromhex(sha) for _, sha in batch.small}))
        new: dict[bytes, bytes] = {}
        for i, sha in batch.small:
            digest = bytes.fromhex(sha)
            if digest in held or digest in new or self.path(sha).is_file():
                continue
            new[digest] = batch.datas[i]
        if not new:
            return None
        if self._pack_writer is None:
            self._pack_writer = PackWriter(self.packs)
        return self._pack_writer.append(list(new.items()))

    def _put_files(
        self, datas: list[bytes], batch_holds_lock: bool = False
    ) -> list[tuple[str, int] | Exception]:
        """Each blob a file of its own: temp files written, fsynced together, renamed into place, then each
        folder touched fsynced once. Each placing under the store's lock, unless the caller's staged batch
        holds it already."""
        guard: Callable[[], AbstractContextManager[object]] = (
            contextlib.nullcontext if batch_holds_lock else self.placing_held
        )
        out: list[tuple[str, int] | Exception] = []
        pending: list[tuple[int, int, str, Path]] = []  # (index, fd, sha256, temp path)
        for i, data in enumerate(datas):  # each within the size cap: put_many kept the others out
            try:
                sha = hashlib.sha256(data).hexdigest()  # releases the GIL above 2 KiB
                fd, tmp = self._temp_file()
                try:
                    view = memoryview(data)
                    while view:
                        view = view[os.write(fd, view) :]
                except BaseException:
                    os.close(fd)
                    tmp.unlink(missing_ok=True)
                    raise
                pending.append((i, fd, sha, tmp))
                out.append((sha, len(data)))
            except Exception as e:
                out.append(e)
        synced = self._fsync_all([fd for _, fd, _, _ in pending])
        folders: dict[Path, list[int]] = {}  # folder to fsync → the indexes of the blobs it holds
        placed: set[str] = set()
        for (i, fd, sha, tmp), error in zip(pending, synced, strict=True):
            try:
                os.close(fd)
                if error is not None:
                    raise error
                final = self.path(sha)
                if sha in placed:  # the same bytes twice in the batch: durable with the first's folder
                    tmp.unlink()
                    folders[final.parent].append(i)
                    continue
                with guard():
                    held = final.exists() or self.packs.locate(sha) is not None
                    if not held:
                        for folder in self.folder_for(final):
                            folders.setdefault(folder, [])
                        os.replace(tmp, final)
                if held:
                    tmp.unlink()
                    continue
                placed.add(sha)
                folders.setdefault(final.parent, []).append(i)
            except Exception as e:
                tmp.unlink(missing_ok=True)
                out[i] = e
        order = list(folders)
        for folder, error in zip(order, self._fsync_folders(order), strict=True):
            if error is not None:  # the renames into it are not durable: those blobs are not kept
                for i in folders[folder]:
                    out[i] = error
        return out

    def _temp_file(self) -> tuple[int, Path]:
        """A new temp file, open for writing, read-only for everyone once closed (as a blob is)."""
        for _ in range(3):
            tmp = self.tmp_dir / f"part-{os.getpid()}-{next(self._names)}"
            try:
                return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o444), tmp
            except FileExistsError:  # a killed process of the same pid left it: another name
                continue
        fd, name = tempfile.mkstemp(dir=self.tmp_dir, prefix="part-")
        os.fchmod(fd, 0o444)
        return fd, Path(name)

    def _pool(self) -> ThreadPoolExecutor:
        if self._sync_pool is None:
            self._sync_pool = ThreadPoolExecutor(SYNC_THREADS, thread_name_prefix="blob-fsync")
        return self._sync_pool

    def _each_synced(self, sync: Callable[[_T], None], items: list[_T]) -> list[Exception | None]:
        """`sync` on each item (a file's descriptor, a folder), in the pool when there are several: the
        error of each, or None."""

        def attempt(item: _T) -> Exception | None:
            try:
                sync(item)
            except OSError as e:
                return e
            return None

        if len(items) <= 1:
            return [attempt(item) for item in items]
        return list(self._pool().map(attempt, items))

    def _fsync_all(self, fds: list[int]) -> list[Exception | None]:
        return self._each_synced(os.fsync, fds)

    def _fsync_folders(self, folders: list[Path]) -> list[Exception | None]:
        return self._each_synced(fsync_folder, folders)

    def close(self) -> None:
        if self._pack_writer is not None:
            self._pack_writer.close()
            self._pack_writer = None
        super().close()
        if self._sync_pool is not None:
            self._sync_pool.shutdown()
            self._sync_pool = None

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
