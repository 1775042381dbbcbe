"""`govarchive reprocess` rebuilds from the archive alone exactly what the crawl built: every test portal is
crawled, its data folder copied, the copy reprocessed, and the report tables compared row for row."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.portals.harness import ROOT, reports, sources
from tests.portals.runs import (
    Crawled,
    formats_portal,
    gkmlpt_portal,
    hanweb_portal,
    jsapi_portal,
    plain_portal,
    polite_portals,
    trs_portal,
    yeardept_portal,
    yeartabs_portal,
)

pytestmark = pytest.mark.slow

PORTALS: dict[str, Callable[[], Crawled]] = {
    "plain": plain_portal,
    "formats": formats_portal,
    "trs": trs_portal,
    "hanweb": hanweb_portal,
    "jsapi": lambda: jsapi_portal(render=False),
    "jsrender": lambda: jsapi_portal(render=True),
    "gkmlpt": gkmlpt_portal,
    "yeardept": yeardept_portal,
    "yeartabs": yeartabs_portal,
    "polite": polite_portals,
}
TABLES = {
    "reports": "SELECT * FROM reports ORDER BY id",
    "report_sources": "SELECT * FROM report_sources ORDER BY report_id, sha256, url",
    "report_stats": "SELECT * FROM report_stats ORDER BY report_id, section, row, col",
    "report_checks": "SELECT * FROM report_checks ORDER BY report_id, rule",
    "expected_reports": "SELECT * FROM expected_reports ORDER BY site_id, agency, year",
}


def _rows(data: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(data / "corpus.db")
    try:
        return [tuple(r) for r in conn.execute(sql)]
    finally:
        conn.close()


@pytest.mark.parametrize("name", list(PORTALS))
def test_reprocess_gives_exactly_what_the_crawl_gave(name: str, tmp_path: Path) -> None:
    run = PORTALS[name]()
    copy = tmp_path / "data"
    shutil.copytree(run.data, copy)
    proc = subprocess.run(
        [sys.executable, "-m", "govarchive", "reprocess", "--data", str(copy)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert _rows(copy, TABLES["reports"]), "the crawl recorded no report"
    for table, sql in TABLES.items():
        assert _rows(copy, sql) == _rows(run.data, sql), table


def test_pages_without_article_title_and_attachments_from_lists() -> None:
    run = plain_portal()
    assert reports(run.data) == run.planted.reports
    # The list page that links a DOCX straight away is no copy of that report.
    assert not any("/xxgk/ndbg/" in u for urls in sources(run.data).values() for u in urls)
    conn = sqlite3.connect(run.data / "corpus.db")
    titles = dict(conn.execute("SELECT agency, title FROM reports").fetchall())
    published = dict(conn.execute("SELECT agency, published_at FROM reports").fetchall())
    conn.close()
    # The <h1> names the report; the portal's <title> does not.
    assert titles["测试县农业农村局"] == "测试县农业农村局2022年政府信息公开工作年度报告"
    for (agency, _year), date in run.planted.published.items():
        assert published[agency] == date
