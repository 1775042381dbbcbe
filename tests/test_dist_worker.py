"""Extraction jobs on a real redis-server, done by real `govarchive worker` processes on real documents:
results equal extract_file's, two workers share the jobs, a killed worker's job is taken over, a job that
loses every worker is abandoned after a bounded number of attempts, a stopped worker leaves nothing behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from archive.extract import extract_file
from archive.model import Extraction
from archive.sharedcrawl.jobs import (
    JOBS_GROUP,
    JOBS_KEY,
    ExtractionJobs,
    ExtractionResults,
    extraction_from_json,
    extraction_to_json,
    jobs_outstanding,
)
from archive.sharedcrawl.streams import Entry, Stream
from archive.sharedcrawl.worker import MISSING_BLOB, abandoned_error, run_worker
from archive.store.blobs import BlobStore
from tests.conftest import REPO
from tests.eval.ocr_engines import scan_pdf
from tests.fixtures_docs import needs_ocr, needs_soffice

SEEDS = REPO / "tests" / "fuzz_seeds"
# The job stream's key is fixed (one for every crawl on a Redis): this module keeps to a database of its own
# on the session's redis-server, emptied before each test, so no other test's jobs or workers meet ours.
DB = 9
REPLY = "govarchive:t-worker:results"
CLAIM_IDLE_S = 2.0


@pytest.fixture
def url(redis_url: str) -> str:
    db_url = redis_url.rsplit("/", 1)[0] + f"/{DB}"
    redis.Redis.from_url(db_url).flushdb()
    return db_url


@pytest.fixture
def data(tmp_path: Path) -> Path:
    (tmp_path / "data").mkdir()
    return tmp_path / "data"


def _store(data: Path, *paths: Path) -> list[str]:
    store = BlobStore(data / "blobs")
    return [store.put_file(p)[0] for p in paths]


def _collect(
    results: ExtractionResults,
    want: Callable[[list[tuple[str, Extraction, dict[str, str]]]], bool],
    timeout: float,
) -> list[tuple[str, Extraction, dict[str, str]]]:
    """Results (sha256, extraction, fields), acknowledged as read, until `want` is satisfied."""
    got: list[tuple[str, Extraction, dict[str, str]]] = []
    deadline = time.monotonic() + timeout
    while not want(got):
        assert time.monotonic() < deadline, f"results so far: {[(s[:8], e.error) for s, e, _ in got]}"
        for entry, sha, ex in results.read("test", 16, 200):
            got.append((sha, ex, entry.fields))
            results.ack(entry.id)
    return got


def _holders(client: redis.Redis) -> dict[str, str]:
    """Job id -> consumer holding it."""
    pending: Any = client.xpending_range(JOBS_KEY, JOBS_GROUP, "-", "+", 100)
    return {
        (p["message_id"].decode() if isinstance(p["message_id"], bytes) else p["message_id"]): (
            p["consumer"].decode() if isinstance(p["consumer"], bytes) else p["consumer"]
        )
        for p in pending
    }


def _pid_of(consumer: str) -> int:
    return int(consumer.rsplit("-", 2)[1])  # archive.sharedcrawl.keys.process_name: host-pid-nonce


def _living(pgids: set[int]) -> list[str]:
    """Processes (not zombies) left in these process groups."""
    left = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text.rsplit(")", 1)[1].split()
        if fields[0] != "Z" and int(fields[2]) in pgids:
            left.append(text[:60])
    return left


class Workers:
    """Real `govarchive worker` processes, each the leader of its own process group (its forkserver and
    extraction processes with it), so a kill takes the whole worker down as a lost machine would."""

    def __init__(self, url: str, data: Path, logs: Path) -> None:
        self.url, self.data, self.logs = url, data, logs
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        log = open(self.logs / f"worker-{len(self.procs)}.log", "wb")  # noqa: SIM115 - the child holds it
        cmd = [
            sys.executable,
            "-m",
            "govarchive",
            "worker",
            "--redis",
            self.url,
            "--data",
            str(self.data),
            "--processes",
            "1",
            "--claim-idle",
            str(CLAIM_IDLE_S),
            "--max-attempts",
            "3",
            "-v",
        ]
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self.procs.append(proc)
        return proc

    def by_pid(self, pid: int) -> subprocess.Popen[bytes]:
        return next(p for p in self.procs if p.pid == pid)

    def kill(self, proc: subprocess.Popen[bytes]) -> None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    def wait_ready(self, timeout: float = 60) -> None:
        """Until every worker started has said it is taking jobs (Redis 7.0 lists a consumer only once it
        was given an entry, so the group cannot tell)."""
        deadline = time.monotonic() + timeout
        logs = [self.logs / f"worker-{n}.log" for n in range(len(self.procs))]
        while not all("extraction processes; jobs from" in p.read_text(errors="replace") for p in logs):
            assert time.monotonic() < deadline, self.output()
            time.sleep(0.05)
        time.sleep(0.3)  # its first read follows at once

    def output(self) -> str:
        return "\n".join(
            p.read_text(errors="replace")[-2000:] for p in sorted(self.logs.glob("worker-*.log"))
        )

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


@pytest.fixture
def workers(url: str, data: Path, tmp_path: Path) -> Iterator[Workers]:
    w = Workers(url, data, tmp_path)
    try:
        yield w
    finally:
        w.stop_all()
        pgids = {p.pid for p in w.procs}
        deadline = time.monotonic() + 15
        while _living(pgids) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _living(pgids), _living(pgids)


def test_an_extraction_round_trips_through_json_exactly() -> None:
    ex = Extraction(
        media_type="pdf",
        text="二〇二一年 政府信息公开\n\x00tab\t",
        tables=[[["一", None, "3"], [None, "", "1,234"]], []],
        pages=3,
        extractor="pypdfium2",
        ocr=True,
        error=None,
        page_meta={"ArticleTitle": "年度报告", "PubDate": "2022-01-20"},
    )
    assert extraction_from_json(extraction_to_json(ex)) == ex
    odd = Extraction("html", text="lone surrogate \udc8f kept", error="x")  # not UTF-8: escaped, still exact
    assert extraction_from_json(extraction_to_json(odd)) == odd
    assert extraction_from_json(extraction_to_json(Extraction("unknown"))) == Extraction("unknown")


@needs_soffice
def test_worker_results_equal_extract_file_and_a_missing_blob_is_an_error(
    url: str, data: Path, tmp_path: Path
) -> None:
    docs = {
        "pdf": (SEEDS / "pdf" / "r2021_77497720ae.pdf", ""),
        "docx": (SEEDS / "docx" / "r2020_0f51068a55.docx", ""),
        "doc": (SEEDS / "doc" / "r2021_77497720ae.doc", ""),
        "html": (SEEDS / "html" / "r2020_0f51068a55.html", "utf-8"),
        "xls": (SEEDS / "xls" / "report.xls", ""),
        "zip": (SEEDS / "package" / "reports.zip", ""),
    }
    shas = dict(zip(docs, _store(data, *(p for p, _ in docs.values())), strict=True))
    client = redis.Redis.from_url(url)
    jobs = ExtractionJobs(client)
    for kind, sha in shas.items():
        jobs.submit(sha, f"http://gov.example/{kind}", docs[kind][1], REPLY)
    missing = "ab" * 32
    jobs.submit(missing, "http://gov.example/gone.pdf", "", REPLY)
    assert jobs_outstanding(client) == len(docs) + 1

    stop = threading.Event()
    thread = threading.Thread(target=run_worker, args=(url, data, 2, stop), kwargs={"claim_idle_ms": 3000})
    thread.start()
    try:
        results = ExtractionResults(client, REPLY)
        got = _collect(results, lambda g: len(g) >= len(docs) + 1, timeout=60)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()

    by_sha = {sha: (ex, fields) for sha, ex, fields in got}
    assert len(got) == len(by_sha) == len(docs) + 1  # one result per job, none repeated
    for kind, (path, charset) in docs.items():
        ex, fields = by_sha[shas[kind]]
        want = extract_file(
            path,
            None,
            cache_dir=tmp_path / "ref-cache",
            url=f"http://gov.example/{kind}",
            charset=charset or None,
        )
        assert ex == want, kind
        assert want.error is None and (want.text or want.tables), (
            kind
        )  # real content compared, not two errors
        assert fields["attempts"] == "1" and fields["worker"]
    assert by_sha[missing][0].error == MISSING_BLOB
    assert jobs_outstanding(client) == 0 and results.outstanding() == 0
    assert not list((data / "tmp").iterdir())  # a worker that stopped cleanly leaves no scratch folder
    assert not (data / "corpus.db").exists()  # workers never open the corpus


def test_a_worker_outlives_redis_losing_its_streams(url: str, data: Path) -> None:
    """Redis restarted empty (no persistence) or flushed under a running worker: it recreates the job
    stream's group and goes on answering."""
    client = redis.Redis.from_url(url)
    stop = threading.Event()
    thread = threading.Thread(target=run_worker, args=(url, data, 1, stop), kwargs={"claim_idle_ms": 3000})
    thread.start()
    try:
        time.sleep(1.0)
        client.flushdb()
        time.sleep(1.5)  # the worker's reads meet NOGROUP
        assert thread.is_alive()
        ExtractionJobs(client).submit("cd" * 32, "http://gov.example/after-flush.pdf", "", REPLY)
        ((sha, ex, _),) = _collect(ExtractionResults(client, REPLY), lambda g: len(g) >= 1, timeout=20)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert sha == "cd" * 32 and ex.error == MISSING_BLOB


