"""Guangdong's gkmlpt: /gkmlpt/index#CAT is a script shell; /gkmlpt/api/all/CAT?page=N answers JSON
{"articles": [{"title", "url", …}], "total"} with absolute article URLs."""

from __future__ import annotations

import json

from tests.portals import Planted
from tests.portals.docs import DOCX_TYPE, report_docx
from tests.portals.server import Answer, Portal, Req, html

CAT = "2890"
PER = 10


def build(portal: Portal) -> Planted:
    planted = Planted()
    base = portal.base_url
    articles: list[dict[str, object]] = []
    for i in range(25):
        pid = 3456000 + i
        url = f"{base}/gkmlpt/content/3/3456/post_{pid}.html"
        if i % 3 == 0:
            agency = f"佛山市测试区{['统计局', '审计局', '应急管理局', '林业局', '体育局', '档案局', '侨务局', '信访局', '粮食局'][i // 3]}"
            year = 2022 if i % 2 == 0 else 2021
            title = f"{agency}{year}年政府信息公开工作年度报告"
            planted.reports.add((agency, year, "annual_report"))
            body = f'<a href="/attachment/0/512/{pid}/{pid}.docx">{title}.docx</a>'
            portal.add(
                f"/attachment/0/512/{pid}/{pid}.docx", Answer(report_docx(title), content_type=DOCX_TYPE)
            )
        elif i % 7 == 1:
            title = "关于做好2022年政府信息公开工作年度报告编制发布工作的通知"
            body = "<p>各单位：……</p>"
            planted.lookalikes.append(f"post_{pid}")
        else:
            title = f"佛山市测试区关于第{i}批项目的公示"
            body = "<p>公示内容</p>"
        articles.append(
            {"id": pid, "title": title, "url": url, "date": 1674000000 + i, "publisher": "测试区"}
        )
        portal.add(
            f"/gkmlpt/content/3/3456/post_{pid}.html",
            html(
                f'<html><head><meta charset="utf-8"><meta name="ArticleTitle" content="{title}">'
                f'<meta name="PubDate" content="2023-02-0{1 + i % 9}"><title>{title}</title></head>'
                f'<body><div class="content"><h1>{title}</h1>{body}</div></body></html>'
            ),
        )

    def api(req: Req) -> Answer:
        if not req.path.endswith(f"/all/{CAT}"):
            return Answer(b'{"articles": [], "total": 0}', content_type="application/json")
        page = int(req.query.get("page", "1"))
        data = {"articles": articles[(page - 1) * PER : page * PER], "total": len(articles), "page": page}
        return Answer(
            json.dumps(data, ensure_ascii=False).encode(), content_type="application/json;charset=UTF-8"
        )

    portal.add_prefix("/gkmlpt/api/all/", api)
    portal.add(
        "/gkmlpt/index",
        html(
            '<html><head><meta charset="utf-8"><title>政府信息公开</title></head><body><div id="app"></div>'
            '<script>window.SID = "757001";</script><script src="/gkmlpt/static/js/app.js"></script></body></html>'
        ),
    )
    return planted
