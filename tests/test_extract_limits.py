"""Hostile input: bombs, caps, garbage. Every case is an error value, never an exception."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from archive.extract import extract_file, limits


def _bomb(path: Path, name: str, size: int) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf, zf.open(name, "w", force_zip64=True) as fh:
        for _ in range(size >> 20):
            fh.write(b"\0" * (1 << 20))
    return path


def test_ratio_cap_catches_a_small_bomb(tmp_path: Path) -> None:
    # 64 MB of zeros: under the size cap, far over the ratio cap.
    path = _bomb(tmp_path / "b.xlsx", "xl/workbook.xml", 64 << 20)
    ext = extract_file(path)
    assert ext.media_type == "xlsx"
    assert ext.error is not None and ext.error.startswith("zip bomb: compression ratio")


def test_ofd_bomb(tmp_path: Path) -> None:
    path = tmp_path / "b.ofd"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("OFD.xml", "<OFD/>")
        with zf.open("Doc_0/big.xml", "w", force_zip64=True) as fh:
            for _ in range(600):
                fh.write(b"\0" * (1 << 20))
    ext = extract_file(path)
    assert ext.error is not None and ext.error.startswith("zip bomb: uncompressed")


def test_member_count_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_MEMBERS", 5)
    path = tmp_path / "many.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", "<x/>")
        for i in range(10):
            zf.writestr(f"../../etc/evil{i}", "x")  # hostile names are only ever compared as strings
    ext = extract_file(path)
    assert ext.error == "zip bomb: 11 members > limit 5"
    assert not Path("/etc/evil0").exists()


def test_pdf_page_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    doc = pdfium.PdfDocument.new()
    for _ in range(12):
        doc.new_page(595, 842)
    path = tmp_path / "many.pdf"
    doc.save(str(path))
    monkeypatch.setattr("archive.extract.pdf.MAX_PDF_PAGES", 10)
    ext = extract_file(path)
    assert ext.error == "PDF has 12 pages > limit 10"


@pytest.mark.parametrize(
    "kind", ["pdf", "docx", "xlsx", "xls", "ofd", "html", "text", "doc", "unknown", "zip"]
)
def test_random_bytes_never_raise(kind: str, tmp_path: Path) -> None:
    path = tmp_path / "junk"
    path.write_bytes(bytes((i * 7919) % 251 for i in range(5000)))
    ext = extract_file(path, kind)
    assert ext.media_type == kind
    # HTML/text decode anything, and LibreOffice imports unknown bytes as plain text; the rest must refuse.
    assert isinstance(ext.error, str) or kind in ("html", "text", "doc")


def test_empty_and_unknown(tmp_path: Path) -> None:
    empty = tmp_path / "e"
    empty.write_bytes(b"")
    assert extract_file(empty).error == "empty file"
    blob = tmp_path / "b"
    blob.write_bytes(b"\x00\x01\x02\x03" * 100)
    ext = extract_file(blob)
    assert ext.media_type == "unknown"
    assert ext.error == "unsupported format: unknown"
    assert extract_file(tmp_path / "missing").error is not None
