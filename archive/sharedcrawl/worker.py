"""`govarchive worker`: extraction jobs taken from Redis, run in the bounded ExtractionPool, answered on each
job's reply stream.

Reliability comes from the stream (archive/sharedcrawl/streams.py): a job stays pending with its worker until its
result is published and the job acknowledged, in that order; the jobs of a worker that stops answering
(killed, machine lost) are taken over by another after `claim_idle_ms`. A live worker keeps its jobs fresh
(a heartbeat XCLAIM to itself), so a long OCR job is never taken from it and the takeover delay can be
seconds instead of the longest legitimate job. The worker reads blobs from the shared data folder and never
opens corpus.db: results go back through Redis to the crawl's one writer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing.forkserver
import re
import shutil
import signal
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis

from archive.extract.pool import ExtractionPool
from archive.model import Extraction
from archive.procs import pid_alive
from archive.sharedcrawl.client import redis_client
from archive.sharedcrawl.jobs import jobs_stream, publish_result
from archive.sharedcrawl.keys import process_name
from archive.sharedcrawl.streams import Entry
from archive.store.blobs import BlobReader

logger = logging.getLogger(__name__)

_SHA256 = re.compile(r"[0-9a-f]{64}")
MISSING_BLOB = "blob missing from the shared store"
MISSING_BLOB_WAITS, MISSING_BLOB_WAIT_S = 6, 1.0  # then answered MISSING_BLOB (the writer asks again)
REDIS_ERRORS = (redis.ConnectionError, redis.TimeoutError)

# Refresh (idle time to 0, delivery count unchanged: JUSTID) only the jobs still ours: one another worker
# took over while we stalled stays theirs. Atomic, so a takeover cannot slip between check and claim.
_KEEP = """
local kept = {}
for i = 3, #ARGV do
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1, ARGV[2])
  if p[1] then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
    kept[#kept + 1] = ARGV[i]
  end
end
return kept
"""

# A job dropped at a clean stop: made idle "for a day" so the next sweep of any worker takes it at once, and
# its delivery count put back, so a stop is not counted as a lost worker. ARGV: group, consumer, id, count…
_RELEASE = """
for i = 3, #ARGV, 2 do
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1, ARGV[2])
  if p[1] then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'IDLE', 86400000, 'RETRYCOUNT', ARGV[i + 1], 'JUSTID')
  end
