"""TRS WCM portal: script-written pager, GBK pages (meta-only and mislabelled), relative attachments,
plus the traps of a real county portal: a calendar, a redirect loop and chain, robots.txt, off-site links,
a 503 that recovers, a 404 attachment, the same file under two URLs."""

from __future__ import annotations

from tests.portals import Planted
from tests.portals.docs import DOCX_TYPE, report_docx, report_html_body
from tests.portals.server import Answer, Portal, html

ROBOTS = "User-agent: *\nDisallow: /private/\n"


def _list_page(items: list[tuple[str, str]], page: int, count: int) -> str:
    lis = "".join(
        f'<li><a href="{href}" target="_blank">{title}</a><span>2023-01-15</span></li>'
        for href, title in items
    )
    return f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>政府信息公开年报_测试县人民政府</title></head><body>
<div class="nav"><a href="/">首页</a> &gt; <a href="/xxgk/">政务公开</a></div>
<ul class="list">{lis}</ul>
<div class="page"><script type="text/javascript">
var currentPage = {page};var countPage = {count}
createPageHTML(countPage, currentPage, "index", "html");
</script></div></body></html>"""


def _article(title: str, pubdate: str | None, body: str, source: str) -> str:
    pub = f'<meta name="PubDate" content="{pubdate}">' if pubdate else ""
    return f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<meta name="ArticleTitle" content="{title}">{pub}<meta name="ContentSource" content="{source}">
<title>{title}_测试县人民政府</title></head><body>
<div class="nav"><a href="/">首页</a> &gt; <a href="/xxgk/zfxxgknb/">政府信息公开年报</a></div>
{body}</body></html>"""


