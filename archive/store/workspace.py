"""The data folder: corpus.db, the blob store, derived caches, crawl state and logs."""

from __future__ import annotations

import errno
import shutil
from functools import cached_property
from pathlib import Path

from archive.errors import DataFolderError
from archive.store.blobs import BlobStore
from archive.store.corpus import Corpus
from archive.store.faults import data_folder_fault, data_folder_faults

__all__ = ["Workspace", "data_folder_faults"]

DEFAULT_MAX_BYTES = 200 * 1024 * 1024


class Workspace:
    def __init__(self, data_dir: Path, max_bytes: int | None = DEFAULT_MAX_BYTES) -> None:
        self.root = Path(data_dir)
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as e:  # read-only, under a file, not ours: one line naming it (exit 3), no traceback
            why = (
                "a part of the path is a file, not a folder"
                if e.errno in (errno.ENOTDIR, errno.EEXIST)
                else None
            )
            raise data_folder_fault(self.root, e) or DataFolderError(
                f"{self.root}: the data folder cannot be created ({why or e.strerror or e})"
            ) from None
        self.max_bytes = max_bytes

    @property
    def corpus_path(self) -> Path:
        return self.root / "corpus.db"

    @property
    def cache_dir(self) -> Path:
        # Derived files (e.g. DOC converted to DOCX) keyed by the source blob's hash; safe to delete.
        path = self.root / "derived"
        path.mkdir(exist_ok=True)
        return path

    @property
    def state_dir(self) -> Path:
        path = self.root / "state"
        path.mkdir(exist_ok=True)
        return path

    @property
    def log_dir(self) -> Path:
        path = self.root / "logs"
        path.mkdir(exist_ok=True)
        return path

    @property
    def tmp_dir(self) -> Path:
        # Scratch files of extraction (conversions, OCR pages, package members): inside the data folder, so
        # a killed run's leftovers are found and swept by the next one.
        path = self.root / "tmp"
        path.mkdir(exist_ok=True)
        return path

    def sweep_temp(self) -> int:
        """Remove what a killed run left half-written: blob temp files, half-written conversions, scratch
        files. Only for a holder of the data folder's run lock (no other writer is at work)."""
        removed = self.blobs.sweep_orphans(older_than_s=0)
        for p in self.cache_dir.glob("*.tmp"):
            p.unlink(missing_ok=True)
            removed += 1
        for p in self.tmp_dir.iterdir():
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p, ignore_errors=True)
            else:
                p.unlink(missing_ok=True)
            removed += 1
        return removed

    def fault(self, exc: BaseException) -> DataFolderError | None:
        """The data folder itself failing (full, read-only, the database locked), as one line naming it;
        None when `exc` is a failure of one document or request."""
        return data_folder_fault(self.root, exc)

    def stop_if_full(self, error: str | None) -> None:
        """An extraction that failed while the folder is full failed for want of room, not for its bytes:
        raise the folder's fault (the run stops; the document stays unextracted, the next run tries again)."""
        if error and self.is_full():
            raise self.fault(OSError(errno.ENOSPC, error)) or DataFolderError(error)

    def is_full(self, reserve: int = 4 << 20) -> bool:
        """Less than `reserve` bytes free where the data folder lives (an extraction that failed now may
        have failed for want of room, not for its document)."""
        try:
            return shutil.disk_usage(self.root).free < reserve
        except OSError:
            return False

    @cached_property
    def blobs(self) -> BlobStore:
        return BlobStore(self.root / "blobs", max_bytes=self.max_bytes)

    @cached_property
    def corpus(self) -> Corpus:
        return Corpus(self.corpus_path)

    def close(self) -> None:
        if "corpus" in self.__dict__:
            self.corpus.close()
        if "blobs" in self.__dict__:
            self.blobs.close()
