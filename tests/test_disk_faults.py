"""The data folder fails under the crawl: it fills up (a small tmpfs), it is read-only (a read-only bind
mount: chmod does not stop root), its corpus.db is locked by another process. Each time the crawl stops
with one line on stderr naming the folder and exit status 3, nothing half-written is referenced, and once
the folder is fine again the next run completes the work: the corpus equals an uninterrupted crawl's."""

from __future__ import annotations

import contextlib
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.store.corpus import Corpus
from tests.portals.server import Portal
from tests.support.kill_chaos import (
    ROOT,
    build_portal,
    check_corpus,
    crawl_command,
    crawl_env,
    differences,
    temp_files,
    write_site,
)

pytestmark = pytest.mark.slow

N_REPORTS = 10


def _mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, capture_output=True, text=True)


@contextlib.contextmanager
def mounted(target: Path, *args: str) -> Iterator[Path]:
    """`mount ARGS TARGET` for the block; always unmounted after."""
    target.mkdir(parents=True, exist_ok=True)
    try:
        _mount(*args, str(target))
    except (subprocess.CalledProcessError, FileNotFoundError) as e:
        pytest.skip(f"cannot mount here ({e}); these faults need a real file system to fail")
    try:
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], check=False, capture_output=True)


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """The portal's sites file and the data folder of an uninterrupted crawl of it."""
    work = tmp_path_factory.mktemp("faults")
    server = Portal()
    base = server.start()
    try:
        build_portal(server, N_REPORTS, work / "files")
        sites = write_site(work, base)
        reference = work / "reference"
        assert _crawl(reference, sites).returncode == 0
        yield sites, reference
    finally:
        server.stop()


def _crawl(data: Path, sites: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        crawl_command(data, sites),
        cwd=ROOT,
        env={**crawl_env(1), **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def _one_line(proc: subprocess.CompletedProcess[str], names: Path, says: str) -> None:
    assert proc.returncode == 3, (proc.returncode, proc.stderr[-3000:])
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    lines = [line for line in proc.stderr.splitlines() if line.startswith("govarchive:")]
    assert len(lines) == 1, proc.stderr[-3000:]
    assert str(names) in lines[0] and says in lines[0], lines[0]
    others = [ln for ln in proc.stderr.splitlines() if ln.strip() and ln not in lines and "Crawled" not in ln]
    assert others == [], others  # nothing else but the progress line


def _resumes(data: Path, sites: Path, reference: Path) -> None:
    proc = _crawl(data, sites)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert check_corpus(data) == []
    assert temp_files(data) == []
    assert differences(reference, data) == []


def test_full_disk_stops_with_one_line_and_the_next_run_completes(
    portal: tuple[Path, Path], tmp_path: Path
) -> None:
    sites, reference = portal
    size = sum(p.stat().st_size for p in reference.rglob("*") if p.is_file())
    with mounted(tmp_path / "mnt", "-t", "tmpfs", "-o", f"size={size * 3 // 5}", "tmpfs") as mnt:
        data = mnt / "data"
        proc = _crawl(data, sites)
        _one_line(proc, data, "no space left")
        with contextlib.closing(sqlite3.connect(data / "corpus.db")) as conn:
            captured, reports = conn.execute(
                "SELECT (SELECT count(*) FROM captures), (SELECT count(*) FROM reports)"
            ).fetchone()
        assert captured > 0 and reports < N_REPORTS  # it filled up mid-crawl
        assert check_corpus(data) == []  # every blob named is whole; the database is consistent
        _mount("-o", f"remount,size={size * 4}", str(mnt))  # space returns
        _resumes(data, sites, reference)


def test_read_only_data_folder(portal: tuple[Path, Path], tmp_path: Path) -> None:
    sites, reference = portal
    data = tmp_path / "data"
    data.mkdir()
    view = tmp_path / "ro"
    with mounted(view, "--bind", str(data)):
        _mount("-o", "remount,bind,ro", str(view))
        _one_line(_crawl(view, sites), view, "read-only")
    assert not any(data.iterdir())  # nothing written
    _resumes(data, sites, reference)


def test_locked_corpus_waits_then_stops_with_one_line(portal: tuple[Path, Path], tmp_path: Path) -> None:
    sites, reference = portal
    data = tmp_path / "data"
    Corpus(data / "corpus.db").close()  # an empty corpus, as another process found it
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time\n"
            "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "c.execute('BEGIN EXCLUSIVE'); print('held', flush=True); time.sleep(300)",
            str(data / "corpus.db"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        proc = _crawl(data, sites, GOVARCHIVE_LOCK_TIMEOUT="4")  # the default 30 s wait, shortened
    finally:
        holder.kill()
        holder.wait()
    _one_line(proc, data / "corpus.db", "locked by another process")
    _resumes(data, sites, reference)
