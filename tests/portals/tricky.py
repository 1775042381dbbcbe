"""A portal with what makes a crawl and a rebuild disagree when context is taken from the crawl's memory:
one ZIP's bytes at two URLs, a report only inside a ZIP revisited with ETags (304), an attachment behind a
redirect, and a table picture shown by two pages."""

from __future__ import annotations

import hashlib
import io
import zipfile

from tests.portals import Planted
from tests.portals.docs import DOCX_TYPE, report_docx
from tests.portals.server import Answer, Handler, Portal, Req, html
from tests.test_extract_image import table_picture

ZIPPED = "测试县甲局2022年政府信息公开工作年度报告"
MOVED = "测试县乙局2022年政府信息公开工作年度报告"
PICTURED = "测试县丙局2022年政府信息公开工作年度报告"
CHINESE_NAMED = "测试县丁局2022年政府信息公开工作年度报告"


def _zip(title: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("年度报告.docx", report_docx(title))
    return buf.getvalue()


def _cached(answer: Answer) -> Handler:
    """Answers with an ETag, and 304 when the request already holds it."""
    tag = '"' + hashlib.sha256(answer.body).hexdigest()[:16] + '"'

    def handler(req: Req) -> Answer:
        if req.headers.get("if-none-match") == tag:
            return Answer(b"", status=304, content_type=None, headers=[("ETag", tag)])
        return Answer(answer.body, answer.status, answer.content_type, [*answer.headers, ("ETag", tag)])

    return handler


def _page(title: str, body: str) -> Answer:
    return html(
        f'<html><head><meta charset="utf-8"><title>{title}</title></head><body><h1>{title}</h1>{body}</body></html>'
    )


def build(portal: Portal) -> Planted:
    planted = Planted()
    package = _zip(ZIPPED)
    for folder in ("a", "b"):
        portal.add(f"/{folder}/r.zip", _cached(Answer(package, content_type="application/zip")))
        portal.add(
            f"/{folder}/p.html",
            _cached(
                _page(
                    ZIPPED,
                    f"<p>发布日期：2023-01-1{'0' if folder == 'a' else '2'}</p><a href='r.zip'>附件.zip</a>",
                )
            ),
        )
    planted.reports.add(("测试县甲局", 2022, "annual_report"))
    portal.add(
        "/c/p.html", _cached(_page(MOVED, "<p>发布日期：2023-01-10</p><a href='/files/old/r.docx'>附件</a>"))
    )
    portal.add(
        "/files/old/r.docx",
        Answer(b"", status=301, content_type=None, headers=[("Location", "/files/new/r.docx")]),
    )
    portal.add("/files/new/r.docx", _cached(Answer(report_docx(MOVED), content_type=DOCX_TYPE)))
    planted.reports.add(("测试县乙局", 2022, "annual_report"))
    planted.published[("测试县乙局", 2022)] = "2023-01-10"
    portal.add("/img/t.png", _cached(Answer(table_picture(), content_type="image/png")))
    text = (
        "<div class='content'><p>一、总体情况</p><p>本年度依法推进政府信息公开。</p>"
        "<p>三、收到和处理政府信息公开申请情况</p><p>四、政府信息公开行政复议、行政诉讼情况</p>"
        + "<p>依法公开。</p>"
        * 40
    )
    for folder, counter in (("d", 17), ("e", 23)):
        portal.add(
            f"/{folder}/p.html",
            _cached(
                _page(
                    PICTURED, f"{text}<p><img src='/img/t.png' width='900'></p><p>访问量：{counter}</p></div>"
                )
            ),
        )
    planted.reports.add(("测试县丙局", 2022, "annual_report"))
    # A file named in Chinese with a space: linked raw, requested (and captured) percent-escaped.
    portal.add(
        "/f/p.html",
        _cached(_page(CHINESE_NAMED, "<p>发布日期：2023-01-09</p><a href='/files/附件 1.docx'>附件1</a>")),
    )
    portal.add(
        "/files/%E9%99%84%E4%BB%B6%201.docx",
        _cached(Answer(report_docx(CHINESE_NAMED), content_type=DOCX_TYPE)),
    )
    planted.reports.add(("测试县丁局", 2022, "annual_report"))
    planted.published[("测试县丁局", 2022)] = "2023-01-09"
    links = [
        ("/a/p.html", ZIPPED),
        ("/b/p.html", ZIPPED),
        ("/c/p.html", MOVED),
        ("/d/p.html", PICTURED),
        ("/e/p.html", PICTURED),
        ("/f/p.html", CHINESE_NAMED),
    ]
    items = "".join(f"<li><a href='{u}'>{t}</a></li>" for u, t in links)
    portal.add("/list/index.html", _page("年度报告", f"<ul>{items}</ul>"))
    return planted
