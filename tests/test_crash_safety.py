"""kill -9 during a crawl, start again: no half-written blob referenced, no duplicate rows, and the next
runs finish the work (reports the killed run had fetched but not extracted are still recorded)."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from archive.store.blobs import BlobReader
from tests.portals.harness import ROOT, crawl, crawl_command, write_sites
from tests.portals.static import build_portal, serve, site

pytestmark = pytest.mark.slow

N_REPORTS = 10
KILL_AFTER_RESPONSES = (3, 9, 16)  # list only; some articles; attachments and extraction under way


def _kill_mid_crawl(data: Path, sites: Path, served: list[tuple[float, str, str, int]], after: int) -> None:
    start = len(served)
    proc = subprocess.Popen(
        crawl_command(sites, data),
        cwd=ROOT,
        env={**os.environ, "GOVARCHIVE_EXTRACT_WORKERS": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its extraction workers die with it
    )
    deadline = time.monotonic() + 120
    while len(served) - start < after and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _referenced(conn: sqlite3.Connection) -> set[str]:
    out: set[str] = set()
    for table in ("captures", "documents", "report_sources", "reports"):
        out |= {r[0] for r in conn.execute(f"SELECT sha256 FROM {table} WHERE sha256 IS NOT NULL")}
    return out


def test_kill_9_at_several_moments_then_resume(tmp_path: Path) -> None:
    build_portal(tmp_path / "portal", N_REPORTS)
    server = serve(tmp_path / "portal", delay_s=0.05)
    # No pause between requests: the kills are placed by responses served, not by time.
    sites = write_sites(tmp_path / "sites.toml", [site(server.base_url, download_delay=0.0)])
    data = tmp_path / "data"
    try:
        for after in KILL_AFTER_RESPONSES:
            _kill_mid_crawl(data, sites, server.log, after)
        resumed = crawl(sites, data, [], check=False)
        again = crawl(sites, data, [], check=False)
    finally:
        server.stop()
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert again.returncode == 0, again.stderr[-3000:]

    conn = sqlite3.connect(data / "corpus.db")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    blobs = BlobReader(data / "blobs")
    for sha in _referenced(conn):
        assert blobs.has(sha) and hashlib.sha256(blobs.read(sha)).hexdigest() == sha
    reports = conn.execute("SELECT agency, sha256, removed_at FROM reports").fetchall()
    assert len(reports) == N_REPORTS
    assert all(sha is not None and removed is None for _, sha, removed in reports)
    dup = conn.execute(
        "SELECT url, crawl_id FROM captures GROUP BY url, crawl_id HAVING count(*) > 1"
    ).fetchall()
    assert dup == []
    pending = conn.execute(
        "SELECT count(*) FROM documents WHERE extracted_at IS NULL AND first_url LIKE '%.docx'"
    ).fetchone()[0]
    assert pending == 0
    statuses = [r[0] for r in conn.execute("SELECT status FROM crawl_runs ORDER BY id")]
    assert statuses[-2:] == ["finished", "finished"]
    assert set(statuses[:-2]) <= {"interrupted"}
    conn.close()
    assert f"unchanged {N_REPORTS}" in again.stdout and "removed 0" in again.stdout
