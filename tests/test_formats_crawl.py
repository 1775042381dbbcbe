"""Every format through the crawl: a report published as DOCX, PDF, DOC, XLSX, an HTML page and a DOCX packed
in a ZIP gives the same figures whether it arrives by crawl, `ingest` or `parse`."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.portals.formats import BODIES
from tests.portals.harness import ROOT, reports
from tests.portals.runs import formats_portal

pytestmark = [pytest.mark.slow, pytest.mark.libreoffice, pytest.mark.ocr]

Figures = dict[tuple[str, str, str], float | None]


def _corpus_figures(data: Path, agency: str) -> Figures:
    conn = sqlite3.connect(data / "corpus.db")
    try:
        rows = conn.execute(
            """SELECT s.section, s.row, s.col, s.value FROM report_stats s JOIN reports r ON r.id = s.report_id
               WHERE r.agency = ?""",
            (agency,),
        ).fetchall()
    finally:
        conn.close()
    return {(sec, row, col): value for sec, row, col, value in rows}


def _govarchive(*args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "govarchive", *args], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def test_every_format_is_found_with_its_figures() -> None:
    run = formats_portal()
    assert reports(run.data) == run.planted.reports
    for fmt, agency in BODIES.items():
        assert len(_corpus_figures(run.data, agency)) > 60, fmt


@pytest.mark.parametrize("fmt", list(BODIES))
def test_crawl_ingest_and_parse_give_the_same_figures(fmt: str, tmp_path: Path) -> None:
    run = formats_portal()
    agency = BODIES[fmt]
    crawled = _corpus_figures(run.data, agency)
    parsed = json.loads(_govarchive("parse", str(run.files[fmt])).stdout)
    assert {(s["section"], s["row"], s["col"]): s["value"] for s in parsed["stats"]} == crawled
    _govarchive("ingest", "--data", str(tmp_path / "data"), str(run.files[fmt]))
    assert _corpus_figures(tmp_path / "data", agency) == crawled


def test_a_zip_member_is_a_copy_of_the_report_and_the_zip_is_kept_whole() -> None:
    run = formats_portal()
    conn = sqlite3.connect(run.data / "corpus.db")
    try:
        urls = [
            r[0]
            for r in conn.execute(
                "SELECT s.url FROM report_sources s JOIN reports r ON r.id = s.report_id WHERE r.agency = ?",
                (BODIES["zip"],),
            )
        ]
        package = conn.execute(
            "SELECT media_type FROM documents WHERE first_url LIKE '%/files/zip/%'"
        ).fetchone()
    finally:
        conn.close()
    assert any("#" in u and u.endswith(".docx") for u in urls), urls
    assert package == ("zip",)
