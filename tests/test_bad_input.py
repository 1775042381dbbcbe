"""Bad input during a crawl: each failure logged and counted with its reason, the crawl goes on, and what
was archived before stays intact."""

from __future__ import annotations

import hashlib
import io
import sqlite3
from pathlib import Path

import docx
import pytest

from archive.store.blobs import BlobReader
from tests.conftest import run_cli
from tests.portals.server import Answer, Portal, html_page

GOOD_TITLE = "示范县财政局2022年政府信息公开工作年度报告"


def report_docx(title: str) -> bytes:
    d = docx.Document()
    d.add_heading(title, 0)
    d.add_paragraph("一、总体情况")
    d.add_paragraph("2022年，本局坚持以公开为常态、不公开为例外，做好依申请公开工作。")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def portal(good_docx: bytes) -> dict[str, Answer]:
    listing = "".join(
        f'<li><a href="{href}">{text}</a></li>'
        for href, text in [
            ("/ndbg/t1.html", GOOD_TITLE),
            ("/ndbg/t2.html", "示范县教育局2022年政府信息公开工作年度报告"),
            ("/ndbg/gone.html", "示范县水务局2022年政府信息公开工作年度报告"),
            ("/ndbg/broken.html", "示范县民政局2022年政府信息公开工作年度报告"),
        ]
    )
    article2_links = (
        '<a href="/files/broken.pdf">附件：报告.pdf</a>'
        '<a href="/files/always500.pdf">附件2.pdf</a>'
        '<a href="/files/slow.pdf">附件3.pdf</a>'
        '<a href="/files/huge.pdf">附件4.pdf</a>'
        '<a href="/files/hostile.docx">附件5.docx</a>'
    )
    return {
        "/robots.txt": Answer(b"User-agent: *\nAllow: /\n", content_type="text/plain"),
        "/ndbg/index.html": Answer(html_page("政府信息公开年报", f"<ul>{listing}</ul>")),
        "/ndbg/t1.html": Answer(
            html_page(GOOD_TITLE, '<a href="/files/good.docx">附件：年度报告.docx</a>', "2023-01-20")
        ),
        "/ndbg/t2.html": Answer(
            html_page("示范县教育局2022年政府信息公开工作年度报告", article2_links, "2023-01-21")
        ),
        "/ndbg/broken.html": Answer(b"<html><head><title>oops", 500),
        "/files/good.docx": Answer(good_docx, content_type="application/octet-stream"),
        "/files/broken.pdf": Answer(
            b"%PDF-1.7\n1 0 obj << /Type /Catalog >> trunc", content_type="application/pdf"
        ),
        "/files/always500.pdf": Answer(b"server error", 500),
        "/files/slow.pdf": Answer(b"%PDF-1.4 late", content_type="application/pdf", delay_s=4.0),
        "/files/huge.pdf": Answer(b"%PDF-1.4\n" + b"0" * 300_000, content_type="application/pdf"),
        "/files/hostile.docx": Answer(
            good_docx,
            content_type="application/octet-stream",
            headers=[("Content-Disposition", 'attachment; filename="../../etc/\x07passwd.docx"')],
        ),
    }


def serve(routes: dict[str, Answer]) -> Portal:
    """A loopback portal answering exactly these paths (its robots.txt included), 404 elsewhere."""
    served = Portal()
    for path, answer in routes.items():
        served.add(path, answer)
    return served


def sites_toml(base: str) -> str:
    return (
        '[[sites]]\nid = "bad"\nname = "示范县人民政府"\n'
        f'start_urls = ["{base}/ndbg/index.html"]\nallowed_domains = ["127.0.0.1"]\n'
    )


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, dict[str, int]]:
    tmp = tmp_path_factory.mktemp("bad")
    good = report_docx(GOOD_TITLE)
    env = {
        "GOVARCHIVE_DOWNLOAD_TIMEOUT": "1.5",
        "GOVARCHIVE_RETRY_TIMES": "1",
        "GOVARCHIVE_MAX_BYTES": "200000",
    }
    with serve(portal(good)) as srv:
        (tmp / "sites.toml").write_text(sites_toml(srv.base_url), encoding="utf-8")
        proc = run_cli("crawl", "--sites", str(tmp / "sites.toml"), "--data", str(tmp / "data"), env=env)
        hits = dict(srv.hits())
    assert proc.returncode == 0, proc.stderr[-3000:]
    return tmp / "data", proc.stdout, hits