@needs_ocr
def test_a_worker_stopped_mid_job_hands_it_back_uncounted(url: str, data: Path, tmp_path: Path) -> None:
    """SIGTERM/stop during a long job: no result from the stopped worker, the job goes to the next worker
    at once (not after the takeover delay) and counts as its first attempt."""
    (sha,) = _store(data, scan_pdf("r2019-bw150", tmp_path / "scan.pdf"))
    client = redis.Redis.from_url(url)
    ExtractionJobs(client).submit(sha, "http://gov.example/scan.pdf", "", REPLY)
    stop_a = threading.Event()
    a = threading.Thread(
        target=run_worker, args=(url, data, 1, stop_a), kwargs={"claim_idle_ms": 60_000, "grace_s": 0.2}
    )
    a.start()
    deadline = time.monotonic() + 30
    while not _holders(client):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    stop_a.set()
    a.join(timeout=30)
    assert not a.is_alive()
    results = ExtractionResults(client, REPLY)
    assert results.outstanding() == 0 and jobs_outstanding(client) == 1

    stop_b = threading.Event()
    started = time.monotonic()
    b = threading.Thread(target=run_worker, args=(url, data, 1, stop_b), kwargs={"claim_idle_ms": 60_000})
    b.start()
    try:
        deadline = time.monotonic() + 10  # far below the 60 s takeover delay
        while not _holders(client):
            assert time.monotonic() < deadline
            time.sleep(0.02)
        assert time.monotonic() - started < 10
        (got,) = _collect(results, lambda g: len(g) >= 1, timeout=90)
    finally:
        stop_b.set()
        b.join(timeout=30)
    assert got[0] == sha and got[1].ocr and got[1].error is None and got[2]["attempts"] == "1"
    assert jobs_outstanding(client) == 0


