"""A user's sequence on a real loopback portal: crawl, crawl again unchanged, change the portal (add a
report, delete one, correct an attachment), crawl again — through `govarchive crawl` subprocesses."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import Response
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from archive.model import Extraction
from archive.store.blobs import BlobReader
from archive.store.corpus import Capture
from archive.store.workspace import Workspace
from crawler.context import RequestContext, Role, context_of, set_context
from crawler.incremental import ConditionalRequests
from crawler.run import workspace_for
from tests.fixtures_docs import soffice_convert
from tests.portals.harness import ROOT, crawl, crawl_command, write_sites
from tests.portals.server import Portal
from tests.portals.static import StaticPortal, serve, site


@dataclass
class Stage:
    stdout: str
    bytes_sent: int
    log: list[tuple[str, str, int]]
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def _query(db: Path, sql: str) -> list[dict[str, Any]]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql)]
    finally:
        conn.close()


EXPECTED = [
    "示例县财政局",
    "示例县教育局",
    "示例县民政局",
    "示例县人民政府",
    "示例县审计局",
    "示例县卫生健康局",
    "示例县水利局",
    "示例县水务局",
]

SNAPSHOTS = {
    "reports": "SELECT * FROM reports ORDER BY agency",
    "sources": "SELECT s.*, r.agency FROM report_sources s JOIN reports r ON r.id = s.report_id",
    "captures": "SELECT * FROM captures ORDER BY id",
    "documents": "SELECT sha256, first_url FROM documents",
    "runs": "SELECT * FROM crawl_runs ORDER BY id",
}


def _crawl(server: Portal, data: Path, sites: Path) -> Stage:
    proc = crawl(sites, data, [], check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    stage = Stage(proc.stdout, server.bytes_sent, [(m, path, status) for _, m, path, status in server.log])
    server.reset()
    stage.rows = {k: _query(data / "corpus.db", sql) for k, sql in SNAPSHOTS.items()}
    return stage


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("incremental")
    portal = StaticPortal(tmp / "portal")
    for slug, agency, year in [
        ("a", "示例县财政局", 2022),
        ("b", "示例县教育局", 2022),
        ("c", "示例县民政局", 2022),
        ("d", "示例县人民政府", 2022),
    ]:
        portal.add_report(slug, agency, year)
    portal.add_report("h", "示例县审计局", 2022, attachment=False)  # the page is the report
    # The same bytes at a second URL (a mirror copy linked from the list).
    (portal.root / "att" / "a-copy.docx").write_bytes((portal.root / "att" / "a.docx").read_bytes())
    # Report d also as PDF on its page (LibreOffice from the DOCX): HTML, DOCX and PDF copies of one report.
    soffice_convert([portal.root / "att" / "d.docx"], "pdf", portal.root / "att")
    article = portal.root / "art" / "d.html"
    pdf_link = '<a href="../att/d.pdf">示例县人民政府2022年政府信息公开工作年度报告.pdf</a></div>'
    article.write_text(
        article.read_text(encoding="utf-8").replace("</div></body>", pdf_link + "</body>"), "utf-8"
    )
    server = serve(portal.root)
    sites = write_sites(
        tmp / "sites.toml",
        # No pause between requests: what is checked is what each run sends and records, not its pace.
        [
            site(
                server.base_url,
                expected_agencies=EXPECTED,
                expected_since=2022,
                download_delay=0.0,
                concurrency=8,
            )
        ],
    )
    list_page = portal.root / "list" / "index.html"
    extra = (
        '<li><a href="../att/a-copy.docx">示例县财政局2022年政府信息公开工作年度报告（镜像）.docx</a></li>'
    )
    list_page.write_text(list_page.read_text(encoding="utf-8").replace("</ul>", extra + "</ul>"), "utf-8")
    data = tmp / "data"
    stages = {"first": _crawl(server, data, sites), "unchanged": _crawl(server, data, sites)}
    portal.add_report("e", "示例县卫生健康局", 2022)
    portal.add_report("f", "示例县水利局", 2022, published="2023-03-01")  # after 31 January: late
    portal.delete_report("b")
    portal.change_attachment("c")
    list_page.write_text(list_page.read_text(encoding="utf-8").replace("</ul>", extra + "</ul>"), "utf-8")
    stages["changed"] = _crawl(server, data, sites)
    yield {"stages": stages, "data": data, "portal": portal, "sites": sites}
    server.stop()


@pytest.mark.slow
@pytest.mark.libreoffice
def test_first_crawl_archives_every_report(scenario: dict[str, Any]) -> None:
    first = scenario["stages"]["first"]
    agencies = [r["agency"] for r in first.rows["reports"]]
    assert sorted(agencies) == sorted(
        ["示例县财政局", "示例县教育局", "示例县民政局", "示例县人民政府", "示例县审计局"]
    )
    assert "run: new 5, changed 0, removed 0, unchanged 0, errors 0" in first.stdout


@pytest.mark.slow
@pytest.mark.libreoffice
def test_second_run_of_unchanged_portal_transfers_under_5_percent(scenario: dict[str, Any]) -> None:
    first, second = scenario["stages"]["first"], scenario["stages"]["unchanged"]
    assert second.bytes_sent <= 0.05 * first.bytes_sent, (second.bytes_sent, first.bytes_sent)
    by_path = {path: status for _, path, status in second.log}
    assert by_path["/list/index.html"] == 200  # lists are always read in full
    assert all(by_path[f"/att/{s}.docx"] == 304 for s in "abcd")
    assert all(by_path[f"/art/{s}.html"] == 304 for s in "abcdh")
    assert "run: new 0, changed 0, removed 0, unchanged 5, errors 0" in second.stdout


@pytest.mark.slow
@pytest.mark.libreoffice
def test_304_is_a_capture_of_the_held_blob_and_a_sighting(scenario: dict[str, Any]) -> None:
    stages = scenario["stages"]
    run2 = stages["unchanged"].rows["runs"][-1]["id"]
    caps = stages["unchanged"].rows["captures"]
    not_modified = [c for c in caps if c["crawl_id"] == run2 and c["status"] == 304]
    assert len(not_modified) == 11  # 5 pages, 4 attachments, the PDF, the mirror copy
    first_sha = {c["url"]: c["sha256"] for c in caps if c["crawl_id"] != run2 and c["sha256"]}
    assert all(c["sha256"] == first_sha[c["url"]] and c["etag"] for c in not_modified)
    before = {r["agency"]: r["last_seen"] for r in stages["first"].rows["reports"]}
    after = {r["agency"]: r["last_seen"] for r in stages["unchanged"].rows["reports"]}
    assert all(after[a] > before[a] for a in before)
    assert len(stages["unchanged"].rows["documents"]) == len(stages["first"].rows["documents"])


@pytest.mark.slow
@pytest.mark.libreoffice
def test_same_bytes_at_two_urls_is_one_document_and_two_captures(scenario: dict[str, Any]) -> None:
    rows = scenario["stages"]["first"].rows
    sha = {c["url"].rsplit("/", 1)[-1]: c["sha256"] for c in rows["captures"] if c["sha256"]}
    assert sha["a.docx"] == sha["a-copy.docx"]
    assert sum(1 for d in rows["documents"] if d["sha256"] == sha["a.docx"]) == 1
    # One report, with its article page and both attachment URLs as copies.
    copies = {s["url"].rsplit("/", 1)[-1] for s in rows["sources"] if s["agency"] == "示例县财政局"}
    assert copies == {"a.html", "a.docx", "a-copy.docx"}


@pytest.mark.slow
@pytest.mark.libreoffice
def test_one_report_as_html_docx_and_pdf(scenario: dict[str, Any]) -> None:
    rows = scenario["stages"]["first"].rows
    gov = [r for r in rows["reports"] if r["agency"] == "示例县人民政府"]
    assert len(gov) == 1
    formats = {
        s["url"].rsplit("/", 1)[-1]: s["format"] for s in rows["sources"] if s["report_id"] == gov[0]["id"]
    }
    assert formats == {"d.html": "html", "d.docx": "docx", "d.pdf": "pdf"}


@pytest.mark.slow
@pytest.mark.libreoffice
def test_changed_portal_shows_new_removed_and_both_versions(scenario: dict[str, Any]) -> None:
    stage = scenario["stages"]["changed"]
    reports = {r["agency"]: r for r in stage.rows["reports"]}
    assert reports["示例县卫生健康局"]["removed_at"] is None  # the new one
    assert reports["示例县教育局"]["removed_at"] is not None  # kept, marked removed
    assert reports["示例县财政局"]["removed_at"] is None
    changed = reports["示例县民政局"]
    versions = {s["sha256"] for s in stage.rows["sources"] if s["url"].endswith("/att/c.docx")}
    assert len(versions) == 2
    new_sha = hashlib.sha256((scenario["portal"].root / "att" / "c.docx").read_bytes()).hexdigest()
    assert changed["sha256"] == new_sha
    blobs = BlobReader(scenario["data"] / "blobs")
    assert all(blobs.has(s) for s in versions)
    assert "run: new 2, changed 1, removed 1, unchanged 3, errors 0" in stage.stdout
    summary = json.loads(stage.rows["runs"][-1]["summary"])
    assert summary["history/removed"] == 1


@pytest.mark.slow
@pytest.mark.libreoffice
def test_every_run_keeps_a_log_and_feeds(scenario: dict[str, Any]) -> None:
    logs = sorted((scenario["data"] / "logs").glob("crawl-*.log"))
    assert len(logs) >= 2  # runs within one second share a name; each has its own otherwise
    assert "run: new" in logs[-1].read_text(encoding="utf-8")
    findings = (scenario["data"] / "feeds" / "findings.atom").read_text(encoding="utf-8")
    assert "removed from portal" in findings and "示例县教育局" in findings
    reports_feed = (scenario["data"] / "feeds" / "reports.atom").read_text(encoding="utf-8")
    assert reports_feed.count("<entry>") == 7


@pytest.mark.slow
@pytest.mark.libreoffice
def test_monitor_lists_exactly_the_missing_late_and_removed(scenario: dict[str, Any]) -> None:
    cmd = [
        *crawl_command(scenario["sites"], scenario["data"])[:3],
        "monitor",
        "--data",
        str(scenario["data"]),
    ]
    proc = subprocess.run(
        [*cmd, "--json", "--year", "2022"], capture_output=True, text=True, check=False, cwd=ROOT
    )
    rows = {r["agency"]: r["status"] for r in json.loads(proc.stdout)}
    problems = {a: s for a, s in rows.items() if s != "on_time"}
    assert problems == {"示例县水务局": "missing", "示例县水利局": "late", "示例县教育局": "removed"}
    assert len(rows) == len(EXPECTED)
    failing = subprocess.run(
        [*cmd, "--fail-on-missing"], capture_output=True, text=True, check=False, cwd=ROOT
    )
    assert failing.returncode == 1 and "missing" in failing.stdout


# --- the middleware alone, on a real corpus and blob store -----------------------------------------------

ART = "http://127.0.0.1:9/art/x.html"


@pytest.fixture
def middleware(tmp_path: Path) -> Iterator[tuple[ConditionalRequests, Workspace]]:
    crawler = get_crawler(
        settings_dict={"GOVARCHIVE_DATA": str(tmp_path), "EXTENSIONS": {"crawler.run.CrawlRun": 500}}
    )
    crawler.stats = MemoryStatsCollector(crawler)
    ws = workspace_for(crawler)
    body = "<html><head><title>示例县财政局2022年政府信息公开工作年度报告</title></head></html>".encode()
    sha, size = ws.blobs.put_bytes(body)
    ws.corpus.ensure_document(sha, size, "html", None, ART, "2026-01-01T00:00:00+00:00")
    ws.corpus.save_extraction(sha, Extraction(media_type="html", text="x"))
    ws.corpus.add_capture(
        Capture(
            url=ART,
            status=200,
            fetched_at="2026-01-01T00:00:00+00:00",
            sha256=sha,
            size=size,
            etag='"v1"',
            last_modified="Thu, 01 Jan 2026 00:00:00 GMT",
            content_type="text/html; charset=utf-8",
            role="article",
        )
    )
    yield ConditionalRequests(crawler), ws
    ws.close()


def _request(url: str, role: Role) -> Request:
    req = Request(url)
    set_context(req, RequestContext("s", role))
    return req


def _meta(req: Request) -> dict[str, Any]:
    """The request's crawl context as a dict (the keys the middleware sets)."""
    ctx = context_of(req)
    assert ctx is not None
    return {k: v for k, v in vars(ctx).items() if v not in (None, False)}


