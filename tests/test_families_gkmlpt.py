"""Guangdong gkmlpt: the category from the start URL's fragment, the JSON API walked page by page."""

from __future__ import annotations

import pytest

from tests.portals.harness import assert_never_reports, reports
from tests.portals.runs import gkmlpt_portal

pytestmark = pytest.mark.slow


def test_every_planted_report_is_found_and_nothing_else() -> None:
    run = gkmlpt_portal()
    assert reports(run.data) == run.planted.reports


def test_every_api_page_of_the_category_is_read() -> None:
    run = gkmlpt_portal()
    for page in (1, 2, 3):
        assert run.portal.requested(f"/gkmlpt/api/all/2890?page={page}"), page
    assert run.portal.requested("/gkmlpt/api/all/0") == []


def test_records_that_name_a_report_are_opened_first_and_no_look_alike_is_a_report() -> None:
    run = gkmlpt_portal()
    opened = [p for _, _, p, _ in run.portal.requested("/gkmlpt/content/")]
    assert len(opened) == len(set(opened))  # each record once
    named = [i for i, p in enumerate(opened) if not any(f in p for f in run.planted.lookalikes)]
    assert len(named) >= len(run.planted.reports)
    assert reports(run.data) == run.planted.reports
    assert_never_reports(run.data, run.planted.lookalikes)
