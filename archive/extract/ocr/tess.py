"""Running tesseract and friends with a timeout; failures become OcrError with a one-line reason."""

from __future__ import annotations

import subprocess


class OcrError(Exception):
    """An OCR tool failed or timed out; the message is the reason handed back as Extraction.error."""


def run_tool(cmd: list[str], timeout: float, what: str) -> str:
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise OcrError(f"{what} timed out after {timeout:.0f} s") from None
    if proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["failed"]
        raise OcrError(f"{what} failed: {msg[0]}")
    return proc.stdout.decode("utf-8", "replace")