@needs_ocr
def test_a_live_workers_long_job_is_not_taken_from_it(url: str, data: Path, tmp_path: Path) -> None:
    """The takeover delay (1 s here) is far shorter than the job (seconds of OCR): the worker's heartbeat
    keeps the job fresh, so another consumer sweeping for idle jobs all along never gets it."""
    (sha,) = _store(data, scan_pdf("r2019-bw150", tmp_path / "scan.pdf"))
    client = redis.Redis.from_url(url)
    ExtractionJobs(client).submit(sha, "http://gov.example/scan.pdf", "", REPLY)
    stop = threading.Event()
    worker = threading.Thread(target=run_worker, args=(url, data, 1, stop), kwargs={"claim_idle_ms": 1000})
    worker.start()
    try:
        results = ExtractionResults(client, REPLY)
        thief = Stream(client, JOBS_KEY, JOBS_GROUP)
        stolen: list[Entry] = []
        got: list[tuple[Entry, str, Extraction]] = []
        started = time.monotonic()
        while not got:
            assert time.monotonic() - started < 60
            stolen += thief.claim("thief", min_idle_ms=1000)
            got = results.read("test", 1, 100)
    finally:
        stop.set()
        worker.join(timeout=30)
    assert stolen == []
    ((entry, _sha, ex),) = got
    assert ex.ocr and entry.fields["attempts"] == "1"
    assert time.monotonic() - started > 2  # the job did outlast the takeover delay


