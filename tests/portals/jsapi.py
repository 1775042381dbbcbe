"""A list drawn by script from a JSON API: the HTML is an empty shell; rows and the pager link exist only
after the script ran (in a browser) — or for a crawler that reads the API named in the script."""

from __future__ import annotations

import json

from tests.portals import Planted
from tests.portals.docs import DOCX_TYPE, report_docx
from tests.portals.server import Answer, Portal, Req, html

SIZE = 4
SHELL = """<html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body>
<ul id="list"></ul><div id="pager"></div>
<script>
(function () {
  var page = parseInt(new URLSearchParams(location.search).get('page') || '1', 10);
  fetch(`/api/nb/list?page=${page}&size=%(size)d`).then(function (r) { return r.json(); }).then(function (res) {
    var ul = document.getElementById('list');
    res.data.rows.forEach(function (row) {
      var li = document.createElement('li'); var a = document.createElement('a');
      a.href = row.link; a.textContent = row.title; li.appendChild(a); ul.appendChild(li);
    });
    if (page < res.data.pages) {
      var next = document.createElement('a');
      next.href = 'list.html?page=' + (page + 1); next.textContent = '下一页';
      document.getElementById('pager').appendChild(next);
    }
  });
  // A second endpoint that answers an error page instead of JSON (portals do): must not break a crawl.
  fetch('/api/nb/notice?page=1').then(function (r) { return r.text(); }).catch(function () {});
})();
</script></body></html>"""


def build(portal: Portal) -> Planted:
    planted = Planted()
    rows: list[dict[str, str]] = []
    items = [
        ("测试区发展和改革局2022年政府信息公开工作年度报告", "测试区发展和改革局", 2022),
        ("关于做好2022年政府信息公开工作年度报告编制发布工作的通知", None, None),
        ("测试区科学技术局2022年政府信息公开工作年度报告", "测试区科学技术局", 2022),
        ("测试区2022年区长办公会议纪要", None, 0),
        ("测试区工业和信息化局2022年政府信息公开工作年度报告", "测试区工业和信息化局", 2022),
        ("测试区自然资源局2021年政府信息公开工作年度报告", "测试区自然资源局", 2021),
        ("测试区2022年度政府信息公开工作年度报告汇总", None, None),
        ("测试区生态环境局2021年政府信息公开工作年度报告", "测试区生态环境局", 2021),
        ("测试区招商引资推介会召开", None, 0),
        ("测试区住房和城乡建设局2021年政府信息公开工作年度报告", "测试区住房和城乡建设局", 2021),
    ]
    for i, (title, agency, year) in enumerate(items, start=1):
        link = f"/xxgk/detail/{i}.html"
        rows.append({"id": str(i), "title": title, "link": link, "pubDate": "2023-01-20"})
        attach = f'<a href="/uploads/{i}.docx">附件：{title}.docx</a>' if agency else "<p>正文</p>"
        portal.add(
            link,
            html(
                f'<html><head><meta charset="utf-8"><meta name="ArticleTitle" content="{title}">'
                f'<meta name="PubDate" content="2023-01-2{i % 9}"><title>{title}</title></head>'
                f"<body><h1>{title}</h1>{attach}</body></html>"
            ),
        )
        if agency:
            portal.add(f"/uploads/{i}.docx", Answer(report_docx(title), content_type=DOCX_TYPE))
            planted.reports.add((agency, int(year or 0), "annual_report"))
        elif year is None:
            planted.lookalikes.append(link)

    def api(req: Req) -> Answer:
        page, size = int(req.query.get("page", "1")), int(req.query.get("size", str(SIZE)))
        chunk = rows[(page - 1) * size : page * size]
        data = {"code": 0, "data": {"rows": chunk, "pages": -(-len(rows) // size), "page": page}}
        return Answer(json.dumps(data, ensure_ascii=False).encode(), content_type="application/json")

    portal.add("/api/nb/list", api)
    portal.add("/api/nb/notice", html("<html><body>系统繁忙，请稍后再试</body></html>"))
    portal.add("/xxgk/list.html", html(SHELL % {"size": SIZE}))
    return planted
