"""Legacy DOC/WPS (and RTF): LibreOffice headless converts the blob to DOCX once, then the DOCX reader.

- The converted DOCX is cached in `cache_dir` under the blob's SHA-256, so a blob is converted once.
- At most MAX_SOFFICE conversions run at a time across all worker processes: each holds an flock on one
  of N slot files while it converts.
- Each process (an extraction worker) keeps ONE resident LibreOffice, started on its first DOC and
  reused (archive/extract/resident.py): soffice.bin listening on a private pipe, driven through UNO by
  the system python3's pyuno (archive/extract/uno_bridge.py). Its profile is its own (flock'd for its
  life), it dies with the worker (PR_SET_PDEATHSIG, atexit), is restarted when it dies, and a
  conversion over the time limit kills it, with the same error as the one-shot run.
- The one-shot path (`soffice --convert-to`, one LibreOffice per file, ~1.5 s of start-up each) is the
  fallback: when the resident office cannot start (one log line; e.g. no python3-uno), when it dies or
  fails during a conversion (that document is converted again the one-shot way, so its result is
  exactly today's), or with GOVARCHIVE_SOFFICE_RESIDENT=0. Its slot owns a private profile, so
  parallel runs never share one (and a profile is reused by its slot, saving the first-start cost).
- Either conversion runs in its own process group; on timeout the whole group is killed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from archive.extract.docx import extract_docx
from archive.extract.soffice import (
    DOCX_FILTER,
    NOT_CONVERTED,
    ConvertError,
    soffice_slot,
    timed_out,
)
from archive.model import Extraction

TIMEOUT = 120.0
EXTRACTOR = "libreoffice+docx-xml"
# One resident LibreOffice per process instead of one soffice run per file (archive/extract/resident.py).
RESIDENT = os.environ.get("GOVARCHIVE_SOFFICE_RESIDENT", "1") != "0"


def _run(cmd: list[str], timeout: float) -> subprocess.CompletedProcess[bytes]:
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise timed_out(timeout) from None
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def convert_to_docx(src: Path, suffix: str, timeout: float = TIMEOUT) -> bytes:
    """The DOCX bytes LibreOffice makes of `src` (the suffix only helps its filter detection): through
    the process's resident LibreOffice, or one soffice run when that is off or unavailable."""
    if shutil.which("soffice") is None:
        raise ConvertError("LibreOffice (soffice) not installed")
    if RESIDENT:
        from archive.extract import resident

        data = resident.convert(src, suffix, timeout)
        if data is not None:
            return data
    return convert_to_docx_once(src, suffix, timeout)


def convert_to_docx_once(src: Path, suffix: str, timeout: float = TIMEOUT) -> bytes:
    """One `soffice --convert-to` run: LibreOffice starts, converts `src` and exits."""
    if shutil.which("soffice") is None:
        raise ConvertError("LibreOffice (soffice) not installed")
    with soffice_slot(wait=timeout) as profile, tempfile.TemporaryDirectory(prefix="govarchive-lo-") as tmp:
        # A fixed, safe name: the blob's own name comes from the web.
        work = Path(tmp) / f"input.{suffix}"
        shutil.copyfile(src, work)
        cmd = [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            f"docx:{DOCX_FILTER}",
            "--outdir",
            tmp,
            str(work),
        ]
        result = _run(cmd, timeout)
        out = Path(tmp) / "input.docx"
        if not out.exists():
            reason = result.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
            raise ConvertError(f"{NOT_CONVERTED}: {reason[0]}")
        return out.read_bytes()


def extract_office(
    path: Path, media_type: str, *, cache_dir: Path | None = None, timeout: float = TIMEOUT
) -> Extraction:
    suffix = {"doc": "doc", "wps": "wps"}.get(media_type, "doc")
    cached: Path | None = None
    if cache_dir is not None:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        cached = cache_dir / f"{digest}.docx"
    try:
        if cached is None or not cached.exists():
            data = convert_to_docx(path, suffix, timeout)
            if cached is not None:
                cached.parent.mkdir(parents=True, exist_ok=True)
                tmp = cached.with_suffix(f".{os.getpid()}.tmp")
                tmp.write_bytes(data)
                tmp.replace(cached)  # atomic: a concurrent reader never sees half a file
            else:
                with tempfile.NamedTemporaryFile(suffix=".docx", delete=False) as fh:
                    fh.write(data)
                    cached = Path(fh.name)
                try:
                    return extract_docx(cached, extractor=EXTRACTOR, media_type=media_type)
                finally:
                    cached.unlink(missing_ok=True)
    except ConvertError as exc:
        return Extraction(media_type, extractor=EXTRACTOR, error=str(exc))
    return extract_docx(cached, extractor=EXTRACTOR, media_type=media_type)
