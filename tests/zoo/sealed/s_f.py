"""Sealed simulator F (held out: developers do not open this folder)."""

from __future__ import annotations

from tests.portals.server import Answer, Req, html
from tests.zoo import docs
from tests.zoo.common import MIME, Builder, ZooSite, fill
from tests.zoo.kit import article, charset, news_section, shell, static_pages

NAV = [("首页", "/index.htm"), ("县情概况", "/zjxx/"), ("新闻", "/xwzx/gzdt/"), ("公开", "/gk/gk.asp")]


def build() -> ZooSite:
    b = Builder(
        "sealed-f", "会宁县人民政府", "甘肃省/白银市/会宁县", {"main": "127.0.46.1", "cdn": "127.0.46.2"}
    )

    def page(t: str, body: str, crumbs: str = "") -> str:
        return charset(shell(b.name, t, body, NAV, 1, crumbs), "gb18030")

    def put(url: str, text: str, header: str | None = "iso-8859-1") -> None:
        b.page(url, text, charset="gb18030", header_charset=header)

    news_section(
        b,
        "/xwzx/gzdt/",
        "新闻",
        NAV,
        n=14,
        style=1,
        page_shell=lambda t, x, c: page(t, x, c),
        encoding="gb18030",
    )
    static_pages(b, NAV, 1)
    put("/index.htm", page(b.name, '<a href="/gk/gk.asp">政府信息公开</a>'), None)
    b.redirect("/", "/index.htm")
    years = range(2023, 2019, -1)
    put(
        "/gk/gk.asp",
        page(
            "公开",
            "<ul>" + "".join(f'<li><a href="nb.asp?year={y}">{y}年度报告</a></li>' for y in years) + "</ul>",
        ),
    )
    rows: dict[int, list[str]] = {}

    def add(body: str, year: int, seed: int, how: str, form: str) -> None:
        s = docs.spec(body, year, seed, pattern=seed)
        art = f"/gk/show.asp?id={500 + seed}"
        urls = [art]
        if how == "inline":
            content = docs.article_html(s)
        elif how == "embed":
            f = b.file(f"@@cdn@@/pub/{500 + seed}.pdf", docs.docfactory(s, "pdf"), MIME["pdf"])
            content = f'<object classid="clsid:CA8A9780-280D-11CF-A24D-444553540000" width="100%" height="800"><param name="src" value="{f}"><embed src="{f}" width="100%" height="800"></object>'
            urls.append(f)
        else:
            f = b.file(f"@@cdn@@/pub/{500 + seed}.{how}", docs.office(s, how), MIME[how])
            r = f"/gk/down.asp?id={500 + seed}"
            b.redirect(r, f, 301)
            content = f'<p><a href="javascript:;" onclick="window.location=\'{r}\'">{s.title}</a></p>'
            urls += [f, r]
        put(art, page(s.title, article(s.title, content, s.published_at, body), "公开"), "gbk")
        rows.setdefault(year, []).append(
            f'<tr><td><a href="show.asp?id={500 + seed}">{s.title}</a></td></tr>'
        )
        b.plant(body, year, urls, form)

    add("会宁县人民政府", 2023, 261, "embed", "cdn-embed")
    add("会宁县人民政府", 2022, 262, "pdf", "cdn-redirect-onclick")
    add("会宁县郭城驿镇人民政府", 2022, 263, "inline", "gbk-query-list")
    add("会宁县人民政府", 2021, 264, "inline", "gbk-query-list")
    add("会宁县水务局", 2021, 265, "doc", "cdn-redirect-onclick")
    add("会宁县人民政府", 2020, 266, "embed", "cdn-embed")

    t = "会宁县2021年法治政府建设年度报告"
    put(
        "/gk/show.asp?id=599",
        page(t, article(t, "<p>一、主要举措和成效。</p>", "2022-03-01", b.name), "公开"),
        "gbk",
    )
    rows[2021].append(f'<tr><td><a href="show.asp?id=599">{t}</a></td></tr>')
    b.lookalikes.append("/gk/show.asp?id=599")

    def nb(req: Req) -> Answer:
        y = int(req.query.get("year", "0") or 0)
        body = f"<table>{''.join(rows.get(y, []))}</table>"
        return html(fill(page(f"{y}年度报告", body, "公开"), b.bases()), "gb18030", "iso-8859-1")

    b.handler("/gk/nb.asp", nb)
    return b.site(["/"])
