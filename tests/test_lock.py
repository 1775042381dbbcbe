"""Two runs never overlap: the second says so and exits 0; a killed holder frees the lock."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from archive.store.lock import AlreadyRunning, run_lock
from tests.portals.harness import crawl, write_sites
from tests.portals.static import site

HOLDER = """
import sys, time
from pathlib import Path
from archive.store.lock import run_lock
with run_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(60)
"""


def _holder(state: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(state)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


def test_second_holder_is_refused_and_told_who(tmp_path: Path) -> None:
    proc = _holder(tmp_path / "state")
    try:
        with pytest.raises(AlreadyRunning, match=f"pid {proc.pid}"), run_lock(tmp_path / "state"):
            pass
    finally:
        proc.kill()
        proc.wait()


def test_lock_is_free_after_holder_is_killed(tmp_path: Path) -> None:
    proc = _holder(tmp_path / "state")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with run_lock(tmp_path / "state") as path:
        assert str(os.getpid()) in path.read_text()


def test_crawl_while_another_runs_exits_0_without_crawling(tmp_path: Path) -> None:
    data = tmp_path / "data"
    proc = _holder(data / "state")
    try:
        sites = tmp_path / "sites.toml"
        write_sites(sites, [site("http://127.0.0.1:9")])
        second = crawl(sites, data, [], timeout=120, check=False)
    finally:
        proc.kill()
        proc.wait()
    assert second.returncode == 0
    assert "another crawl is running" in second.stderr
    db = data / "corpus.db"
    if db.exists():
        assert sqlite3.connect(db).execute("SELECT count(*) FROM crawl_runs").fetchone()[0] == 0
