"""Legacy DOC/WPS (and RTF): LibreOffice headless converts the blob to DOCX once, then the DOCX reader.

- The converted DOCX is cached in `cache_dir` under the blob's SHA-256, so a blob is converted once.
- At most MAX_SOFFICE conversions run at a time across all worker processes: each holds an flock on one
  of N slot files; the slot also owns a private LibreOffice profile, so parallel runs never share one
  (and a profile is reused by its slot, which saves LibreOffice's first-start cost).
- The conversion runs in its own process group; on timeout the whole group is killed.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from archive.extract.docx import extract_docx
from archive.model import Extraction

MAX_SOFFICE = int(os.environ.get("GOVARCHIVE_MAX_SOFFICE", "2"))
TIMEOUT = 120.0
SLOT_DIR = Path(tempfile.gettempdir()) / f"govarchive-soffice-{os.getuid()}"
EXTRACTOR = "libreoffice+docx-xml"


class ConvertError(Exception):
    pass


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


def _run(cmd: list[str], timeout: float) -> subprocess.CompletedProcess[bytes]:
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise ConvertError(f"LibreOffice timed out after {timeout:g} s") from None
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def convert_to_docx(src: Path, suffix: str, timeout: float = TIMEOUT) -> bytes:
    """The DOCX bytes LibreOffice makes of `src` (the suffix only helps its filter detection)."""
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
            "docx:MS Word 2007 XML",
            "--outdir",
            tmp,
            str(work),
        ]
        result = _run(cmd, timeout)
        out = Path(tmp) / "input.docx"
        if not out.exists():
            reason = result.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
            raise ConvertError(f"LibreOffice could not convert the file: {reason[0]}")
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
