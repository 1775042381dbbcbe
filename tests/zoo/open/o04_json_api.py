"""Lists drawn by inline scripts: jQuery $.getJSON of a paged JSON API (endpoint as a string in the
script), $.ajax JSONP for the departments' column; the records carry title, date and url."""

from __future__ import annotations

import json

from tests.portals.server import Answer, Req
from tests.zoo import docs
from tests.zoo.common import MIME, Builder, ZooSite
from tests.zoo.kit import STD_NAV, home, report_page, serve_jquery, skeleton, wrap

LIST_JS = """<div class="list-box"><h2>政府信息公开年报</h2><ul id="nbList"></ul><div id="pager"></div></div>
<script src="/js/jquery.min.js"></script>
<script>
function load(p){
  $.getJSON('/api/article/list?channel=ndbg&pageSize=4&page=' + p, function(d){
    var h = '';
    $.each(d.data, function(i, r){ h += '<li><a href="' + r.url + '" target="_blank">' + r.title + '</a><span>' + r.date + '</span></li>'; });
    $('#nbList').html(h);
    var ph = '';
    for (var i = 1; i <= d.pages; i++) ph += '<a href="javascript:load(' + i + ')">' + i + '</a> ';
    $('#pager').html(ph);
  });
}
$(function(){ load(1); });
</script>"""

DEPT_JS = """<div class="list-box"><h2>部门年报</h2><div id="bm"></div></div>
<script src="/js/jquery.min.js"></script>
<script>
$(function(){
  $.ajax({url: '/api/nb.do', dataType: 'jsonp', data: {col: 'bmnb'}, success: function(d){
    var h = '';
    for (var i = 0; i < d.rows.length; i++) h += '<p><a href="' + d.rows[i].link + '">' + d.rows[i].name + '</a> ' + d.rows[i].time + '</p>';
    document.getElementById('bm').innerHTML = h;
  }});
});
</script>"""


def build() -> ZooSite:
    b = Builder("o04-json-api", "金川县人民政府", "四川省/阿坝藏族羌族自治州/金川县", {"main": "127.0.24.1"})
    nav = [*STD_NAV[:4], ("信息公开", "/xxgk/"), *STD_NAV[5:]]
    page = wrap(b, nav)
    skeleton(b, nav, pager="js")
    home(b, nav)
    serve_jquery(b)
    b.page(
        "/xxgk/",
        page(
            "信息公开",
            '<ul><li><a href="/xxgk/ndbg/">政府信息公开年报</a></li>'
            '<li><a href="/xxgk/bmnb/">部门信息公开年报</a></li></ul>',
            "信息公开",
        ),
    )
    b.page("/xxgk/ndbg/", page("政府信息公开年报", LIST_JS, "信息公开 &gt; 年报"))
    b.page("/xxgk/bmnb/", page("部门信息公开年报", DEPT_JS, "信息公开 &gt; 部门年报"))
    records: list[dict[str, str]] = []
    dept: list[dict[str, str]] = []

    def add(body: str, year: int, seed: int, how: str, into: list[dict[str, str]], form: str) -> None:
        s = docs.spec(body, year, seed, pattern=seed)
        date = f"{year + 1}-02-{10 + seed % 18}"
        art = f"/xxgk/ndbg/content/{year}/{seed}.shtml"
        if how == "direct":
            f = b.file(f"/uploads/nb/{year}_{seed}.pdf", docs.docfactory(s, "pdf"), MIME["pdf"])
            urls, link = [f], f
        elif how == "pdf":
            f = b.file(f"/uploads/nb/{year}_{seed}.pdf", docs.office(s, "pdf"), MIME["pdf"])
            report_page(b, art, s.title, f'<p><a href="{f}">{s.title}</a></p>', date, body, page)
            urls, link = [art, f], art
        else:
            report_page(b, art, s.title, docs.article_html(s), date, body, page)
            urls, link = [art], art
        if into is dept:
            into.append({"name": s.title, "link": link, "time": date})
        else:
            into.append({"title": s.title, "url": link, "date": date})
        b.plant(body, year, urls, form)

    add("金川县人民政府", 2023, 41, "inline", records, "json-getjson")
    add("金川县人民政府", 2022, 42, "pdf", records, "json-getjson")
    add("金川县发展和改革局", 2023, 43, "direct", records, "json-getjson-direct-file")
    add("金川县卫生健康局", 2021, 45, "inline", records, "json-getjson")
    add("金川县应急管理局", 2022, 44, "pdf", records, "json-getjson-page2")
    add("金川县审计局", 2023, 46, "inline", dept, "jsonp")
    add("金川县统计局", 2021, 47, "pdf", dept, "jsonp")
    t = "金川县2023年政务公开工作要点"
    report_page(
        b,
        "/xxgk/ndbg/content/gzyd2023.shtml",
        t,
        "<p>一、围绕重点领域深化公开。</p>",
        "2023-04-02",
        b.name,
        page,
    )
    records.insert(2, {"title": t, "url": "/xxgk/ndbg/content/gzyd2023.shtml", "date": "2023-04-02"})
    b.lookalikes.append("/xxgk/ndbg/content/gzyd2023.shtml")

    def api(req: Req) -> Answer:
        size, p = int(req.query.get("pageSize", "4")), int(req.query.get("page", "1"))
        pages = (len(records) + size - 1) // size
        body = {"code": 0, "pages": pages, "data": records[(p - 1) * size : p * size]}
        return Answer(json.dumps(body, ensure_ascii=False).encode(), content_type="application/json")

    def jsonp(req: Req) -> Answer:
        cb = req.query.get("callback", "callback")
        body = json.dumps({"rows": dept}, ensure_ascii=False)
        return Answer(f"{cb}({body});".encode(), content_type="application/javascript; charset=utf-8")

    b.handler("/api/article/list", api)
    b.handler("/api/nb.do", jsonp)
    return b.site(["/xxgk/"])
