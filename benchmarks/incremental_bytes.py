"""Bytes a second crawl of an unchanged portal transfers, against the first (goal: ≤ 5 %).

A real loopback portal (govarchive.demoserver, with ETag / Last-Modified / 304) serves a list page, one
article page per report and a DOCX attachment per report (python-docx, title paragraph such as
`示例县财政局2022年政府信息公开工作年度报告`); the server counts every byte it writes (status line, headers,
bodies). `govarchive crawl` runs twice in subprocesses, as a user or cron would run it.

    .venv/bin/python benchmarks/incremental_bytes.py [--reports 20]

The portal builder and the counting server are also the tests' simulator (tests/test_incremental.py,
test_history.py, test_crash_safety.py).
"""

from __future__ import annotations

import argparse
import html
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx import Document

from govarchive.demoserver import PortalHandler, PortalServer

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"


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


class TestPortal:
    """A static portal on disk: /list/index.html → /art/<slug>.html → /att/<slug>.docx."""

    __test__ = False  # not a pytest class

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


class CountingHandler(PortalHandler):
    server: CountingPortalServer

    def setup(self) -> None:
        super().setup()
        if self.server.delay:
            time.sleep(self.server.delay)  # a slow portal, so a test can kill the crawl mid-way
        raw = self.wfile
        server = self.server

        class _Counting:
            def write(self, data: bytes) -> int:
                with server.lock:
                    server.bytes_sent += len(data)
                return raw.write(data)

            def flush(self) -> None:
                raw.flush()

            def __getattr__(self, name: str) -> Any:
                return getattr(raw, name)

        self.wfile = _Counting()  # type: ignore[assignment]


class CountingPortalServer(PortalServer):
    """The demo portal server, counting every byte written to clients; `down` answers by closing."""

    def __init__(self, address: tuple[str, int], site_root: Path, delay: float = 0.0) -> None:
        self.bytes_sent = 0
        self.delay = delay
        self.lock = threading.Lock()
        super().__init__(address, site_root)
        self.RequestHandlerClass = CountingHandler

    def reset(self) -> int:
        with self.lock:
            sent, self.bytes_sent = self.bytes_sent, 0
        self.log.clear()
        return sent


def start_counting_portal(root: Path, delay: float = 0.0) -> CountingPortalServer:
    server = CountingPortalServer(("127.0.0.1", 0), root, delay)
    threading.Thread(target=server.serve_forever, name="counting-portal", daemon=True).start()
    return server


def sites_toml(
    base_url: str,
    site_id: str = "testsite",
    name: str = "示例县人民政府",
    region: str = "示例省/示例市/示例县",
    expected_agencies: list[str] | None = None,
    expected_since: int | None = None,
) -> str:
    lines = [
        "[[sites]]",
        f'id = "{site_id}"',
        f'name = "{name}"',
        f'region = "{region}"',
        f'start_urls = ["{base_url}/list/index.html"]',
        'allowed_domains = ["127.0.0.1"]',
    ]
    if expected_agencies is not None:
        lines.append("expected_agencies = [" + ", ".join(f'"{a}"' for a in expected_agencies) + "]")
    if expected_since is not None:
        lines.append(f"expected_since = {expected_since}")
    return "\n".join(lines) + "\n"


def crawl_command(data: Path, sites_file: Path) -> list[str]:
    return [str(PYTHON), "-m", "govarchive", "crawl", "--sites", str(sites_file), "--data", str(data)]


def run_crawl(data: Path, sites_file: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GOVARCHIVE_EXTRACT_WORKERS": "1"}
    return subprocess.run(
        crawl_command(data, sites_file),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def build_portal(root: Path, n_reports: int) -> TestPortal:
    portal = TestPortal(root)
    for i in range(n_reports):
        portal.add_report(f"r{i:03d}", f"示例县局{i:03d}", 2020 + i % 4)
    return portal


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=20)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="govarchive-incr-") as tmp:
        root, data = Path(tmp) / "portal", Path(tmp) / "data"
        build_portal(root, args.reports)
        server = start_counting_portal(root)
        sites = Path(tmp) / "sites.toml"
        sites.write_text(sites_toml(server.base_url), encoding="utf-8")
        sent: list[int] = []
        requests: list[int] = []
        for run in (1, 2):
            t0 = time.monotonic()
            proc = run_crawl(data, sites)
            if proc.returncode != 0:
                print(proc.stderr[-3000:], file=sys.stderr)
                return 2
            requests.append(len(server.log))
            sent.append(server.reset())
            print(
                f"crawl {run}: {sent[-1]} bytes sent in {requests[-1]} responses, {time.monotonic() - t0:.1f} s"
            )
        server.shutdown()
        server.server_close()
    ratio = sent[1] / sent[0]
    print(f"second/first = {ratio:.2%} (goal ≤ 5%), {args.reports} reports")
    return 0 if ratio <= 0.05 else 1


if __name__ == "__main__":
    sys.exit(main())
