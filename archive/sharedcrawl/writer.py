"""The one writer of corpus.db in a crawl shared through Redis.

Crawler processes (`govarchive crawl --redis`) store each response's bytes in the shared blob store and
publish the rest of the item on the crawl's captures stream (pipelines/publish.py); extraction
runs as jobs on `govarchive worker` processes, which answer on the crawl's results stream
(archive/sharedcrawl/jobs.py). This writer turns both into corpus rows with the plain functions the
single-process pipelines call: `capture.record` for the capture (StorePipeline), `derive.record_counted`
for the report (ReportPipeline), `derive.store_members`/`save_members` for packages — so the corpus of a
shared crawl equals a single-process crawl's, row for row. Plain Python over redis-py: no Scrapy here.

One writer at a time: the writer lease in Redis (taken over when its holder stops renewing it) and, on the
data folder, the same run lock a single-process crawl holds. Each captures entry is applied in one SQLite
transaction that also notes its id (table `stream_applied`), then acknowledged: a writer killed in
between, and the one taking over, never apply it twice. Extraction results are idempotent (a document
already extracted is not saved again), and what waits for them is rebuilt from the corpus on take-over.

The run ends when the crawler processes drained the shared frontier and closed, every captures entry is
applied and every job this run queued is answered: then the removals, counts, feeds and the run's
summary are written as a single-process crawl writes them, and `done` tells every process to return.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import time
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import redis

from archive import capture
from archive.capture import fetched_from_json
from archive.derive import DOCUMENT_ROLES, is_package, member_url, record_counted, save_members, store_members
from archive.errors import error_kind
from archive.extract.encoding import header_charset
from archive.model import Extraction
from archive.products.history import mark_interrupted_runs
from archive.products.runend import PREFIX, end_of_run, summarize
from archive.sharedcrawl.client import connect
from archive.sharedcrawl.jobs import RESULTS_GROUP, ExtractionJobs, extraction_from_json
from archive.sharedcrawl.keys import CAPTURES_GROUP, CrawlKeys, process_name
from archive.sharedcrawl.lease import Lease
from archive.sharedcrawl.streams import Entry, Stream
from archive.sharedcrawl.validators import migrate_former_validators, seed_validators
from archive.sharedcrawl.worker import MISSING_BLOB
from archive.sites import Site
from archive.store.lock import AlreadyRunning, run_lock
from archive.store.workspace import Workspace

logger = logging.getLogger(__name__)

MISSING_BLOB_ASKS = 3
DONE_TTL_S = 30  # how long `done` stays for processes still waiting on it; a new crawl may start after
_BATCH = 64


class Counters:
    """The writer's counters, under the names Scrapy's stats give them in a single-process crawl."""

    def __init__(self) -> None:
        self.values: dict[str, int] = defaultdict(int)

    def count(self, key: str, n: int = 1) -> None:
        """An archive.model.Count: `key` without the `govarchive/` prefix, as the plain functions count."""
        self.values[PREFIX + key] += n

    def get_stats(self) -> dict[str, int]:
        return dict(self.values)


class CorpusWriter:
    def __init__(
        self,
        client: Any,
        keys: CrawlKeys,
        ws: Workspace,
        sites: list[Site],
        holder: str,
        *,
        lease_ms: int = 10_000,
    ) -> None:
        self.client = client
        self.keys = keys
        self.ws = ws
        self.sites = sites
        self.holder = holder
        self.lease = Lease(client, keys.writer, holder, lease_ms)
        self.captures = Stream(client, keys.captures, CAPTURES_GROUP)
        self.results = Stream(client, keys.results, RESULTS_GROUP)
        self.jobs = ExtractionJobs(client)
        self.counters = Counters()
        self.run_id: int | None = None
        self._locked: contextlib.ExitStack | None = None
        # sha256 -> capture ids of this run waiting for its extraction
        self.waiting: dict[str, set[int]] = defaultdict(set)
        # package sha256 -> its members not extracted yet; and the package's captures waiting for them
        self.members_due: dict[str, set[str]] = {}
        self.package_captures: dict[str, set[int]] = defaultdict(set)
        self.asked: set[str] = set()  # jobs queued and not answered yet (also in Redis: keys.asked)
        self.missing: dict[str, int] = {}  # sha256 -> 'blob missing' answers so far
        self._last_wait_note = time.monotonic()

    # --- the loop -----------------------------------------------------------------------------------

    def run(self, stop: threading.Event | None = None) -> bool:
        """Write until the crawl is done (True) or `stop` is set (False). Waits while another process
        holds the writer lease, and takes over when it stops renewing it."""
        stop = stop or threading.Event()
        try:
            while not stop.is_set():
                try:
                    if self.client.exists(self.keys.done):
                        return True
                    if not self._hold():
                        stop.wait(self.lease.ttl_ms / 4000)
                        continue
                    worked = self._apply_captures() + self._apply_results()
                    if not worked and self._finished():
                        self._close_run()
                        return True
                except redis.RedisError as e:
                    # Redis restarting or unreachable: what was applied is committed, what was not stays
                    # in its streams. Let go (the lease cannot be renewed anyway) and try again.
                    logger.warning("Redis unreachable (%s); the writer tries again in 2 s", e)
                    self._let_go()
                    stop.wait(2.0)
            return False
        finally:
            with contextlib.suppress(redis.RedisError):
                self._let_go()

    def _hold(self) -> bool:
        """The lease, and with it the data folder's run lock; the run's state on first holding."""
        if self._locked is not None:
            if self.lease.renew():
                return True
            logger.warning("the writer lease went to another process; this one stops writing")
            self._let_go()
            return False
        if not self.client.hexists(self.keys.run, "wanted"):
            return False  # no crawler asked for this crawl yet (a writer kept ready between runs)
        if not self.lease.acquire():
            return False
        stack = contextlib.ExitStack()
        try:
            stack.enter_context(run_lock(self.ws.state_dir))
        except AlreadyRunning as e:
            logger.info("waiting for the data folder: %s", e)
            self.lease.release()
            return False
        self._locked = stack
        self._take_over()
        return True

    def _let_go(self) -> None:
        if self._locked is not None:
            self._locked.close()
            self._locked = None
            with contextlib.suppress(Exception):
                self.lease.release()

    # --- taking the run over ------------------------------------------------------------------------

    def _take_over(self) -> None:
        corpus = self.ws.corpus
        raw = self.client.hget(self.keys.run, "run_id")
        if raw is None:
            mark_interrupted_runs(corpus)
            # Entries noted by runs that will never close (their writers and crawlers all gone).
            corpus.forget_stream_entries()
            for site in self.sites:
                corpus.upsert_site(site)
            self.run_id = corpus.start_run(sorted(s.id for s in self.sites))
            # left by an earlier govarchive's crawl of this name; UNLINK frees its millions of fields off
            # Redis's main thread
            self.client.unlink(self.keys.former_validators)
            seed_validators(corpus, self.client, self.keys)  # the incremental state every crawler reads
            self.client.hset(self.keys.run, "run_id", self.run_id)
            logger.info("writing the shared crawl %s as run %d", self.keys.crawl, self.run_id)
        else:
            self.run_id = int(raw)
            logger.info("taking over the writing of run %d (%s)", self.run_id, self.keys.crawl)
            if migrated := migrate_former_validators(self.client, self.keys):
                logger.warning(
                    "the validators of %s were seeded by an earlier govarchive: %d rewritten in the compact form",
                    self.keys.crawl,
                    migrated,
                )
        self.waiting.clear()
        self.members_due.clear()
        self.package_captures.clear()
        # Jobs queued by a previous writer and not answered yet are not queued again.
        self.asked = {k.decode() for k in self.client.hkeys(self.keys.asked)}
        self._rebuild_waiting()
        # What the previous writer was given and did not acknowledge is this writer's now.
        for stream in (self.captures, self.results):
            while stream.claim(self.holder, min_idle_ms=0):
                pass  # claimed entries are pending with this writer: Stream.pending reads them first

    def _rebuild_waiting(self) -> None:
        """What this run's captures still wait for, read from the corpus (a previous writer's memory is gone)."""
        assert self.run_id is not None
        rows = self.ws.corpus.conn.execute(
            f"""SELECT c.id, c.sha256, c.url, c.fetched_at, c.content_type, d.extracted_at FROM captures c
                JOIN documents d ON d.sha256 = c.sha256
                WHERE c.crawl_id = ? AND c.error IS NULL
                  AND c.role IN ({",".join("?" * len(DOCUMENT_ROLES))})""",
            (self.run_id, *DOCUMENT_ROLES),
        ).fetchall()
        for n, row in enumerate(rows):
            if n % 256 == 0:
                self.lease.renew()  # a large run's rebuild must not outlast the lease
            if row["extracted_at"] is None:
                self.waiting[row["sha256"]].add(row["id"])
                self._ask(row["sha256"], row["url"], header_charset(row["content_type"]))
            elif is_package(self.ws, row["sha256"]):
                due = self._members_due(row["sha256"], row["url"], row["fetched_at"])
                if due:
                    self.package_captures[row["sha256"]].add(row["id"])

    # --- captures -----------------------------------------------------------------------------------

    def _apply_captures(self) -> int:
        # Entries claimed from a previous writer first, then new ones (waiting a little when there are none).
        entries = self.captures.pending(self.holder, _BATCH) or self.captures.read(
            self.holder, count=_BATCH, block_ms=200
        )
        if not entries:
            return 0
        counted = dict(self.counters.values)
        try:  # a batch per transaction: one commit for up to _BATCH captures
            with self.ws.corpus.transaction():
                for entry in entries:
                    self._apply_capture(entry)
        except Exception as exc:
            if self.ws.fault(exc) is not None:
                raise
            self.counters.values.clear()  # the batch was rolled back: so are its counts
            self.counters.values.update(counted)
            for entry in entries:  # one by one, so that one bad entry costs only itself
                self._apply_alone(entry)
        self.captures.ack(*(e.id for e in entries))
        self.lease.renew()
        return len(entries)

    def _apply_alone(self, entry: Entry) -> None:
        try:
            with self.ws.corpus.transaction():
                self._apply_capture(entry)
        except Exception as exc:
            if self.ws.fault(exc) is not None:
                raise
            logger.exception("capture entry %s could not be written; skipped", entry.id)
            self.counters.count("errors/writer")

    def _apply_capture(self, entry: Entry) -> None:
        corpus = self.ws.corpus
        assert self.run_id is not None
        item = fetched_from_json(entry.fields["item"])
        with corpus.transaction():
            if corpus.stream_entry_applied(self.run_id, entry.id):
                return  # applied by a writer killed before acknowledging it
            if corpus.captured_in_run(self.run_id, item.url, item.role, item.status, item.sha256):
                # A killed crawler's request, published before it could say so and fetched again by another
                # process: the same capture once (the shared duplicate filter lets no other URL in twice).
                corpus.note_stream_entry(self.run_id, entry.id)
                self.counters.count("refetched_after_kill")
                return
            capture.record(self.ws, item, self.run_id, self.counters.count)  # as StorePipeline records it
            corpus.note_stream_entry(self.run_id, entry.id)
            if item.role not in DOCUMENT_ROLES or not item.sha256 or item.capture_id is None:
                return
            doc = corpus.document(item.sha256)
            if doc is None:
                return
            if doc["extracted_at"] is None:
                self.waiting[item.sha256].add(item.capture_id)
                self._ask(item.sha256, item.url, header_charset(item.content_type))
                return
            if is_package(self.ws, item.sha256) and self._members_due(item.sha256, item.url, item.fetched_at):
                self.package_captures[item.sha256].add(item.capture_id)
                return
            self._record([item.capture_id])

    # --- extraction results -------------------------------------------------------------------------

    def _apply_results(self) -> int:
        entries = self.results.pending(self.holder, _BATCH) or self.results.read(
            self.holder, count=_BATCH, block_ms=None
        )
        for entry in entries:
            self.client.hdel(
                self.keys.asked, entry.fields.get("sha256", "")
            )  # answered (asked again if need be)
            try:
                self._apply_result(entry.fields["sha256"], extraction_from_json(entry.fields["extraction"]))
            except Exception as exc:
                if self.ws.fault(exc) is not None:
                    raise
                # One bad result (or a bug applying it) must not stop every writer that takes it over.
                logger.exception("extraction result %s could not be applied; skipped", entry.id)
                self.counters.count("errors/writer")
            self.results.ack(entry.id)
            self.lease.renew()
        return len(entries)

    def _apply_result(self, sha256: str, ex: Extraction) -> None:
        corpus = self.ws.corpus
        self.asked.discard(sha256)
        if ex.error == MISSING_BLOB and self._ask_again(sha256):
            return  # a worker that does not see the blob yet (a shared folder's cache): not the document's fault
        with corpus.transaction():
            doc = corpus.document(sha256)
            if doc is None:
                return
            if doc["extracted_at"] is None:  # a second answer (a worker killed after answering) is no news
                self.ws.stop_if_full(ex.error)
                corpus.save_extraction(sha256, ex)
                self.counters.count("extracted")
                if ex.error:
                    self.counters.count(f"extract_errors/{error_kind(ex.error)}")
                    logger.warning("extraction of %s failed: %s", doc["first_url"] or sha256, ex.error)
            captures = self.waiting.pop(sha256, set())
            if captures and is_package(self.ws, sha256):
                first = corpus.capture(min(captures))
                if first is not None and self._members_due(sha256, first["url"], first["fetched_at"]):
                    self.package_captures[sha256] |= captures
                    captures = set()
            self._record(captures)
            for package, due in list(self.members_due.items()):
                due.discard(sha256)
                if not due:
                    del self.members_due[package]
                    self._record(self.package_captures.pop(package, set()))

    def _members_due(self, package_sha256: str, package_url: str, seen_at: str) -> set[str]:
        """The package's members not extracted yet, each asked for; unpacked first if it never was."""
        corpus = self.ws.corpus
        members = corpus.members(package_sha256)
        if not members:
            unpacked = store_members(self.ws, package_sha256)
            save_members(self.ws, package_sha256, package_url, seen_at, unpacked)
            self.counters.count("package_members", len(unpacked.members))
            members = corpus.members(package_sha256)
        due: set[str] = set()
        for m in members:
            member = corpus.document(m["sha256"])
            if member is not None and member["extracted_at"] is None:
                due.add(m["sha256"])
                self._ask(m["sha256"], member_url(package_url, m["name"]), None)
        if due:
            self.members_due[package_sha256] = due
        return due

    def _ask(self, sha256: str, url: str, charset: str | None) -> None:
        if sha256 not in self.asked:
            self.asked.add(sha256)
            self.jobs.submit_noted(
                sha256, url, charset, self.keys.results, self.keys.asked, f"{url}\t{charset or ''}"
            )

    def _ask_again(self, sha256: str) -> bool:
        """A job answered 'blob missing': asked again up to MISSING_BLOB_ASKS times. Never saved as the
        document's extraction, which would keep it from being extracted on any later run."""
        self.missing[sha256] = self.missing.get(sha256, 0) + 1
        doc = self.ws.corpus.document(sha256)
        if doc is None:
            return True
        if self.missing[sha256] <= MISSING_BLOB_ASKS:
            self._ask(sha256, doc["first_url"] or "", None)
            return True
        with self.ws.corpus.transaction():
            self.ws.corpus.mark_document_error(sha256, MISSING_BLOB)  # left unextracted: the next run tries
        self.waiting.pop(sha256, None)
        for package, due in list(self.members_due.items()):
            due.discard(sha256)
            if not due:
                del self.members_due[package]
                self.package_captures.pop(package, None)
        logger.warning(
            "%s: %s, asked %d times; left unextracted",
            doc["first_url"] or sha256,
            MISSING_BLOB,
            MISSING_BLOB_ASKS,
        )
        return True

    def _record(self, capture_ids: Iterable[int]) -> None:
        corpus = self.ws.corpus
        for capture_id in sorted(capture_ids):
            cap = corpus.capture(capture_id)
            if cap is not None:
                record_counted(self.ws, cap, self.counters.count)

    # --- the end of the run -------------------------------------------------------------------------

    def _finished(self) -> bool:
        # The crawlers first: a capture published just before its process closed is then in the stream.
        if not self._crawlers_closed():
            return False
        if self.captures.outstanding() or self.results.outstanding():
            return False
        if self.asked or self.waiting or self.members_due:
            self._note_waiting()
            return False
        return True

    def _crawlers_closed(self) -> bool:
        """The frontier was found drained, and every crawler process still in the crawl closed its spider
        (all its captures are published) or is dead (its requests were requeued for the others)."""
        if not self.client.hget(self.keys.run, "frontier_drained"):
            return False
        closed = {p.decode() for p in self.client.smembers(self.keys.closed)}
        if not closed:
            return False
        members = {p.decode() for p in self.client.smembers(self.keys.crawlers)}  # finished ones left it
        return all(p in closed or not self.client.exists(self.keys.alive(p)) for p in members)

    def _note_waiting(self) -> None:
        if time.monotonic() - self._last_wait_note > 30:
            self._last_wait_note = time.monotonic()
            logger.info(
                "waiting for %d extraction jobs (is a `govarchive worker --redis` running?)", len(self.asked)
            )

    def _close_run(self) -> None:
        """The run's end as a single-process crawl writes it, then `done` for every process."""
        assert self.run_id is not None
        corpus = self.ws.corpus
        self.client.hset(self.keys.run, "closing", "1")  # a process starting now must not join this crawl
        row = corpus.conn.execute("SELECT status FROM crawl_runs WHERE id = ?", (self.run_id,)).fetchone()
        if row is None or row["status"] != "finished":  # not closed by a writer killed before `done`
            # The crawler processes' counters (under Scrapy's names), plus this writer's.
            merged: dict[str, Any] = {
                k.decode(): int(v) for k, v in self.client.hgetall(self.keys.stats).items()
            }
            for key, value in self.counters.get_stats().items():
                merged[key] = merged.get(key, 0) + value
            pages = {k.decode(): int(v) for k, v in self.client.hgetall(self.keys.pages).items()}
            capped = {s.id for s in self.sites if pages.get(s.id, 0) >= s.max_pages}
            # Removals only from a run that lost nothing (as a single-process crawl stopped short makes none).
            finished = not merged.get(PREFIX + "unfinished_processes") and not merged.get(
                PREFIX + "errors/writer"
            )
            try:
                for key, value in end_of_run(self.ws, self.run_id, self.sites, finished, capped).items():
                    merged[PREFIX + key] = value
            except Exception as exc:  # the run's summary is never lost to the bookkeeping; the log says why
                if self.ws.fault(exc) is not None:
                    raise
                logger.exception("end-of-run bookkeeping failed")
                merged[PREFIX + "errors/bookkeeping"] = 1
            merged[PREFIX + "finish_reason"] = "finished"
            with corpus.transaction():
                corpus.forget_stream_entries(self.run_id)
                corpus.finish_run(self.run_id, "finished", summarize(merged))
        self._clear_crawl()
        logger.info("run %d of the shared crawl %s is written", self.run_id, self.keys.crawl)

    def _clear_crawl(self) -> None:
        """The crawl's keys go (the next scheduled crawl starts afresh); `done` and the run id stay a
        little while for the processes still waiting on them."""
        keep = {self.keys.done, self.keys.run, self.keys.writer}
        doomed = [
            k for k in self.client.scan_iter(match=self.keys.pattern, count=1000) if k.decode() not in keep
        ]
        pipe = self.client.pipeline()
        for key in doomed:
            pipe.unlink(key)  # freed in the background: a frontier of millions must not block Redis
        pipe.set(self.keys.done, str(self.run_id), ex=DONE_TTL_S)
        pipe.expire(self.keys.run, DONE_TTL_S)
        pipe.execute()


def run_writer(data_dir: Path, sites: list[Site], redis_url: str, crawl_name: str, max_bytes: int) -> bool:
    """`govarchive writer`: write the shared crawl's corpus (whenever this process holds the lease), until
    the crawl is done (True) or SIGTERM (False). `max_bytes`: the blob store's limit, as the crawl's."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    ws = Workspace(data_dir, max_bytes=max_bytes)
    try:
        return CorpusWriter(connect(redis_url), CrawlKeys(crawl_name), ws, sites, process_name()).run(stop)
    finally:
        ws.close()
