"""Extraction workers run under a memory cap: an allocation past it is a MemoryError in that worker (an
error value for one document), never a worker that grows until the machine runs out."""

from __future__ import annotations

import asyncio
import resource
from pathlib import Path

from archive.extract.limits import MAX_WORKER_MEMORY
from archive.extract.pool import ExtractionPool


def _allocate(n: int) -> int:
    try:
        return len(bytearray(n))
    except MemoryError:
        return -1


def test_pool_workers_carry_the_memory_cap(tmp_path: Path) -> None:
    cap = 512 * 1024 * 1024
    pool = ExtractionPool(1, timeout_s=60, memory_bytes=cap)
    try:
        executor = pool._executor()
        soft, _ = executor.submit(resource.getrlimit, resource.RLIMIT_DATA).result(timeout=60)
        assert soft == cap
        # Past the cap: refused in the worker, which stays alive for the next document.
        assert executor.submit(_allocate, 2 * cap).result(timeout=60) == -1
        assert executor.submit(_allocate, 16 * 1024 * 1024).result(timeout=60) == 16 * 1024 * 1024
        page = tmp_path / "p.html"
        page.write_text("<html><body><p>正文</p></body></html>", encoding="utf-8")
        ex = asyncio.run(pool.extract(page, None, None, "http://example.gov.cn/a.html"))
        assert ex.error is None
    finally:
        pool.close()


def test_default_cap_is_the_documented_limit() -> None:
    assert ExtractionPool(1).memory_bytes == MAX_WORKER_MEMORY
