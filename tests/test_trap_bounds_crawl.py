"""Trap bounds in a real crawl: a list whose pager names all its 200 pages on the first page is read to
its end (nothing held is lost), and a calendar whose pages all carry the same download link in their
footer is still cut (a link asked for once already proves nothing new)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from crawler.bounds import AHEAD, FREE, WINDOW
from tests.portals.harness import crawl, db, summary, write_sites
from tests.portals.server import Portal, Req, html

pytestmark = pytest.mark.slow

LISTS = 200
REPORT = (
    "<html><head><title>{t}</title></head><body><h1>{t}</h1>"
    "<p>一、总体情况 二、主动公开政府信息情况 三、收到和处理政府信息公开申请情况 四、行政复议、行政诉讼情况</p>"
    "</body></html>"
)


def _list(i: int) -> str:
    items = "".join(
        f'<li><a href="./{i}/r{j}.html">测试县第{i * 2 + j}局2022年政府信息公开工作年度报告</a></li>'
        for j in range(2)
    )
    nxt = f'<a href="index_{i + 1}.html">下一页</a>' if i + 1 < LISTS else ""
    return (
        "<html><head><title>政府信息公开年报</title></head><body>"
        f'<ul>{items}</ul>{nxt}<script>createPageHTML({LISTS}, {i}, "index", "html");</script></body></html>'
    )


def _page(req: Req) -> object:
    rest = req.path.removeprefix("/xxgk/nb/")
    if rest in ("", "index.html"):
        return html(_list(0))
    if rest.startswith("index_"):
        return html(_list(int(rest[6:-5])))
    i, name = rest.split("/")
    n = int(i) * 2 + int(name[1:-5])
    return html(REPORT.format(t=f"测试县第{n}局2022年政府信息公开工作年度报告"))


def _day(req: Req) -> object:
    day = int(req.path.strip("/").split("/")[-1])
    return html(
        f'<html><head><title>政务公开日历</title></head><body><a href="/rl/{day + 1}/">政务公开日历{day + 1}</a>'
        '<div class="footer"><a href="/uploads/zwgk_app.zip">客户端下载</a></div></body></html>'
    )


def test_a_pager_naming_all_pages_is_read_whole_and_a_footer_link_does_not_feed_a_trap() -> None:
    portal = Portal("127.0.0.45")
    base = portal.start()
    try:
        portal.add_prefix("/xxgk/nb/", _page)  # type: ignore[arg-type]
        portal.add_prefix("/rl/", _day)  # type: ignore[arg-type]
        with tempfile.TemporaryDirectory(prefix="govarchive-bounds-") as tmp:
            folder = Path(tmp)
            sites = write_sites(
                folder / "sites.toml",
                [
                    {"id": "nb", "name": "测试县人民政府", "start_urls": [base + "/xxgk/nb/index.html"],
                     "family": "trs", "download_delay": 0.0, "concurrency": 16, "max_depth": 1000},
                    {"id": "rl", "name": "测试县人民政府", "start_urls": [base + "/rl/1/"],
                     "download_delay": 0.0, "concurrency": 16, "max_depth": 100000},
                ],
            )  # fmt: skip
            crawl(sites, folder / "data", ["nb", "rl"], timeout=600)
            with db(folder / "data") as conn:
                lists = conn.execute(
                    "SELECT count(DISTINCT url) FROM captures WHERE url LIKE '%/xxgk/nb/index%'"
                ).fetchone()[0]
                reports = conn.execute("SELECT count(*) FROM reports WHERE site_id = 'nb'").fetchone()[0]
            s = summary(folder / "data")
    finally:
        portal.stop()
    assert lists == LISTS, lists
    assert reports == 2 * LISTS
    assert s.get("held", 0) > 0  # the pager named more than the window: held, then released
    days = portal.requested("/rl/")
    assert len(days) <= FREE + WINDOW + AHEAD, len(days)
    assert any(k.startswith("cut/rl/") for k in s), sorted(s)
    # the footer's file is an unnamed candidate: explored once, and it fed no trap (the cut above)
    assert len(portal.requested("/uploads/zwgk_app.zip")) <= 1
