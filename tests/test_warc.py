"""The archive speaks WARC: every exchange kept at capture time, exported as WARC 1.1 / WACZ that independent
tools accept (`warcio check`, `warcio index`, py-wacz's `wacz validate`) and pywb replays byte for byte,
and a WARC made by `wget --warc-file` imported through the crawl's pipeline without loss."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.store.blobs import BlobReader
from archive.warc.records import hex_of_digest
from tests.conftest import REPO, free_port, run_cli
from tests.portals.harness import reports, rows
from tests.portals.runs import WarcCrawled, warc_portals
from tests.portals.tricky import MOVED, ZIPPED

pytestmark = [pytest.mark.slow, pytest.mark.ocr, pytest.mark.libreoffice]

WARCIO = Path(sys.executable).parent / "warcio"
REPLAY_BIN = REPO / ".venv-replay" / "bin"  # pywb and py-wacz, in their own virtualenv (./run setup)
PROFILE = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"


@pytest.fixture(scope="module")
def run() -> WarcCrawled:
    return warc_portals()


def _db(data: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(data / "corpus.db")
    conn.row_factory = sqlite3.Row
    return conn


def _blob(data: Path, sha: str) -> bytes:
    return BlobReader(data / "blobs").read(sha)


def _check_with_warcio(warc: Path) -> list[dict[str, str]]:
    """`warcio check` and `warcio index` accept the file; the index's entries."""
    check = subprocess.run([str(WARCIO), "check", "-v", str(warc)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout[-2000:] + check.stderr[-2000:]
    assert "digest pass" in check.stdout and "fail" not in check.stdout.replace("failed", "")
    index = subprocess.run([str(WARCIO), "index", str(warc)], capture_output=True, text=True)
    assert index.returncode == 0, index.stderr[-2000:]
    return [json.loads(line) for line in index.stdout.splitlines()]


def _export(data: Path, out: Path, *args: str) -> Path:
    proc = run_cli("export-warc", "--data", str(data), "--out", str(out), "--name", "x", *args)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out / "x.warc.gz"


# --- capture time --------------------------------------------------------------------------------------


def test_every_exchange_is_kept_with_its_redirect_hops(run: WarcCrawled) -> None:
    with _db(run.data) as conn:
        missing = conn.execute(
            """SELECT c.url FROM captures c LEFT JOIN capture_http h ON h.capture_id = c.id
               WHERE c.status IS NOT NULL AND h.capture_id IS NULL"""
        ).fetchall()
        assert missing == []
        hop = conn.execute(
            """SELECT c.*, h.* FROM captures c JOIN capture_http h ON h.capture_id = c.id
               WHERE c.role = 'redirect'"""
        ).fetchone()
        assert hop["status"] == 301 and hop["url"].endswith("/files/old/r.docx")
        assert hop["protocol"] == "HTTP/1.0" and hop["reason"] == "Moved Permanently"
        assert ["Location", "/files/new/r.docx"] in json.loads(hop["response_headers"])
        sent = dict(json.loads(hop["request_headers"]))
        assert sent["User-Agent"].startswith("govarchive/") and sent["Referer"].endswith("/c/p.html")
        final = conn.execute(
            "SELECT * FROM captures WHERE url LIKE '%/files/new/r.docx' AND status = 200"
        ).fetchone()
        assert final["link_url"] == hop["url"] and final["sha256"]
        # A 304: the conditional request as sent, the validator as received, no payload of its own.
        revalidated = conn.execute(
            """SELECT h.* FROM captures c JOIN capture_http h ON h.capture_id = c.id
               WHERE c.status = 304 AND c.url LIKE '%/files/new/r.docx'"""
        ).fetchone()
        assert "If-None-Match" in dict(json.loads(revalidated["request_headers"]))
        assert revalidated["payload_sha256"] is None and revalidated["reason"] == "Not Modified"


# --- export --------------------------------------------------------------------------------------------


def test_export_warc_is_lossless_and_valid(run: WarcCrawled, tmp_path: Path) -> None:
    warc = _export(run.data, tmp_path)
    index = _check_with_warcio(warc)
    assert Counter(e["warc-type"] for e in index)["request"] > 0
    records: list[tuple[dict[str, str], str | None, bytes]] = []
    with open(warc, "rb") as f:
        for record in ArchiveIterator(f):
            head = dict(record.rec_headers.headers)
            assert record.rec_headers.protocol == "WARC/1.1"
            status = record.http_headers.get_statuscode() if record.http_headers else None
            records.append((head, status, record.content_stream().read()))
    responses = {h["WARC-Record-ID"]: (h, s, body) for h, s, body in records if h["WARC-Type"] == "response"}
    revisits = [(h, s) for h, s, _ in records if h["WARC-Type"] == "revisit"]
    # Every payload is the blob its SHA-256 digest names, and every record has its block digest.
    for h, status, body in responses.values():
        assert h["WARC-Block-Digest"].startswith("sha256:")
        sha = hex_of_digest(h["WARC-Payload-Digest"])
        assert sha == hashlib.sha256(body).hexdigest()
        if status == "200":
            assert _blob(run.data, sha) == body
    # Revisits (a 304, a payload already written) point at a response holding the same payload.
    assert {s for _, s in revisits} >= {"200", "304"}
    for h, _ in revisits:
        assert h["WARC-Profile"] == PROFILE
        original, _, _ = responses[h["WARC-Refers-To"]]
        assert original["WARC-Target-URI"] == h["WARC-Refers-To-Target-URI"]
        assert original["WARC-Date"] == h["WARC-Refers-To-Date"]
        assert original["WARC-Payload-Digest"] == h["WARC-Payload-Digest"]
    # The ZIP held at two URLs: the second is a revisit of the first.
    zips = [h for h, s in revisits if s == "200" and h["WARC-Target-URI"].endswith("/r.zip")]
    assert zips and zips[0]["WARC-Refers-To-Target-URI"].endswith("/r.zip")
    assert zips[0]["WARC-Refers-To-Target-URI"] != zips[0]["WARC-Target-URI"]
    # The redirect is a response of its own; every response and revisit has its request.
    assert any(
        s == "301" and h["WARC-Target-URI"].endswith("/files/old/r.docx") for h, s, _ in responses.values()
    )
    answered = {h["WARC-Concurrent-To"] for h, _, _ in records if h["WARC-Type"] == "request"}
    assert answered == {
        h["WARC-Record-ID"] for h, _, _ in records if h["WARC-Type"] in ("response", "revisit")
    }
    # The CDXJ index is sorted and each line finds its record at its offset.
    lines = (tmp_path / "x.cdxj").read_text(encoding="utf-8").splitlines()
    assert lines == sorted(lines) and len(lines) == len(responses) + len(revisits)
    with open(warc, "rb") as f:
        for line in lines[:: max(1, len(lines) // 10)]:
            entry = json.loads(line.split(" ", 2)[2])
            f.seek(int(entry["offset"]))
            record = next(iter(ArchiveIterator(f)))
            assert record.rec_headers.get_header("WARC-Target-URI") == entry["url"]


def test_export_a_report_or_a_site_only(run: WarcCrawled, tmp_path: Path) -> None:
    with _db(run.data) as conn:
        moved = conn.execute("SELECT id FROM reports WHERE title = ?", (MOVED,)).fetchone()["id"]
    warc = _export(run.data, tmp_path / "one", "--report", str(moved))
    urls = {e["warc-target-uri"].split("/", 3)[3] for e in _check_with_warcio(warc) if "warc-target-uri" in e}
    assert urls == {"c/p.html", "files/old/r.docx", "files/new/r.docx"}
    warc = _export(run.data, tmp_path / "site", "--site", "demo-lt")
    hosts = {e["warc-target-uri"].split("/")[2] for e in _check_with_warcio(warc) if "warc-target-uri" in e}
    assert hosts == {run.bases["demo-lt"].split("/")[2]}
    # A date range: the crawl's day holds everything, the day before nothing.
    with _db(run.data) as conn:
        day = conn.execute("SELECT substr(min(fetched_at), 1, 10) FROM captures").fetchone()[0]
        total = conn.execute("SELECT count(*) FROM captures WHERE status IS NOT NULL").fetchone()[0]
    whole = _check_with_warcio(_export(run.data, tmp_path / "day", "--since", day, "--until", day))
    assert sum(e["warc-type"] in ("response", "revisit") for e in whole) == total
    before = _check_with_warcio(_export(run.data, tmp_path / "before", "--until", "2000-01-01"))
    assert [e["warc-type"] for e in before] == ["warcinfo"]


def test_an_exported_warc_imports_back_to_the_same_reports(run: WarcCrawled, tmp_path: Path) -> None:
    """Round trip through revisits (a 304, one payload at two URLs) and a redirect."""
    warc = _export(run.data, tmp_path / "out")
    data = tmp_path / "data"
    proc = run_cli("import-warc", "--data", str(data), "--sites", str(run.sites_file), str(warc))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "revisits" in proc.stdout
    assert reports(data) == reports(run.data)
    figures = """SELECT r.agency, r.year, r.kind, s.section, s.row, s.col, s.value FROM report_stats s
                 JOIN reports r ON r.id = s.report_id ORDER BY 1, 2, 3, 4, 5, 6"""
    assert rows(data, figures) == rows(run.data, figures)
    with _db(data) as conn:
        held = {r[0] for r in conn.execute("SELECT sha256 FROM captures WHERE sha256 IS NOT NULL")}
        moved = conn.execute("SELECT link_url FROM captures WHERE url LIKE '%/files/new/r.docx'").fetchall()
    assert held == {
        r[0] for r in _db(run.data).execute("SELECT sha256 FROM captures WHERE sha256 IS NOT NULL")
    }
    assert len(moved) == 2 and all(m[0].endswith("/files/old/r.docx") for m in moved)  # the 200 and the 304


# --- WACZ and replay -----------------------------------------------------------------------------------


def _replay_bin(name: str) -> Path:
    path = REPLAY_BIN / name
    if not path.exists():
        pytest.fail(f"{path} is missing: `./run setup` creates .venv-replay with pywb and wacz")
    return path


@pytest.fixture(scope="module")
def wacz(run: WarcCrawled, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wacz") / "demo.wacz"
    proc = run_cli("export-wacz", "--data", str(run.data), "--out", str(out))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out


def test_wacz_is_valid(wacz: Path, tmp_path: Path) -> None:
    proc = subprocess.run(
        [str(_replay_bin("wacz")), "validate", "-f", str(wacz)], capture_output=True, text=True
    )
    assert proc.returncode == 0 and "succeeded" in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    import zipfile

    with zipfile.ZipFile(wacz) as z:
        names = z.namelist()
        z.extract("archive/demo.warc.gz", tmp_path)
        pages = z.read("pages/pages.jsonl").decode().splitlines()
    assert {"datapackage.json", "indexes/index.cdx", "pages/pages.jsonl"} <= set(names)
    assert json.loads(pages[0])["format"] == "json-pages-1.0" and len(pages) > 5
    _check_with_warcio(tmp_path / "archive" / "demo.warc.gz")


@pytest.fixture(scope="module")
def pywb(wacz: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """pywb's `wayback` on a free loopback port over a collection made from the WACZ; stopped at the end."""
    root = tmp_path_factory.mktemp("pywb")
    manager = str(_replay_bin("wb-manager"))
    for args in (["init", "coll"], ["add", "--unpack-wacz", "coll", str(wacz)]):
        proc = subprocess.run([manager, *args], cwd=root, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr[-2000:]
    port = free_port()
    server = subprocess.Popen(
        [str(_replay_bin("wayback")), "-p", str(port), "-b", "127.0.0.1"],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/coll/", timeout=2).close()
                break
            except OSError:
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _report_with_pdf(data: Path) -> tuple[str, str, str, str, str]:
    """(page URL, page sha256, PDF URL, PDF sha256, 14-digit time) of a report page linking a PDF."""
    with _db(data) as conn:
        row = conn.execute(
            """SELECT p.url AS page, p.sha256 AS page_sha, a.url AS pdf, a.sha256 AS pdf_sha, a.fetched_at
               FROM captures a JOIN captures p ON p.url = a.referer AND p.role = 'article' AND p.status = 200
               WHERE a.role = 'attachment' AND a.status = 200 AND a.url LIKE '%.pdf'
               ORDER BY a.fetched_at LIMIT 1"""
        ).fetchone()
    stamp = "".join(ch for ch in row["fetched_at"] if ch.isdigit())[:14]
    return row["page"], row["page_sha"], row["pdf"], row["pdf_sha"], stamp


def test_pywb_replays_the_report_page_and_its_pdf_byte_for_byte(run: WarcCrawled, pywb: str) -> None:
    page, page_sha, pdf, pdf_sha, stamp = _report_with_pdf(run.data)
    for url, sha in ((page, page_sha), (pdf, pdf_sha)):
        # At the first crawl's time, and at the latest (the second run's 304, replayed with its payload).
        for when in (stamp, "2999"):
            with urllib.request.urlopen(f"{pywb}/coll/{when}id_/{url}", timeout=30) as answer:
                assert answer.status == 200
                assert answer.read() == _blob(run.data, sha), (url, when)


@pytest.mark.browser
def test_replayed_page_renders_in_chromium_and_its_pdf_link_works(run: WarcCrawled, pywb: str) -> None:
    from playwright.sync_api import sync_playwright

    from crawler.settings import PLAYWRIGHT_LAUNCH_OPTIONS

    chromium = PLAYWRIGHT_LAUNCH_OPTIONS["executable_path"]
    if not Path(chromium).exists():
        pytest.fail(f"{chromium} is missing: install Debian's chromium")
    page_url, _, pdf, pdf_sha, stamp = _report_with_pdf(run.data)
    with _db(run.data) as conn:
        title = conn.execute("SELECT title FROM reports WHERE page_url = ?", (page_url,)).fetchone()
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium, args=PLAYWRIGHT_LAUNCH_OPTIONS["args"], headless=True
        )
        try:
            page = browser.new_page()
            # Only the replay answers: a request that escaped to the live portal would fail.
            escaped: list[str] = []
            page.route("**/*", lambda route: _only_replay(route, pywb, escaped))
            # pywb shows its replay frame around the archived page (the page itself is the `mp_` frame).
            answer = page.goto(f"{pywb}/coll/{stamp}/{page_url}", wait_until="load")
            assert answer is not None and answer.status == 200
            page.wait_for_function("() => document.querySelector('iframe')")
            frame = next((f for f in _wait_frames(page) if "mp_/" in f.url), None)
            assert frame is not None, [f.url for f in page.frames]
            frame.wait_for_load_state("load")
            text = frame.inner_text("body")
            assert title is None or title[0][:10] in text
            assert "政府信息公开" in text
            hrefs = frame.evaluate("() => Array.from(document.links, a => a.href)")
            href = next((h for h in hrefs if h.endswith(pdf.rsplit("/", 1)[1])), None)
            assert href is not None, hrefs
            print("replayed link:", href)
            link = frame.locator("a", has_text=".pdf").or_(frame.locator("a[href*='.pdf']")).first
            assert link.is_visible()
            digest = frame.evaluate(
                """async (h) => { const r = await fetch(h); const b = await r.arrayBuffer();
                   const d = await crypto.subtle.digest('SHA-256', b);
                   return [r.status, Array.from(new Uint8Array(d)).map(x => x.toString(16).padStart(2, '0')).join('')]; }""",
                href,
            )
            assert digest == [200, pdf_sha]
            assert escaped == []
        finally:
            browser.close()


def _only_replay(route: Any, replay: str, escaped: list[str]) -> None:
    if route.request.url.startswith(replay + "/"):
        route.continue_()
    else:
        escaped.append(route.request.url)
        route.abort()


def _wait_frames(page: Any) -> list[Any]:
    for _ in range(300):  # wait_for_timeout, not sleep: Playwright delivers frame events while it waits
        if any("mp_/" in f.url for f in page.frames):
            break
        page.wait_for_timeout(100)
    return list(page.frames)


# --- import --------------------------------------------------------------------------------------------


def test_a_wget_warc_imports_without_loss(run: WarcCrawled, tmp_path: Path) -> None:
    wget = shutil.which("wget")
    if wget is None:
        pytest.fail("wget is missing: install Debian's wget (./run installs TEST_DEBS)")
    starts = [run.bases["t"] + "/list/index.html", run.bases["demo-zn"] + "/zwgk/index.html",
              run.bases["demo-lt"] + "/xxgk/index.html"]  # fmt: skip
    warcs = []
    for i, start in enumerate(starts):  # one host (and port) per wget run: wget's recursion stays on it
        stem = tmp_path / f"wget{i}"
        proc = subprocess.run(
            [wget, "--warc-file", str(stem), "--no-warc-keep-log", "-r", "-l", "8", "-p", "-nv",
             "-P", str(tmp_path / f"files{i}"), start],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert proc.returncode in (0, 8), proc.stderr[-2000:]  # 8: some link answered 404
        warcs.append(stem.with_suffix(".warc.gz"))
    data = tmp_path / "data"
    proc = run_cli("import-warc", "--data", str(data), "--sites", str(run.sites_file), *map(str, warcs))
    assert proc.returncode == 0, proc.stderr[-3000:]
    # Every payload wget received is in the blob store, and warcio accepts wget's files.
    payloads = 0
    for warc in warcs:
        _check_with_warcio(warc)
        with open(warc, "rb") as f:
            for record in ArchiveIterator(f):
                if record.rec_type == "response" and record.http_headers.get_statuscode() == "200":
                    sha = hashlib.sha256(record.content_stream().read()).hexdigest()
                    assert _blob(data, sha), record.rec_headers.get_header("WARC-Target-URI")
                    payloads += 1
    assert payloads > 20
    # The same reports and figures as the crawl gave.
    assert reports(data) == reports(run.data)
    figures = """SELECT r.agency, r.year, r.kind, s.section, s.row, s.col, s.value FROM report_stats s
                 JOIN reports r ON r.id = s.report_id ORDER BY 1, 2, 3, 4, 5, 6"""
    assert rows(data, figures) == rows(run.data, figures)
    assert rows(data, "SELECT count(*) FROM captures WHERE role = 'redirect'") == [(1,)]
    moved = rows(data, "SELECT link_url FROM captures WHERE url LIKE '%/files/new/r.docx'")
    assert moved and str(moved[0][0]).endswith("/files/old/r.docx")
    assert ZIPPED in {t for (t,) in rows(data, "SELECT title FROM reports")}


@pytest.mark.browser
def test_rendered_list_pages_are_recorded_as_rendered(tmp_path: Path) -> None:
    from tests.portals.runs import jsapi_portal

    rendered = jsapi_portal(render=True)
    with _db(rendered.data) as conn:
        marked = conn.execute(
            """SELECT c.url FROM captures c JOIN capture_http h ON h.capture_id = c.id
               WHERE h.rendered = 1 AND c.role = 'list'"""
        ).fetchall()
        plain = conn.execute(
            "SELECT count(*) FROM capture_http h JOIN captures c ON c.id = h.capture_id WHERE c.role != 'list' AND h.rendered = 1"
        ).fetchone()[0]
    assert marked and plain == 0  # documents stay on the plain downloader
    warc = _export(rendered.data, tmp_path)
    _check_with_warcio(warc)
    with open(warc, "rb") as f:
        flagged = {
            r.rec_headers.get_header("WARC-Target-URI")
            for r in ArchiveIterator(f)
            if r.rec_headers.get_header("WARC-Govarchive-Rendered")
        }
    assert {u for (u,) in marked} <= flagged


def test_header_values_keep_their_bytes() -> None:
    from crawler.warcimport import raw_view

    utf8 = "attachment; filename=年度报告.pdf".encode()
    # warcio hands a valid UTF-8 header line over decoded; the archive keeps the latin-1 view of the bytes.
    assert raw_view(utf8.decode("utf-8")).encode("latin-1") == utf8
    gbk = "attachment; filename=年度报告.pdf".encode("gbk")
    assert raw_view(gbk.decode("latin-1")).encode("latin-1") == gbk
