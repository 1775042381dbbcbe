"""The library's settings from the environment, read here and nowhere else in archive/ (a crawl's are mapped
once in crawler/config.py). Each is read when asked, never at import: a process, or a test, that sets a
variable before calling sees it. (archive/extract/office.py still reads GOVARCHIVE_MAX_SOFFICE itself.)"""

from __future__ import annotations

import os


def ocr_engine() -> str | None:
    """GOVARCHIVE_OCR_ENGINE: `rapid` or `tesseract` (archive.extract.ocr.engine_name)."""
    return os.environ.get("GOVARCHIVE_OCR_ENGINE") or None


def ocr_threads() -> int:
    """GOVARCHIVE_OCR_THREADS: onnxruntime threads per recogniser (1: the worker pool already runs in parallel)."""
    return int(os.environ.get("GOVARCHIVE_OCR_THREADS", "1"))


def ocr_recogniser_files() -> tuple[str, str] | None:
    """GOVARCHIVE_OCR_REC_MODEL and GOVARCHIVE_OCR_REC_KEYS: another PP-OCR recogniser and its dictionary."""
    model = os.environ.get("GOVARCHIVE_OCR_REC_MODEL")
    return (model, os.environ["GOVARCHIVE_OCR_REC_KEYS"]) if model else None
