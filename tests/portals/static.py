"""A static portal on disk, served by the test server as a plain web server serves a folder: one list page,
an article page per report and a DOCX attachment per report (python-docx, a title paragraph such as
`示例县财政局2022年政府信息公开工作年度报告`), with ETag / Last-Modified and 304 revalidation.

    /list/index.html → /art/<slug>.html → /att/<slug>.docx

The files change as a portal's do (a report added, deleted, its attachment corrected), and the server
counts the bytes it sends (tests/test_incremental.py, benchmarks/incremental_bytes.py).
"""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from docx import Document

from tests.portals.server import Answer, Handler, Portal, Req

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def report_title(agency: str, year: int) -> str:
    return f"{agency}{year}年政府信息公开工作年度报告"


def make_report_docx(path: Path, agency: str, year: int, revision: int = 0) -> Path:
    """A small real report: the title paragraph extraction reads agency and year from, and some prose.
    `revision` changes the text (a corrected re-upload)."""
    doc = Document()
    doc.add_paragraph(report_title(agency, year))
    doc.add_paragraph(
        f"本报告根据《中华人民共和国政府信息公开条例》编制，由{agency}发布。"
        f"报告期限为{year}年1月1日至12月31日。"
    )
    for i in range(6):
        doc.add_paragraph(f"第{i + 1}部分：{agency}持续推进政务公开工作，主动公开信息{10 + i * 3}条。")
    if revision:
        doc.add_paragraph(f"（第{revision}次更正：修正了统计数据的笔误。）")
    doc.add_paragraph(f"{agency}\n{year + 1}年1月20日")
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


@dataclass
class Report:
    slug: str
    agency: str
    year: int


class StaticPortal:
    """The portal's files under `root`: /list/index.html → /art/<slug>.html → /att/<slug>.docx."""

    def __init__(self, root: Path, region_name: str = "示例县") -> None:
        self.root = root
        self.region_name = region_name
        self.reports: dict[str, Report] = {}
        (root / "list").mkdir(parents=True, exist_ok=True)

    def add_report(
        self,
        slug: str,
        agency: str,
        year: int,
        revision: int = 0,
        published: str | None = None,
        attachment: bool = True,
    ) -> None:
        """A report page linking its DOCX, or (attachment=False) a page that is the report itself."""
        self.reports[slug] = Report(slug, agency, year)
        title = html.escape(report_title(agency, year))
        published = published or f"{year + 1}-01-20"
        if attachment:
            make_report_docx(self.root / "att" / f"{slug}.docx", agency, year, revision)
            body = f"""<p>现将《{title}》予以公布，详见附件。</p>
<div class="attachments">附件：<a href="../att/{slug}.docx">{title}.docx</a></div>"""
        else:
            body = "".join(
                f"<p>第{i + 1}部分：{html.escape(agency)}持续推进政务公开工作，主动公开信息{10 + i}条。</p>"
                for i in range(6)
            )
        page = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>
<meta name="ArticleTitle" content="{title}"><meta name="PubDate" content="{published}">
<meta name="ContentSource" content="{html.escape(agency)}"></head><body>
<h1>{title}</h1><div class="info">发布机构：{html.escape(agency)}　发布日期：{published}</div>
{body}</body></html>"""
        (self.root / "art").mkdir(exist_ok=True)
        (self.root / "art" / f"{slug}.html").write_text(page, encoding="utf-8")
        self.write_list()

    def change_attachment(self, slug: str, revision: int = 1) -> None:
        r = self.reports[slug]
        make_report_docx(self.root / "att" / f"{slug}.docx", r.agency, r.year, revision)

    def delete_report(self, slug: str) -> None:
        """The report vanishes: off the list, its page and attachment answer 404."""
        self.reports.pop(slug)
        (self.root / "art" / f"{slug}.html").unlink()
        (self.root / "att" / f"{slug}.docx").unlink(missing_ok=True)
        self.write_list()

    def write_list(self) -> None:
        items = "\n".join(
            f'<li><a href="../art/{r.slug}.html">{html.escape(report_title(r.agency, r.year))}</a></li>'
            for r in self.reports.values()
        )
        page = f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<title>政府信息公开年度报告_{self.region_name}人民政府</title></head><body>
<h2>政府信息公开年度报告</h2><ul class="list">
{items}
</ul></body></html>"""
        (self.root / "list" / "index.html").write_text(page, encoding="utf-8")


def build_portal(root: Path, n_reports: int) -> StaticPortal:
    portal = StaticPortal(root)
    for i in range(n_reports):
        portal.add_report(f"r{i:03d}", f"示例县局{i:03d}", 2020 + i % 4)
    return portal


def files(root: Path) -> Handler:
    """Answers from the folder as a static web server does: index.html for a folder, 404 for what is not
    there, an ETag (the bytes' hash) and Last-Modified (the file's mtime), 304 when the request holds either."""
    base = root.resolve()

    def handler(req: Req) -> Answer:
        target = (base / unquote(req.path).lstrip("/")).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not target.is_relative_to(base) or not target.is_file():
            return Answer(b"<html><body><h1>404 Not Found</h1></body></html>", status=404)
        data = target.read_bytes()
        etag = '"' + hashlib.sha256(data).hexdigest()[:20] + '"'
        mtime = int(target.stat().st_mtime)
        validators = [("ETag", etag), ("Last-Modified", formatdate(mtime, usegmt=True))]
        if _not_modified(req.headers.get("if-none-match"), req.headers.get("if-modified-since"), etag, mtime):
            return Answer(b"", status=304, content_type=None, headers=validators)
        ctype = CONTENT_TYPES.get(target.suffix.lower(), "application/octet-stream")
        return Answer(data, content_type=ctype, headers=validators)

    return handler


def _not_modified(if_none_match: str | None, if_modified_since: str | None, etag: str, mtime: int) -> bool:
    if if_none_match is not None:  # If-None-Match wins over If-Modified-Since
        return etag in [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    if if_modified_since:
        try:
            return mtime <= parsedate_to_datetime(if_modified_since).timestamp()
        except (TypeError, ValueError):
            return False
    return False


def serve(root: Path, delay_s: float = 0.0) -> Portal:
    """A started test server answering from the folder, counting the bytes it sends."""
    portal = Portal(delay_s=delay_s)
    portal.add_prefix("/", files(root))
    portal.start()
    return portal


def site(base_url: str, site_id: str = "testsite", **extra: Any) -> dict[str, Any]:
    """The static portal's entry in sites.toml (for tests/portals/harness.write_sites)."""
    return {
        "id": site_id,
        "name": "示例县人民政府",
        "region": "示例省/示例市/示例县",
        "start_urls": [f"{base_url}/list/index.html"],
        "allowed_domains": ["127.0.0.1"],
        **extra,
    }
