"""Hanweb JCMS portal: column pages with an XML data island and the rest behind dataproxy.jsp (which
insists on the column's form fields), GBK article pages, downfile.jsp downloads named in raw GBK bytes,
and the annual-report module whose years are only in a <select>."""

from __future__ import annotations

import hashlib
from urllib.parse import quote

from tests.portals import Planted
from tests.portals.docs import report_docx, report_html_body
from tests.portals.server import Answer, Handler, Portal, Req, html, raw_header

UNIT = {"1234": "4087463", "5678": "4087999"}
PER_PAGE = {"1234": 5, "5678": 3}
DEPTS = ["财政局", "教育局", "民政局", "交通运输局", "水利局", "农业农村局", "商务局", "文化和旅游局"]
TOWNS = ["城关镇人民政府", "北山乡人民政府", "南湖街道办事处", "东坝镇人民政府"]
LOOKALIKES = [
    "关于做好2022年度政府信息公开工作年度报告编制发布工作的通知",
    "测试市2022年度政府信息公开工作年度报告汇总",
    "测试市2023年政务公开工作要点",
]
OTHERS = [
    "关于春节期间值班安排的公告",
    "测试市召开安全生产会议",
    "市领导调研农业生产",
    "2023年第一季度经济运行情况",
]


def _record(href: str, title: str, date: str) -> str:
    return f'<li><a href="{href}" title="{title}" target="_blank">{title}</a><span>{date}</span></li>'


def _article(title: str, pubdate: str, body: str, source: str) -> str:
    return f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk">
<meta name="ArticleTitle" content="{title}"><meta name="PubDate" content="{pubdate}">
<meta name="ContentSource" content="{source}"><title>{title}</title></head><body>
<div class="bt">{title}</div><div id="zoom">{body}</div></body></html>"""


def build(portal: Portal) -> Planted:
    planted = Planted()
    columns: dict[str, list[tuple[str, str]]] = {"1234": [], "5678": []}
    n = 5000

    def add_report(col: str, title: str, agency: str, year: int) -> None:
        nonlocal n
        n += 1
        href = f"/art/{year + 1}/1/20/art_{col}_{n}.html"
        fname = hashlib.sha1(title.encode()).hexdigest()[:12] + ".docx"
        body = f'<p><a href="/module/download/downfile.jsp?classid=0&filename={fname}">{title}.docx</a></p>'
        portal.add(href, html(_article(title, f"{year + 1}-01-2{n % 8} 10:00", body, agency), "gbk"))
        disposition = b'attachment; filename="' + f"{title}.docx".encode("gbk") + b'"'
        portal.add(
            f"/module/download/downfile.jsp?classid=0&filename={fname}",
            Answer(
                report_docx(title),
                content_type="application/octet-stream",
                headers=[("Content-Disposition", raw_header(disposition))],
            ),
        )
        columns[col].append((href, title))
        planted.reports.add((agency, year, "annual_report"))

    def add_page(col: str, title: str, never: bool) -> None:
        nonlocal n
        n += 1
        href = f"/art/2023/2/1/art_{col}_{n}.html"
        portal.add(
            href, html(_article(title, "2023-02-01", report_html_body(title), "测试市人民政府"), "gbk")
        )
        columns[col].append((href, title))
        if never:
            planted.lookalikes.append(href)

    # Column 1234 announces its total in the page; column 5678 does not (the first proxy call tells it).
    for i, dept in enumerate(DEPTS):
        add_report("1234", f"测试市{dept}2022年政府信息公开工作年度报告", f"测试市{dept}", 2022)
        if i < 4:
            add_report("1234", f"测试市{dept}2021年政府信息公开工作年度报告", f"测试市{dept}", 2021)
        if i < 3:
            add_page("1234", LOOKALIKES[i], never=True)
        if i < 4:
            add_page("1234", OTHERS[i], never=False)
    for i in range(16):
        if i in (1, 8, 13, 15):
            town = TOWNS[(1, 8, 13, 15).index(i)]
            add_report("5678", f"测试市{town}2022年政府信息公开工作年度报告", f"测试市{town}", 2022)
        else:
            add_page("5678", f"{OTHERS[i % 4]}（{i}）", never=False)

    for col, recs in columns.items():
        portal.add(f"/col/col{col}/index.html", html(_column(col, recs)))
    portal.add("/module/web/jpage/dataproxy.jsp", lambda req: _proxy(req, columns))
    portal.add("/module/xxgk/xxgkAnnualReport.jsp", _annual_module(portal, planted))
    portal.add(
        "/",
        html(
            "<html><head><title>测试市人民政府</title></head><body>"
            '<a href="/col/col1234/index.html">政府信息公开年报</a>'
            '<a href="/col/col5678/index.html">乡镇政府信息公开年报</a>'
            '<a href="/module/xxgk/xxgkAnnualReport.jsp?area=11330100&amp;fbtime=2023">政府信息公开年度报告</a>'
            "</body></html>"
        ),
    )
    return planted


def _column(col: str, recs: list[tuple[str, str]]) -> str:
    per = PER_PAGE[col]
    first = "".join(f"<record><![CDATA[{_record(h, t, '2023-01-20')}]]></record>\n" for h, t in recs[:per])
    webname = quote("测试市人民政府")
    total = f"totalRecord:{len(recs)}," if col == "1234" else ""
    return f"""<html><head><title>政府信息公开年报</title>
