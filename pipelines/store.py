"""Keeps the bytes of every response in the blob store and records every response in `captures`: the Scrapy
side of archive.capture's `stage_bodies`, `sync_bodies`, `finish_keeping` and `record_many`, which do the work.

Group commit: items are taken in batches. A batch's blobs are hashed and appended to the pack on the reactor,
fsynced in a thread (the file-system wait off the reactor, and nothing else there: Python work in the thread
would contend with the reactor for the interpreter at each system call), then indexed and its rows written
in one SQLite transaction on the reactor; only then does each item go on to the next pipeline (extraction,
the report), so nothing downstream acts on a capture that a kill could still take back. While one batch is on its way,
the next gathers: batches grow with the disk's latency, and a quiet crawl waits at most `MAX_WAIT_S`.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.utils.asyncio import CallLaterResult, call_later
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import threads
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from archive import capture
from archive.capture import Fetched
from archive.store.workspace import Workspace
from crawler.run import guard, run_id_for, stopped, workspace_for

logger = logging.getLogger(__name__)

MAX_BATCH = 256  # captures per transaction at most
MAX_WAIT_S = 0.005  # how long a capture waits for others to share its commit


class StorePipeline:
    def __init__(self, workspace: Workspace, crawler: Any = None) -> None:
        self.ws = workspace
        self.crawler = crawler
        self._pending: list[tuple[Fetched, Deferred[Any]]] = []
        self._busy = False  # a batch is on its way
        self._timer: CallLaterResult | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        return cls(workspace_for(crawler), crawler)

    def _inc(self, key: str, n: int) -> None:
        if self.crawler is not None:
            self.crawler.stats.inc_value(f"govarchive/{key}", n)

    async def process_item(self, item: Any, spider: Any = None) -> Any:
        if not isinstance(item, Fetched) or stopped(self.crawler):
            return item
        done: Deferred[Any] = Deferred()
        self._pending.append((item, done))
        self._schedule()
        return await maybe_deferred_to_future(done)  # once the item's batch committed

    def _schedule(self) -> None:
        if self._busy or not self._pending:
            return
        if len(self._pending) >= MAX_BATCH:
            self._flush()
        elif self._timer is None:
            self._timer = call_later(MAX_WAIT_S, self._flush)

    def _flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()  # harmless when it is the call running now
            self._timer = None
        if self._busy or not self._pending:
            return
        batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
        self._busy = True
        items = [item for item, _ in batch]
        try:
            bodies = capture.stage_bodies(self.ws, items)
        except Exception:
            self._record(Failure(), batch, None)
            return
        # Only the fsync in the thread: Python work there would contend with the reactor for the interpreter.
        synced = threads.deferToThread(capture.sync_bodies, self.ws, bodies)
        synced.addBoth(self._record, batch, bodies)

    def _record(
        self, synced: Any, batch: list[tuple[Fetched, Deferred[Any]]], bodies: capture.BodiesBatch | None
    ) -> None:
        """On the reactor, once the batch's blobs are durable: indexed, its rows in one transaction, then each
        item goes on."""
        items = [item for item, _ in batch]
        failed: dict[int, Failure] = {}
        try:
            with guard(self.crawler):  # the data folder failing stops the crawl; nothing is recorded
                if bodies is not None:
                    capture.finish_keeping(self.ws, bodies)  # whatever the thread did: it ends the batch
                if isinstance(synced, Failure):
                    synced.raiseException()
                if not stopped(self.crawler):
                    # An item that fails to record fails alone (the batch is replayed item by item).
                    failures = capture.record_batch(self.ws, items, run_id_for(self.crawler), self._inc)
                    failed = {i: Failure(exc) for i, exc in failures.items()}
        except Exception:
            error = Failure()
            failed = dict.fromkeys(range(len(batch)), error)
        finally:
            self._busy = False
        for i, (item, done) in enumerate(batch):
            if i in failed:
                done.errback(failed[i])
            else:
                done.callback(item)
        if stopped(self.crawler):  # nothing more is written: what gathered goes on unrecorded
            pending, self._pending = self._pending, []
            for item, done in pending:
                done.callback(item)
        else:  # what gathered meanwhile goes at once: it has waited for this batch already
            self._flush()

    def close_spider(self, spider: Any = None) -> None:
        # Scrapy closes the pipelines once no item is in progress: nothing is pending here.
        if self._pending:
            logger.warning("%d captures were not recorded before the close", len(self._pending))
