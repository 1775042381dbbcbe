"""Two small portals for politeness: one asks for a 0.6 s delay and one connection, the other for none;
the second also answers slowly (a timeout that recovers, and one that never does)."""

from __future__ import annotations

import time

from tests.portals import Planted
from tests.portals.docs import DOCX_TYPE, report_docx
from tests.portals.server import Answer, Portal, Req, html

SLOW_DELAY = 0.6
LATE = "测试县超时局2022年政府信息公开工作年度报告"
NEVER = "测试县无响应局2022年政府信息公开工作年度报告"
TIMEOUT_LINKS = [("/t/late.html", LATE), ("/t/never.html", NEVER)]
PAGES = 6


def _list(titles: list[tuple[str, str]]) -> Answer:
    links = "".join(f'<li><a href="{h}">{t}</a></li>' for h, t in titles)
    return html(f"<html><head><title>政府信息公开年报</title></head><body><ul>{links}</ul></body></html>")


def _article(title: str, attachment: str) -> Answer:
    return html(
        f'<html><head><meta name="ArticleTitle" content="{title}"><meta name="PubDate" content="2023-01-20">'
        f'<title>{title}</title></head><body><h1>{title}</h1><a href="{attachment}">附件</a></body></html>'
    )


def build_slow(portal: Portal, prefix: str, extra: list[tuple[str, str]] | None = None) -> Planted:
    """PAGES report pages, one DOCX each: every request counts for the delay."""
    planted = Planted()
    titles = list(extra or [])
    for i in range(PAGES):
        title = f"{prefix}第{i + 1}局2022年政府信息公开工作年度报告"
        titles.append((f"/a/{i}.html", title))
        portal.add(f"/a/{i}.html", _article(title, f"/f/{i}.docx"))
        portal.add(f"/f/{i}.docx", Answer(report_docx(title), content_type=DOCX_TYPE))
        planted.reports.add((f"{prefix}第{i + 1}局", 2022, "annual_report"))
    portal.add("/", _list(titles))
    return planted


def add_timeouts(portal: Portal, sleep: float) -> Planted:
    """/t/late.docx sleeps once then answers; /t/never.docx always sleeps past the timeout."""
    planted = Planted()
    seen = {"late": 0}
    late, never = LATE, NEVER

    def late_doc(_req: Req) -> Answer:
        seen["late"] += 1
        if seen["late"] == 1:
            time.sleep(sleep)
        return Answer(report_docx(late), content_type=DOCX_TYPE)

    def never_doc(_req: Req) -> Answer:
        time.sleep(sleep)
        return Answer(report_docx(never), content_type=DOCX_TYPE)

    portal.add("/t/late.html", _article(late, "/t/late.docx"))
    portal.add("/t/late.docx", late_doc)
    portal.add("/t/never.html", _article(never, "/t/never.docx"))
    portal.add("/t/never.docx", never_doc)
    planted.reports.add(("测试县超时局", 2022, "annual_report"))
    planted.never.append("never")  # a report that cannot be fetched is not recorded
    return planted
