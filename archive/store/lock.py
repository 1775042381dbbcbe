"""One crawl at a time per data folder: an exclusive `flock` on DATA/state/crawl.lock.

The kernel drops the lock when its holder dies (also on kill -9), so a crashed run never blocks the next
one and there is no stale-lock clean-up to get wrong. The file's text (pid, start time) only serves the
message shown to a second run.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

LOCK_NAME = "crawl.lock"


class AlreadyRunning(Exception):
    """Another process holds the lock; the message says which one, as far as its file tells."""


def _holder(fd: int) -> str:
    try:
        info = json.loads(os.pread(fd, 4096, 0).decode("utf-8"))
        return f"pid {info['pid']}, started {info['started_at']}"
    except (ValueError, KeyError, TypeError, OSError, UnicodeDecodeError):
        return "holder unknown"


@contextmanager
def run_lock(state_dir: Path) -> Iterator[Path]:
    """Hold the data folder's crawl lock for the block; raise AlreadyRunning at once if it is taken."""
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AlreadyRunning(f"another crawl is running on {state_dir.parent} ({_holder(fd)})") from None
        info = {"pid": os.getpid(), "started_at": datetime.now(UTC).isoformat(timespec="seconds")}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode("utf-8"), 0)
        yield path
    finally:
        os.close(fd)  # closing the descriptor releases the lock
