"""Extraction off the crawl's thread: a bounded pool of worker processes that survives a worker crash.

PDF, OCR and LibreOffice work is CPU-bound and can crash or hang on hostile input; running it in worker
processes keeps the crawl responsive and turns a dead worker into an error on one document.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import tempfile
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from archive.extract import extract_file
from archive.extract.limits import MAX_WORKER_MEMORY, cap_worker_memory
from archive.model import Extraction

logger = logging.getLogger(__name__)


def extract_path(
    path: str, media_type: str | None, cache_dir: str | None, url: str | None, charset: str | None = None
) -> Extraction:
    return extract_file(
        Path(path), media_type, cache_dir=Path(cache_dir) if cache_dir else None, url=url, charset=charset
    )


def _use_temp_dir(temp_dir: str | None) -> None:
    """A worker's scratch files (and its tools', through TMPDIR) go to `temp_dir`, so the next run finds
    and sweeps what a killed one left. LibreOffice's slot profiles stay where they are: they are kept."""
    if temp_dir:
        # Absolute: tools run in other folders (LibreOffice's --outdir), and a relative data folder
        # (`--data demo-data`) would name a folder that does not exist there.
        temp_dir = os.path.abspath(temp_dir)
        import archive.extract.office  # noqa: F401 - fixes its slot folder before the temp dir moves

        os.environ["TMPDIR"] = temp_dir
        tempfile.tempdir = temp_dir


def _init_worker(temp_dir: str | None, memory_bytes: int) -> None:
    _use_temp_dir(temp_dir)
    cap_worker_memory(memory_bytes)


class ExtractionPool:
    def __init__(
        self,
        workers: int,
        timeout_s: float = 600,
        temp_dir: Path | None = None,
        memory_bytes: int = MAX_WORKER_MEMORY,
    ) -> None:
        self.workers = max(1, workers)
        self.timeout_s = timeout_s
        self.temp_dir = temp_dir
        self.memory_bytes = memory_bytes
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # forkserver: workers do not inherit the crawler's reactor, sockets or SQLite handles.
            ctx = multiprocessing.get_context("forkserver")
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=ctx,
                initializer=_init_worker,
                initargs=(str(self.temp_dir) if self.temp_dir else None, self.memory_bytes),
            )
        return self._pool

    async def extract(
        self,
        path: Path,
        media_type: str | None,
        cache_dir: Path | None,
        url: str | None,
        charset: str | None = None,
    ) -> Extraction:
        """`charset` is what the HTTP header declared (a hint: mislabelled pages are detected)."""
        future = self._executor().submit(
            extract_path, str(path), media_type, str(cache_dir) if cache_dir else None, url, charset
        )
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), self.timeout_s)
        except TimeoutError:
            future.cancel()
            return Extraction(
                media_type=media_type or "unknown", error=f"extraction timed out after {self.timeout_s:.0f} s"
            )
        except BrokenProcessPool:
            logger.error("an extraction worker died on %s; restarting the pool", url or path)
            self.close()
            return Extraction(media_type=media_type or "unknown", error="extraction worker crashed")

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def terminate(self) -> None:
        """Close now, killing workers mid-document: interpreter exit would otherwise wait for each running
        extraction (minutes of OCR). For a job worker that stops; the jobs it drops are retried elsewhere."""
        if self._pool is not None:
            processes: dict[int, Any] = getattr(self._pool, "_processes", None) or {}  # no public API in 3.11
            for proc in list(processes.values()):
                proc.kill()
            self.close()