def test_article_and_attachment_requests_become_conditional(
    middleware: tuple[ConditionalRequests, Workspace],
) -> None:
    mw, _ = middleware
    req = _request(ART, "article")
    mw.process_request(req)
    assert req.headers[b"If-None-Match"] == b'"v1"'
    assert req.headers[b"If-Modified-Since"] == b"Thu, 01 Jan 2026 00:00:00 GMT"
    assert _meta(req)["previous_sha256"]


def test_list_pages_are_never_conditional(middleware: tuple[ConditionalRequests, Workspace]) -> None:
    mw, _ = middleware
    req = _request(ART, "list")
    mw.process_request(req)
    assert b"If-None-Match" not in req.headers and "previous_sha256" not in _meta(req)


def _lose(ws: Workspace, sha: str) -> None:
    """The blob lost, as a disk fault would lose it: its file, or its pack's index row."""
    path = ws.blobs.path(sha)
    if path.is_file():
        path.chmod(0o644)
        path.unlink()
    else:
        index = sqlite3.connect(ws.blobs.root / "packs" / "index.sqlite")
        with index:
            index.execute("DELETE FROM packed WHERE sha256 = ?", (bytes.fromhex(sha),))
        index.close()
    assert not ws.blobs.has(sha)


def test_unextracted_or_missing_blob_means_a_full_fetch(
    middleware: tuple[ConditionalRequests, Workspace],
) -> None:
    mw, ws = middleware
    ws.corpus.conn.execute("UPDATE documents SET extracted_at = NULL")
    req = _request(ART, "article")
    mw.process_request(req)
    assert b"If-None-Match" not in req.headers
    ws.corpus.conn.execute("UPDATE documents SET extracted_at = '2026-01-01'")
    sha = ws.corpus.latest_capture_held(ART)["sha256"]  # type: ignore[index]
    _lose(ws, sha)
    req = _request(ART, "article")
    mw.process_request(req)
    assert b"If-None-Match" not in req.headers


def test_redirect_drops_the_first_urls_validators(middleware: tuple[ConditionalRequests, Workspace]) -> None:
    mw, _ = middleware
    req = _request(ART, "article")
    mw.process_request(req)
    moved = req.replace(url="http://127.0.0.1:9/art/moved.html")
    mw.process_request(moved)
    assert b"If-None-Match" not in moved.headers and "previous_sha256" not in _meta(moved)


def test_304_article_is_handed_over_with_the_bytes_held(
    middleware: tuple[ConditionalRequests, Workspace],
) -> None:
    mw, ws = middleware
    req = _request(ART, "article")
    mw.process_request(req)
    answer = mw.process_response(req, Response(ART, status=304, headers={"ETag": '"v1"'}, request=req))
    assert answer.status == 304 and _meta(req)["revalidated"]
    assert answer.body == ws.blobs.read(_meta(req)["previous_sha256"])
    assert (answer.headers.get(b"Content-Type") or b"").startswith(b"text/html")
    attachment = _request(ART, "attachment")
    mw.process_request(attachment)
    plain = Response(ART, status=304, request=attachment)
    assert mw.process_response(attachment, plain) is plain  # nothing to parse: the blob is confirmed
