"""A paged list of report pages for crawls shared by several processes: enough URLs, optionally answered
late, that two crawlers both get work and a kill lands while requests are in flight. Attachments carry an
ETag and answer a matching If-None-Match with 304 (the shared incremental state)."""

from __future__ import annotations

from tests.portals.docs import DOCX_TYPE, report_docx, report_html_body
from tests.portals.server import Answer, Handler, Portal, Req, html, html_page

LIST = "/xxgk/ndbg/index.html"


def _list_path(i: int) -> str:
    return LIST if i == 0 else f"/xxgk/ndbg/index_{i}.html"


def build(
    portal: Portal, pages: int = 5, per_page: int = 10, docx_every: int = 5, delay_s: float = 0.0
) -> set[str]:
    """The portal's paths a full crawl requests (robots.txt aside)."""
    paths: set[str] = set()

    def late(answer: Answer) -> Answer:
        answer.delay_s = delay_s
        return answer

    n = 0
    for i in range(pages):
        items = []
        for _ in range(per_page):
            n += 1
            title = f"测试县第{n}局2022年政府信息公开工作年度报告"
            body = report_html_body(title)
            if n % docx_every == 0:
                doc = f"/files/{n}.docx"
                body += f"<p>附件：<a href='{doc}'>{title}.docx</a></p>"
                portal.add(doc, _etagged(report_docx(title), f'"doc-{n}"', delay_s))
                paths.add(doc)
            art = f"/art/{n}.html"
            portal.add(art, late(Answer(html_page(title, body, "2023-01-20"))))
            paths.add(art)
            items.append(f"<li><a href='{art}'>{title}</a></li>")
        pager = "".join(f"<a href='{_list_path(j)}'>{j + 1}</a> " for j in range(pages))
        page = html(
            f"<html><head><title>政府信息公开年报</title></head><body><ul>{''.join(items)}</ul>{pager}</body></html>"
        )
        portal.add(_list_path(i), late(page))
        paths.add(_list_path(i))
    return paths


def _etagged(body: bytes, etag: str, delay_s: float) -> Handler:
    def handler(req: Req) -> Answer:
        if req.headers.get("if-none-match") == etag:
            return Answer(b"", status=304, content_type=None, headers=[("ETag", etag)], delay_s=delay_s)
        return Answer(body, content_type=DOCX_TYPE, headers=[("ETag", etag)], delay_s=delay_s)

    return handler
