"""Navigation only a careful reader follows: an <area> image map to 信息公开, a year <select> GET form,
links in onclick="window.open(...)", data-href, location.href, and icon-only links."""

from __future__ import annotations

from tests.portals.server import Answer, Req, html
from tests.zoo import docs
from tests.zoo.common import MIME, Builder, ZooSite, fill
from tests.zoo.kit import charset, news_section, report_page, shell, static_pages

NAV = [("首页", "/"), ("新闻中心", "/xwzx/gzdt/"), ("通知公告", "/xwzx/tzgg/"), ("走进", "/zjxx/")]


def build() -> ZooSite:
    b = Builder("o09-nav-tricks", "沙湾区人民政府", "四川省/乐山市/沙湾区", {"main": "127.0.29.1"})

    def page(t: str, body: str, crumbs: str = "") -> str:
        return charset(shell(b.name, t, body, NAV, 0, crumbs))

    news_section(b, "/xwzx/gzdt/", "工作动态", NAV, n=16)
    news_section(b, "/xwzx/tzgg/", "通知公告", NAV, n=10, kind="notice")
    static_pages(b, NAV)
    imap = (
        '<img src="/images/rukou.png" usemap="#rk" width="600" height="120">'
        '<map name="rk"><area shape="rect" coords="0,0,200,120" href="/xxgk/index.html" alt="">'
        '<area shape="rect" coords="200,0,400,120" href="/bsfw/" alt=""></map>'
    )
    home = page(b.name, imap)
    b.page("/", home)
    b.page("/index.html", home)
    b.page("/bsfw/", page("办事服务", "<p>网上办事大厅</p>"))
    form = (
        '<form action="/xxgk/nb/search.jsp" method="get"><select name="year">'
        + "".join(f"<option value='{y}'>{y}年</option>" for y in range(2023, 2018, -1))
        + '</select><input type="hidden" name="col" value="ndbg"><input type="submit" value="查询"></form>'
    )
    b.page("/xxgk/index.html", page("信息公开", "<h3>政府信息公开年度报告</h3>" + form, "信息公开"))
    rows: dict[int, list[str]] = {}

    def add(body: str, year: int, seed: int, style: str, form_name: str) -> None:
        s = docs.spec(body, year, seed, pattern=seed)
        art = f"/xxgk/nb/content_{9900 + seed}.html"
        d = docs.docfactory(s, "pdf") if seed % 2 else docs.office(s, "pdf")
        f = b.file(f"/xxgk/nb/files/{9900 + seed}.pdf", d, MIME["pdf"])
        report_page(
            b,
            art,
            s.title,
            f'<p>{s.title}</p><a href="{f}"><img src="/images/pdf.gif"></a>',
            s.published_at,
            body,
            page,
        )
        t = s.title
        link = {
            "open": f'<li><a href="javascript:void(0)" onclick="window.open(\'{art}\')">{t}</a></li>',
            "data": f'<li class="item" data-href="{art}">{t}</li>',
            "loc": f'<li><span onclick="location.href=\'{art}\'" style="cursor:pointer">{t}</span></li>',
            "icon": f'<li><a href="{f}"><img src="/images/pdf.gif" alt=""></a> {t}</li>',
        }[style]
        rows.setdefault(year, []).append(link)
        b.plant(body, year, [art, f] if style != "icon" else [f, art], form_name)

    add("沙湾区人民政府", 2023, 91, "open", "get-form+window-open")
    add("沙湾区发展和改革局", 2023, 92, "data", "get-form+data-href")
    add("沙湾区人民政府", 2022, 93, "loc", "get-form+location-href")
    add("沙湾区财政局", 2022, 94, "icon", "get-form+icon-link")
    add("沙湾区人民政府", 2021, 95, "open", "get-form+window-open")
    add("沙湾区人民政府", 2020, 96, "data", "get-form+data-href")

    jd = "/xxgk/nb/content_9990.html"
    report_page(
        b,
        jd,
        "沙湾区2022年政府信息公开工作年度报告解读",
        "<p>全年主动公开信息2345条。</p>",
        "2023-03-30",
        b.name,
        page,
    )
    rows[2022].append(
        f'<li><a href="javascript:void(0)" onclick="window.open(\'{jd}\')">沙湾区2022年政府信息公开工作年度报告解读</a></li>'
    )
    b.lookalikes.append(jd)

    def search(req: Req) -> Answer:
        year = int(req.query.get("year", "2023") or 2023)
        got = rows.get(year, [])
        body = f"<h3>{year}年度政府信息公开工作年度报告</h3><ul>{''.join(got) or '<li>暂无数据</li>'}</ul>"
        return html(fill(page(f"{year}年报", body, "信息公开 &gt; 年报"), b.bases()))

    b.handler("/xxgk/nb/search.jsp", search)
    return b.site(["/"])