end
return 0
"""


def abandoned_error(max_attempts: int) -> str:
    return f"extraction abandoned after {max_attempts} attempts (worker lost each time)"


@dataclass
class WorkerStats:
    done: int = 0  # answered (errors included)
    failed: int = 0  # answered with an Extraction error
    taken_over: int = 0  # jobs of a lost worker done here
    abandoned: int = 0  # answered "abandoned": every worker that had them was lost
    lost: int = 0  # jobs taken from this worker while it still worked on them (it answered anyway)
    dropped: int = 0  # in progress at stop, left pending for another worker

    def line(self) -> str:
        return (
            f"{self.done} jobs done ({self.failed} with an extraction error), {self.taken_over} taken over "
            f"from lost workers, {self.abandoned} abandoned"
        )


class Worker:
    def __init__(
        self,
        client: redis.Redis,
        data_dir: Path,
        processes: int = 1,
        claim_idle_ms: int = 10_000,
        max_attempts: int = 3,
        timeout_s: float = 600,
    ) -> None:
        self.client: Any = client  # redis-py's stubs mix sync and async results
        self.name = process_name()
        self.jobs = jobs_stream(client)
        self.processes = max(1, processes)
        self.claim_idle_ms = claim_idle_ms
        self.max_attempts = max_attempts
        self.blobs_root = Path(data_dir) / "blobs"
        self.blobs = BlobReader(self.blobs_root)  # reads only: the writer's store is on another machine
        self.cache_dir = Path(data_dir) / "derived"
        self.temp_dir = (Path(data_dir) / "tmp" / self.name).absolute()
        self.pool = ExtractionPool(self.processes, timeout_s, temp_dir=self.temp_dir)
        self.stats = WorkerStats()
        # Several beats per takeover delay: a beat or two late (a loaded machine) still keeps the jobs.
        self.beat_s = max(0.2, claim_idle_ms / 5000)
        # How often to look for jobs of lost workers (one XPENDING): every second, so a lost worker's job
        # waits the takeover delay plus at most a second.
        self.sweep_s = max(0.25, min(1.0, claim_idle_ms / 4000))
        self.running: dict[str, asyncio.Task[None]] = {}
        self.stopping = False
        self._lost: set[str] = set()
        self._deliveries: dict[str, int] = {}

    # --- the loop -------------------------------------------------------------------------------

    async def serve(self, stop: threading.Event, grace_s: float = 10.0) -> WorkerStats:
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        self.temp_dir.mkdir(parents=True, exist_ok=True)
        next_beat = next_sweep = next_tidy = 0.0
        next_report, reported = time.monotonic() + 60, self.stats.line()
        try:
            while not stop.is_set():
                try:
                    now = time.monotonic()
                    if now >= next_beat:
                        await self._beat()
                        next_beat = now + self.beat_s
                    free = self.processes - len(self.running)
                    if free <= 0:  # never take a job no process is free for: it would wait while "held"
                        await asyncio.wait(
                            set(self.running.values()),
                            timeout=min(1.0, self.beat_s),  # stop is checked at least every second
                            return_when=asyncio.FIRST_COMPLETED,
                        )
                        continue
                    entries: list[Entry] = []
                    if now >= next_sweep:
                        entries = await asyncio.to_thread(
                            self.jobs.claim, self.name, self.claim_idle_ms, free
                        )
                        next_sweep = now + self.sweep_s
                    if now >= next_tidy:
                        await asyncio.to_thread(self._forget_dead_consumers)
                        next_tidy = now + 60
                    if not entries:
                        block = int(min(1000, self.beat_s * 1000))
                        entries = await asyncio.to_thread(self.jobs.read, self.name, free, block)
                    for entry in entries:
                        self._start(entry)
                except REDIS_ERRORS as e:
                    logger.warning("Redis unreachable (%s); retrying in 2 s", e)
                    await asyncio.sleep(2)
                except redis.ResponseError as e:
                    if not str(e).startswith(("NOGROUP", "UNBLOCKED")):
                        raise
                    # Redis restarted empty (no persistence) or flushed, a blocked read told so (UNBLOCKED) or
                    # the next one (NOGROUP): the group comes back with the stream.
                    logger.warning("the job stream is gone from Redis (%s); recreating it", e)
                    self.jobs = jobs_stream(self.client)
                if time.monotonic() >= next_report:  # a summary line when something changed
                    next_report = time.monotonic() + 60
                    if self.stats.line() != reported:
                        reported = self.stats.line()
                        logger.info("worker %s: %s, %d in progress", self.name, reported, len(self.running))
            await self._drain(grace_s)
        finally:
            self.pool.terminate()
        return self.stats

    def _start(self, entry: Entry) -> None:
        task = asyncio.create_task(self._handle(entry))
        self.running[entry.id] = task
        self._deliveries[entry.id] = entry.deliveries
        task.add_done_callback(lambda t: self._forget(entry.id, t))

    def _forget(self, entry_id: str, task: asyncio.Task[None]) -> None:
        self.running.pop(entry_id, None)
        self._deliveries.pop(entry_id, None)
        self._lost.discard(entry_id)
        if not task.cancelled() and task.exception() is not None:
            # Left pending and no longer kept fresh: another worker takes it over after the idle time.
            logger.error("job %s failed here: %r", entry_id, task.exception())

    async def _drain(self, grace_s: float) -> None:
        """Stop taking jobs; finish what is in progress within `grace_s` (its jobs kept fresh meanwhile),
        then drop the rest: left pending, another worker takes them over."""
        self.stopping = True
        deadline = time.monotonic() + grace_s
        if self.running:
            logger.info("stopping: %d jobs in progress, waiting up to %.0f s", len(self.running), grace_s)
        while self.running and time.monotonic() < deadline:
            with contextlib.suppress(*REDIS_ERRORS):
                await self._beat()
            left = max(0.0, min(self.beat_s, deadline - time.monotonic()))
            await asyncio.wait(set(self.running.values()), timeout=left, return_when=asyncio.FIRST_COMPLETED)
        dropped = dict(self.running)
        counts = {i: self._deliveries.get(i, 1) for i in dropped}
        for task in dropped.values():
            task.cancel()
        await asyncio.gather(*dropped.values(), return_exceptions=True)
        if dropped:
            self.stats.dropped += len(dropped)
            with contextlib.suppress(*REDIS_ERRORS):  # unreachable: they are taken over after the idle time
                await asyncio.to_thread(self._release, counts)
            logger.info("stopping: %d unfinished jobs left for another worker", len(dropped))

    # --- one job --------------------------------------------------------------------------------

    async def _handle(self, entry: Entry) -> None:
        try:
            await self._handle_job(entry)
        except REDIS_ERRORS:
            raise  # left pending: this worker or another takes it over once Redis answers
        except Exception as e:
            # A failure of this worker's own (a permission error on the blob, a bug): the job is answered
            # with it rather than left pending with a live worker, where nobody would ever take it over.
            logger.exception("job %s failed in the worker", entry.id)
            error = f"extraction failed in the worker: {type(e).__name__}: {e}"
            sha, reply = entry.fields.get("sha256", ""), entry.fields.get("reply", "")
            if reply:
                await self._answer(entry, reply, sha, Extraction("unknown", error=error))

    async def _handle_job(self, entry: Entry) -> None:
        sha = entry.fields.get("sha256", "")
        url = entry.fields.get("url", "")
        reply = entry.fields.get("reply", "")
        if not reply:
            logger.error("job %s (%s) names no reply stream; dropped", entry.id, url or sha)
            await asyncio.to_thread(self.jobs.ack, entry.id)
            return
        if entry.deliveries > 1:
            self.stats.taken_over += 1
            logger.info(
                "taking over %s (attempt %d; its worker stopped answering)", url or sha, entry.deliveries
            )
        started = time.monotonic()
        ex = await self._extract(entry, sha, url)
        if ex is None:  # interrupted by our own stop: handed back to the next worker
            with contextlib.suppress(*REDIS_ERRORS):
                await asyncio.to_thread(self._release, {entry.id: entry.deliveries})
            return
        await self._answer(entry, reply, sha, ex)
        self.stats.done += 1
        self.stats.failed += bool(ex.error)
        logger.debug(
            "done %s (%s): %s by %s, %d tables, %.1f s%s",
            url or "-",
            sha[:12],
            ex.media_type,
            ex.extractor or "-",
            len(ex.tables),
            time.monotonic() - started,
            f", error: {ex.error}" if ex.error else "",
        )

    async def _extract(self, entry: Entry, sha: str, url: str) -> Extraction | None:
        if entry.deliveries > self.max_attempts:
            # Each worker that had it was lost (killed, out of memory, its machine gone): a document
            # that takes its worker down must not do so forever.
            self.stats.abandoned += 1
            logger.warning(
                "abandoning %s after %d attempts: its worker was lost each time",
                url or sha,
                self.max_attempts,
            )
            return Extraction("unknown", error=abandoned_error(self.max_attempts))
        if not _SHA256.fullmatch(sha):
            return Extraction("unknown", error=f"bad job: {sha!r} is not a SHA-256 digest")
        waits = 0
        while not self.blobs.has(sha):
            if waits == MISSING_BLOB_WAITS:
                return Extraction("unknown", error=MISSING_BLOB)
            # Written a moment ago on another machine: a shared folder (NFS) may not show it yet.
            waits += 1
            await asyncio.sleep(MISSING_BLOB_WAIT_S)
        charset = entry.fields.get("charset") or None
        try:
            # A file of the blob's bytes (a scratch copy in this worker's temp folder when the blob has no
            # file of its own), kept until the extraction ended.
            with self.blobs.local_path(sha, scratch=self.temp_dir) as path:
                ex = await self.pool.extract(path, None, self.cache_dir, url or None, charset)
        except FileNotFoundError:  # seen a moment ago: not held after all (a shared folder's stale view)
            return Extraction("unknown", error=MISSING_BLOB)
        except Exception as e:  # the pool failing (extractors never raise); ours when stopping
            if self.stopping:
                return None
            ex = Extraction("unknown", error=f"extraction failed: {type(e).__name__}: {e}")
        if self.stopping and ex.error == "extraction worker crashed":
            return None  # the pool was stopped under it (a signal to the process group): not the document
        return ex

    async def _answer(self, entry: Entry, reply: str, sha: str, ex: Extraction) -> None:
        """Result first, then ack: a kill in between repeats the result, never loses it."""
        while True:
            try:
                await asyncio.to_thread(
                    publish_result, self.client, reply, sha, ex, self.name, entry.deliveries
                )
                await asyncio.to_thread(self.jobs.ack, entry.id)
                return
            except REDIS_ERRORS as e:
                logger.warning("Redis unreachable while answering %s (%s); retrying in 2 s", sha[:12], e)
                await asyncio.sleep(2)

    # --- keeping jobs, tidying the group -----------------------------------------------------------

    async def _beat(self) -> None:
        ids = [i for i in self.running if i not in self._lost]
        if not ids:
            return
        kept = await asyncio.to_thread(self._keep, ids)
        for i in set(ids) - kept:
            self._lost.add(i)
            self.stats.lost += 1
            logger.warning(
                "job %s was taken over by another worker while in progress here (this worker stalled for "
                "more than %.0f s?); both will answer",
                i,
                self.claim_idle_ms / 1000,
            )

    def _keep(self, ids: list[str]) -> set[str]:
        kept = self.client.eval(_KEEP, 1, self.jobs.key, self.jobs.group, self.name, *ids)
        return {k.decode() if isinstance(k, bytes) else str(k) for k in kept or []}

    def _release(self, deliveries: dict[str, int]) -> None:
        args = [x for i, n in deliveries.items() for x in (i, str(max(0, n - 1)))]
        self.client.eval(_RELEASE, 1, self.jobs.key, self.jobs.group, self.name, *args)

    def _forget_dead_consumers(self) -> None:
        """Consumers of lost workers stay in the group after their jobs were taken: drop the ones with
        nothing pending, idle for long (a live worker reads every second)."""
        for c in self.client.xinfo_consumers(self.jobs.key, self.jobs.group):
            name = c["name"].decode() if isinstance(c["name"], bytes) else str(c["name"])
            if name != self.name and int(c["pending"]) == 0 and int(c["idle"]) > 600_000:
                self.client.xgroup_delconsumer(self.jobs.key, self.jobs.group, name)

    def leave(self) -> None:
        """After a clean stop: leave the group if nothing is pending here; drop the scratch folder."""
        with contextlib.suppress(*REDIS_ERRORS):
            mine = self.client.xpending_range(
                self.jobs.key, self.jobs.group, min="-", max="+", count=1, consumername=self.name
            )
            if not mine:
                self.client.xgroup_delconsumer(self.jobs.key, self.jobs.group, self.name)
        shutil.rmtree(self.temp_dir, ignore_errors=True)


def sweep_dead_temp(tmp_root: Path) -> int:
    """Scratch folders of this host's workers that died (named host-pid-nonce): a killed worker's
    conversions and OCR pages. Other hosts' folders are theirs to sweep."""
    host = socket.gethostname()
    removed = 0
    for folder in tmp_root.glob(f"{glob_escape(host)}-*-*"):
        _host, pid, _nonce = folder.name.rsplit("-", 2)
        if _host != host or not pid.isdigit() or pid_alive(int(pid)):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed += 1
    return removed


