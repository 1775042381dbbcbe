"""The resident LibreOffice (archive/extract/resident.py): one office serves many DOC/WPS files, gives what
the one-shot run gives, is restarted when killed, killed when it hangs, and never outlives its process."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.extract import extract_file, office, resident
from archive.extract.grid import place
from archive.extract.pool import ExtractionPool
from archive.model import Extraction
from tests.fixtures_docs import (
    ACTIVE_2019,
    appeals_spec,
    applications_spec,
    build_report_docx,
    converted,
    needs_soffice,
    soffice_convert,
)

pytestmark = [
    needs_soffice,
    pytest.mark.libreoffice,
    pytest.mark.skipif(not os.access(resident.UNO_PYTHON, os.X_OK), reason="no system python3 (python3-uno)"),
]
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def fresh_resident(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(office, "RESIDENT", True)
    resident.shutdown()
    monkeypatch.setattr(resident, "_unavailable", None)
    yield
    resident.shutdown()
    assert not resident._pipe_files(f"{resident.PIPE_PREFIX}{os.getpid()}-*")  # no socket left behind


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Four distinct DOCs (different filler, so different page breaks) made by LibreOffice in one batch."""
    work = tmp_path_factory.mktemp("resident-docs")
    sources = [build_report_docx(work / f"r{n}.docx", filler_paragraphs=n) for n in (0, 5, 14, 30)]
    soffice_convert(sources, "doc", work)
    return [p.with_suffix(".doc") for p in sources]


def _same(a: Extraction, b: Extraction) -> None:
    assert (a.error, a.text, a.tables, a.media_type, a.extractor) == (
        b.error,
        b.text,
        b.tables,
        b.media_type,
        b.extractor,
    )


def _gone(pid: int, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        # A zombie (dead, not yet reaped) counts as gone.
        stat = Path(f"/proc/{pid}/stat")
        if stat.exists() and stat.read_text().rsplit(")", 1)[-1].split()[0] == "Z":
            return True
        time.sleep(0.05)
    return False


def _resident_offices() -> set[int]:
    """soffice.bin processes on a resident profile (of any process of this machine's tests)."""
    out = subprocess.run(["pgrep", "-f", "soffice.bin.*govarchive-soffice.*/resident"], capture_output=True)
    return {int(p) for p in out.stdout.split()}


def test_one_office_serves_many_documents_and_matches_the_one_shot_run(docs: list[Path]) -> None:
    files = [*docs, converted()["wps"]]
    starts = resident.get().starts
    pids = set()
    resident_results = []
    for path in files:
        resident_results.append(extract_file(path))
        pids.add(resident.get().pid)
    assert len(pids) == 1 and None not in pids  # one soffice.bin served every file
    assert resident.get().starts == starts + 1 and resident.get().conversions == len(files)
    for ext in resident_results:
        assert ext.error is None, ext.error
        assert ext.tables == [place(ACTIVE_2019), place(applications_spec()), place(appeals_spec())]
    office.RESIDENT = False
    for path, ext in zip(files, resident_results, strict=True):
        _same(extract_file(path), ext)


def test_a_garbage_doc_gets_the_one_shot_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.doc"
    bad.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000)
    via_resident = extract_file(bad, "doc")
    assert (
        via_resident.error == "LibreOffice could not convert the file: Error: source file could not be loaded"
    )
    assert resident.get().pid is not None  # the office survives a document it cannot load
    office.RESIDENT = False
    _same(extract_file(bad, "doc"), via_resident)


def test_a_killed_office_is_restarted(docs: list[Path]) -> None:
    assert extract_file(docs[0]).error is None
    first = resident.get().pid
    assert first is not None
    os.kill(first, signal.SIGKILL)
    office_proc = resident.get().office
    assert office_proc is not None
    office_proc.wait(10)  # dead and reaped: the next conversion sees it dead (not dying)
    ext = extract_file(docs[1])
    assert ext.error is None, ext.error
    second = resident.get().pid
    assert second is not None and second != first


def test_killed_during_a_conversion_the_document_still_converts(docs: list[Path]) -> None:
    assert extract_file(docs[0]).error is None  # started
    victim = resident.get().pid
    assert victim is not None
    killer = threading.Timer(0.03, os.kill, (victim, signal.SIGKILL))
    killer.start()
    try:
        # Whether the kill lands mid-conversion (the document is then converted the one-shot way) or
        # just after it, this document and the next come out right.
        ext = extract_file(docs[3])
    finally:
        killer.join()
    assert ext.error is None, ext.error
    assert _gone(victim)
    assert extract_file(docs[2]).error is None
    assert resident.get().pid not in (None, victim)


def test_a_conversion_over_the_time_limit_kills_the_office(docs: list[Path]) -> None:
    assert extract_file(docs[0]).error is None
    hung = resident.get().pid
    assert hung is not None
    ext = office.extract_office(docs[1], "doc", timeout=0.01)
    assert ext.error == "LibreOffice timed out after 0.01 s"  # the one-shot run's message
    assert resident.get().pid is None and _gone(hung)
    assert extract_file(docs[1]).error is None
    assert resident.get().pid not in (None, hung)


def test_falls_back_to_one_shot_when_it_cannot_start(
    docs: list[Path], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(resident, "UNO_PYTHON", "/nonexistent/python3")
    with caplog.at_level(logging.INFO, logger="archive.extract.resident"):
        for path in docs[:2]:
            ext = extract_file(path)
            assert ext.error is None, ext.error
    warnings = [r for r in caplog.records if r.name == "archive.extract.resident"]
    assert len(warnings) == 1 and "one soffice run per DOC/WPS" in warnings[0].getMessage()
    assert resident.get().pid is None


def test_the_office_dies_with_its_process(docs: list[Path]) -> None:
    """SIGKILL leaves no atexit: PR_SET_PDEATHSIG takes the office and the bridge down with the process."""
    script = (
        "import sys; from pathlib import Path; from archive.extract import extract_file, resident\n"
        "assert extract_file(Path(sys.argv[1])).error is None\n"
        "print(resident.get().pid, resident.get().bridge.pid, flush=True)\n"
        "sys.stdin.read()\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(docs[0])],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert proc.stdout is not None
    office_pid, bridge_pid = map(int, proc.stdout.readline().split())
    proc.kill()
    proc.wait()
    assert _gone(office_pid) and _gone(bridge_pid)


def test_a_pool_worker_keeps_one_office_and_takes_it_down(docs: list[Path], tmp_path: Path) -> None:
    import asyncio

    before = _resident_offices()
    pool = ExtractionPool(1, timeout_s=120, temp_dir=tmp_path)
    try:

        async def run() -> list[Extraction]:
            return [await pool.extract(p, None, None, None) for p in docs]

        results = asyncio.run(run())
        assert all(r.error is None for r in results), [r.error for r in results]
        assert pool._pool is not None
        workers = set(pool._pool._processes)
        offices = {
            pid
            for pid in _resident_offices() - before
            if int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[1]) in workers
        }
        assert len(offices) == 1  # one soffice.bin, the worker's child, served the four documents
    finally:
        pool.terminate()  # SIGKILLs the worker
    assert all(_gone(pid) for pid in offices)