def build(portal: Portal, offsite_base: str) -> Planted:
    planted = Planted()
    gbk = "gbk"
    portal.add("/robots.txt", Answer(ROBOTS.encode(), content_type="text/plain"))
    portal.add(
        "/",
        html(
            '<html><head><meta charset="gbk"><title>测试县人民政府</title></head><body>'
            '<a href="/xxgk/">政务公开</a> <a href="/xwzx/">新闻中心</a></body></html>',
            gbk,
            None,
        ),
    )
    portal.add(
        "/xxgk/",
        html(
            '<html><head><meta charset="gbk"><title>政务公开</title></head><body>'
            '<a href="/xxgk/zfxxgknb/index.html">政府信息公开年报</a>'
            '<a href="/xxgk/rl/2023/1/">政务公开日历</a>'
            '<a href="/xxgk/loop/a.html">政务公开专题</a>'
            '<a href="/xxgk/chain/0.html">政务公开栏目</a>'
            "</body></html>",
            gbk,
            None,
        ),
    )
    _traps(portal)

    d = "/xxgk/zfxxgknb"
    # Page 0: GBK declared only in <meta> (the header names no charset).
    page0 = [
        ("./202301/t20230115_1001.html", "测试县财政局2022年政府信息公开工作年度报告"),
        ("./202301/t20230110_1002.html", "关于做好2022年政府信息公开工作年度报告编制发布工作的通知"),
        ("./202301/t20230120_1003.html", "测试县教育局2021年政府信息公开工作年度报告"),
    ]
    portal.add(f"{d}/index.html", html(_list_page(page0, 0, 3), gbk, None))
    portal.add(f"{d}/", html(_list_page(page0, 0, 3), gbk, None))
    # Page 1: the header says utf-8, the bytes are GBK.
    page1 = [
        ("./202302/t20230201_1004.html", "测试县人民政府2022年政府信息公开工作年度报告"),
        ("./202301/t20230130_1007.html", "2022年度各部门政府信息公开工作年度报告汇总"),
        ("/private/t20230101_1.html", "测试县审计局2022年政府信息公开工作年度报告"),
        (f"{offsite_base}/xxgk/t20230101_9.html", "测试县外事办2022年政府信息公开工作年度报告"),
    ]
    portal.add(f"{d}/index_1.html", html(_list_page(page1, 1, 3), gbk, "utf-8"))
    page2 = [
        ("./201901/t20190110_1005.html", "测试县司法局2018年政务公开工作总结"),
        ("./202301/t20230125_1006.html", "测试县卫生健康局2022年政府信息公开工作年度报告"),
        ("./202302/t20230205_1008.html", "测试县2023年政务公开工作要点"),
    ]
    portal.add(f"{d}/index_2.html", html(_list_page(page2, 2, 3), gbk, "gbk"))

    # 财政局: attachment behind a 503 that recovers; PubDate differs from the URL's date.
    title = "测试县财政局2022年政府信息公开工作年度报告"
    portal.add(
        f"{d}/202301/t20230115_1001.html",
        html(
            _article(
                title,
                "2023-01-16 09:30",
                f'<h1>{title}</h1><p>附件：<a href="./P020230115100100.docx">{title}.docx</a></p>',
                "测试县财政局",
            ),
            gbk,
            None,
        ),
    )
    portal.flaky(f"{d}/202301/P020230115100100.docx", Answer(report_docx(title), content_type=DOCX_TYPE), 1)
    planted.reports.add(("测试县财政局", 2022, "annual_report"))
    planted.published[("测试县财政局", 2022)] = "2023-01-16"

    # 教育局: list and page say 2021, the document says 2022: the document wins.
    shown = "测试县教育局2021年政府信息公开工作年度报告"
    portal.add(
        f"{d}/202301/t20230120_1003.html",
        html(
            _article(
                shown,
                "2023-01-21",
                f'<h1>{shown}</h1><a href="./P020230120100300.docx">附件下载</a>',
                "测试县教育局",
            ),
            gbk,
            None,
        ),
    )
    portal.add(
        f"{d}/202301/P020230120100300.docx",
        Answer(report_docx("测试县教育局2022年政府信息公开工作年度报告"), content_type=DOCX_TYPE),
    )
    planted.reports.add(("测试县教育局", 2022, "annual_report"))

    # 人民政府: the report is the page itself; its date is in the page's 发布日期 line.
    title = "测试县人民政府2022年政府信息公开工作年度报告"
    portal.add(
        f"{d}/202302/t20230201_1004.html",
        html(
            _article(
                title,
                None,
                f"<div>发布日期：2023-03-01 来源：测试县人民政府办公室</div>{report_html_body(title)}",
                "测试县人民政府办公室",
            ),
            gbk,
            "utf-8",
        ),
    )
    planted.reports.add(("测试县人民政府", 2022, "annual_report"))
    planted.published[("测试县人民政府", 2022)] = "2023-03-01"

    title = "测试县司法局2018年政务公开工作总结"
    portal.add(
        f"{d}/201901/t20190110_1005.html",
        html(_article(title, "2019-01-10", report_html_body(title), "测试县司法局"), gbk, None),
    )
    planted.reports.add(("测试县司法局", 2018, "work_summary"))

    # 卫生健康局: the same DOCX under two URLs (a duplicate) and a missing third attachment (404).
    title = "测试县卫生健康局2022年政府信息公开工作年度报告"
    portal.add(
        f"{d}/202301/t20230125_1006.html",
        html(
            _article(
                title,
                "2023-01-26",
                f'<h1>{title}</h1><a href="./P020230125100600.docx">正文.docx</a>'
                '<a href="./P020230125100601.docx">正文（备份）.docx</a>'
                '<a href="./P020230125100602.pdf">附表.pdf</a>',
                "测试县卫生健康局",
            ),
            gbk,
            None,
        ),
    )
    doc = Answer(report_docx(title), content_type=DOCX_TYPE)
    portal.add(f"{d}/202301/P020230125100600.docx", doc)
    portal.add(f"{d}/202301/P020230125100601.docx", doc)
    planted.reports.add(("测试县卫生健康局", 2022, "annual_report"))

    # Look-alikes exist on the portal (a crawler that opened them would find report-like text).
    for path, t in [
        (f"{d}/202301/t20230110_1002.html", "关于做好2022年政府信息公开工作年度报告编制发布工作的通知"),
        (f"{d}/202301/t20230130_1007.html", "2022年度各部门政府信息公开工作年度报告汇总"),
        (f"{d}/202302/t20230205_1008.html", "测试县2023年政务公开工作要点"),
        ("/private/t20230101_1.html", "测试县审计局2022年政府信息公开工作年度报告"),
    ]:
        portal.add(path, html(_article(t, "2023-01-10", report_html_body(t), "测试县人民政府"), gbk, None))
    planted.lookalikes += ["t20230110_1002", "t20230130_1007", "t20230205_1008"]
    planted.never.append("/private/")  # robots.txt disallows it
    return planted


def _traps(portal: Portal) -> None:
    """A calendar without end, a redirect loop, and a redirect chain without end."""

    def calendar(req: object) -> Answer:
        path = getattr(req, "path", "")
        parts = [int(p) for p in path.strip("/").split("/")[2:] if p.isdigit()]
        y, m = parts[0], parts[1]
        ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
        if len(parts) == 3:
            day = parts[2]
            links = f'<a href="/xxgk/rl/{y}/{m}/{day + 1}/">{day + 1}</a>'
        else:
            links = "".join(f'<a href="/xxgk/rl/{y}/{m}/{d}/">{d}</a>' for d in range(1, 29))
        links += f'<a href="/xxgk/rl/{ny}/{nm}/">政务公开日历{ny}年{nm}月</a>'
        return html(f"<html><head><title>政务公开日历</title></head><body>{links}</body></html>")

    portal.add_prefix("/xxgk/rl/", calendar)
    portal.add("/xxgk/loop/a.html", Answer(status=302, headers=[("Location", "/xxgk/loop/b.html")]))
    portal.add("/xxgk/loop/b.html", Answer(status=302, headers=[("Location", "/xxgk/loop/a.html")]))

    def chain(req: object) -> Answer:
        n = int(getattr(req, "path", "").rsplit("/", 1)[-1].split(".")[0])
        return Answer(status=302, headers=[("Location", f"/xxgk/chain/{n + 1}.html")])

    portal.add_prefix("/xxgk/chain/", chain)
