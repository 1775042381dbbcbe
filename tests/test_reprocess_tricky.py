"""Crawl twice (the second run answered by 304s), then reprocess: a report that lives only in a ZIP is not
taken for removed, the same ZIP at two URLs, a redirected attachment and a picture shown by two pages give
the same rows in the crawl and in the rebuild."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.portals import tricky
from tests.portals.harness import ROOT, crawl, published, reports, summary, write_sites
from tests.portals.server import Portal

pytestmark = [pytest.mark.slow, pytest.mark.ocr]

TABLES = {
    "reports": "SELECT * FROM reports ORDER BY id",
    "report_sources": "SELECT * FROM report_sources ORDER BY report_id, sha256, url",
    "report_stats": "SELECT * FROM report_stats ORDER BY report_id, section, row, col",
    "report_checks": "SELECT * FROM report_checks ORDER BY report_id, rule",
}


def _rows(data: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(data / "corpus.db")
    try:
        return [tuple(r) for r in conn.execute(sql)]
    finally:
        conn.close()


def test_two_runs_then_reprocess_on_a_tricky_portal() -> None:
    portal = Portal("127.0.0.14")
    base = portal.start()
    try:
        planted = tricky.build(portal)
        with tempfile.TemporaryDirectory(prefix="govarchive-tricky-") as tmp:
            folder = Path(tmp)
            site = {
                "id": "t",
                "name": "测试",
                "start_urls": [base + "/list/index.html"],
                "download_delay": 0.0,
            }
            sites = write_sites(folder / "sites.toml", [site])
            data = folder / "data"
            crawl(sites, data, ["t"])
            assert reports(data) == planted.reports
            second = crawl(sites, data, ["t"])
            assert summary(data).get("not_modified", 0) > 0  # the second run was answered by 304s
            assert "removed 0" in second.stdout, second.stdout[-800:]
            assert _rows(data, "SELECT count(*) FROM reports WHERE removed_at IS NOT NULL") == [(0,)]
            # The redirected DOCX keeps its page: its date and the page as an html copy.
            assert published(data)[("测试县乙局", 2022)] == "2023-01-10"
            moved = _rows(
                data,
                """SELECT s.url FROM report_sources s JOIN reports r ON r.id = s.report_id
                   WHERE r.agency = '测试县乙局' ORDER BY s.url""",
            )
            assert [u for (u,) in moved if str(u).endswith("/c/p.html")], moved
            # Both pages that show the picture read its tables.
            pictured = _rows(
                data,
                """SELECT count(*) FROM report_stats s JOIN reports r ON r.id = s.report_id
                   WHERE r.agency = '测试县丙局' AND s.ocr = 1""",
            )
            assert pictured[0][0] >= 140
            copy = folder / "copy"
            shutil.copytree(data, copy)
            proc = subprocess.run(
                [sys.executable, "-m", "govarchive", "reprocess", "--data", str(copy)],
                cwd=ROOT, capture_output=True, text=True, timeout=600,
            )  # fmt: skip
            assert proc.returncode == 0, proc.stderr[-2000:]
            for table, sql in TABLES.items():
                assert _rows(copy, sql) == _rows(data, sql), table
            assert _rows(copy, "SELECT count(*) FROM captures") == _rows(
                data, "SELECT count(*) FROM captures"
            )
    finally:
        portal.stop()
