"""A year × department platform: a year index, per year a paged list of body names (not report titles)
linking to detail pages titled 详细信息 that carry the report as an attachment."""

from __future__ import annotations

from tests.portals import Planted
from tests.portals.docs import DOCX_TYPE, report_docx
from tests.portals.server import Answer, Portal, Req, html

BODIES = ["县财政局", "县教育局", "县公安局", "县司法局", "县人力资源和社会保障局"]
YEARS = {2022: BODIES, 2021: BODIES, 2020: BODIES[:3]}
PER = 4


def build(portal: Portal) -> Planted:
    planted = Planted()
    for year, bodies in YEARS.items():
        for i, body in enumerate(bodies):
            did = year * 100 + i
            title = f"测试{body}{year}年政府信息公开工作年度报告"
            planted.reports.add((f"测试{body}", year, "annual_report"))
            portal.add(
                f"/ndbg/detail.jsp?id={did}",
                html(
                    '<html><head><meta charset="utf-8"><title>详细信息</title></head><body>'
                    '<div class="menu"><a href="/ndbg/index.html">年度报告</a></div>'
                    f'<div class="info">发布时间：{year + 1}-01-15</div><div class="tit">{title}</div>'
                    f'<a href="/ndbg/file/{did}.docx">附件1</a></body></html>'
                ),
            )
            portal.add(f"/ndbg/file/{did}.docx", Answer(report_docx(title), content_type=DOCX_TYPE))
            planted.published[(f"测试{body}", year)] = f"{year + 1}-01-15"

    def year_list(req: Req) -> Answer:
        year, page = int(req.query.get("year", "0")), int(req.query.get("page", "1"))
        bodies = YEARS.get(year, [])
        rows = "".join(
            f'<li><a href="detail.jsp?id={year * 100 + i}">{b}</a></li>'
            for i, b in list(enumerate(bodies))[(page - 1) * PER : page * PER]
        )
        more = (
            f'<a href="list.jsp?year={year}&amp;page={page + 1}">下一页</a>'
            if page * PER < len(bodies)
            else ""
        )
        notice = '<a href="notice.jsp?id=1">关于做好2022年政府信息公开工作年度报告编制发布工作的通知</a>'
        return html(
            f'<html><head><meta charset="utf-8"><title>{year}年度</title></head><body>'
            f"<ul>{rows}</ul>{more}<p>{notice}</p></body></html>"
        )

    portal.add("/ndbg/list.jsp", year_list)
    planted.lookalikes.append("notice.jsp")
    years = "".join(f'<a href="list.jsp?year={y}">{y}年度</a> ' for y in YEARS)
    portal.add(
        "/ndbg/index.html",
        html(f'<html><head><meta charset="utf-8"><title>年度报告</title></head><body>{years}</body></html>'),
    )
    return planted
