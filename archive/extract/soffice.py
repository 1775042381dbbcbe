"""What every way of running LibreOffice shares (one run per file in office.py, the resident one in
resident.py): where its slots and profiles live, the filter it converts with, and its errors."""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

MAX_SOFFICE = int(os.environ.get("GOVARCHIVE_MAX_SOFFICE", "2"))
SLOT_DIR = Path(tempfile.gettempdir()) / f"govarchive-soffice-{os.getuid()}"
DOCX_FILTER = "MS Word 2007 XML"
NOT_CONVERTED = "LibreOffice could not convert the file"


class ConvertError(Exception):
    pass


def timed_out(timeout: float) -> ConvertError:
    """The one error a conversion over its time limit gets, whichever LibreOffice ran it."""
    return ConvertError(f"LibreOffice timed out after {timeout:g} s")


@contextlib.contextmanager
def soffice_slot(wait: float) -> Iterator[Path]:
    """One of MAX_SOFFICE slots (an flock'd file); yields the slot's private profile directory."""
    SLOT_DIR.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    while True:
        for i in range(MAX_SOFFICE):
            fh = open(SLOT_DIR / f"slot{i}.lock", "a+")  # noqa: SIM115 - held for the whole conversion
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                fh.close()
                continue
            try:
                yield SLOT_DIR / f"profile{i}"
                return
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
                fh.close()
        if time.monotonic() > deadline:
            raise ConvertError(f"no LibreOffice slot free after {wait:.0f} s")
        time.sleep(0.2)
