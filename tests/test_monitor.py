"""Who has not published: expected reports from the sites file, article 49 deadlines, tolerant names,
the `govarchive monitor` command and the Atom feeds."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from archive.model import ReportMeta
from archive.products.feeds import ATOM, write_feeds
from archive.products.monitor import agency_key, expected_reports, region_prefixes, sync_sites
from archive.sites import parse_sites
from archive.store.corpus import Capture, Corpus, now_iso
from tests.conftest import free_port
from tests.portals.harness import ROOT, crawl

SITES = """
[[sites]]
id = "zn"
name = "中宁县人民政府"
region = "宁夏回族自治区/中卫市/中宁县"
start_urls = ["http://127.0.0.1:9/list/"]
expected_agencies = ["中宁县人民政府", "中宁县财政局", "中宁县教育局", "中宁县民政局", "中宁县 卫生健康局", "中宁县水务局"]
expected_since = 2022
"""


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("中宁县财政局", "中宁财政局"),
        ("中宁县财政局", "中卫市中宁县财政局"),
        ("中宁县财政局", "财政局"),
        ("中宁县 财政局", "中宁县财政局"),
        ("中宁县（中卫市）财政局", "中宁县(中卫市)财政局"),
    ],
)
def test_names_that_match(a: str, b: str) -> None:
    p = region_prefixes("宁夏回族自治区/中卫市/中宁县", "中宁县人民政府")
    assert agency_key(a, p) == agency_key(b, p)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("中宁县财政局", "中宁县教育局"),
        ("中宁县人民政府", "中宁县人民政府办公室"),
        ("利通区财政局", "财政局"),
    ],
)
def test_names_that_do_not_match(a: str, b: str) -> None:
    p = region_prefixes("宁夏回族自治区/中卫市/中宁县", "中宁县人民政府")
    assert agency_key(a, p) != agency_key(b, p)


def _add(corpus: Corpus, agency: str, year: int, published: str | None, removed: bool = False) -> None:
    meta = ReportMeta(
        title=f"{agency}{year}年政府信息公开工作年度报告",
        agency=agency,
        year=year,
        kind="annual_report",
        published_at=published,
    )
    rid = corpus.upsert_report("zn", meta, None, None, "2025-06-01T00:00:00+00:00")
    if removed:
        corpus.conn.execute(
            "UPDATE reports SET removed_at = '2025-07-01T00:00:00+00:00' WHERE id = ?", (rid,)
        )


@pytest.fixture
def data(tmp_path: Path) -> Path:
    corpus = Corpus(tmp_path / "corpus.db")
    sync_sites(corpus, parse_sites(SITES))
    for year in (2022, 2023, 2024, 2025):
        _add(corpus, "中宁县人民政府", year, f"{year + 1}-03-20")  # government: due 31 March → on time
        _add(corpus, "中宁财政局", year, f"{year + 1}-01-15")  # name variant → on time
        _add(corpus, "卫生健康局", year, f"{year + 1}-01-31")  # name variant, on the deadline day
        _add(corpus, "中卫市中宁县民政局", year, f"{year + 1}-02-10")  # department after 31 Jan → late
    _add(corpus, "中宁县水务局", 2023, "2024-01-10", removed=True)
    _add(corpus, "中宁县水务局", 2022, "2023-01-10")
    # 教育局 never publishes; 水务局 misses 2024 and 2025.
    _list_answered(corpus, "zn")  # the report list was looked at today: what is not there is missing
    corpus.close()
    return tmp_path


def _list_answered(corpus: Corpus, site_id: str, error: str | None = None) -> None:
    corpus.add_capture(
        Capture(
            url="http://127.0.0.1:9/list/",
            status=None if error else 200,
            fetched_at=now_iso(),
            site_id=site_id,
            role="list",
            error=error,
        )
    )


def test_expected_reports_statuses(data: Path) -> None:
    corpus = Corpus(data / "corpus.db")
    rows = expected_reports(corpus)
    corpus.close()
    status = {(r["agency"], r["year"]): r["status"] for r in rows}
    assert {y for (_, y) in status} == {2022, 2023, 2024, 2025}  # 2026 is not due yet
    missing = sorted(k for k, s in status.items() if s == "missing")
    assert missing == sorted(
        [("中宁县教育局", y) for y in (2022, 2023, 2024, 2025)]
        + [("中宁县水务局", 2024), ("中宁县水务局", 2025)]
    )
    assert sorted(k for k, s in status.items() if s == "late") == [
        ("中宁县民政局", y) for y in (2022, 2023, 2024, 2025)
    ]
    assert [k for k, s in status.items() if s == "removed"] == [("中宁县水务局", 2023)]
    for agency in ("中宁县人民政府", "中宁县财政局", "中宁县 卫生健康局"):
        assert all(status[(agency, y)] == "on_time" for y in (2022, 2023, 2024, 2025))


def _monitor(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "govarchive", "monitor", "--data", str(data), *args]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)


def test_monitor_command_table_json_and_exit_codes(data: Path) -> None:
    table = _monitor(data)
    assert table.returncode == 0
    assert "missing: 6  late: 4  removed: 1  on_time: 13" in table.stdout
    assert (
        "中宁县 卫生健康局  (as 中宁县卫生健康局)" in table.stdout
    )  # the sites file's spelling, the body's name
    as_json = _monitor(data, "--json", "--year", "2024")
    rows = json.loads(as_json.stdout)
    assert {(r["agency"], r["status"]) for r in rows if r["status"] == "missing"} == {
        ("中宁县教育局", "missing"),
        ("中宁县水务局", "missing"),
    }
    assert _monitor(data, "--fail-on-missing").returncode == 1
    assert _monitor(data, "--fail-on-missing", "--year", "2099").returncode == 0


def test_a_portal_nobody_reached_is_not_checked_not_missing(tmp_path: Path) -> None:
    corpus = Corpus(tmp_path / "corpus.db")
    sync_sites(corpus, parse_sites(SITES))
    _add(corpus, "中宁县财政局", 2023, "2024-01-15")
    statuses = {r["status"] for r in expected_reports(corpus) if r["agency"] != "中宁县财政局"}
    assert statuses == {"not_checked"}  # never crawled: nobody looked
    _list_answered(corpus, "zn", error="connection refused")
    assert {r["status"] for r in expected_reports(corpus) if r["agency"] != "中宁县财政局"} == {
        "not_checked"
    }  # the portal was down
    found = [r for r in expected_reports(corpus) if r["agency"] == "中宁县财政局" and r["year"] == 2023]
    assert found[0]["status"] == "on_time"  # what was found stands, reached or not
    corpus.close()
    table = _monitor(tmp_path, "--fail-on-missing")
    assert table.returncode == 0, table.stdout  # nothing is claimed missing
    assert "not_checked: 23" in table.stdout and "last answered never" in table.stdout
    corpus = Corpus(tmp_path / "corpus.db")
    _list_answered(corpus, "zn")
    rows = expected_reports(corpus)
    corpus.close()
    assert {r["status"] for r in rows if r["agency"] == "中宁县教育局"} == {"missing"}
    assert all(r["checked_at"] for r in rows)
    assert _monitor(tmp_path, "--fail-on-missing").returncode == 1


def test_after_a_crawl_of_an_unreachable_portal_nothing_is_missing(tmp_path: Path) -> None:
    port = free_port()  # nothing listens: every request is refused
    sites = tmp_path / "sites.toml"
    sites.write_text(SITES.replace("http://127.0.0.1:9/list/", f"http://127.0.0.1:{port}/list/"), "utf-8")
    crawl(sites, tmp_path / "data", ["zn"], env={"GOVARCHIVE_RETRY_TIMES": "0"})
    proc = _monitor(tmp_path / "data", "--json", "--fail-on-missing")
    assert proc.returncode == 0, proc.stdout[-2000:]
    rows = json.loads(proc.stdout)
    assert rows and {r["status"] for r in rows} == {"not_checked"}


def test_monitor_in_an_empty_folder_creates_nothing(tmp_path: Path) -> None:
    proc = _monitor(tmp_path / "data")
    assert proc.returncode == 2 and "no corpus here" in proc.stderr
    assert not (tmp_path / "data").exists()


def test_monitor_reports_a_corrupt_database_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "corpus.db").write_bytes(b"garbage" * 1000)
    proc = _monitor(tmp_path)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "corpus" in proc.stderr
    assert _monitor(tmp_path / "nothing-here").returncode == 2


def test_findings_feed_lists_missing_late_and_removed(data: Path) -> None:
    corpus = Corpus(data / "corpus.db")
    paths = write_feeds(corpus, data / "feeds")
    corpus.close()
    root = ET.parse(paths["findings"]).getroot()
    titles = [e.findtext(f"{{{ATOM}}}title") or "" for e in root.iter(f"{{{ATOM}}}entry")]
    assert sum(t.startswith("missing:") for t in titles) == 6
    assert sum(t.startswith("late:") for t in titles) == 4
    assert sum(t.startswith("removed:") for t in titles) == 1
    ids = [e.findtext(f"{{{ATOM}}}id") for e in root.iter(f"{{{ATOM}}}entry")]
    assert len(ids) == len(set(ids))
    reports = ET.parse(paths["reports"]).getroot()
    assert len(list(reports.iter(f"{{{ATOM}}}entry"))) == 18
