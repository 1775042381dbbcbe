"""`govarchive reprocess` rebuilds from the archive alone exactly what the crawl built: every test portal is
crawled, its data folder copied, the copy reprocessed, and the report tables compared row for row."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.portals.harness import (
    DERIVED_TABLES,
    assert_reprocess_gives_the_same,
    bodies_split_apart,
    reports,
    rows,
    sources,
)
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


@pytest.mark.parametrize("name", list(PORTALS))
def test_reprocess_gives_exactly_what_the_crawl_gave(name: str, tmp_path: Path) -> None:
    run = PORTALS[name]()
    assert rows(run.data, DERIVED_TABLES["reports"]), "the crawl recorded no report"
    assert bodies_split_apart(run.data) == []  # one body, one id, whatever the spelling
    assert_reprocess_gives_the_same(run.data, tmp_path)


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
