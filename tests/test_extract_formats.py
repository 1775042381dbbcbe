"""One report, every format: the same grids come out of DOCX, PDF, DOC, HTML (GBK) and XLSX."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.extract import extract_file
from archive.extract.grid import place
from tests.fixtures_docs import (
    ACTIVE_2019,
    appeals_spec,
    applications_spec,
    build_report_html,
    build_report_xlsx,
    converted,
    needs_soffice,
    report_docx,
)


@needs_soffice
@pytest.mark.libreoffice
def test_same_grids_from_every_format(tmp_path: Path) -> None:
    want = [place(ACTIVE_2019), place(applications_spec()), place(appeals_spec())]
    files = {
        "docx": report_docx(),
        "pdf": converted()["pdf"],
        "doc": converted()["doc"],
        "html": build_report_html(tmp_path / "r.html", "gbk"),
        "xlsx": build_report_xlsx(tmp_path / "r.xlsx"),
    }
    for kind, path in files.items():
        ext = extract_file(path, cache_dir=tmp_path / "cache")
        assert ext.media_type == kind
        assert ext.error is None, (kind, ext.error)
        assert ext.tables == want, kind
