"""When the data folder itself fails — no space left, a read-only file system, the database locked by
another process — the run stops with one line naming the folder (exit 3), instead of recording the failure
against each document it meets: nothing half-written is referenced and the next run completes the work."""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from archive.errors import DataFolderError


def _lock_timeout(default: float = 30.0) -> float:
    """GOVARCHIVE_LOCK_TIMEOUT (seconds, > 0) when the operator set it, else `default`."""
    try:
        value = float(os.environ.get("GOVARCHIVE_LOCK_TIMEOUT", default))
    except ValueError:
        return default
    return value if value > 0 else default


# How long a write waits for another process's transaction (a backup, a sqlite3 shell) before it fails.
LOCK_TIMEOUT_S = _lock_timeout()


def data_folder_fault(root: Path, exc: BaseException) -> DataFolderError | None:
    """`exc` as the data folder failing (full, read-only, its database locked by another process): one
    line naming the folder; None when it is a failure of one document or request."""
    if isinstance(exc, DataFolderError):
        return exc
    what: str | None = None
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        what = "no space left on its file system"
    elif isinstance(exc, OSError) and exc.errno == errno.EROFS:
        what = "its file system is read-only"
    elif isinstance(exc, OSError) and exc.errno == errno.EBUSY and exc.filename:
        return DataFolderError(
            f"{exc.filename}: locked by another process (waited {LOCK_TIMEOUT_S:.0f} s); stopped, run again when "
            "it is free"
        )
    elif isinstance(exc, sqlite3.OperationalError):
        text = str(exc).lower()
        if "disk is full" in text:
            what = "no space left on its file system"
        elif "readonly" in text or "read-only" in text:
            what = "its file system is read-only"
        elif "locked" in text or "busy" in text:
            return DataFolderError(
                f"{Path(root) / 'corpus.db'}: the database is locked by another process (waited "
                f"{LOCK_TIMEOUT_S:.0f} s); stopped, run again when it is free"
            )
    if what is None:
        return None
    return DataFolderError(
        f"{root}: the data folder cannot be written ({what}); stopped, nothing half-written is kept, "
        "run again when it can be"
    )


@contextmanager
def data_folder_faults(root: Path) -> Iterator[None]:
    """Raise the data folder failing as a DataFolderError naming it (the command line: one line, exit 3)."""
    try:
        yield
    except (OSError, sqlite3.Error) as exc:
        fault = data_folder_fault(root, exc)
        if fault is None:
            raise
        raise fault from None
