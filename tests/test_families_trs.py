"""TRS WCM portal crawled end to end: script-written pager, GBK pages, look-alikes, document precedence."""

from __future__ import annotations

import pytest

from tests.portals.harness import assert_never_reports, published, reports, sources
from tests.portals.runs import trs_portal

pytestmark = pytest.mark.slow


def test_every_planted_report_is_found_and_nothing_else() -> None:
    run = trs_portal()
    assert reports(run.data) == run.planted.reports


def test_pages_announced_only_by_the_pager_script_are_crawled() -> None:
    run = trs_portal()
    assert run.portal.requested("/xxgk/zfxxgknb/index_1.html")
    assert run.portal.requested("/xxgk/zfxxgknb/index_2.html")


def test_look_alikes_are_never_reports_and_robots_is_obeyed() -> None:
    run = trs_portal()
    assert_never_reports(run.data, run.planted.lookalikes)
    for fragment in run.planted.never:
        assert run.portal.requested(fragment) == [], fragment


def test_published_at_comes_from_page_metadata_not_the_url() -> None:
    run = trs_portal()
    got = published(run.data)
    for key, date in run.planted.published.items():
        assert got[key] == date, key
    # the URL says 2023-01-15; PubDate says 2023-01-16
    assert got[("测试县财政局", 2022)] != "2023-01-15"


def test_document_title_wins_over_list_and_page_titles() -> None:
    # list and page call it the 2021 report; the DOCX says 2022
    run = trs_portal()
    years = {y for a, y, _ in reports(run.data) if a == "测试县教育局"}
    assert years == {2022}


def test_the_article_page_and_its_attachment_are_both_sources() -> None:
    run = trs_portal()
    urls = sources(run.data)[("测试县财政局", 2022)]
    assert any(u.endswith(".docx") for u in urls) and any(u.endswith(".html") for u in urls)