@needs_ocr
@needs_soffice
def test_two_workers_share_jobs_and_a_killed_workers_job_is_taken_over(
    url: str, data: Path, tmp_path: Path, workers: Workers
) -> None:
    docs = [*sorted((SEEDS / "doc").glob("*.doc")), SEEDS / "pdf" / "r2020_0f51068a55.pdf"]
    quick = _store(data, *docs)
    (scan,) = _store(data, scan_pdf("r2021-grey150", tmp_path / "scan.pdf"))
    client = redis.Redis.from_url(url)
    workers.start()
    workers.start()
    workers.wait_ready()
    jobs = ExtractionJobs(client)
    ids = {jobs.submit(sha, f"http://gov.example/{sha[:8]}", "", REPLY): sha for sha in quick}
    scan_job = jobs.submit(scan, "http://gov.example/scan.pdf", "", REPLY)
    ids[scan_job] = scan

    # The worker that takes the scan (seconds of OCR) is killed with it, as a lost machine would be.
    deadline = time.monotonic() + 60
    while scan_job not in _holders(client):
        assert time.monotonic() < deadline, workers.output()
        time.sleep(0.02)
    victim = _holders(client)[scan_job]
    workers.kill(workers.by_pid(_pid_of(victim)))
    killed_at = time.monotonic()
    while _holders(client).get(scan_job, victim) == victim:
        assert time.monotonic() - killed_at < 30, workers.output()
        time.sleep(0.05)
    pickup = time.monotonic() - killed_at
    # Taken over after the idle time, plus one sweep, plus a DOC the survivor may be finishing first.
    assert CLAIM_IDLE_S - 0.5 <= pickup < CLAIM_IDLE_S + 10, pickup

    results = ExtractionResults(client, REPLY)
    got = _collect(results, lambda g: {s for s, _, _ in g} >= set(ids.values()), timeout=90)
    counts = {sha: sum(1 for s, _, _ in got if s == sha) for sha in ids.values()}
    assert all(1 <= n <= 2 for n in counts.values()), counts  # never lost; at most repeated once
    # A job not involved in the kill is answered once, on its first attempt.
    assert all(n == 1 for sha, n in counts.items() if sha != scan), counts
    assert all(f["attempts"] == "1" for s, _, f in got if s != scan)
    assert all(ex.error is None for _, ex, _ in got), [(s[:8], ex.error) for s, ex, _ in got]
    scan_results = [(ex, f) for s, ex, f in got if s == scan]
    assert scan_results[-1][0].ocr and scan_results[-1][0].tables and scan_results[-1][1]["attempts"] == "2"
    assert len({f["worker"] for _, _, f in got}) == 2, workers.output()  # both workers did jobs

    survivor = next(p for p in workers.procs if p.poll() is None)
    survivor.send_signal(signal.SIGTERM)
    assert survivor.wait(timeout=30) == 0, workers.output()
    assert jobs_outstanding(client) == 0


@needs_ocr
def test_a_job_that_loses_every_worker_is_abandoned_after_max_attempts(
    url: str, data: Path, tmp_path: Path, workers: Workers
) -> None:
    (scan,) = _store(data, scan_pdf("r2019-bw150", tmp_path / "scan.pdf"))
    client = redis.Redis.from_url(url)
    workers.start()
    workers.start()
    workers.wait_ready()
    job = ExtractionJobs(client).submit(scan, "http://gov.example/killer.pdf", "", REPLY)
    results = ExtractionResults(client, REPLY)
    kills = 0
    deadline = time.monotonic() + 80
    got: list[tuple[str, Extraction, dict[str, str]]] = []
    while not got:
        assert time.monotonic() < deadline, workers.output()
        holder = _holders(client).get(job)
        if holder is not None and kills < 3:
            proc = workers.by_pid(_pid_of(holder))
            if proc.poll() is None:
                workers.kill(proc)  # each worker that takes it is lost with it
                kills += 1
                workers.start()  # another spare, ready for the next takeover
        for entry, sha, ex in results.read("test", 16, 50):
            got.append((sha, ex, entry.fields))
            results.ack(entry.id)
    assert kills == 3
    ((sha, ex, fields),) = got
    assert sha == scan and ex.error == abandoned_error(3) == (
        "extraction abandoned after 3 attempts (worker lost each time)"
    )
    assert fields["attempts"] == "4"
    deadline = time.monotonic() + 10
    while jobs_outstanding(client):  # acknowledged just after its result was published
        assert time.monotonic() < deadline
        time.sleep(0.05)
