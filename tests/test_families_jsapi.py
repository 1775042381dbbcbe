"""Lists drawn by script from a JSON API: read directly from the API, and rendered in Debian Chromium."""

from __future__ import annotations

import shutil

import pytest

from tests.portals.harness import assert_never_reports, db, reports
from tests.portals.runs import jsapi_portal

pytestmark = pytest.mark.slow


def test_api_named_in_the_script_is_read_directly() -> None:
    run = jsapi_portal(render=False)
    assert reports(run.data) == run.planted.reports
    assert len({p for _, _, p, _ in run.portal.requested("/api/nb/list")}) == 3
    # an endpoint answering HTML instead of JSON is read, recorded and ignored
    assert run.portal.requested("/api/nb/notice")


def test_look_alike_rows_are_never_reports() -> None:
    run = jsapi_portal(render=False)
    assert_never_reports(run.data, run.planted.lookalikes)


@pytest.mark.browser
@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs Debian chromium")
def test_rendered_in_chromium_follows_the_pager_the_script_draws() -> None:
    run = jsapi_portal(render=True)
    assert reports(run.data) == run.planted.reports
    # these links exist only in the DOM the script built
    assert run.portal.requested("/xxgk/list.html?page=2") and run.portal.requested("/xxgk/list.html?page=3")
    assert_never_reports(run.data, run.planted.lookalikes)
    # documents stay on the plain downloader: the DOCX bytes were archived, not a viewer page
    with db(run.data) as conn:
        kinds = [
            r[0] for r in conn.execute("SELECT media_type FROM documents WHERE first_url LIKE '%/uploads/%'")
        ]
    assert len(kinds) == len(run.planted.reports) and set(kinds) == {"docx"}
