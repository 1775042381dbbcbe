"""Conversions by outside tools: LibreOffice (DOCX → PDF/DOC) and pdftoppm + Pillow (PDF → scanned PDF)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from PIL import Image

SOFFICE_TIMEOUT_S = 300.0  # a batch; a single file takes 1.5–2.5 s
PDFTOPPM_TIMEOUT_S = 120.0
# LibreOffice filter names: "doc" must be the Word 97 filter or soffice writes nothing.
_FILTERS = {"pdf": "pdf:writer_pdf_Export", "doc": "doc:MS Word 97"}


class ConversionError(RuntimeError):
    pass


def _run_group(cmd: list[str], timeout: float) -> tuple[int | None, bytes]:
    """Run in its own process group and kill the whole group on timeout: soffice is a wrapper script
    whose soffice.bin child would otherwise outlive a plain kill. Returns (None, …) on timeout."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        _, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return None, b""
    return proc.returncode, stderr


def soffice_convert(
    sources: list[Path], fmt: str, out_dir: Path, timeout: float = SOFFICE_TIMEOUT_S
) -> list[Path]:
    """Convert a batch of documents in ONE soffice process (start-up dominates the cost)."""
    if fmt not in _FILTERS:
        raise ValueError(f"soffice target {fmt!r} not supported")
    if not sources:
        return []
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise ConversionError("LibreOffice (soffice) is not installed")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="govarchive-lo-") as profile:
        cmd = [
            soffice,
            f"-env:UserInstallation=file://{profile}",  # private profile: parallel runs do not collide
            "--headless",
            "--norestore",
            "--convert-to",
            _FILTERS[fmt],
            "--outdir",
            str(out_dir),
            *[str(s) for s in sources],
        ]
        returncode, stderr = _run_group(cmd, timeout)
        if returncode is None:
            raise ConversionError(f"soffice timed out after {timeout:g} s converting to {fmt}")
    outputs = [out_dir / (s.stem + "." + fmt) for s in sources]
    missing = [p.name for p in outputs if not p.exists()]
    if missing:
        err = stderr.decode("utf-8", "replace").strip()[-300:]
        raise ConversionError(f"soffice did not write {', '.join(missing)} (exit {returncode}): {err}")
    return outputs


def scan_pdf(pdf: Path, out: Path, dpi: int = 150, timeout: float = PDFTOPPM_TIMEOUT_S) -> Path:
    """An image-only PDF of `pdf` (no text layer), like a printed and scanned report."""
    with tempfile.TemporaryDirectory(prefix="govarchive-scan-") as tmp:
        try:
            subprocess.run(
                ["pdftoppm", "-r", str(dpi), "-gray", "-png", str(pdf), f"{tmp}/page"],
                capture_output=True,
                timeout=timeout,
                check=True,
            )
        except subprocess.TimeoutExpired as exc:
            raise ConversionError(f"pdftoppm timed out after {timeout:.0f} s") from exc
        except subprocess.CalledProcessError as exc:
            raise ConversionError(f"pdftoppm failed: {exc.stderr.decode('utf-8', 'replace')[-300:]}") from exc
        pages = sorted(Path(tmp).glob("page-*.png"))
        if not pages:
            raise ConversionError(f"pdftoppm produced no pages from {pdf.name}")
        images = [Image.open(p).convert("L") for p in pages]
        images[0].save(out, "PDF", resolution=float(dpi), save_all=True, append_images=images[1:])
        for im in images:
            im.close()
    return out
