"""Sealed simulator D (held out: developers do not open this folder)."""

from __future__ import annotations

from tests.docfactory.html_writer import table_html
from tests.docfactory.layout import Table, body_blocks
from tests.portals.server import Answer, Req, html
from tests.zoo import docs
from tests.zoo.common import MIME, Builder, ZooSite, fill
from tests.zoo.kit import charset, news_section, shell, static_pages

NAV = [("首页", "/"), ("要闻动态", "/xwzx/gzdt/"), ("公告", "/xwzx/tzgg/")]

GOPAGE = """<script>function goPage(n){ location.href = n == 1 ? 'list.shtml' : 'list_' + n + '.shtml'; }</script>"""


def build() -> ZooSite:
    b = Builder("sealed-d", "麻栗坡县人民政府", "云南省/文山壮族苗族自治州/麻栗坡县", {"main": "127.0.44.1"})

    def page(t: str, body: str, crumbs: str = "") -> str:
        return charset(shell(b.name, t, body, NAV, 2, crumbs))

    news_section(b, "/xwzx/gzdt/", "要闻动态", NAV, n=14, style=1)
    news_section(b, "/xwzx/tzgg/", "公告", NAV, n=9, kind="notice", style=1)
    static_pages(b, NAV, 2)
    m = (
        '<img src="/images/portal.jpg" usemap="#Map"><map name="Map" id="Map">'
        '<area shape="poly" coords="10,10,90,10,90,60" href="/zwgk/" title="政务公开">'
        '<area shape="circle" coords="150,40,30" href="/hdjl/" title="互动交流"></map>'
    )
    b.page("/", page(b.name, m))
    b.page("/hdjl/", page("互动交流", "<p>县长信箱</p>"))
    sel = (
        '<form action="/zwgk/nbcx" method="get">年度：<select name="nd" onchange="this.form.submit()">'
        + "".join(f"<option>{y}</option>" for y in range(2024, 2018, -1))
        + "</select></form>"
    )
    b.page(
        "/zwgk/",
        page(
            "政务公开",
            f"<button onclick=\"location.href='/zwgk/nb/list.shtml'\">政府信息公开年报</button>{sel}",
            "政务公开",
        ),
    )
    listing: list[str] = []
    by_year: dict[int, list[str]] = {}
    paged: dict[str, list[str]] = {}

    def add(body: str, year: int, seed: int, how: str, link: str, form: str) -> None:
        s = docs.spec(body, year, seed, pattern=seed)
        art = f"/zwgk/nb/detail.jsp?id={400 + seed}"
        urls = [art]
        if how == "paged":
            parts: list[list[str]] = [[]]
            for blk in body_blocks(s):
                if isinstance(blk, str) and blk.startswith(("三、", "四、")):
                    parts.append([])
                parts[-1].append(table_html(blk) if isinstance(blk, Table) else f"<p>{blk}</p>")
            pages = ["".join(p) for p in parts]
            paged[str(400 + seed)] = pages
            urls += [f"{art}&page={k + 1}" for k in range(1, len(pages))]
        else:
            d = docs.docfactory(s, how) if seed % 2 else docs.office(s, how)
            f = b.file(f"/zwgk/nb/att/{400 + seed}.{d.ext}", d, MIME[d.ext])
            urls.append(f)
            paged[str(400 + seed)] = [
                f"<p>{s.title}</p><div class=\"att\"><span onclick=\"window.open('{f}','_blank')\">下载附件</span></div>"
            ]
        anchor = {
            "btn": f'<li><a href="#" onclick="openWin(\'{art}\');return false;">{s.title}</a></li>',
            "dataurl": f'<li><div class="item" data-url="{art}">{s.title}</div></li>',
            "plain": f'<li><a href="{art}">{s.title}</a></li>',
        }[link]
        listing.append(anchor)
        by_year.setdefault(year, []).append(anchor)
        b.plant(body, year, urls, form)
        b.planted[-1].urls = urls
        meta[str(400 + seed)] = s

    meta: dict[str, docs.ReportSpec] = {}
    add("麻栗坡县人民政府", 2023, 241, "paged", "plain", "paged-query")
    add("麻栗坡县人民政府", 2022, 242, "pdf", "btn", "openwin")
    add("麻栗坡县天保镇人民政府", 2023, 243, "docx", "dataurl", "data-url")
    add("麻栗坡县人民政府", 2021, 244, "paged", "btn", "paged-query")
    add("麻栗坡县民政局", 2022, 245, "pdf", "plain", "list-page-3")
    add("麻栗坡县人民政府", 2020, 246, "doc", "plain", "select-onchange")

    jd = docs.ReportSpec(
        title="麻栗坡县2022年政府信息公开工作年报解读", agency=b.name, year=2022, template=None
    )
    paged["499"], meta["499"] = ["<p>一、主动公开情况。二、依申请公开情况。</p>"], jd
    listing.insert(1, f'<li><a href="/zwgk/nb/detail.jsp?id=499">{jd.title}</a></li>')
    b.lookalikes.append("/zwgk/nb/detail.jsp?id=499")

    def detail(req: Req) -> Answer:
        i = req.query.get("id", "")
        pages, s = paged.get(i), meta.get(i)
        if not pages or not s:
            return Answer(b"", 404)
        k = int(req.query.get("page", "1") or 1)
        nav = ""
        if k > 1:
            nav += (
                f'<a href="detail.jsp?id={i}&page={k - 1}">上一页</a> '
                if k > 2
                else f'<a href="detail.jsp?id={i}">上一页</a> '
            )
        if k < len(pages):
            nav += f'<a href="detail.jsp?id={i}&page={k + 1}">下一页</a>'
        body = pages[k - 1] + f'<div class="pagebar">{nav}</div>'
        return html(fill(page(s.title, body, "政府信息公开年报"), b.bases()))

    b.handler("/zwgk/nb/detail.jsp", detail)
    script = "<script>function openWin(u){ window.open(u); }</script>"
    chunks = [listing[i : i + 2] for i in range(0, len(listing), 2)]
    for k, chunk in enumerate(chunks):
        bar = " ".join(f'<a href="javascript:goPage({n + 1})">{n + 1}</a>' for n in range(len(chunks)))
        name = "list.shtml" if k == 0 else f"list_{k + 1}.shtml"
        b.page(
            f"/zwgk/nb/{name}",
            page("政府信息公开年报", script + GOPAGE + f"<ul>{''.join(chunk)}</ul><div>{bar}</div>", "年报"),
        )

    def nbcx(req: Req) -> Answer:
        got = by_year.get(int(req.query.get("nd", "0") or 0), [])
        return html(fill(page("年报查询", script + f"<ul>{''.join(got)}</ul>", "年报查询"), b.bases()))

    b.handler("/zwgk/nbcx", nbcx)
    return b.site(["/"])
