"""The crawl frontier on disk, for crawls too large to hold in memory (`GOVARCHIVE_FRONTIER=disk`).

In memory (the default) the pending requests, the duplicate filter's fingerprints and the spider's set of
requested URLs grow with the crawl: a few hundred bytes per page, fine for a county, not for a national
crawl of millions of pages. On disk:

- pending requests go to Scrapy's disk queues (JOBDIR, under DATA/state/frontier), so the queue costs
  no memory whatever its length;
- the duplicate filter (`DiskDupeFilter`) and the spider's requested URLs (`SeenUrls`) are SQLite tables in
  that folder, with a small in-memory cache of the latest entries in front.

The folder holds one run's frontier only: it is emptied when a run starts (by the spider, the first part of a crawl made; a fresh crawl
re-visits every list, and what was archived is in the corpus, not here). Scrapy's own resume from JOBDIR
is not used: it loses the requests that were in flight when the process died.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections import OrderedDict
from pathlib import Path
from typing import Any

from scrapy import Request
from scrapy.dupefilters import BaseDupeFilter
from scrapy.utils.request import RequestFingerprinter

from archive.procs import pid_alive

DISK = "disk"
CACHE = 4096  # latest entries kept in memory in front of each table


def frontier_dir(data_dir: Path, pid: int | None = None) -> Path:
    """This process's frontier: one folder per crawling process, so a `scrapy crawl` started beside a
    running `govarchive crawl` (which holds the run lock; scrapy crawl does not) never touches its files."""
    return Path(data_dir) / "state" / "frontier" / str(pid or os.getpid())


def fresh_frontier(data_dir: Path) -> Path:
    """An empty frontier folder for this run; the folders of processes that are gone are removed."""
    folder = frontier_dir(data_dir)
    for old in folder.parent.glob("*") if folder.parent.exists() else []:
        if old != folder and (not old.name.isdigit() or not pid_alive(int(old.name))):
            shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


class _DiskSet:
    """A set of keys in one SQLite table, with an LRU of the latest in memory."""

    def __init__(self, path: Path, table: str) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        # A scratch file, rebuilt from nothing on every run: durability buys nothing here.
        self.conn.execute("PRAGMA journal_mode=OFF")
        self.conn.execute("PRAGMA synchronous=OFF")
        self.conn.execute(f"CREATE TABLE IF NOT EXISTS {table} (k BLOB PRIMARY KEY) WITHOUT ROWID")
        self._has = f"SELECT 1 FROM {table} WHERE k = ?"
        self._add = f"INSERT OR IGNORE INTO {table}(k) VALUES (?)"
        self._recent: OrderedDict[bytes, None] = OrderedDict()

    def _remember(self, key: bytes) -> None:
        self._recent[key] = None
        if len(self._recent) > CACHE:
            self._recent.popitem(last=False)

    def __contains__(self, key: bytes) -> bool:
        if key in self._recent:
            return True
        return self.conn.execute(self._has, (key,)).fetchone() is not None

    def add(self, key: bytes) -> bool:
        """Add `key`; True when it was new."""
        if key in self._recent:
            return False
        new = self.conn.execute(self._add, (key,)).rowcount == 1
        self._remember(key)
        return new

    def close(self) -> None:
        self.conn.close()


class SeenUrls:
    """The spider's requested URLs: a set in memory, or `_DiskSet` with the frontier on disk."""

    def __init__(self, folder: Path | None) -> None:
        self._memory: set[str] | None = set() if folder is None else None
        self._disk = _DiskSet(folder / "urls.db", "urls") if folder is not None else None

    def __contains__(self, url: object) -> bool:
        if self._memory is not None:
            return url in self._memory
        assert self._disk is not None
        return isinstance(url, str) and url.encode() in self._disk

    def add(self, url: str) -> None:
        if self._memory is not None:
            self._memory.add(url)
        else:
            assert self._disk is not None
            self._disk.add(url.encode())

    def close(self) -> None:
        if self._disk is not None:
            self._disk.close()


class DiskDupeFilter(BaseDupeFilter):
    """Scrapy's duplicate filter with its fingerprints in SQLite under JOBDIR (not a set in memory)."""

    def __init__(self, folder: Path, fingerprinter: Any) -> None:
        self.fingerprinter = fingerprinter
        self.seen = _DiskSet(folder / "fingerprints.db", "fingerprints")

    @classmethod
    def from_crawler(cls, crawler: Any) -> DiskDupeFilter:
        folder = Path(crawler.settings["JOBDIR"])
        folder.mkdir(parents=True, exist_ok=True)
        return cls(folder, crawler.request_fingerprinter or RequestFingerprinter(crawler))

    def request_seen(self, request: Request) -> bool:
        return not self.seen.add(self.fingerprinter.fingerprint(request))

    def close(self, reason: str) -> None:
        self.seen.close()
