"""Tables published as pictures inside an article page, through the crawl: the picture is archived with its
page, read by the OCR path, and its figures are the report's; `reprocess` gives the same rows."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from tests.portals import Planted
from tests.portals.harness import assert_reprocess_gives_the_same, crawl, reports, rows, write_sites
from tests.portals.server import Answer, Portal, html
from tests.test_extract_image import table_picture

pytestmark = [pytest.mark.slow, pytest.mark.ocr]

TITLE = "测试县司法局2021年政府信息公开工作年度报告"


def _portal(portal: Portal) -> Planted:
    portal.add("/img/table.png", Answer(table_picture(), content_type="image/png"))
    portal.add(
        "/art/report.html",
        html(
            f'<html><head><meta charset="utf-8"><title>{TITLE}</title></head><body>'
            f"<h1>{TITLE}</h1><div class='content'><p>一、总体情况</p><p>本年度依法推进政府信息公开工作。</p>"
            "<p>三、收到和处理政府信息公开申请情况</p><p>四、政府信息公开行政复议、行政诉讼情况</p>"
            "<p><img src='/img/table.png' width='900' alt='申请情况'></p>"
            "<p>五、存在的主要问题及改进情况</p><p>公开内容不够全面。</p></div></body></html>"
        ),
    )
    portal.add(
        "/xxgk/ndbg/index.html",
        html(
            f"<html><head><meta charset='utf-8'><title>年报</title></head><body><a href='/art/report.html'>{TITLE}</a></body></html>"
        ),
    )
    return Planted(reports={("测试县司法局", 2021, "annual_report")})


def test_a_table_picture_gives_the_report_its_figures() -> None:
    portal = Portal("127.0.0.13")
    base = portal.start()
    try:
        planted = _portal(portal)
        with tempfile.TemporaryDirectory(prefix="govarchive-images-") as tmp:
            folder = Path(tmp)
            sites = write_sites(
                folder / "sites.toml",
                [
                    {
                        "id": "img",
                        "name": "测试",
                        "start_urls": [base + "/xxgk/ndbg/index.html"],
                        "download_delay": 0.0,
                    }
                ],
            )
            data = folder / "data"
            crawl(sites, data, ["img"])
            assert reports(data) == planted.reports
            images = rows(data, "SELECT role FROM captures WHERE url LIKE '%/img/table.png'")
            assert images == [("image",)]
            figures = rows(data, "SELECT value FROM report_stats WHERE ocr = 1 AND value IS NOT NULL")
            assert len(figures) >= 140  # the picture's part of section 三 and all of section 四
            appeals_total = rows(data, "SELECT status FROM report_checks WHERE rule = 'appeals_total'")
            assert appeals_total == [("ok",)]
            sections = {r[0] for r in rows(data, "SELECT DISTINCT section FROM report_stats")}
            assert {"applications", "appeals"} <= sections
            assert_reprocess_gives_the_same(data, folder)
    finally:
        portal.stop()
