"""A year × department platform that does not say so (no `family` hint), laid out unlike `yeardept`:
year tabs as links (/bmnb/2023/ …, outside any section URL the spider knows), per year a table of bare
body names, each linking straight to its DOC or DOCX report or to a page (the report as text with a table
image, or 详细信息 with the report attached and a ZIP package of it). Each year page is titled like a
report (2023年度政府信息公开工作年度报告) but lists bodies: it must be read as a list, not as the
government's report. The header names bodies too (测试县人民政府, 县政务服务中心 …): navigation, not a list.
"""

from __future__ import annotations

import io
import shutil
import tempfile
import zipfile
from pathlib import Path

from tests.fixtures_docs import soffice_convert
from tests.portals import Planted
from tests.portals.docs import DOCX_TYPE, report_docx
from tests.portals.server import Answer, Portal, html

DOC_TYPE = "application/msword"
# One 1×1 PNG: what matters here is which images are asked for, not what they show.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fe"
    "a7d6a4ac0000000049454e44ae426082"
)
# body → how its name links: doc / docx straight to the file, text: a page holding the report's text,
# detail: a 详细信息 page with the report attached (and a ZIP of it).
BODIES = {"县财政局": "doc", "县教育局": "docx", "县审计局": "text", "县自然资源局": "detail"}
YEARS = {2023: BODIES, 2022: BODIES, 2021: {**BODIES, "县司法局": "docx"}, 2020: BODIES}


def year_folder(year: int) -> str:
    """Where a year's list and files live: the oldest year sits under a disclosure-section path (xxgk/ndbg),
    which the spider enters as a section anyway — its title must still not make it a report."""
    return f"/xxgk/ndbg/{year}/" if year == 2020 else f"/bmnb/{year}/"


HEADER = (
    '<div class="header"><img src="/images/logo.png" width="300" height="80">'
    '<a href="/">测试县人民政府</a> <a href="/zwfw/index.html">县政务服务中心</a> '
    '<a href="/rmt/index.html">县融媒体中心</a> <a href="/bmnb/index.html">部门年报</a></div>'
)


def _page(title: str, body: str) -> Answer:
    return html(
        f'<html><head><meta charset="utf-8"><title>{title}</title></head><body>{HEADER}{body}</body></html>'
    )


def _docs(titles: dict[str, str]) -> dict[str, bytes]:
    """DOC bytes of report DOCX files (one LibreOffice call for all)."""
    work = Path(tempfile.mkdtemp(prefix="yeartabs-"))
    try:
        for name, title in titles.items():
            (work / f"{name}.docx").write_bytes(report_docx(title))
        soffice_convert(sorted(work.glob("*.docx")), "doc", work)
        return {name: (work / f"{name}.doc").read_bytes() for name in titles}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _zip(name: str, data: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(name, data)
    return buf.getvalue()


def build(portal: Portal) -> Planted:
    planted = Planted()
    doc_titles = {
        f"{year}_{i}": f"测试{body}{year}年政府信息公开工作年度报告"
        for year, bodies in YEARS.items()
        for i, (body, how) in enumerate(bodies.items())
        if how == "doc"
    }
    docs = _docs(doc_titles)
    portal.add("/images/logo.png", Answer(PNG, content_type="image/png"))
    portal.add("/images/dot.png", Answer(PNG, content_type="image/png"))
    for year, bodies in YEARS.items():
        rows = []
        for i, (body, how) in enumerate(bodies.items()):
            title = f"测试{body}{year}年政府信息公开工作年度报告"
            planted.reports.add((f"测试{body}", year, "annual_report"))
            folder = year_folder(year)
            stem = f"{folder}P0{year + 1}0120{i:02d}"
            if how == "doc":
                href = stem + ".doc"
                portal.add(href, Answer(docs[f"{year}_{i}"], content_type=DOC_TYPE))
            elif how == "docx":
                href = stem + ".docx"
                portal.add(href, Answer(report_docx(title), content_type=DOCX_TYPE))
            elif how == "text":
                href = f"{folder}content_{year}{i:02d}.html"
                portal.add(f"/bmnb/img/table_{year}.png", Answer(PNG, content_type="image/png"))
                portal.add(
                    href,
                    _page(
                        body,
                        f"<h1>{title}</h1><div class='TRS_Editor'><p>{title}</p>"
                        "<p>本报告根据《中华人民共和国政府信息公开条例》编制。</p><p>一、总体情况</p>"
                        "<p>本年度主动公开政府信息，依法办理政府信息公开申请。</p>"
                        "<p>二、收到和处理政府信息公开申请情况</p>"
                        f'<p><img src="/bmnb/img/table_{year}.png" width="800" height="600" alt="申请情况表"></p>'
                        '<p><img src="/images/dot.png" width="8" height="8"></p></div>',
                    ),
                )
            else:
                href = f"{folder}content_{year}{i:02d}.html"
                docx = report_docx(title)
                portal.add(f"{stem}.docx", Answer(docx, content_type=DOCX_TYPE))
                portal.add(f"{stem}.zip", Answer(_zip(f"{title}.docx", docx), content_type="application/zip"))
                portal.add(
                    href,
                    _page(
                        "详细信息",
                        f'<div class="content"><div class="tit">{title}</div><p>发布日期：{year + 1}-01-20</p>'
                        f'<p>附件：<a href="{stem}.docx">附件1</a> <a href="{stem}.zip">附件.zip</a></p></div>',
                    ),
                )
            rows.append(
                f'<tr><td>{i + 1}</td><td><a href="{href}">{body}</a></td><td>{year + 1}-01-20</td></tr>'
            )
        notice = f"关于做好{year}年政府信息公开工作年度报告编制发布工作的通知"
        portal.add(
            year_folder(year),
            _page(
                f"{year}年度政府信息公开工作年度报告",
                f"<h1>{year}年度政府信息公开工作年度报告</h1><table class='list'>"
                f"<tr><th>序号</th><th>单位名称</th><th>发布日期</th></tr>{''.join(rows)}</table>"
                f'<p><a href="/bmnb/notice_{year}.html">{notice}</a></p>',
            ),
        )
        planted.lookalikes.append(f"notice_{year}")
    tabs = "".join(f'<li><a href="{year_folder(y)}">{y}年度</a></li>' for y in YEARS)
    portal.add(
        "/bmnb/index.html",
        _page("部门政府信息公开年报", f'<ul class="tabs">{tabs}</ul><p>请选择年度查看各部门年报。</p>'),
    )
    return planted
