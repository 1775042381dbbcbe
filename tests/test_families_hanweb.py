"""Hanweb JCMS portal crawled end to end (family "auto"): data island, dataproxy.jsp, downfile.jsp,
annual-report module; and the same crawl through `scrapy crawl reports`."""

from __future__ import annotations

import pytest

from tests.portals.harness import assert_never_reports, db, published, reports
from tests.portals.runs import hanweb_portal

pytestmark = pytest.mark.slow


def test_every_planted_report_is_found_and_nothing_else() -> None:
    run = hanweb_portal()
    assert reports(run.data) == run.planted.reports


def test_dataproxy_is_called_for_the_records_beyond_the_data_island() -> None:
    run = hanweb_portal()
    calls = [entry for entry in run.portal.requested("dataproxy.jsp")]
    assert calls and all(method == "POST" and status == 200 for _, method, _, status in calls)
    paths = {path for _, _, path, _ in calls}
    # column 5678 hides its total: the first call tells it, and a second covers the rest
    assert "/module/web/jpage/dataproxy.jsp?startrecord=4&endrecord=12&perpage=3" in paths
    assert "/module/web/jpage/dataproxy.jsp?startrecord=13&endrecord=21&perpage=3" in paths


def test_annual_report_module_years_from_the_select_are_visited() -> None:
    run = hanweb_portal()
    for year in (2021, 2022, 2023):
        assert run.portal.requested(f"fbtime={year}"), year
    assert published(run.data)[("测试市人民政府", 2020)] == "2021-03-20"


def test_look_alike_records_are_never_reports() -> None:
    run = hanweb_portal()
    assert reports(run.data) == run.planted.reports
    assert_never_reports(run.data, run.planted.lookalikes)


def test_downfile_name_is_decoded_from_raw_gbk_header() -> None:
    run = hanweb_portal()
    with db(run.data) as conn:
        names = {
            r[0] for r in conn.execute("SELECT filename FROM documents WHERE first_url LIKE '%downfile%'")
        }
    assert "测试市财政局2022年政府信息公开工作年度报告.docx" in names


def test_scrapy_crawl_finds_the_same_reports_as_the_cli() -> None:
    via_scrapy = hanweb_portal("scrapy")
    assert reports(via_scrapy.data) == via_scrapy.planted.reports
    assert reports(via_scrapy.data) == reports(hanweb_portal().data)
