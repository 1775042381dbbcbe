"""Fuzzing in the test command: every regression input found by the fuzzer replays without a crash, and each
extractor target survives a short coverage-guided run (the long run is `benchmarks/fuzz.py --minutes 60`)."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fuzztargets import (
    TARGETS,
    FuzzFinding,
    regression_files,
    seed_files,
)

# (seeds, executions) per target in the short run: seeds first, then mutations. LibreOffice (DOC, and OLE
# files mutated into "Word") and OCR cost a second or more an input; the rest a fraction of one.
SHORT_RUNS = {
    "pdf": (None, 20),
    "docx": (None, 20),
    "doc": (2, 4),
    "xlsx": (None, 20),
    "xls": (None, 3),
    "ofd": (None, 15),
    "html": (3, 10),
    "package": (None, 8),
    "image": (2, 4),
}
# A regression input must finish well inside the pipeline's per-document limit (600 s).
REPLAY_LIMIT_S = 150
REPLAY_RSS_MB = 1024


@pytest.mark.parametrize(("target", "path"), regression_files(), ids=lambda v: str(getattr(v, "name", v)))
def test_regression_inputs_replay_without_a_crash(target: str, path: Path) -> None:
    """In a fresh process, as a pool worker would take it: no crash, inside the time limit, and far below
    the worker's memory cap (these inputs once took 1.8 GB and more)."""
    # The child's own peak, VmHWM of its memory map: ru_maxrss keeps the peak of the process before its exec,
    # here pytest's own (~1 GB late in the suite).
    code = (
        "import re, sys; from pathlib import Path; from tests.fuzztargets import run_target, scratch; "
        "run_target(sys.argv[1], Path(sys.argv[2]).read_bytes(), scratch()); "
        "print(int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1)) // 1024)"
    )
    root = Path(__file__).resolve().parents[1]
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-c", code, target, str(path)],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=REPLAY_LIMIT_S,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert time.monotonic() - start < REPLAY_LIMIT_S
    assert int(proc.stdout.split()[-1]) < REPLAY_RSS_MB


def test_the_crash_rule_catches_an_unexpected_exception() -> None:
    """The rule the fuzzer relies on: an error value from extract_file's last-resort handler is a crash."""
    from tests.fuzztargets import _check

    with pytest.raises(FuzzFinding):
        _check("x", "extraction failed: IndexError: list index out of range (docx.py:1)")
    _check("x", "corrupt DOCX: BadZipFile: File is not a zip file")  # documented: no finding


def test_every_target_has_seeds_made_by_real_tools() -> None:
    for target in TARGETS:
        assert seed_files(target), target


def test_wps_app_name_is_read_from_a_bounded_property_set() -> None:
    """The sniffer's own reader of PIDSI_APPNAME (olefile's get_metadata hangs on a damaged vector count)."""
    from archive.extract.sniff import _creating_application

    name = b"WPS Office\x00"
    value = struct.pack("<II", 30, len(name)) + name
    section = struct.pack("<II", 8 + 8 + len(value), 1) + struct.pack("<II", 0x12, 16) + value
    stream = b"\xfe\xff\x00\x00" + b"\x00" * 20 + struct.pack("<I", 1) + b"\x00" * 16 + struct.pack("<I", 48)
    data = stream + section

    class _Ole:
        def openstream(self, name: str) -> object:
            import io

            return io.BytesIO(data)

    assert _creating_application(_Ole(), {"\x05SummaryInformation"}) == b"WPS Office"  # type: ignore[arg-type]
    # A property count of 2^32 - 1 reads at most the stream's first 64 KB, never hangs.
    huge = stream + struct.pack("<II", 100, 0xFFFFFFFF) + struct.pack("<II", 1, 16)
    data = huge
    with pytest.raises(struct.error):
        _creating_application(_Ole(), {"\x05SummaryInformation"})  # type: ignore[arg-type]


@pytest.mark.slow
@pytest.mark.parametrize("target", TARGETS)
def test_short_fuzz_run_finds_nothing(target: str, tmp_path: Path) -> None:
    if target == "doc" and shutil.which("soffice") is None:
        pytest.skip("LibreOffice not installed")
    pytest.importorskip("atheris")
    from tests.support import fuzz  # the long run is benchmarks/fuzz.py

    seeds, runs = SHORT_RUNS[target]
    result = fuzz.run_target_for(
        target,
        seconds=120,
        runs=runs,
        max_seeds=seeds,
        timeout=fuzz.DEFAULT_TIMEOUT_S,
        rss_mb=fuzz.DEFAULT_RSS_MB,
        quiet=True,
        keep=tmp_path,
    )
    assert result.executions >= runs
    assert result.findings == [], result.findings
    assert result.peak_rss_mb < fuzz.DEFAULT_RSS_MB
