"""Crawl twice (the second run answered by 304s), then reprocess: a report that lives only in a ZIP is not
taken for removed, the same ZIP at two URLs, a redirected attachment and a picture shown by two pages give
the same rows in the crawl and in the rebuild."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from tests.portals import tricky
from tests.portals.harness import (
    assert_reprocess_gives_the_same,
    crawl,
    published,
    reports,
    rows,
    summary,
    write_sites,
)
from tests.portals.server import Portal

pytestmark = [pytest.mark.slow, pytest.mark.ocr]


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
            assert rows(data, "SELECT count(*) FROM reports WHERE removed_at IS NOT NULL") == [(0,)]
            # The redirected DOCX keeps its page: its date and the page as an html copy.
            assert published(data)[("测试县乙局", 2022)] == "2023-01-10"
            moved = rows(
                data,
                """SELECT s.url FROM report_sources s JOIN reports r ON r.id = s.report_id
                   WHERE r.agency = '测试县乙局' ORDER BY s.url""",
            )
            assert [u for (u,) in moved if str(u).endswith("/c/p.html")], moved
            # A link named in Chinese matches its (escaped) capture: the page's date and the page as a copy.
            assert published(data)[("测试县丁局", 2022)] == "2023-01-09"
            named = rows(
                data,
                """SELECT s.url FROM report_sources s JOIN reports r ON r.id = s.report_id
                   WHERE r.agency = '测试县丁局'""",
            )
            assert any(str(u).endswith("/f/p.html") for (u,) in named), named
            # Both pages that show the picture read its tables.
            pictured = rows(
                data,
                """SELECT count(*) FROM report_stats s JOIN reports r ON r.id = s.report_id
                   WHERE r.agency = '测试县丙局' AND s.ocr = 1""",
            )
            assert pictured[0][0] >= 140
            assert_reprocess_gives_the_same(data, folder)
    finally:
        portal.stop()
