"""A document extracts the same from the blob store (a SHA-256 name, no extension) as from a named file:
every reader must go by the bytes, never by the file name (issue 8: crawled XLSX lost every figure)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from archive.extract import extract_file
from archive.model import Extraction
from archive.store.blobs import BlobStore
from tests.fixtures_docs import (
    build_report_html,
    build_report_xlsx,
    converted,
    needs_soffice,
    report_docx,
    soffice_convert,
)
from tests.test_extract_ofd import ROWS, make_ofd


def _same(named: Path, tmp_path: Path) -> tuple[Extraction, Extraction]:
    store = BlobStore(tmp_path / "blobs")
    sha, _ = store.put_file(named)
    # Separate conversion caches: the blob must be converted on its own, not served the named file's result.
    a = extract_file(named, cache_dir=tmp_path / "cache-named")
    with store.local_path(sha, scratch=tmp_path) as blob:  # the file extraction is given, as in a crawl
        assert blob.suffix == "" and "." not in blob.name
        b = extract_file(blob, cache_dir=tmp_path / "cache-blob")
    assert a.error is None, a.error
    assert b.error is None, b.error
    assert (b.media_type, b.extractor, b.text, b.tables) == (a.media_type, a.extractor, a.text, a.tables)
    return a, b


def _xls(path: Path) -> Path:
    xlwt = pytest.importorskip("xlwt")
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("复议诉讼")
    ws.write_merge(0, 0, 0, 4, "行政复议")
    for c, v in enumerate([2, 1, 0, 1, 4]):
        ws.write(1, c, v)
    wb.save(str(path))
    return path


def test_xlsx_from_blob(tmp_path: Path) -> None:
    a, _ = _same(build_report_xlsx(tmp_path / "r.xlsx"), tmp_path)
    assert a.media_type == "xlsx" and len(a.tables) == 3


def test_xls_from_blob(tmp_path: Path) -> None:
    a, _ = _same(_xls(tmp_path / "r.xls"), tmp_path)
    assert a.media_type == "xls" and a.tables[0][0] == ["行政复议"] * 5


def test_docx_html_ofd_from_blob(tmp_path: Path) -> None:
    kinds = {}
    for named in (
        report_docx(),
        build_report_html(tmp_path / "r.html", "gbk"),
        make_ofd(tmp_path / "r.ofd", ROWS),
    ):
        sub = tmp_path / named.suffix.lstrip(".")
        sub.mkdir()
        a, _ = _same(named, sub)
        kinds[a.media_type] = len(a.tables)
    assert kinds == {"docx": 3, "html": 3, "ofd": 1}


@needs_soffice
@pytest.mark.libreoffice
def test_pdf_doc_wps_from_blob(tmp_path: Path) -> None:
    for kind in ("pdf", "doc", "wps"):
        sub = tmp_path / kind
        sub.mkdir()
        # A name that says nothing: LibreOffice must not be steered by the original suffix either.
        named = sub / f"report.{'doc' if kind == 'wps' else kind}"
        shutil.copyfile(converted()[kind], named)
        a, _ = _same(named, sub)
        assert a.media_type == kind and len(a.tables) == 3, kind


@needs_soffice
@pytest.mark.libreoffice
def test_rtf_from_blob(tmp_path: Path) -> None:
    """RTF is sniffed as `doc` and handed to LibreOffice as input.doc: its filter must go by the content."""
    soffice_convert([report_docx()], "rtf", tmp_path)
    a, _ = _same(tmp_path / "report.rtf", tmp_path)
    assert a.media_type == "doc" and len(a.tables) == 3
