"""Content-addressed, append-only blob store."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from archive.store.blobs import BlobStore, BlobTooLarge


def test_same_bytes_stored_once_under_their_sha256(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    data = "中宁县卫生健康局2020年政府信息公开工作年度报告".encode() * 1000
    sha, size = store.put_bytes(data)
    assert sha == hashlib.sha256(data).hexdigest()
    assert size == len(data)
    path = store.path(sha)
    assert path == tmp_path / "blobs" / "sha256" / sha[:2] / sha[2:4] / sha
    assert path.read_bytes() == data
    mtime = path.stat().st_mtime_ns
    assert store.put_bytes(data) == (sha, size)
    assert path.stat().st_mtime_ns == mtime  # never rewritten
    assert not os.access(path, os.W_OK) or os.geteuid() == 0  # stored read-only (root ignores modes)
    assert oct(path.stat().st_mode & 0o777) == oct(0o444)
    assert list((tmp_path / "blobs" / "tmp").iterdir()) == []


def test_streamed_chunks_hash_like_the_whole(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    chunks = [os.urandom(70_000) for _ in range(5)]
    sha, size = store.put_chunks(iter(chunks))
    assert sha == hashlib.sha256(b"".join(chunks)).hexdigest()
    assert size == 350_000


def test_size_cap_keeps_nothing(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs", max_bytes=1000)
    with pytest.raises(BlobTooLarge, match="size cap of 1000 bytes"):
        store.put_bytes(b"x" * 1001)
    assert list((tmp_path / "blobs" / "tmp").iterdir()) == []
    assert list((tmp_path / "blobs" / "sha256").rglob("*")) == []


def test_a_batch_is_kept_like_single_puts_and_reports_each_failure(tmp_path: Path) -> None:
    """put_many (the crawl's group commit): the same layout, modes and once-only storage as put_bytes;
    a blob over the cap fails alone; a blob already held, or twice in the batch, is not written again."""
    store = BlobStore(tmp_path / "blobs", max_bytes=5000)
    held = b"held before" * 10
    held_sha, _ = store.put_bytes(held)
    mtime = store.path(held_sha).stat().st_mtime_ns
    twice = os.urandom(3000)
    datas = [twice, b"x" * 5001, held, twice, os.urandom(4000), b""]
    out = store.put_many(datas)
    assert isinstance(out[1], BlobTooLarge)
    for data, result in zip(datas, out, strict=True):
        if data == b"x" * 5001:
            continue
        assert result == (hashlib.sha256(data).hexdigest(), len(data))
        path = store.path(hashlib.sha256(data).hexdigest())
        assert path.read_bytes() == data
        assert oct(path.stat().st_mode & 0o777) == oct(0o444)
    assert store.path(held_sha).stat().st_mtime_ns == mtime  # never rewritten
    assert list((tmp_path / "blobs" / "tmp").iterdir()) == []
    assert store.put_many([]) == []
    # A store opened afresh (folders not known to it) keeps a batch in folders that exist already.
    again = BlobStore(tmp_path / "blobs")
    assert again.put_many([twice]) == [(hashlib.sha256(twice).hexdigest(), 3000)]
    assert list((tmp_path / "blobs" / "tmp").iterdir()) == []
    store.close()
    again.close()


def test_old_orphans_of_a_crashed_run_are_swept(tmp_path: Path) -> None:
    BlobStore(tmp_path / "blobs")
    orphan = tmp_path / "blobs" / "tmp" / "part-crashed"
    orphan.write_bytes(b"half")
    old = time.time() - 7200
    os.utime(orphan, (old, old))
    fresh = tmp_path / "blobs" / "tmp" / "part-running"
    fresh.write_bytes(b"in progress")
    BlobStore(tmp_path / "blobs")
    assert not orphan.exists()
    assert fresh.exists()  # a concurrent writer's file is left alone


def test_a_command_holding_the_run_lock_sweeps_what_a_killed_run_left(tmp_path: Path) -> None:
    """A young temp file is a killed run's when the run lock is free: `govarchive ingest` (like crawl and
    reprocess) takes the lock and removes blob temp files, half-written conversions and worker scratch."""
    import subprocess
    import sys

    from archive.store.workspace import Workspace

    data = tmp_path / "data"
    ws = Workspace(data)
    left = [
        ws.blobs.tmp_dir / "part-killed",
        ws.cache_dir / ("ab" * 32 + ".1234.tmp"),
        ws.tmp_dir / "govarchive-lo-x" / "input.doc",
        ws.tmp_dir / "tmpq1w2e3",
    ]
    for p in left:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"half")
    kept = ws.cache_dir / ("cd" * 32 + ".docx")  # a finished conversion stays
    kept.write_bytes(b"whole")
    page = tmp_path / "page.html"
    page.write_text("<html><body><p>测试</p></body></html>", encoding="utf-8")
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run(
        [sys.executable, "-m", "govarchive", "ingest", "--data", str(data), str(page)],
        cwd=root, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert [p for p in left if p.exists()] == []
    assert not (ws.tmp_dir / "govarchive-lo-x").exists()
    assert kept.exists()


def test_a_bad_capture_in_a_batch_fails_alone(tmp_path: Path) -> None:
    """Group commit must not widen a failure: a capture whose rows cannot be written (here a malformed link
    list, as a bug would make) fails by itself; the batch's others are recorded and counted."""
    from archive.capture import Fetched, keep_many, record_batch
    from archive.store.workspace import Workspace

    ws = Workspace(tmp_path / "data")
    try:
        items = [
            Fetched(url=f"http://gov.example/{i}.html", site_id="s", role="article", fetched_at="2026-12-06T00:00:00Z",
                    status=200, body=f"<p>page {i}</p>".encode())
            for i in range(4)
        ]  # fmt: skip
        items[2].links = [("http://gov.example/a.pdf",)]  # type: ignore[list-item]  # not (url, text, kind)
        keep_many(ws, items)
        counted: dict[str, int] = {}
        failed = record_batch(ws, items, None, lambda k, n: counted.__setitem__(k, counted.get(k, 0) + n))
        assert list(failed) == [2] and isinstance(failed[2], ValueError)
        urls = {r[0] for r in ws.corpus.conn.execute("SELECT url FROM captures")}
        assert urls == {f"http://gov.example/{i}.html" for i in (0, 1, 3)}
        assert counted["captures/article"] == 3
    finally:
        ws.close()
