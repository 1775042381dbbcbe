"""Removal bookkeeping on a real corpus: when a report counts as removed, and when it must not."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from archive.model import ReportMeta
from archive.products.history import close_run, mark_interrupted_runs
from archive.sites import Site
from archive.store.corpus import Capture, Corpus
from tests.portals.harness import crawl, write_sites
from tests.portals.static import StaticPortal, serve, site

BASE = "http://127.0.0.1:9"
SITE = Site(id="s", name="示例县人民政府", start_urls=[f"{BASE}/list/index.html"])
EARLIER = "2026-01-01T00:00:00+00:00"
LATER = "2026-01-02T00:00:00+00:00"


def _report(corpus: Corpus, agency: str, slug: str) -> int:
    meta = ReportMeta(
        title=f"{agency}2022年政府信息公开工作年度报告", agency=agency, year=2022, kind="annual_report"
    )
    rid = corpus.upsert_report("s", meta, None, f"{BASE}/art/{slug}.html", EARLIER)
    corpus.add_report_source(rid, "0" * 64, f"{BASE}/att/{slug}.docx", "docx", EARLIER)
    return rid


def _run(corpus: Corpus, captures: list[tuple[str, int | None, str | None]]) -> int:
    run = corpus.start_run(["s"])
    corpus.conn.execute("UPDATE crawl_runs SET started_at = ? WHERE id = ?", (LATER, run))
    for url, status, error in captures:
        role = "list" if "/list/" in url else "attachment"
        corpus.add_capture(
            Capture(
                url=url, status=status, fetched_at=LATER, site_id="s", error=error, crawl_id=run, role=role
            )
        )
    return run


@pytest.fixture
def corpus(tmp_path: Path) -> Corpus:
    c = Corpus(tmp_path / "corpus.db")
    c.upsert_site(SITE)
    return c


def _removed(corpus: Corpus) -> set[str]:
    return {r[0] for r in corpus.conn.execute("SELECT agency FROM reports WHERE removed_at IS NOT NULL")}


LIST_OK = (f"{BASE}/list/index.html", 200, None)


def test_404_marks_removed_and_keeps_the_report(corpus: Corpus) -> None:
    _report(corpus, "财政局", "a")
    _report(corpus, "教育局", "b")
    run = _run(corpus, [LIST_OK, (f"{BASE}/att/a.docx", 404, "http 404")])
    # Not complete (finished=False): only the explicit 404 counts.
    result = close_run(corpus, run, [SITE], finished=False)
    assert _removed(corpus) == {"示例县财政局"}  # 财政局 printed on the 示例县 site
    assert result.counts()["removed"] == 1
    assert corpus.count("reports") == 2
    src = corpus.conn.execute("SELECT removed_at FROM report_sources WHERE url LIKE '%a.docx'").fetchone()
    assert src[0] is not None


def test_left_the_list_on_a_complete_crawl(corpus: Corpus) -> None:
    _report(corpus, "财政局", "a")
    run = _run(corpus, [LIST_OK])
    close_run(corpus, run, [SITE], finished=True)
    assert _removed(corpus) == {"示例县财政局"}  # 财政局 printed on the 示例县 site


def test_portal_down_marks_nothing(corpus: Corpus) -> None:
    _report(corpus, "财政局", "a")
    run = _run(corpus, [(f"{BASE}/list/index.html", None, "connection refused")])
    result = close_run(corpus, run, [SITE], finished=True)
    assert _removed(corpus) == set()
    assert result.down_sites == ["s"] and result.errors == 1


def test_transient_error_or_incomplete_crawl_marks_nothing(corpus: Corpus) -> None:
    _report(corpus, "财政局", "a")
    _report(corpus, "教育局", "b")
    run = _run(corpus, [LIST_OK, (f"{BASE}/att/a.docx", 503, "http 503")])
    close_run(corpus, run, [SITE], finished=True)
    assert _removed(corpus) == set()  # a 503 anywhere: the crawl is not complete, and a's URL failed
    run = _run(corpus, [LIST_OK])
    close_run(corpus, run, [SITE], finished=True, capped={"s"})
    assert _removed(corpus) == set()  # page cap reached: unseen is not gone


def test_start_url_gone_marks_no_report_as_left_its_list(corpus: Corpus) -> None:
    _report(corpus, "财政局", "a")
    run = _run(corpus, [(f"{BASE}/list/index.html", 404, "http 404"), (f"{BASE}/list/other.html", 200, None)])
    close_run(corpus, run, [SITE], finished=True)
    assert _removed(corpus) == set()


def test_mass_disappearance_is_held_back(corpus: Corpus) -> None:
    for i in range(5):
        _report(corpus, f"局{i}", f"r{i}")
    run = _run(corpus, [LIST_OK])
    result = close_run(corpus, run, [SITE], finished=True)
    assert _removed(corpus) == set()
    assert result.counts()["held_back"] == 5


def test_a_sighting_clears_removed_at(corpus: Corpus) -> None:
    rid = _report(corpus, "财政局", "a")
    close_run(corpus, _run(corpus, [LIST_OK]), [SITE], finished=True)
    assert _removed(corpus) == {"示例县财政局"}  # 财政局 printed on the 示例县 site
    meta = ReportMeta(agency="财政局", year=2022, kind="annual_report")
    assert corpus.upsert_report("s", meta, None, None, "2026-01-03T00:00:00+00:00") == rid
    assert _removed(corpus) == set()


def test_interrupted_runs_are_marked(corpus: Corpus) -> None:
    corpus.start_run(["s"])
    assert mark_interrupted_runs(corpus) == 1
    assert corpus.conn.execute("SELECT status FROM crawl_runs").fetchone()[0] == "interrupted"


@pytest.mark.slow
def test_portal_down_for_a_whole_run_removes_nothing(tmp_path: Path) -> None:
    portal = StaticPortal(tmp_path / "portal")
    portal.add_report("a", "示例县财政局", 2022)
    server = serve(portal.root)
    sites = write_sites(tmp_path / "sites.toml", [site(server.base_url)])
    data = tmp_path / "data"
    assert crawl(sites, data, [], check=False).returncode == 0
    server.stop()  # the port now refuses connections
    time.sleep(0.2)
    # Every request is refused and retried to the end; a short backoff (the harness's is 1 s, doubled per
    # retry: 14 s of waiting here) changes how long that takes, not what the run concludes.
    proc = crawl(sites, data, [], check=False, env={"GOVARCHIVE_RETRY_BACKOFF": "0.2"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    conn = sqlite3.connect(data / "corpus.db")
    assert conn.execute("SELECT count(*) FROM reports WHERE removed_at IS NULL").fetchone()[0] == 1
    assert "removed 0" in proc.stdout and "errors 0" not in proc.stdout
    conn.close()


def test_corrupt_database_is_exit_2_and_left_alone(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    junk = b"this is not a database" * 100
    (data / "corpus.db").write_bytes(junk)
    sites = tmp_path / "sites.toml"
    write_sites(sites, [site("http://127.0.0.1:9")])
    proc = crawl(sites, data, [], timeout=60, check=False)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "corpus" in proc.stderr
    assert (data / "corpus.db").read_bytes() == junk
