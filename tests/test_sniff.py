"""Media type from bytes, never from names."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from archive.extract.sniff import sniff_bytes, sniff_file
from tests.fixtures_docs import converted, needs_soffice, report_docx


def test_docx_by_bytes_even_when_named_pdf(tmp_path: Path) -> None:
    lying = tmp_path / "report.pdf"
    lying.write_bytes(report_docx().read_bytes())
    assert sniff_file(lying) == "docx"
    assert sniff_bytes(report_docx().read_bytes()[:65536]) == "docx"


@needs_soffice
@pytest.mark.libreoffice
def test_pdf_and_doc_from_libreoffice(tmp_path: Path) -> None:
    assert sniff_file(converted()["pdf"]) == "pdf"
    assert sniff_file(converted()["doc"]) == "doc"
    assert sniff_bytes(converted()["doc"].read_bytes()) == "doc"


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("members", "kind"),
    [
        ({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<x/>"}, "xlsx"),
        ({"OFD.xml": b"<ofd:OFD/>", "Doc_0/Document.xml": b"<x/>"}, "ofd"),
        ({"readme.txt": b"hello"}, "zip"),
    ],
)
def test_zip_kinds(members: dict[str, bytes], kind: str, tmp_path: Path) -> None:
    data = _zip(members)
    assert sniff_bytes(data) == kind
    path = tmp_path / "x.bin"
    path.write_bytes(data)
    assert sniff_file(path) == kind


def test_xlsx_from_openpyxl(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["a", 1])
    path = tmp_path / "t.doc"
    wb.save(path)
    assert sniff_file(path) == "xlsx"


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"%PDF-1.4\n%\xe2\xe3", "pdf"),
        (b"\r\n\r\n%PDF-1.7", "pdf"),
        (b"<!DOCTYPE html><html><head>", "html"),
        ("<html><body>发布日期".encode("gbk"), "html"),
        (b"\xef\xbb\xbf<html><meta charset=utf-8>", "html"),
        (b"  <div class='x'><table><tr><td>1</td></tr></table>", "html"),
        ("二、主动公开政府信息情况\n规章\t0\n".encode(), "text"),
        (b"{\\rtf1\\ansi ...", "doc"),
        (b"\x00\x01\x02\x03\x04\x05binary\x00\x00", "unknown"),
        (b"", "unknown"),
    ],
)
def test_heads(head: bytes, kind: str) -> None:
    assert sniff_bytes(head) == kind


def test_truncated_ole_head_is_doc() -> None:
    assert sniff_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100) == "doc"


def test_xls_from_ole_streams(tmp_path: Path) -> None:
    """An XLS (OLE2 with a Workbook stream) named .doc is still xls."""
    xlwt = pytest.importorskip("xlwt")
    wb = xlwt.Workbook(encoding="utf-8")
    wb.add_sheet("s").write(0, 0, "规章")
    named_doc = tmp_path / "t.doc"
    wb.save(str(named_doc))
    assert sniff_file(named_doc) == "xls"
    assert sniff_bytes(named_doc.read_bytes()) == "xls"