def glob_escape(s: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", s)


def _start_forkserver_deaf_to_ctrl_c() -> None:
    """Pool processes come from the forkserver and inherit its ignored SIGINT: a terminal's Ctrl-C reaches
    the whole process group, and must stop the worker cleanly, not kill extractions mid-document."""
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        multiprocessing.forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, old)


def run_worker(
    redis_url: str,
    data_dir: Path,
    processes: int = 1,
    stop: threading.Event | None = None,
    claim_idle_ms: int = 10_000,
    max_attempts: int = 3,
    timeout_s: float = 600,
    grace_s: float = 10.0,
) -> WorkerStats:
    """Do extraction jobs until `stop` is set (or, without one, until SIGTERM or SIGINT)."""
    client = redis_client(redis_url)
    client.ping()
    worker = Worker(client, data_dir, processes, claim_idle_ms, max_attempts, timeout_s)
    if not worker.blobs_root.is_dir():
        logger.warning(
            "%s does not exist yet: every job will answer %r until it does", worker.blobs_root, MISSING_BLOB
        )
    sweep_dead_temp(worker.temp_dir.parent)
    in_main = threading.current_thread() is threading.main_thread()
    restore: dict[signal.Signals, Any] = {}
    if stop is None:
        event = stop = threading.Event()
        if in_main:
            for sig in (signal.SIGTERM, signal.SIGINT):
                restore[sig] = signal.signal(sig, lambda _s, _f: event.set())
    if in_main:
        _start_forkserver_deaf_to_ctrl_c()
    where = client.connection_pool.connection_kwargs
    logger.info(
        "worker %s: %d extraction processes; jobs from redis %s:%s/%s; blobs from %s; a lost worker's jobs "
        "taken over after %.0f s",
        worker.name,
        worker.processes,
        where.get("host", "?"),
        where.get("port", "?"),
        where.get("db", 0),
        worker.blobs_root,
        claim_idle_ms / 1000,
    )
    try:
        stats = asyncio.run(worker.serve(stop, grace_s))
        worker.leave()
    finally:
        for sig, handler in restore.items():
            signal.signal(sig, handler)
        client.close()
    logger.info("worker %s stopped: %s", worker.name, stats.line())
    return stats