def db(data: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(data / "corpus.db")
    conn.row_factory = sqlite3.Row
    return conn


def test_good_report_archived_despite_the_rest(crawled: tuple[Path, str, dict[str, int]]) -> None:
    data, _, _ = crawled
    agencies = {r[0] for r in db(data).execute("SELECT agency FROM reports WHERE year = 2022")}
    assert "示范县财政局" in agencies


def test_each_failure_recorded_with_its_reason(crawled: tuple[Path, str, dict[str, int]]) -> None:
    data, out, hits = crawled
    errors = {
        r["url"].rsplit("/", 1)[-1]: r["error"]
        for r in db(data).execute("SELECT url, error FROM captures WHERE error IS NOT NULL")
    }
    assert errors["always500.pdf"] == "http 500"
    assert errors["broken.html"] == "http 500"
    assert errors["slow.pdf"] == "timeout"
    assert errors["huge.pdf"].startswith("too large")
    assert hits["/files/always500.pdf"] == 2  # retried once, then given up
    assert "errors" in out and "http_500" in out


def test_broken_pdf_is_kept_with_an_error(crawled: tuple[Path, str, dict[str, int]]) -> None:
    data, _, _ = crawled
    row = (
        db(data)
        .execute(
            "SELECT d.error, d.sha256 FROM documents d JOIN captures c ON c.sha256 = d.sha256 "
            "WHERE c.url LIKE '%broken.pdf'"
        )
        .fetchone()
    )
    assert row["error"] and "pdf" in row["error"].lower()
    blob = BlobReader(data / "blobs").read(row["sha256"])
    assert hashlib.sha256(blob).hexdigest() == row["sha256"]


def test_hostile_filename_is_made_harmless(crawled: tuple[Path, str, dict[str, int]]) -> None:
    data, _, _ = crawled
    names = [r[0] for r in db(data).execute("SELECT filename FROM documents WHERE filename IS NOT NULL")]
    assert "passwd.docx" in names
    assert not any("/" in n or "\x07" in n or ".." in n for n in names)
    assert not (data.parent / "etc").exists()


def test_nothing_half_written_and_no_blob_unreferenced(crawled: tuple[Path, str, dict[str, int]]) -> None:
    data, _, _ = crawled
    assert list((data / "blobs" / "tmp").iterdir()) == []
    shas = {r[0] for r in db(data).execute("SELECT sha256 FROM documents")}
    # Bodies that are no capture's payload (error pages, redirects) are kept for WARC, named by capture_http.
    exchanges = {
        r[0]
        for r in db(data).execute("SELECT payload_sha256 FROM capture_http WHERE payload_sha256 IS NOT NULL")
    }
    reader = BlobReader(data / "blobs")
    held = reader.digests()
    reader.close()
    assert held == shas | exchanges
    assert exchanges - shas, "the broken portal's error pages are kept for WARC"


def test_archive_survives_a_later_crawl_of_a_broken_portal(
    crawled: tuple[Path, str, dict[str, int]], tmp_path: Path
) -> None:
    data, _, _ = crawled
    before = {r[0]: r[1] for r in db(data).execute("SELECT sha256, size FROM documents")}
    reports_before = db(data).execute("SELECT count(*) FROM reports").fetchone()[0]
    broken = {path: Answer(b"down", 503) for path in portal(b"")}
    with serve(broken) as srv:
        (tmp_path / "sites.toml").write_text(sites_toml(srv.base_url), encoding="utf-8")
        proc = run_cli(
            "crawl",
            "--sites",
            str(tmp_path / "sites.toml"),
            "--data",
            str(data),
            env={"GOVARCHIVE_RETRY_TIMES": "0"},
        )
    assert proc.returncode == 0, proc.stderr[-2000:]
    after = {r[0]: r[1] for r in db(data).execute("SELECT sha256, size FROM documents")}
    assert before.items() <= after.items()
    assert db(data).execute("SELECT count(*) FROM reports").fetchone()[0] == reports_before
    assert db(data).execute("SELECT count(*) FROM reports WHERE removed_at IS NOT NULL").fetchone()[0] == 0
