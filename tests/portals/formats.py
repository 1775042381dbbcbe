"""A portal that publishes one report in each format a crawl meets — DOCX, PDF, DOC, XLSX, a scanned PDF
(page images only), HTML pages, and a DOCX packed in a ZIP — made by the test-document factory with known
figures."""

from __future__ import annotations

import dataclasses
import zipfile
from pathlib import Path

from tests.docfactory.convert import scan_pdf
from tests.docfactory.random_specs import random_spec
from tests.docfactory.render import render_many
from tests.docfactory.spec import ReportSpec
from tests.portals import Planted
from tests.portals.server import Answer, Portal, html

ATTACHED = ("docx", "pdf", "doc", "xlsx", "scan")
TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "doc": "application/msword",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "scan": "application/pdf",
    "zip": "application/zip",
}
BODIES = {
    "docx": "测试县财政局",
    "pdf": "测试县教育局",
    "doc": "测试县民政局",
    "xlsx": "测试县审计局",
    "scan": "测试县水务局",
    "html": "测试县统计局",
    "zip": "测试县林业局",
}


def specs() -> dict[str, ReportSpec]:
    out: dict[str, ReportSpec] = {}
    for i, (fmt, body) in enumerate(BODIES.items()):
        spec = random_spec(40 + i, "2021" if i % 2 else "2019")
        title = f"{body}{spec.year}年政府信息公开工作年度报告"
        out[fmt] = dataclasses.replace(spec, agency=body, title=title)
    return out


def build(portal: Portal, workdir: Path) -> tuple[Planted, dict[str, Path]]:
    """Serve the reports; return what was planted and the file of each format (for parse and ingest)."""
    planted = Planted()
    all_specs = specs()
    order = list(all_specs)
    rendered = render_many([all_specs[f] for f in order], ["docx", "pdf", "doc", "xlsx", "html"], workdir)
    # One scan, of the report served as a scan (a scan of every spec took 0.7 s each and went unused).
    pdf = rendered[order.index("scan")]["pdf"]
    rendered[order.index("scan")]["scan"] = scan_pdf(pdf, pdf.with_name(f"{pdf.stem}_scan.pdf"))
    files = {
        fmt: rendered[order.index(fmt)][fmt if fmt in ATTACHED or fmt == "html" else "docx"] for fmt in order
    }
    packed = workdir / "package.zip"
    with zipfile.ZipFile(packed, "w") as zf:
        zf.write(files["zip"], "附件/年度报告.docx")
    files["zip"] = packed
    items = []
    for fmt, spec in all_specs.items():
        planted.reports.add((spec.agency, spec.year, "annual_report"))
        if fmt == "html":
            portal.add(
                f"/art/{fmt}.html", Answer(files[fmt].read_bytes(), content_type="text/html; charset=utf-8")
            )
        else:
            name = "fujian.zip" if fmt == "zip" else f"report.{'pdf' if fmt == 'scan' else fmt}"
            portal.add(f"/files/{fmt}/{name}", Answer(files[fmt].read_bytes(), content_type=TYPES[fmt]))
            portal.add(
                f"/art/{fmt}.html",
                html(
                    f'<html><head><meta charset="utf-8"><title>{spec.title}</title></head><body>'
                    f"<h1>{spec.title}</h1><p>附件：<a href='/files/{fmt}/{name}'>附件1</a></p></body></html>"
                ),
            )
        items.append(f"<li><a href='/art/{fmt}.html'>{spec.title}</a></li>")
    portal.add(
        "/xxgk/ndbg/index.html",
        html(
            f'<html><head><meta charset="utf-8"><title>年度报告</title></head><body><ul>{"".join(items)}</ul></body></html>'
        ),
    )
    return planted, files
