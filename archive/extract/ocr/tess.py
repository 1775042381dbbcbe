"""Running tesseract and friends with a timeout; failures become OcrError with a one-line reason."""

from __future__ import annotations

import os
import subprocess


# Tesseract's OpenMP threads spin while they wait: on a busy machine, and beside the extraction pool's other
# processes, they burn 2-3x the CPU of one thread for the same words (measured: one scan page 11-14 s with
# the default, 5-6 s with one thread, identical TSV). One thread per call; the pool gives the parallelism.
# An operator's own OMP_THREAD_LIMIT is kept.
def _env() -> dict[str, str]:
    return {**os.environ, "OMP_THREAD_LIMIT": os.environ.get("OMP_THREAD_LIMIT", "1")}


class OcrError(Exception):
    """An OCR tool failed or timed out; the message is the reason handed back as Extraction.error."""


def run_tool(cmd: list[str], timeout: float, what: str) -> str:
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=timeout, env=_env())
    except subprocess.TimeoutExpired:
        raise OcrError(f"{what} timed out after {timeout:.0f} s") from None
    if proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["failed"]
        raise OcrError(f"{what} failed: {msg[0]}")
    return proc.stdout.decode("utf-8", "replace")
