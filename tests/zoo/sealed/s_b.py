"""Sealed simulator B (held out: developers do not open this folder)."""

from __future__ import annotations

import json

from tests.portals.server import Answer, Req
from tests.zoo import docs
from tests.zoo.common import MIME, Builder, ZooSite
from tests.zoo.kit import STD_NAV, home, serve_jquery, skeleton, wrap

FETCH = """<div class="nd-tabs">{tabs}</div><table id="tb"><tbody></tbody></table>
<script>
const siteId = 17;
async function show(y) {
  const r = await fetch(`/openapi/info/nb?siteId=${siteId}&nd=${y}&pageNo=1`);
  const j = await r.json();
  document.querySelector('#tb tbody').innerHTML = j.result.records.map(x =>
    `<tr><td><a href="/xxgk/detail?id=${x.id}">${x.bt}</a></td><td>${x.fbrq}</td></tr>`).join('');
}
show({first});
</script>"""

RSS = """<div id="bm"></div><script src="/static/js/jquery.min.js"></script>
<script>
$(function(){
  $.get('/gkml/feeds/bmnb.xml', function(xml){
    $(xml).find('item').each(function(){
      $('#bm').append('<div class="row"><a href="' + $(this).find('link').text() + '">' + $(this).find('title').text() + '</a></div>');
    });
  });
  $('#frag').load('/xxgk/nbfrag?page=1');
});
</script><div id="frag"></div>"""


def build() -> ZooSite:
    b = Builder("sealed-b", "五莲县人民政府", "山东省/日照市/五莲县", {"main": "127.0.42.1"})
    nav = [*STD_NAV[:4], ("政府信息公开", "/xxgk/"), *STD_NAV[5:]]
    page = wrap(b, nav, style=2)
    skeleton(b, nav, style=2)
    home(b, nav, style=2)
    serve_jquery(b, "/static/js/jquery.min.js")
    api: dict[int, list[dict[str, object]]] = {}
    feed: list[tuple[str, str]] = []
    frag: list[tuple[str, str]] = []
    pages: dict[str, str] = {}

    def add(body: str, year: int, seed: int, how: str, where: str) -> None:
        s = docs.spec(body, year, seed, pattern=seed)
        i = 3000 + seed
        art = f"/xxgk/detail?id={i}"
        urls = [art]
        if how == "inline":
            content = docs.article_html(s)
        else:
            d = docs.docfactory(s, how) if seed % 2 else docs.office(s, how)
            f = b.file(f"/upload/nb/{i}.{d.ext}", d, MIME[d.ext])
            urls.append(f)
            content = f'<div class="fj"><a href="{f}" download>{s.title}</a></div>'
        pages[str(i)] = page(s.title, content, "信息公开")
        if where == "api":
            api.setdefault(year, []).append({"id": i, "bt": s.title, "fbrq": s.published_at})
        elif where == "feed":
            feed.append((s.title, art))
        else:
            frag.append((s.title, art))
        b.plant(body, year, urls, where)

    add("五莲县人民政府", 2023, 211, "pdf", "api")
    add("五莲县人民政府", 2022, 212, "inline", "api")
    add("五莲县人民政府", 2021, 213, "docx", "api")
    add("五莲县自然资源和规划局", 2023, 214, "inline", "feed")
    add("五莲县潮河镇人民政府", 2022, 215, "pdf", "feed")
    add("五莲县人力资源和社会保障局", 2023, 216, "inline", "frag")
    add("五莲县人力资源和社会保障局", 2021, 217, "doc", "frag")

    t = "关于做好五莲县2023年政府信息公开工作年度报告编制发布工作的通知"
    pages["3999"] = page(
        t, "<p>各镇（街道）、县直各部门：现就年度报告编制发布有关事项通知如下。</p>", "信息公开"
    )
    api[2023].append({"id": 3999, "bt": t, "fbrq": "2023-12-15"})
    b.lookalikes.append("/xxgk/detail?id=3999")

    def detail(req: Req) -> Answer:
        got = pages.get(req.query.get("id", ""))
        if got is None:
            return Answer("<p>信息不存在</p>".encode(), status=404)
        return Answer(got.encode(), content_type="text/html;charset=UTF-8")

    b.handler("/xxgk/detail", detail)

    def openapi(req: Req) -> Answer:
        recs = api.get(int(req.query.get("nd", "0") or 0), [])
        out = {"success": True, "result": {"total": len(recs), "records": recs}}
        return Answer(
            json.dumps(out, ensure_ascii=False).encode(), content_type="application/json;charset=UTF-8"
        )

    b.handler("/openapi/info/nb", openapi)
    xml = (
        "<?xml version='1.0' encoding='utf-8'?><rss><channel>"
        + "".join(f"<item><title>{t}</title><link>{u}</link></item>" for t, u in feed)
        + "</channel></rss>"
    )
    b.handler("/gkml/feeds/bmnb.xml", lambda _r: Answer(xml.encode(), content_type="application/xml"))

    def fragment(req: Req) -> Answer:
        p = int(req.query.get("page", "1") or 1)
        chunk = frag[p - 1 : p]
        h = "".join(f'<p><a href="{u}">{t}</a></p>' for t, u in chunk)
        if p < len(frag):
            h += f"<a href=\"javascript:$('#frag').load('/xxgk/nbfrag?page={p + 1}')\">下一页</a>"
        return Answer(h.encode(), content_type="text/html; charset=utf-8")

    b.handler("/xxgk/nbfrag", fragment)
    years = sorted(api, reverse=True)
    tabs = "".join(f'<span onclick="show({y})">{y}年度</span>' for y in years)
    b.page(
        "/xxgk/",
        page(
            "政府信息公开",
            '<ul><li><a href="/xxgk/nb/">政府年报</a></li><li><a href="/xxgk/bmnb/">部门年报</a></li></ul>',
            "政府信息公开",
        ),
    )
    b.page(
        "/xxgk/nb/",
        page("政府年报", FETCH.replace("{tabs}", tabs).replace("{first}", str(years[0])), "政府年报"),
    )
    b.page("/xxgk/bmnb/", page("部门年报", RSS, "部门年报"))
    return b.site(["/"])
