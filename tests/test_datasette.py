"""A real Datasette on the demo corpus, driven by Debian's Chromium: the search box finds reports."""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.settings import PLAYWRIGHT_LAUNCH_OPTIONS
from tests.conftest import serving

# The same browser and flags the crawler renders with (Debian's chromium; no downloaded browser).
CHROMIUM = PLAYWRIGHT_LAUNCH_OPTIONS["executable_path"]
CHROMIUM_ARGS = PLAYWRIGHT_LAUNCH_OPTIONS["args"]


@pytest.fixture(scope="module")
def datasette_url(demo_data: Path) -> Iterator[str]:
    with serving(demo_data) as url:
        yield url


def get_json(url: str) -> object:
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.loads(r.read())


def test_tables_and_labels_are_served(datasette_url: str) -> None:
    tables = get_json(datasette_url + "/corpus.json")
    names = {t["name"] for t in tables["tables"]}  # type: ignore[index]
    assert {
        "reports",
        "report_stats",
        "report_checks",
        "report_sources",
        "documents",
        "captures",
        "sites",
    } <= names
    rows = get_json(
        datasette_url + "/corpus/report_stats.json?_shape=array&section=applications&row=new&col=total"
    )
    assert rows and all(r["row_label"] == "一、本年新收政府信息公开申请数量" for r in rows)  # type: ignore[union-attr]


def test_database_is_served_read_only(datasette_url: str) -> None:
    req = urllib.request.Request(
        datasette_url + "/corpus/-/query.json?sql=" + urllib.parse.quote("delete from reports"),
    )
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(req, timeout=10)
    for sql in (
        "update reports set year = 1",
        "attach database '/tmp/x.db' as x",
        "pragma journal_mode=delete",
    ):
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(
                datasette_url + "/corpus/-/query.json?sql=" + urllib.parse.quote(sql), timeout=10
            )
    # Served live (not -i), so what writers commit is seen at once; Datasette reads with ?mode=ro.
    meta = get_json(datasette_url + "/-/databases.json")
    assert meta[0]["is_mutable"] is True  # type: ignore[index]


def test_canned_query_for_one_figure(datasette_url: str) -> None:
    rows = get_json(
        datasette_url + "/corpus/figures_by_code.json?_shape=array&section=applications&row=new&col=total"
    )
    agencies = {r["agency"] for r in rows}  # type: ignore[union-attr]
    assert "宜春市卫生健康委" in agencies


@pytest.mark.browser
def test_search_box_finds_a_report_in_chromium(datasette_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    shot_dir = Path(os.environ.get("GOVARCHIVE_SCREENSHOTS", tmp_path))
    shot_dir.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(datasette_url + "/corpus/reports", wait_until="networkidle")
            page.fill("input[name=_search]", "依申请公开")
            page.press("input[name=_search]", "Enter")
            page.wait_for_load_state("networkidle")
            assert "_search=" in page.url
            assert "Error" not in page.title(), page.inner_text("body")[:500]
            body = page.inner_text("table.rows-and-columns")
            assert "宜春市卫生健康委" in body or "中宁县卫生健康局" in body
            page.screenshot(path=str(shot_dir / "datasette-search.png"), full_page=False)
        finally:
            browser.close()
    assert (shot_dir / "datasette-search.png").stat().st_size > 10_000