<script language="javascript" src="/module/web/jpage/jpage.js"></script></head><body>
<div id="{UNIT[col]}"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=1&path=/&columnid={col}&unitid={UNIT[col]}&webname={webname}&permissiontype=0"></a>]]></nextgroup>
<recordset>
{first}</recordset></datastore></script></div>
<script>$(document).ready(function(){{ $('#{UNIT[col]}').jpage({{ {total} perpage:{per}, dataStore: null,
  proxyUrl:'/module/web/jpage/dataproxy.jsp' }}); }});</script>
</body></html>"""


def _proxy(req: Req, columns: dict[str, list[tuple[str, str]]]) -> Answer:
    """Records startrecord … endrecord of a column; without its form fields, an empty datastore."""
    args = {**req.query, **req.form}
    col = args.get("columnid", "")
    if col not in columns or args.get("unitid") != UNIT[col] or "webid" not in args:
        body = "<datastore><recordset></recordset><totalrecord>0</totalrecord></datastore>"
        return Answer(body.encode(), content_type="text/xml; charset=UTF-8")
    recs = columns[col]
    start, end = int(args.get("startrecord", "1")), int(args.get("endrecord", "15"))
    per = int(args.get("perpage", "15"))
    items = "".join(
        f"<record><![CDATA[{_record(h, t, '2023-01-20')}]]></record>\n" for h, t in recs[start - 1 : end]
    )
    pages = -(-len(recs) // per)
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?><datastore><nextgroup><![CDATA[]]></nextgroup>'
        f"<recordset>{items}</recordset><totalrecord>{len(recs)}</totalrecord>"
        f"<totalpage>{pages}</totalpage></datastore>"
    )
    return Answer(body.encode(), content_type="text/xml; charset=UTF-8")


def _annual_module(portal: Portal, planted: Planted) -> Handler:
    """One year of the government's own reports per page; the years are in a <select>."""
    years = (2021, 2022, 2023)
    for fbtime in years:
        title = f"测试市人民政府{fbtime - 1}年政府信息公开工作年度报告"
        portal.add(
            f"/art/{fbtime}/3/20/art_9999_{fbtime}.html",
            html(_article(title, f"{fbtime}-03-20", report_html_body(title), "测试市人民政府办公室"), "gbk"),
        )
        planted.reports.add(("测试市人民政府", fbtime - 1, "annual_report"))
        planted.published[("测试市人民政府", fbtime - 1)] = f"{fbtime}-03-20"

    def handler(req: Req) -> Answer:
        fbtime = int(req.query.get("fbtime", "2023"))
        options = "".join(f'<option value="{y}">{y}年</option>' for y in years)
        link = ""
        if fbtime in years:
            title = f"测试市人民政府{fbtime - 1}年政府信息公开工作年度报告"
            link = f'<li><a href="/art/{fbtime}/3/20/art_9999_{fbtime}.html">{title}</a></li>'
        return html(
            "<html><head><title>政府信息公开年度报告</title></head><body>"
            f'<form><select name="fbtime" onchange="this.form.submit()">{options}</select></form>'
            f"<ul>{link}</ul></body></html>"
        )

    return handler
