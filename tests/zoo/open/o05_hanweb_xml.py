"""Hanweb-like modules: a column whose records sit in <script type="text/xml"> and whose later pages come
from dataproxy.jsp (XML, URL assembled in script); year tabs loading an HTML fragment by XMLHttpRequest
with the area code and fbtime in the query (only a browser sees those lists); /art/ pages."""

from __future__ import annotations

from tests.portals.server import Answer, Req
from tests.zoo import docs
from tests.zoo.common import MIME, Builder, ZooSite
from tests.zoo.kit import STD_NAV, home, report_page, skeleton, wrap

AREA = "11640324MB1590122X"

JPAGE = """<div id="355"><script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&webid=1&columnid=355"></a>]]></nextgroup>
<recordset>{records}</recordset></datastore></script></div>
<script>
var columnid = 355, perpage = 3, totalRecord = {total};
function jpage(start){
  var u = '/module/web/jpage/' + 'dataproxy' + '.jsp?startrecord=' + start + '&endrecord=' + (start + perpage - 1) + '&perpage=' + perpage + '&columnid=' + columnid;
  var x = new XMLHttpRequest(); x.open('GET', u); x.onload = function(){
    var recs = x.responseXML.getElementsByTagName('record'), h = '';
    for (var i = 0; i < recs.length; i++) h += recs[i].textContent;
    document.getElementById('355').innerHTML = h; }; x.send();
}
</script><div class="pg"><a href="javascript:jpage(4)">下一页</a></div>"""

TABS = (
    """<div class="tabs">{tabs}</div><div id="nbBox"></div>
<script>
function loadYear(y){
  var x = new XMLHttpRequest();
  x.open('GET', '/module/xxgk/nbList.jsp?area=' + '{area}' + '&fbtime=' + y + '&infotypeId=ndbg');
  x.onload = function(){ document.getElementById('nbBox').innerHTML = x.responseText; };
  x.send();
}
loadYear({first});
</script>"""
).replace("{area}", AREA)


def _rec(title: str, url: str, date: str) -> str:
    return f'<record><![CDATA[<li><a href="{url}" target="_blank" title="{title}">{title}</a><span>{date}</span></li>]]></record>'


def build() -> ZooSite:
    b = Builder(
        "o05-hanweb-xml", "红寺堡区人民政府", "宁夏回族自治区/吴忠市/红寺堡区", {"main": "127.0.25.1"}
    )
    nav = [*STD_NAV[:4], ("政务公开", "/col/col354/index.html"), *STD_NAV[5:]]
    page = wrap(b, nav, style=2)
    skeleton(b, nav, style=2)
    home(b, nav, style=2)
    b.page(
        "/col/col354/index.html",
        page(
            "政务公开",
            '<ul><li><a href="/col/col355/index.html">政府信息公开年报</a></li>'
            '<li><a href="/col/col356/index.html">部门年报</a></li></ul>',
            "政务公开",
        ),
    )
    recs: list[tuple[str, str, str]] = []
    by_year: dict[int, list[tuple[str, str, str]]] = {}

    def add(body: str, year: int, seed: int, how: str, form: str, tab: bool = False) -> None:
        s = docs.spec(body, year, seed, pattern=seed)
        date = f"{year + 1}-01-{10 + seed % 18}"
        art = f"/art/{year + 1}/1/{10 + seed % 18}/art_355_{1000 + seed}.html"
        urls = [art]
        if how == "inline":
            content = docs.article_html(s)
        else:
            d = docs.docfactory(s, how)
            f = b.file(f"/module/download/{year}_{seed}.{d.ext}", d, MIME[d.ext])
            urls.append(f)
            content = f'<p>{s.title}</p><p>附件：<a href="{f}">{s.title}.{d.ext}</a></p>'
        report_page(b, art, s.title, content, date, body, page)
        (by_year.setdefault(year, []) if tab else recs).append((s.title, art, date))
        b.plant(body, year, urls, form)

    add("红寺堡区人民政府", 2023, 51, "pdf", "xml-in-script")
    add("红寺堡区人民政府", 2022, 52, "inline", "xml-in-script")
    add("红寺堡区人民政府", 2021, 53, "doc", "xml-in-script")
    add("红寺堡区人民政府", 2020, 54, "pdf", "xml-dataproxy-page2")
    add("红寺堡区人民政府", 2019, 55, "inline", "xml-dataproxy-page2")
    add("红寺堡区民政局", 2023, 56, "docx", "xhr-year-tab", tab=True)
    add("红寺堡区教育局", 2023, 57, "inline", "xhr-year-tab", tab=True)
    add("红寺堡区教育局", 2022, 58, "pdf", "xhr-year-tab-not-default", tab=True)

    t = "红寺堡区2023年政务公开工作要点"
    report_page(
        b,
        "/art/2023/4/2/art_355_1099.html",
        t,
        "<p>一、深化重点领域信息公开。</p>",
        "2023-04-02",
        b.name,
        page,
    )
    recs.insert(1, (t, "/art/2023/4/2/art_355_1099.html", "2023-04-02"))
    b.lookalikes.append("/art/2023/4/2/art_355_1099.html")
    first = "".join(_rec(*r) for r in recs[:3])
    b.page(
        "/col/col355/index.html",
        page(
            "政府信息公开年报", JPAGE.replace("{records}", first).replace("{total}", str(len(recs))), "年报"
        ),
    )

    def proxy(req: Req) -> Answer:
        start = int(req.query.get("startrecord", "1"))
        per = int(req.query.get("perpage", "3"))
        chunk = recs[start - 1 : start - 1 + per]
        xml = f'<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>{len(recs)}</totalrecord><recordset>'
        xml += "".join(_rec(*r) for r in chunk) + "</recordset></datastore>"
        return Answer(xml.encode(), content_type="text/xml; charset=utf-8")

    b.handler("/module/web/jpage/dataproxy.jsp", proxy)
    years = sorted(by_year, reverse=True)
    tabs = "".join(f'<a href="javascript:void(0)" onclick="loadYear({y})">{y}年</a>' for y in years)
    b.page(
        "/col/col356/index.html",
        page("部门年报", TABS.replace("{tabs}", tabs).replace("{first}", str(years[0])), "部门年报"),
    )

    def nblist(req: Req) -> Answer:
        if req.query.get("area") != AREA:
            return Answer("<p>参数错误</p>".encode())
        rows = by_year.get(int(req.query.get("fbtime", "0") or 0), [])
        h = "<ul>" + "".join(f'<li><a href="{u}">{t}</a> {d}</li>' for t, u, d in rows) + "</ul>"
        return Answer(h.encode(), content_type="text/html; charset=utf-8")

    b.handler("/module/xxgk/nbList.jsp", nblist)
    return b.site(["/"])
