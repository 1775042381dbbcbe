"""A year × department platform found by content, without a `family` hint: year tabs → a table of body
names → DOC/DOCX files, report pages and 详细信息 pages. Reports are what their content says."""

from __future__ import annotations

import pytest

from tests.portals.harness import assert_never_reports, db, reports
from tests.portals.runs import yeartabs_portal
from tests.portals.yeartabs import YEARS, year_folder

pytestmark = pytest.mark.slow


def test_every_body_report_is_found_and_nothing_else() -> None:
    run = yeartabs_portal()
    found = reports(run.data)
    assert found == run.planted.reports  # recall and precision 100%: the exact (agency, year) set
    assert len(found) == 17


def test_year_pages_are_lists_not_reports_of_the_government() -> None:
    run = yeartabs_portal()
    with db(run.data) as conn:
        roles = {
            r["url"].split("/", 3)[3]: r["role"]
            for r in conn.execute("SELECT url, role FROM captures WHERE url LIKE '%/20__/'")
        }
        sources = [r["url"] for r in conn.execute("SELECT url FROM report_sources")]
    years = {year_folder(y).lstrip("/"): "list" for y in YEARS}
    assert roles == years and "xxgk/ndbg/2020/" in years
    assert not [u for u in sources if u.endswith(("/", "index.html"))]


def test_look_alike_notices_on_year_pages_are_no_reports() -> None:
    run = yeartabs_portal()
    assert_never_reports(run.data, run.planted.lookalikes)


def test_table_images_of_a_report_page_are_archived_not_its_decoration() -> None:
    run = yeartabs_portal()
    assert run.portal.requested("/bmnb/img/table_2023.png")
    assert run.portal.requested("/images/logo.png") == []  # the header's logo
    assert run.portal.requested("/images/dot.png") == []  # an 8×8 bullet inside the text
    with db(run.data) as conn:
        rows = conn.execute(
            "SELECT role, referer, sha256 FROM captures WHERE url LIKE '%/img/table_%'"
        ).fetchall()
    assert len(rows) == len(YEARS) and all(r["role"] == "image" and r["sha256"] for r in rows)
    assert all(r["referer"].endswith(".html") for r in rows)  # archived with its page


def test_zip_packages_are_requested_as_attachments() -> None:
    run = yeartabs_portal()
    with db(run.data) as conn:
        rows = conn.execute("SELECT role, sha256 FROM captures WHERE url LIKE '%.zip'").fetchall()
    assert len(rows) == len(YEARS) and all(r["role"] == "attachment" and r["sha256"] for r in rows)
