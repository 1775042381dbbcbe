"""Discovery health on a real corpus: a site whose yield falls between runs is flagged, in `site_runs`, the
findings feed and the run's counters."""

from __future__ import annotations

from pathlib import Path

from archive.model import ReportMeta
from archive.products.feeds import finding_entries
from archive.products.health import flagged_sites, record_site_runs
from archive.sites import Site
from archive.store.corpus import Capture, Corpus

BASE = "http://127.0.0.1:9"
SITE = Site(id="s", name="示例县人民政府", start_urls=[f"{BASE}/list/index.html"])
WHEN = "2026-01-01T00:00:00+00:00"


def _report_copy(corpus: Corpus, agency: str) -> str:
    meta = ReportMeta(
        title=f"{agency}2022年政府信息公开工作年度报告", agency=agency, year=2022, kind="annual_report"
    )
    rid = corpus.upsert_report("s", meta, None, f"{BASE}/art/{agency}.html", WHEN)
    url = f"{BASE}/att/{agency}.docx"
    corpus.add_report_source(rid, "0" * 64, url, "docx", WHEN)
    return url


def _run(corpus: Corpus, captures: list[tuple[str, int, str]]) -> int:
    run = corpus.start_run(["s"])
    for url, status, role in captures:
        corpus.add_capture(
            Capture(url=url, status=status, fetched_at=WHEN, site_id="s", crawl_id=run, role=role)
        )
    return run


def test_a_site_whose_reports_vanish_from_its_lists_is_flagged(tmp_path: Path) -> None:
    corpus = Corpus(tmp_path / "corpus.db")
    corpus.upsert_site(SITE)
    a, b = _report_copy(corpus, "财政局"), _report_copy(corpus, "教育局")
    first = _run(
        corpus, [(f"{BASE}/list/index.html", 200, "list"), (a, 200, "attachment"), (b, 200, "attachment")]
    )
    [healthy] = record_site_runs(corpus, first, ["s"])
    assert (healthy.pages, healthy.reports, healthy.list_errors, healthy.flag) == (3, 2, 0, None)
    assert flagged_sites(corpus) == []
    # The portal moved its list: the old list page answers 404, one report is still reached elsewhere.
    second = _run(corpus, [(f"{BASE}/list/index.html", 404, "list"), (a, 200, "attachment")])
    [fallen] = record_site_runs(corpus, second, ["s"])
    assert fallen.reports == 1 and fallen.list_errors == 1
    assert fallen.flag == "1 reports found, 2 the run before"
    [flag] = flagged_sites(corpus)
    assert flag["site_id"] == "s" and flag["run_id"] == second
    assert any(e["id"] == f"site/s/run/{second}" for e in finding_entries(corpus))
    # Nothing found at all next time: said so.
    third = _run(corpus, [(f"{BASE}/list/index.html", 404, "list")])
    [empty] = record_site_runs(corpus, third, ["s"])
    assert empty.flag == "no report found (the run before found 1)"
