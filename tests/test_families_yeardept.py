"""Year × department platform: year index → paged body-name lists → detail pages titled 详细信息."""

from __future__ import annotations

import pytest

from tests.portals.harness import assert_never_reports, published, reports
from tests.portals.runs import yeardept_portal

pytestmark = pytest.mark.slow


def test_every_planted_report_is_found_and_nothing_else() -> None:
    run = yeardept_portal()
    assert reports(run.data) == run.planted.reports


def test_second_pages_of_year_lists_are_followed() -> None:
    run = yeardept_portal()
    assert run.portal.requested("list.jsp?year=2022&page=2")


def test_published_at_from_the_detail_page() -> None:
    run = yeardept_portal()
    got = published(run.data)
    assert all(got[k] == v for k, v in run.planted.published.items())


def test_notice_on_the_year_list_is_no_report() -> None:
    run = yeardept_portal()
    assert len(run.portal.requested("notice.jsp")) <= 1  # explored last, once
    assert_never_reports(run.data, run.planted.lookalikes)
